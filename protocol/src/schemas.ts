import { z } from 'zod';
import { LIMITS } from './limits.js';

/**
 * Inputs the server accepts, shared so clients validate exactly as the server does.
 * Every object is strict: an unknown field is an error, not something silently dropped.
 */

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

export const idSchema = z.int().positive();

export const usernameSchema = z
  .string()
  .min(LIMITS.usernameMin, `must be at least ${LIMITS.usernameMin} characters`)
  .max(LIMITS.usernameMax, `must be at most ${LIMITS.usernameMax} characters`)
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, _ . and -');

export const passwordSchema = z
  .string()
  .min(LIMITS.passwordMinChars, `must be at least ${LIMITS.passwordMinChars} characters`)
  .refine((s) => utf8Bytes(s) <= LIMITS.passwordMaxBytes, `must be at most ${LIMITS.passwordMaxBytes} bytes`);

export const personNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.nameMax, `must be at most ${LIMITS.nameMax} characters`);

export const registerSchema = z.strictObject({
  firstName: personNameSchema,
  lastName: personNameSchema,
  username: usernameSchema,
  password: passwordSchema,
});
export type RegisterInput = z.infer<typeof registerSchema>;

/** Login checks shape only: the rules of sign-up must not tell an attacker which accounts exist. */
export const loginSchema = z.strictObject({
  username: z.string().min(1, 'is required').max(LIMITS.usernameMax * 4),
  password: z.string().min(1, 'is required').max(1024),
});
export type LoginInput = z.infer<typeof loginSchema>;

const historyLimitSchema = z.int().min(1).max(LIMITS.historyMax);

export const dmOpenSchema = z.strictObject({
  userId: idSchema,
  limit: historyLimitSchema.optional(),
});
export type DmOpenInput = z.infer<typeof dmOpenSchema>;

export const roomNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.roomNameMax, `must be at most ${LIMITS.roomNameMax} characters`);

/** An empty room password means "no password", which is what an untouched form field sends. */
const roomPasswordSchema = z
  .string()
  .refine((s) => utf8Bytes(s) <= LIMITS.passwordMaxBytes, `must be at most ${LIMITS.passwordMaxBytes} bytes`);

export const roomCreateSchema = z.strictObject({
  name: roomNameSchema,
  password: roomPasswordSchema.optional(),
});
export type RoomCreateInput = z.infer<typeof roomCreateSchema>;

export const roomJoinSchema = z.strictObject({
  roomId: idSchema,
  password: roomPasswordSchema.optional(),
  limit: historyLimitSchema.optional(),
});
export type RoomJoinInput = z.infer<typeof roomJoinSchema>;

export const roomLeaveSchema = z.strictObject({ roomId: idSchema });
export type RoomLeaveInput = z.infer<typeof roomLeaveSchema>;

export const roomsListSchema = z.strictObject({});
export type RoomsListInput = z.infer<typeof roomsListSchema>;

export const roomHistorySchema = z.strictObject({
  roomId: idSchema,
  beforeSeq: z.int().min(1).optional(),
  limit: historyLimitSchema.optional(),
});
export type RoomHistoryInput = z.infer<typeof roomHistorySchema>;

export const clientIdSchema = z
  .string()
  .min(1, 'is required')
  .max(LIMITS.clientIdMax, `must be at most ${LIMITS.clientIdMax} characters`)
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -');

export const messageBodySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.bodyMax, `must be at most ${LIMITS.bodyMax} characters`)
  .refine((s) => s.trim().length > 0, 'must not be blank');

export const messageSendSchema = z.strictObject({
  roomId: idSchema,
  clientId: clientIdSchema,
  body: messageBodySchema,
});
export type MessageSendInput = z.infer<typeof messageSendSchema>;

/** `{ rooms: { "<roomId>": <the last seq the client holds, 0 for none> } }`: what a reconnecting client has. */
export const syncSchema = z.strictObject({
  rooms: z
    .record(z.string().regex(/^[1-9][0-9]{0,15}$/, 'must be a room id'), z.int().min(0))
    .refine((rooms) => Object.keys(rooms).length <= LIMITS.syncRoomsMax, `must name at most ${LIMITS.syncRoomsMax} rooms`),
});
export type SyncInput = z.infer<typeof syncSchema>;

/** Turns zod issues into `{ field: message }`, the shape of `ErrorBody.fields`. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
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
