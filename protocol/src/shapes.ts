import { z } from 'zod';
import { ERROR_CODES, type ErrorBody, type ErrorResponse } from './errors.js';
import { accountDeleteSchema, loginSchema, passwordChangeSchema, profileUpdateSchema, registerSchema } from './accounts.js';
import type { ClientEventName, ServerToClientEvents, AckOf } from './events.js';
import type { AuthResponse, BlocksResponse, MeResponse, SessionsResponse, UsersResponse } from './http.js';
import type {
  DirectoryUser,
  MemberNotice,
  Message,
  MessageEdit,
  MessageUpdated,
  PublicUser,
  ReadMarker,
  Room,
  RoomCatchUp,
  RoomMember,
  RoomMemberEvent,
  RoomMute,
  RoomRoleEvent,
  RoomUpdated,
  SessionInfo,
  TypingSignal,
  UserBlockEvent,
} from './models.js';
import {
  dmOpenSchema,
  idSchema,
  messageDeleteSchema,
  messageEditSchema,
  messageEditsSchema,
  messageSendSchema,
  reactionSetSchema,
  presenceWatchSchema,
  roomCreateSchema,
  roomHistorySchema,
  roomJoinSchema,
  roomLeaveSchema,
  roomMembersSchema,
  roomMuteSchema,
  roomDeleteSchema,
  roomRemoveSchema,
  roomRoleSchema,
  roomUnbanSchema,
  roomUpdateSchema,
  roomReadSchema,
  roomsBrowseSchema,
  roomsListSchema,
  syncSchema,
  typingSchema,
  userBlockSchema,
  usersQuerySchema,
} from './schemas.js';

/**
 * Schemas of what the server sends, beside the interfaces in models.ts, so that a client (or a test)
 * can check what it receives, and the protocol document's examples are checked against them. The
 * `Exact` assertions below keep each schema and its interface the same type: change one, change both.
 */

const time = z.iso.datetime();
const seqSchema = z.int().min(0);

export const publicUserShape = z.strictObject({
  id: idSchema,
  username: z.string(),
  firstName: z.string(),
  lastName: z.string(),
});

export const sessionInfoShape = z.strictObject({
  id: idSchema,
  createdAt: time,
  lastUsedAt: time,
  userAgent: z.string(),
  address: z.string(),
  current: z.boolean(),
});

export const userBlockEventShape = z.strictObject({ userId: idSchema, blocked: z.boolean() });

export const directoryUserShape = publicUserShape.extend({ online: z.boolean() });

const memberChangeShape = z.enum(['joined', 'left', 'removed']);

export const memberNoticeShape = z.strictObject({ change: memberChangeShape, user: publicUserShape });

export const messageShape = z.strictObject({
  id: idSchema,
  roomId: idSchema,
  seq: z.int().min(1),
  kind: z.enum(['text', 'system']),
  authorId: idSchema,
  author: publicUserShape,
  body: z.string(),
  notice: memberNoticeShape.nullable(),
  clientId: z.string(),
  createdAt: time,
  editedAt: time.nullable(),
  deletedAt: time.nullable(),
  changeSeq: seqSchema,
  replyTo: z
    .strictObject({ id: idSchema, seq: z.int().min(1), author: publicUserShape, excerpt: z.string(), deleted: z.boolean() })
    .nullable(),
  reactions: z.array(z.strictObject({ emoji: z.string(), count: z.int().min(1), me: z.boolean() })),
});

export const messageEditShape = z.strictObject({ body: z.string(), replacedAt: time });

export const messageUpdatedShape = z.strictObject({
  message: messageShape,
  reaction: z.strictObject({ userId: idSchema, emoji: z.string(), on: z.boolean() }).nullable(),
});

const memberRoleShape = z.enum(['owner', 'moderator', 'member']);

export const roomShape = z.strictObject({
  id: idSchema,
  kind: z.enum(['direct', 'group']),
  name: z.string().nullable(),
  protected: z.boolean(),
  joined: z.boolean(),
  memberCount: z.int().min(0),
  lastSeq: seqSchema,
  lastActivityAt: time,
  createdAt: time,
  peer: publicUserShape.nullable(),
  lastReadSeq: seqSchema,
  unread: z.int().min(0),
  lastMessage: messageShape.nullable(),
  muted: z.boolean(),
  peerLastReadSeq: seqSchema.nullable(),
  role: memberRoleShape.nullable(),
  changeSeq: seqSchema,
});

export const roomCatchUpShape = z.strictObject({
  roomId: idSchema,
  messages: z.array(messageShape),
  changed: z.array(messageShape),
  changeSeq: seqSchema,
  complete: z.boolean(),
});

export const errorBodyShape = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  fields: z.record(z.string(), z.string()).optional(),
});

