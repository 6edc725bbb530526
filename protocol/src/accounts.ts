import * as z from 'zod/mini';
import { LIMITS } from './limits.js';
import { HIDDEN_CHARACTERS_MESSAGE, hasHiddenCharacters, utf8Bytes } from './text.js';

/**
 * Sign-up and log-in, written with zod/mini: the server validates with these very schemas, and the web client's
 * log-in page with them too, at a few KB where the whole of zod would weigh hundreds.
 */

export const usernameSchema = z.string().check(
  z.minLength(LIMITS.usernameMin, `must be at least ${LIMITS.usernameMin} characters`),
  z.maxLength(LIMITS.usernameMax, `must be at most ${LIMITS.usernameMax} characters`),
  z.regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, _ . and -'),
);

export const passwordSchema = z.string().check(
  z.minLength(LIMITS.passwordMinChars, `must be at least ${LIMITS.passwordMinChars} characters`),
  z.refine((s) => utf8Bytes(s) <= LIMITS.passwordMaxBytes, `must be at most ${LIMITS.passwordMaxBytes} bytes`),
);

export const personNameSchema = z.string().check(
  z.trim(),
  z.minLength(1, 'must not be empty'),
  z.maxLength(LIMITS.nameMax, `must be at most ${LIMITS.nameMax} characters`),
  z.refine((s) => !hasHiddenCharacters(s), HIDDEN_CHARACTERS_MESSAGE),
);

export const registerSchema = z.strictObject({
  firstName: personNameSchema,
  lastName: personNameSchema,
  username: usernameSchema,
  password: passwordSchema,
});
export type RegisterInput = z.infer<typeof registerSchema>;

const LOGIN_USERNAME_MAX = LIMITS.usernameMax * 4;
const LOGIN_PASSWORD_MAX = 1024;

/** Login checks shape only: the rules of sign-up must not tell an attacker which accounts exist. */
export const loginSchema = z.strictObject({
  username: z.string().check(z.minLength(1, 'is required'), z.maxLength(LOGIN_USERNAME_MAX, `must be at most ${LOGIN_USERNAME_MAX} characters`)),
  password: z.string().check(z.minLength(1, 'is required'), z.maxLength(LOGIN_PASSWORD_MAX, `must be at most ${LOGIN_PASSWORD_MAX} characters`)),
});
export type LoginInput = z.infer<typeof loginSchema>;

/** `PATCH /api/me`: a new first and last name, both given. */
export const profileUpdateSchema = z.strictObject({
  firstName: personNameSchema,
  lastName: personNameSchema,
});
export type ProfileUpdateInput = z.infer<typeof profileUpdateSchema>;

/** The password that proves it is you, checked as log-in checks it: its shape only. */
const currentPasswordSchema = loginSchema.shape.password;

/** `POST /api/me/password`: the current password, and a new one held to sign-up's rules. */
export const passwordChangeSchema = z.strictObject({
  currentPassword: currentPasswordSchema,
  newPassword: passwordSchema,
});
export type PasswordChangeInput = z.infer<typeof passwordChangeSchema>;

/** `DELETE /api/me`: deleting an account asks for its password. */
export const accountDeleteSchema = z.strictObject({ password: currentPasswordSchema });
export type AccountDeleteInput = z.infer<typeof accountDeleteSchema>;

/** Turns zod issues (of zod or zod/mini) into `{ field: message }`, the shape of `ErrorBody.fields`. */
export function fieldErrors(error: z.core.$ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[[...issue.path, key].join('.')] = 'is not a known field';
      continue;
    }
    const path = issue.path.join('.') || '_';
    fields[path] ??= issue.message;
  }
  return fields;
}
