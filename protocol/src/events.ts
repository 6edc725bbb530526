import type { Ack } from './errors.js';
import type {
  Message,
  MessageEdit,
  MessageUpdated,
  ReadMarker,
  Room,
  RoomMemberEvent,
  RoomMembersPage,
  RoomMute,
  RoomRoleEvent,
  RoomUpdated,
  RoomsPage,
  SocketClosing,
  SyncAnswer,
  TypingSignal,
  PublicUser,
  UserBlockEvent,
} from './models.js';
import type {
  DmOpenInput,
  MessageDeleteInput,
  MessageEditInput,
  MessageEditsInput,
  MessageSendInput,
  ReactionSetInput,
  PresenceWatchInput,
  RoomCreateInput,
  RoomHistoryInput,
  RoomJoinInput,
  RoomLeaveInput,
  RoomMembersInput,
  RoomDeleteInput,
  RoomRemoveInput,
  RoomRoleInput,
  RoomUnbanInput,
  RoomUpdateInput,
  RoomMuteInput,
  RoomReadInput,
  RoomsBrowseInput,
  RoomsListInput,
  SyncInput,
  TypingInput,
  UserBlockInput,
} from './schemas.js';

type Call<In, Out extends object> = (payload: In, ack: (response: Ack<Out>) => void) => void;

/** Client-to-server events: every one takes a payload and an acknowledgement callback. */
export interface ClientToServerEvents {
  'dm:open': Call<DmOpenInput, { room: Room; messages: Message[] }>;
  'room:create': Call<RoomCreateInput, { room: Room }>;
  'room:join': Call<RoomJoinInput, { room: Room; messages: Message[] }>;
  'room:leave': Call<RoomLeaveInput, object>;
  /** A page of my rooms, most recently active first, each with its read state and last message. */
  'rooms:list': Call<RoomsListInput, RoomsPage>;
  /** A page of the group rooms I could join, by name, searchable. */
  'rooms:browse': Call<RoomsBrowseInput, RoomsPage>;
  /** A page of a room's members, longest-standing first, each with their role and whether they are online. */
  'room:members': Call<RoomMembersInput, RoomMembersPage>;
  /** An owner or moderator removes a member from a group room, banning them for a while or until lifted. */
  'room:remove': Call<RoomRemoveInput, object>;
  /** An owner or moderator lifts someone's ban from a group room. */
  'room:unban': Call<RoomUnbanInput, object>;
  /** The owner renames a group room, or sets, changes or removes its password. */
  'room:update': Call<RoomUpdateInput, { room: Room }>;
  /** The owner names a moderator, or makes one a member again. */
  'room:role': Call<RoomRoleInput, object>;
  /** The owner deletes a group room and its messages. */
  'room:delete': Call<RoomDeleteInput, object>;
  'room:history': Call<RoomHistoryInput, { messages: Message[] }>;
  'message:send': Call<MessageSendInput, { message: Message }>;
  /** The author replaces a message's body, within `editWindow` of sending it; members get `message:updated`. */
  'message:edit': Call<MessageEditInput, { message: Message }>;
  /** Its author, or the room's owner or a moderator, deletes a message, leaving a tombstone; members get `message:updated`. */
  'message:delete': Call<MessageDeleteInput, { message: Message }>;
  /** What a message said before each of its edits, oldest first. */
  'message:edits': Call<MessageEditsInput, { edits: MessageEdit[] }>;
  /** I react to a message with an emoji, or take it back; members get `message:updated` when that changed anything. */
  'reaction:set': Call<ReactionSetInput, { message: Message }>;
  /**
   * After a reconnect: the messages missed in the rooms named, the rooms I am in and did not name, and the
   * rooms named that are not mine, read from the database, bounded per answer (`LIMITS.syncMessagesMax`,
   * `LIMITS.syncBytesMax`): repeat, naming every room held, until every room is complete and `joined` is empty.
   */
  sync: Call<SyncInput, SyncAnswer>;
  /** Moves my read marker forward to `seq` (never back); the ack holds where it now is. */
  'room:read': Call<RoomReadInput, { lastReadSeq: number }>;
  /** Mutes or unmutes one of my rooms, on all my devices. */
  'room:mute': Call<RoomMuteInput, object>;
  /** I am typing in a room: its other members hear of it. */
  typing: Call<TypingInput, object>;
  /**
   * Blocks someone, or lifts the block: while it stands, neither of us can open or write in our direct chat, and
   * neither sees the other's typing or presence; they no longer find me in the directory.
   */
  'user:block': Call<UserBlockInput, object>;
  /**
   * Tells me when these people come and go, as well as those I share a room with, until I send another list or this
   * socket closes; the ack names those of them who are online now.
   */
  'presence:watch': Call<PresenceWatchInput, { online: number[] }>;
}

/** Server-to-client events. */
export interface ServerToClientEvents {
  /** A message in one of the recipient's rooms, whether or not that chat is open. */
  'message:new': (message: Message) => void;
  /** A message of one of the recipient's rooms was edited, deleted, or reacted to (see `MessageUpdated`). */
  'message:updated': (event: MessageUpdated) => void;
  /** The recipient became a member of a room they did not open themselves (a direct chat someone started). */
  'room:new': (room: Room) => void;
  /** Someone else created a group room, shown as to a non-member (`joined: false`). */
  'room:created': (room: Room) => void;
  /** A read marker moved: mine (on another device), or the other person's in a direct chat. */
  'room:read': (event: ReadMarker) => void;
  /** I muted or unmuted a room on one of my devices. */
  'room:mute': (event: RoomMute) => void;
  /**
   * Someone joined one of my rooms, left it or was removed, me included (then on my other devices too); its system
   * notice comes as a `message:new` with the same seq.
   */
  'room:member': (event: RoomMemberEvent) => void;
  /** A member's role in one of my rooms changed: the owner named a moderator, or a new owner took over. */
  'room:role': (event: RoomRoleEvent) => void;
  /** A group room was renamed, or its password set or removed. */
  'room:updated': (event: RoomUpdated) => void;
  /** A group room was deleted: forget it and its messages. */
  'room:deleted': (event: { roomId: number }) => void;
  /** Another member is typing in one of my rooms. */
  typing: (event: TypingSignal) => void;
  /** The first device of someone I share a room with, or watch (`presence:watch`), connected. */
  'user:online': (event: { userId: number }) => void;
  /** The last device of someone I share a room with, or watch, disconnected. */
  'user:offline': (event: { userId: number }) => void;
  /** Someone changed their name (me included): show it wherever they appear. */
  'user:updated': (event: { user: PublicUser }) => void;
  /** I blocked or unblocked someone on one of my devices (never sent to the person blocked). */
  'user:blocked': (event: UserBlockEvent) => void;
  /** The server closes this socket right after this event, for the reason given. */
  'socket:closing': (event: SocketClosing) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export type AckOf<E extends ClientEventName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
export type PayloadOf<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