export const errorResponseShape = z.strictObject({ error: errorBodyShape });

const roomsPageShape = z.strictObject({ rooms: z.array(roomShape), nextCursor: z.string().nullable() });

export const roomMemberShape = z.strictObject({
  user: publicUserShape,
  role: memberRoleShape,
  online: z.boolean(),
  joinedAt: time,
});

const withHistory = { room: roomShape, messages: z.array(messageShape) };

/** Each client event's input, and the success part of its ack (without `ok`). */
export const clientEvents = {
  'dm:open': { payload: dmOpenSchema, success: z.strictObject(withHistory) },
  'room:create': { payload: roomCreateSchema, success: z.strictObject({ room: roomShape }) },
  'room:join': { payload: roomJoinSchema, success: z.strictObject(withHistory) },
  'room:leave': { payload: roomLeaveSchema, success: z.strictObject({}) },
  'rooms:list': { payload: roomsListSchema, success: roomsPageShape },
  'rooms:browse': { payload: roomsBrowseSchema, success: roomsPageShape },
  'room:members': {
    payload: roomMembersSchema,
    success: z.strictObject({ members: z.array(roomMemberShape), nextCursor: z.string().nullable() }),
  },
  'room:remove': { payload: roomRemoveSchema, success: z.strictObject({}) },
  'room:unban': { payload: roomUnbanSchema, success: z.strictObject({}) },
  'room:update': { payload: roomUpdateSchema, success: z.strictObject({ room: roomShape }) },
  'room:role': { payload: roomRoleSchema, success: z.strictObject({}) },
  'room:delete': { payload: roomDeleteSchema, success: z.strictObject({}) },
  'room:history': { payload: roomHistorySchema, success: z.strictObject({ messages: z.array(messageShape) }) },
  'message:send': { payload: messageSendSchema, success: z.strictObject({ message: messageShape }) },
  'message:edit': { payload: messageEditSchema, success: z.strictObject({ message: messageShape }) },
  'message:delete': { payload: messageDeleteSchema, success: z.strictObject({ message: messageShape }) },
  'message:edits': { payload: messageEditsSchema, success: z.strictObject({ edits: z.array(messageEditShape) }) },
  'reaction:set': { payload: reactionSetSchema, success: z.strictObject({ message: messageShape }) },
  sync: {
    payload: syncSchema,
    success: z.strictObject({ rooms: z.array(roomCatchUpShape), joined: z.array(roomShape), left: z.array(idSchema) }),
  },
  'room:read': { payload: roomReadSchema, success: z.strictObject({ lastReadSeq: seqSchema }) },
  'room:mute': { payload: roomMuteSchema, success: z.strictObject({}) },
  typing: { payload: typingSchema, success: z.strictObject({}) },
  'user:block': { payload: userBlockSchema, success: z.strictObject({}) },
  'presence:watch': { payload: presenceWatchSchema, success: z.strictObject({ online: z.array(idSchema) }) },
} as const satisfies Record<ClientEventName, { payload: z.ZodType; success: z.ZodObject }>;

/** An event's whole acknowledgement: `{ok: true, ...success}` or `{ok: false, error}`. */
export function ackShape(event: ClientEventName) {
  return z.union([
    clientEvents[event].success.extend({ ok: z.literal(true) }),
    z.strictObject({ ok: z.literal(false), error: errorBodyShape }),
  ]);
}

const userIdEvent = z.strictObject({ userId: idSchema });

export const readMarkerShape = z.strictObject({ roomId: idSchema, userId: idSchema, seq: seqSchema });
export const roomMuteShape = z.strictObject({ roomId: idSchema, muted: z.boolean() });
export const typingSignalShape = z.strictObject({ roomId: idSchema, userId: idSchema });
export const roomRoleEventShape = z.strictObject({ roomId: idSchema, userId: idSchema, role: memberRoleShape });
export const roomUpdatedShape = z.strictObject({ roomId: idSchema, name: z.string(), protected: z.boolean() });
export const roomMemberEventShape = z.strictObject({
  roomId: idSchema,
  userId: idSchema,
  change: memberChangeShape,
  memberCount: z.int().min(0),
  seq: z.int().min(1),
});

/** Each server event's payload. */
export const serverEvents = {
  'message:new': messageShape,
  'message:updated': messageUpdatedShape,
  'room:new': roomShape,
  'room:created': roomShape,
  'user:online': userIdEvent,
  'user:offline': userIdEvent,
  'room:read': readMarkerShape,
  'room:mute': roomMuteShape,
  'room:member': roomMemberEventShape,
  'room:role': roomRoleEventShape,
  'room:updated': roomUpdatedShape,
  'room:deleted': z.strictObject({ roomId: idSchema }),
  typing: typingSignalShape,
  'user:updated': z.strictObject({ user: publicUserShape }),
  'user:blocked': userBlockEventShape,
  'socket:closing': z.strictObject({
    reason: z.enum(['session_expired', 'too_many_sockets', 'rate_limited']),
    message: z.string(),
  }),
} as const satisfies { [E in keyof ServerToClientEvents]: z.ZodType };

