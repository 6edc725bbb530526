import { dictionary } from '@zxcvbn-ts/language-common';
import { LIMITS } from '@parley/protocol';

/**
 * The most common passwords, from zxcvbn-ts's list (about 49,000 taken from leaked password dumps,
 * most common first). Only those long enough to pass the length rule matter here (about 18,000), kept
 * lower-cased: "Password1" is as weak as "password1". Loaded on the server only; the browser gets the
 * reason from the sign-up answer instead of a megabyte of list.
 */
const commonPasswords: ReadonlySet<string> = new Set(
  dictionary['passwords-common'].filter((p) => p.length >= LIMITS.passwordMinChars).map((p) => p.toLowerCase()),
);

/** Why a new password is too weak to accept, or null. Length and bytes are the schema's concern. */
export function weakPasswordReason(password: string, username: string): string | null {
  const lowered = password.toLowerCase();
  if (commonPasswords.has(lowered)) return 'is one of the most common passwords; choose another';
  if (lowered.includes(username.toLowerCase())) return 'must not contain your username';
  return null;
}
