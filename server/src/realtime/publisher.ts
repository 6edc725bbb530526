import type { Server } from 'socket.io';
import type { ClientToServerEvents, Message, ServerToClientEvents } from '@parley/protocol';
import { RoomOrder } from './room-order.js';

type EventName = keyof ServerToClientEvents;
type Args<E extends EventName> = Parameters<ServerToClientEvents[E]>;

/**
 * How services reach connected clients. Every socket is in a channel per user, per session and per
 * room it belongs to; through the Socket.IO adapter these channels reach every node.
 */
export interface Publisher {
  /** `message:new` to the room's sockets on every node, each node's in the order of the room's seq. */
  newMessage(message: Message): void;
  toRoom<E extends EventName>(roomId: number, event: E, ...args: Args<E>): void;
  toUser<E extends EventName>(userId: number, event: E, ...args: Args<E>): void;
  /** To the room's sockets but those of one user (all their devices), as for what that user did. */
  toRoomExceptUser<E extends EventName>(roomId: number, userId: number, event: E, ...args: Args<E>): void;
  /** To the room's sockets but those of these users. */
  toRoomExceptUsers<E extends EventName>(roomId: number, userIds: readonly number[], event: E, ...args: Args<E>): void;
  toEveryoneExceptUser<E extends EventName>(userId: number, event: E, ...args: Args<E>): void;
  toEveryone<E extends EventName>(event: E, ...args: Args<E>): void;
  /** Subscribes all of a user's sockets to a room's messages. */
  joinRoom(userId: number, roomId: number): void;
  leaveRoom(userId: number, roomId: number): void;
  /** Takes every socket out of a room's channel, on every node: the room is gone. */
  closeRoom(roomId: number): void;
  disconnectSession(sessionId: number): void;
}

export const channels = {
  user: (userId: number) => `user:${userId}`,
  session: (sessionId: number) => `session:${sessionId}`,
  room: (roomId: number) => `room:${roomId}`,
  /** The sockets that watch a user's presence (`presence:watch`): their announcements reach it. */
  watchers: (userId: number) => `watch:${userId}`,
};

/** The room channels among a socket's channels. */
export function roomChannelsIn(socketChannels: Iterable<string>): string[] {
  return [...socketChannels].filter((channel) => channel.startsWith('room:'));
}

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents>;

/** A message stored by one node, for the others to deliver (see `RoomOrder`). */
const MESSAGE_STORED = 'parley:message-stored';

/**
 * A new message's delivery. One node delivers in seq order as it is: its appends are answered in commit order.
 * Several pass every message, their own and each other's, through a `RoomOrder` (see there why), and deliver
 * to their own sockets only.
 */
function messageDelivery(io: ParleyServer, clustered: boolean): (message: Message) => void {
  if (!clustered) return (message) => io.to(channels.room(message.roomId)).emit('message:new', message);
  const order = new RoomOrder<Message>((message) => io.local.to(channels.room(message.roomId)).emit('message:new', message));
  io.of('/').on(MESSAGE_STORED, (message: unknown) => {
    const m = message as Message | null;
    if (typeof m?.roomId === 'number' && typeof m.seq === 'number') order.accept(m);
  });
  return (message) => {
    order.accept(message);
    io.serverSideEmit(MESSAGE_STORED, message);
  };
}

export function socketPublisher(io: ParleyServer, options: { clustered: boolean }): Publisher {
  // Socket.IO's typed emit cannot follow a generic event name, so the channels are emitted to untyped.
  const emitTo = (channel: string | null, except: string | string[] | null, event: string, args: unknown[]) => {
    const to = channel === null ? io : io.to(channel);
    (except === null ? to : to.except(except)).emit(event as EventName, ...(args as [never]));
  };
  return {
    newMessage: messageDelivery(io, options.clustered),
    toRoom: (roomId, event, ...args) => emitTo(channels.room(roomId), null, event, args),
    toRoomExceptUser: (roomId, userId, event, ...args) => emitTo(channels.room(roomId), channels.user(userId), event, args),
    toRoomExceptUsers: (roomId, userIds, event, ...args) => emitTo(channels.room(roomId), userIds.map(channels.user), event, args),
    toUser: (userId, event, ...args) => emitTo(channels.user(userId), null, event, args),
    toEveryoneExceptUser: (userId, event, ...args) => emitTo(null, channels.user(userId), event, args),
    toEveryone: (event, ...args) => emitTo(null, null, event, args),
    // The Redis adapter carries joins, leaves and disconnects to every node, this one included, through
    // Redis: until its own request comes back, this node would still deliver by the old channels, and
    // an event emitted meanwhile (a message sent right after a chat opens) would miss or reach the wrong
    // sockets here. So this node applies them at once, and the cluster-wide request, repeated here, is
    // idempotent. Other nodes get the request before any later broadcast: both go through one
    // connection in order.
    joinRoom: (userId, roomId) => {
      io.local.in(channels.user(userId)).socketsJoin(channels.room(roomId));
      io.in(channels.user(userId)).socketsJoin(channels.room(roomId));
    },
    leaveRoom: (userId, roomId) => {
      io.local.in(channels.user(userId)).socketsLeave(channels.room(roomId));
      io.in(channels.user(userId)).socketsLeave(channels.room(roomId));
    },
    closeRoom: (roomId) => {
      io.local.in(channels.room(roomId)).socketsLeave(channels.room(roomId));
      io.in(channels.room(roomId)).socketsLeave(channels.room(roomId));
    },
    disconnectSession: (sessionId) => {
      io.local.in(channels.session(sessionId)).disconnectSockets(true);
      io.in(channels.session(sessionId)).disconnectSockets(true);
    },
  };
}