/** The HTTP API: each route's request body (when it takes one), its query string (when it reads one), and its successful response body. */
export const httpRoutes = {
  'POST /api/auth/register': { request: registerSchema, response: z.strictObject({ user: publicUserShape, token: z.string() }) },
  'POST /api/auth/login': { request: loginSchema, response: z.strictObject({ user: publicUserShape, token: z.string() }) },
  'POST /api/auth/logout': { request: undefined, response: undefined },
  'GET /api/me': { request: undefined, response: z.strictObject({ user: publicUserShape }) },
  'PATCH /api/me': { request: profileUpdateSchema, response: z.strictObject({ user: publicUserShape }) },
  'DELETE /api/me': { request: accountDeleteSchema, response: undefined },
  'POST /api/me/password': { request: passwordChangeSchema, response: undefined },
  'GET /api/me/sessions': { request: undefined, response: z.strictObject({ sessions: z.array(sessionInfoShape) }) },
  'DELETE /api/me/sessions/:id': { request: undefined, response: undefined },
  'GET /api/me/blocks': { request: undefined, response: z.strictObject({ users: z.array(publicUserShape) }) },
  'GET /api/users': {
    request: undefined,
    query: usersQuerySchema,
    response: z.strictObject({ users: z.array(directoryUserShape), nextCursor: z.string().nullable() }),
  },
  'GET /healthz': { request: undefined, response: z.strictObject({ status: z.literal('ok'), overloaded: z.boolean() }) },
} as const;

// The schemas above and the interfaces clients compile against are one type: these fail to compile otherwise.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Output<S extends z.ZodType> = z.output<S>;
type Success<E extends ClientEventName> = Omit<Extract<AckOf<E>, { ok: true }>, 'ok'>;
type ServerPayload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];
const exact = <T extends true>(_proof?: T) => undefined;
exact<Exact<Output<typeof publicUserShape>, PublicUser>>();
exact<Exact<Output<typeof directoryUserShape>, DirectoryUser>>();
exact<Exact<Output<typeof roomShape>, Room>>();
exact<Exact<Output<typeof sessionInfoShape>, SessionInfo>>();
exact<Exact<Output<typeof userBlockEventShape>, UserBlockEvent>>();
exact<Exact<Output<(typeof httpRoutes)['GET /api/me/sessions']['response']>, SessionsResponse>>();
exact<Exact<Output<(typeof httpRoutes)['GET /api/me/blocks']['response']>, BlocksResponse>>();
exact<Exact<Output<typeof memberNoticeShape>, MemberNotice>>();
exact<Exact<Output<typeof messageShape>, Message>>();
exact<Exact<Output<typeof messageEditShape>, MessageEdit>>();
exact<Exact<Output<typeof messageUpdatedShape>, MessageUpdated>>();
exact<Exact<Output<typeof roomMemberEventShape>, RoomMemberEvent>>();
exact<Exact<Output<typeof roomMemberShape>, RoomMember>>();
exact<Exact<Output<typeof roomRoleEventShape>, RoomRoleEvent>>();
exact<Exact<Output<typeof roomUpdatedShape>, RoomUpdated>>();
exact<Exact<Output<typeof roomCatchUpShape>, RoomCatchUp>>();
exact<Exact<Output<typeof readMarkerShape>, ReadMarker>>();
exact<Exact<Output<typeof roomMuteShape>, RoomMute>>();
exact<Exact<Output<typeof typingSignalShape>, TypingSignal>>();
exact<Exact<Output<typeof errorBodyShape>, ErrorBody>>();
exact<Exact<Output<typeof errorResponseShape>, ErrorResponse>>();
exact<Exact<Output<(typeof httpRoutes)['POST /api/auth/login']['response']>, AuthResponse>>();
exact<Exact<Output<(typeof httpRoutes)['GET /api/me']['response']>, MeResponse>>();
exact<Exact<Output<(typeof httpRoutes)['GET /api/users']['response']>, UsersResponse>>();
exact<{ [E in ClientEventName]: Exact<Output<(typeof clientEvents)[E]['success']>, Success<E>> }[ClientEventName]>();
exact<{ [E in keyof ServerToClientEvents]: Exact<Output<(typeof serverEvents)[E]>, ServerPayload<E>> }[keyof ServerToClientEvents]>();
