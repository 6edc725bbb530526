import { z } from 'zod';
import { LIMITS } from './limits.js';
import { HIDDEN_CHARACTERS_MESSAGE, hasHiddenCharacters, isInvisible, isOneReaction, utf8Bytes } from './text.js';

/**
 * Inputs the server accepts, shared so clients validate exactly as the server does (sign-up and log-in are in
 * accounts.ts). Every object is strict: an unknown field is an error, not something silently dropped.
 */

export const idSchema = z.int().positive();

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
 * `room:members`: one page of a room's members, longest-standing first. `cursor` is the `nextCursor` of the page
 * before, opaque.
 */
export const roomMembersSchema = z.strictObject({
  roomId: idSchema,
  cursor: cursorSchema.optional(),
  limit: z.int().min(1).max(LIMITS.membersPageMax).optional(),
});
export type RoomMembersInput = z.infer<typeof roomMembersSchema>;

/**
 * `room:remove`: an owner or moderator removes a member. They may not join again for `banMinutes` (0: they may at
 * once), or, without it, until `room:unban`.
 */
export const roomRemoveSchema = z.strictObject({
  roomId: idSchema,
  userId: idSchema,
  banMinutes: z.int().min(0).max(LIMITS.banMinutesMax).optional(),
});
export type RoomRemoveInput = z.infer<typeof roomRemoveSchema>;

/**
 * `room:update`: the owner renames a group room, or sets, changes or removes its password (an empty one removes
 * it). What is left out stays as it is.
 */
export const roomUpdateSchema = z.strictObject({
  roomId: idSchema,
  name: roomNameSchema.optional(),
  password: roomPasswordSchema.optional(),
});
export type RoomUpdateInput = z.infer<typeof roomUpdateSchema>;

/** `room:role`: the owner makes a member a moderator, or a moderator a member again. */
export const roomRoleSchema = z.strictObject({
  roomId: idSchema,
  userId: idSchema,
  role: z.enum(['moderator', 'member']),
});
export type RoomRoleInput = z.infer<typeof roomRoleSchema>;

/** `room:delete`: the owner deletes a group room, and all its messages with it. */
export const roomDeleteSchema = z.strictObject({ roomId: idSchema });
export type RoomDeleteInput = z.infer<typeof roomDeleteSchema>;

/** `room:unban`: an owner or moderator lets someone removed join again. */
export const roomUnbanSchema = z.strictObject({ roomId: idSchema, userId: idSchema });
export type RoomUnbanInput = z.infer<typeof roomUnbanSchema>;

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

export const messageBodySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.bodyMax, `must be at most ${LIMITS.bodyMax} characters`)
  .refine((s) => !isInvisible(s), 'must not be blank');

/** `message:send`; `replyToId` names the message of the same room that this one answers. */
export const messageSendSchema = z.strictObject({
  roomId: idSchema,
  clientId: clientIdSchema,
  body: messageBodySchema,
  replyToId: idSchema.optional(),
});
export type MessageSendInput = z.infer<typeof messageSendSchema>;

/** `message:edit`: the author replaces the body of one of their messages. */
export const messageEditSchema = z.strictObject({ messageId: idSchema, body: messageBodySchema });
export type MessageEditInput = z.infer<typeof messageEditSchema>;

/** `message:delete`: its author, or the room's owner or a moderator, deletes a message. */
export const messageDeleteSchema = z.strictObject({ messageId: idSchema });
export type MessageDeleteInput = z.infer<typeof messageDeleteSchema>;

/** `message:edits`: what a message said before each of its edits. */
export const messageEditsSchema = z.strictObject({ messageId: idSchema });
export type MessageEditsInput = z.infer<typeof messageEditsSchema>;

export const reactionEmojiSchema = z
  .string()
  .refine(
    (s) => isOneReaction(s, LIMITS.emojiMaxBytes),
    `must be one emoji (a single character as drawn) of at most ${LIMITS.emojiMaxBytes} bytes`,
  );

/** `reaction:set`: I react to a message with an emoji (`on`), or take my reaction back. */
export const reactionSetSchema = z.strictObject({ messageId: idSchema, emoji: reactionEmojiSchema, on: z.boolean() });
export type ReactionSetInput = z.infer<typeof reactionSetSchema>;

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

/** `user:block`: block someone, or lift the block (`blocked: false`). */
export const userBlockSchema = z.strictObject({ userId: idSchema, blocked: z.boolean() });
export type UserBlockInput = z.infer<typeof userBlockSchema>;

/** `typing`: sent at most once per 3 s while the user types. */
export const typingSchema = z.strictObject({ roomId: idSchema });
export type TypingInput = z.infer<typeof typingSchema>;

/** Where a client stands in one room: the last seq it holds, and the room's change counter it holds. */
const syncPositionSchema = z.strictObject({ seq: z.int().min(0), changeSeq: z.int().min(0) });
export type SyncPosition = z.infer<typeof syncPositionSchema>;

/**
 * `{ rooms: { "<roomId>": {seq, changeSeq} } }`: what a reconnecting client has, in each room the last seq it holds
 * (0 for none) and the room's `changeSeq` it holds. A room may also be named by its seq alone (`"<roomId>": seq`):
 * then changes to the messages held are not looked for.
 */
export const syncSchema = z.strictObject({
  rooms: z
    .record(
      z
        .string()
        .regex(/^[1-9][0-9]{0,15}$/, 'must be a room id')
        // Past 2^53 two keys could name one number, and the id could not come back exactly in `left`.
        .refine((key) => Number.isSafeInteger(Number(key)), 'must be a room id'),
      z.union([z.int().min(0), syncPositionSchema]),
    )
    .refine((rooms) => Object.keys(rooms).length <= LIMITS.syncRoomsMax, `must name at most ${LIMITS.syncRoomsMax} rooms`),
});
export type SyncInput = z.infer<typeof syncSchema>;
