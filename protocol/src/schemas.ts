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

/**
 * Characters a name must not hold: controls (Cc), format characters (Cf: the bidi embeddings, overrides and
 * isolates U+202A–202E and U+2066–2069, the marks U+200E/200F, zero-width U+200B–200D, U+2060, U+FEFF, tag
 * characters…), lone surrogates (Cs), and the line and paragraph separators U+2028/2029. A bidi override makes
 * "invoice_\u202Efdp.exe" read "invoice_exe.pdf"; the invisible ones make two names that look alike differ.
 */
const HIDDEN_IN_NAMES = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * A zero-width joiner between two emoji (with an optional skin tone or emoji presentation selector on the
 * first) only glues them into one picture, as in 👩‍💻 or 👨‍👩‍👧: it can neither hide nor reorder text, so
 * such names stay allowed. Any other ZWJ is refused with the rest of the format characters.
 */
const EMOJI_ZWJ = /(?<=\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\u{FE0F}]?)\u200D(?=\p{Extended_Pictographic})/gu;

/** Whether a name holds a character that is invisible or changes how the text around it is drawn. */
export function hasHiddenCharacters(name: string): boolean {
  return HIDDEN_IN_NAMES.test(name.replace(EMOJI_ZWJ, ''));
}

const HIDDEN_CHARACTERS_MESSAGE = 'must not contain control or invisible formatting characters (such as bidi overrides or zero-width spaces)';

export const personNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(LIMITS.nameMax, `must be at most ${LIMITS.nameMax} characters`)
  .refine((s) => !hasHiddenCharacters(s), HIDDEN_CHARACTERS_MESSAGE);

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
  .max(LIMITS.roomNameMax, `must be at most ${LIMITS.roomNameMax} characters`)
  .refine((s) => !hasHiddenCharacters(s), HIDDEN_CHARACTERS_MESSAGE);

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

const cursorSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.cursorMax, `must be at most ${LIMITS.cursorMax} characters`)
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this server gave');
const roomsLimitSchema = z.int().min(1).max(LIMITS.roomsPageMax);

/**
 * `rooms:list`: one page of the caller's own rooms, most recently active first. `cursor` is the `nextCursor` of
 * the page before, opaque.
 */
export const roomsListSchema = z.strictObject({
  cursor: cursorSchema.optional(),
  limit: roomsLimitSchema.optional(),
});
export type RoomsListInput = z.infer<typeof roomsListSchema>;

/**
 * `rooms:browse`: one page of the group rooms the caller could join, ordered by name, whose name starts with
 * `query` (ignoring case and width). `cursor` is the `nextCursor` of the page before, opaque.
 */
export const roomsBrowseSchema = z.strictObject({
  query: z.string().max(LIMITS.roomNameMax, `must be at most ${LIMITS.roomNameMax} characters`).optional(),
  cursor: cursorSchema.optional(),
  limit: roomsLimitSchema.optional(),
});
export type RoomsBrowseInput = z.infer<typeof roomsBrowseSchema>;

/**
 * `GET /api/users`'s query string: one page of people ordered by username (case ignored), those whose username, first
 * name or last name starts with `query` (case and accents ignored; "first last" matches too). `cursor` is the
 * `nextCursor` of the page before, opaque. Query string values are text: `limit` is read as a number.
 */
export const usersQuerySchema = z.strictObject({
  query: z.string().max(LIMITS.usersQueryMax, `must be at most ${LIMITS.usersQueryMax} characters`).optional(),
  cursor: cursorSchema.optional(),
  limit: z.coerce.number<string | number>().int().min(1).max(LIMITS.usersPageMax).optional(),
});
export type UsersQuery = z.input<typeof usersQuerySchema>;

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

/**
 * What draws nothing on its own: white space and other separators (Z), controls (Cc), format characters (Cf:
 * zero-width spaces and joiners, bidi marks…), combining marks with nothing to combine with (M), the other
 * default-ignorable code points (Hangul fillers, variation selectors…), and the blank Braille pattern U+2800,
 * which fonts draw as a space.
 */
const INVISIBLE = /^[\p{White_Space}\p{Z}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** Whether a text would show nothing at all: a message made only of such characters is blank. */
export function isInvisible(text: string): boolean {
  return INVISIBLE.test(text);
}

export const messageBodySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.bodyMax, `must be at most ${LIMITS.bodyMax} characters`)
  .refine((s) => !isInvisible(s), 'must not be blank');

export const messageSendSchema = z.strictObject({
  roomId: idSchema,
  clientId: clientIdSchema,
  body: messageBodySchema,
});
export type MessageSendInput = z.infer<typeof messageSendSchema>;

/**
 * `room:read`: everything up to and including `seq` is read. The marker moves forward only; a seq past the
 * room's newest message is refused (`invalid`), as the server checks against the room.
 */
export const roomReadSchema = z.strictObject({
  roomId: idSchema,
  seq: z.int().min(1),
});
export type RoomReadInput = z.infer<typeof roomReadSchema>;

export const roomMuteSchema = z.strictObject({
  roomId: idSchema,
  muted: z.boolean(),
});
export type RoomMuteInput = z.infer<typeof roomMuteSchema>;

/**
 * `presence:watch`: the people whose coming and going this socket hears of (`user:online`, `user:offline`), besides
 * those it shares a room with: at most `LIMITS.presenceWatchMax`, replacing the socket's previous list. An empty list
 * ends the watch.
 */
export const presenceWatchSchema = z.strictObject({
  userIds: z.array(idSchema).max(LIMITS.presenceWatchMax, `must name at most ${LIMITS.presenceWatchMax} people`),
});
export type PresenceWatchInput = z.infer<typeof presenceWatchSchema>;

/** `typing`: sent at most once per 3 s while the user types. */
export const typingSchema = z.strictObject({ roomId: idSchema });
export type TypingInput = z.infer<typeof typingSchema>;

/** `{ rooms: { "<roomId>": <the last seq the client holds, 0 for none> } }`: what a reconnecting client has. */
export const syncSchema = z.strictObject({
  rooms: z
    .record(
      z
        .string()
        .regex(/^[1-9][0-9]{0,15}$/, 'must be a room id')
        // Past 2^53 two keys could name one number, and the id could not come back exactly in `left`.
        .refine((key) => Number.isSafeInteger(Number(key)), 'must be a room id'),
      z.int().min(0),
    )
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
