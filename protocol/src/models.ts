/** The shapes the server sends. Ids are positive integers; times are ISO-8601 UTC strings. */

export interface PublicUser {
  id: number;
  username: string;
  firstName: string;
  lastName: string;
}

/** One of my sessions (a device or browser I logged in from), as `GET /api/me/sessions` lists it. */
export interface SessionInfo {
  id: number;
  createdAt: string;
  /** When a request or a socket last used it, to the minute. */
  lastUsedAt: string;
  /** The `User-Agent` it logged in with (at most 256 characters), '' when none was sent. */
  userAgent: string;
  /** The address it logged in from. */
  address: string;
  /** Whether it is the session of the request that lists it. */
  current: boolean;
}

/** `user:blocked`: I blocked or unblocked someone, on one of my devices. */
export interface UserBlockEvent {
  userId: number;
  blocked: boolean;
}

/** An entry of the people directory. */
export interface DirectoryUser extends PublicUser {
  online: boolean;
}

export type RoomKind = 'direct' | 'group';

export interface Room {
  id: number;
  kind: RoomKind;
  /** The group's name; null for a direct room (show `peer` instead). */
  name: string | null;
  /** Whether joining asks for a password. Never true for a direct room. */
  protected: boolean;
  /** Whether the caller is a member. */
  joined: boolean;
  memberCount: number;
  /** The seq of the newest message, 0 when there is none. */
  lastSeq: number;
  /** When the last message was sent, or when the room was created. */
  lastActivityAt: string;
  createdAt: string;
  /** The other person of a direct room, as seen by the caller; null for a group. */
  peer: PublicUser | null;
  /**
   * The caller's read marker: the seq of the newest message they have read (sending a message counts), 0 for
   * none. 0 when the caller is not a member.
   */
  lastReadSeq: number;
  /**
   * Messages after the caller's marker, all written by others (sending moves the marker): `lastSeq -
   * lastReadSeq`. 0 when the caller is not a member.
   */
  unread: number;
  /** The newest message, or null when there is none or the caller is not a member. */
  lastMessage: Message | null;
  /** Whether the caller muted this room. False when the caller is not a member. */
  muted: boolean;
  /** In a direct room, the other person's read marker (what "Seen" shows); null for a group. */
  peerLastReadSeq: number | null;
  /** The caller's role in the room (see `room:members`); null when the caller is not a member. */
  role: MemberRole | null;
  /**
   * The room's change counter: raised by 1 by every edit, deletion and reaction change of one of its messages (see
   * `Message.changeSeq`), 0 while there was none. Hold it with the room's messages, and name it in `sync`.
   */
  changeSeq: number;
}

/** The answer to `rooms:list` (the caller's rooms) and to `rooms:browse` (the group rooms they could join): one page. */
export interface RoomsPage {
  rooms: Room[];
  /** Pass as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

/** A member's part in a room: its owner (a group room has one while it has members), a moderator, or a member. */
export type MemberRole = 'owner' | 'moderator' | 'member';

/** A member of a room, as `room:members` lists them. */
export interface RoomMember {
  user: PublicUser;
  role: MemberRole;
  /** Whether they have a device connected now. */
  online: boolean;
  joinedAt: string;
}

/** The answer to `room:members`: one page. */
export interface RoomMembersPage {
  members: RoomMember[];
  /** Pass as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

/** `text`: what a person wrote. `system`: a notice of the room's own, such as "Bob joined" (see `notice`). */
export type MessageKind = 'text' | 'system';

/** How a room's membership changed: someone joined, left, or was removed by an owner or a moderator. */
export type MemberChange = 'joined' | 'left' | 'removed';

/**
 * What a system message says: `user` joined, left or was removed. The message's author is who did it: the same
 * person for `joined` and `left`, the owner or moderator for `removed`. `user` holds the name as it was then.
 */
export interface MemberNotice {
  change: MemberChange;
  user: PublicUser;
}

/** One emoji on a message: how many people reacted with it, and whether the one reading is among them. */
export interface Reaction {
  emoji: string;
  count: number;
  me: boolean;
}

/** What a reply shows of the message it answers, as that message is now. */
export interface ReplyQuote {
  id: number;
  seq: number;
  author: PublicUser;
  /** The first `LIMITS.quoteChars` characters of its body as written (Markdown and all); '' once it is deleted. */
  excerpt: string;
  /** The message was deleted: show "deleted" instead of its text. */
  deleted: boolean;
}

/** A version of a message's body that an edit replaced: what it said until `replacedAt`. */
export interface MessageEdit {
  body: string;
  replacedAt: string;
}

/** Who reacted or took back a reaction: carried by `message:updated` when that is what changed. */
export interface ReactionChange {
  userId: number;
  emoji: string;
  on: boolean;
}

/**
 * `message:updated`: a message was edited, deleted, or its reactions changed; `message` is the whole of it as it now
 * is, with its new `changeSeq`. Its reactions' `me` is false: one event goes to every member, so it cannot say what
 * each of them did. Keep the `me` you held for each emoji, and take it from `reaction` when `reaction.userId` is you.
 */
export interface MessageUpdated {
  message: Message;
  /** What changed, when it was a reaction; null after an edit or a deletion. */
  reaction: ReactionChange | null;
}

export interface Message {
  id: number;
  roomId: number;
  /**
   * Rises by exactly 1 per message within a room, starting at 1: a client can detect a gap. System notices take
   * their seq as messages do.
   */
  seq: number;
  kind: MessageKind;
  authorId: number;
  author: PublicUser;
  /** What the author wrote; empty for a system notice. */
  body: string;
  /** For a system message, what happened; null for a text message. */
  notice: MemberNotice | null;
  clientId: string;
  createdAt: string;
  /** When the author last edited it; null when they never did. `message:edits` lists what it said before. */
  editedAt: string | null;
  /** When it was deleted: its body is gone (''), and so are its reactions, edits and quote. Null while it stands. */
  deletedAt: string | null;
  /**
   * The room's `changeSeq` at this message's last edit, deletion or reaction change; 0 when it never changed. Of two
   * copies of a message, the one with the higher `changeSeq` is the newer.
   */
  changeSeq: number;
  /** The message this one answers, quoted; null when it answers none. */
  replyTo: ReplyQuote | null;
  /** Its reactions, in the order of each emoji's earliest reaction still standing, with how many gave it and whether the reader did. */
  reactions: Reaction[];
}

/** `room:updated`: a group room's owner renamed it, or set, changed or removed its password. */
export interface RoomUpdated {
  roomId: number;
  name: string;
  protected: boolean;
}

/** `room:role`: a member's role in a room changed (an owner who left handed the room over, say). */
export interface RoomRoleEvent {
  roomId: number;
  userId: number;
  role: MemberRole;
}

/**
 * `room:member`: someone joined a room, left it, or was removed, with the count of members after it. `seq` is the
 * system notice's, in the room's history: of two events, the one with the higher seq holds the newer count.
 */
export interface RoomMemberEvent {
  roomId: number;
  userId: number;
  change: MemberChange;
  memberCount: number;
  seq: number;
}

/**
 * Why the server is about to close this socket (sent as `socket:closing` just before it does):
 * - `session_expired`: the session reached its `expiresAt`; log in again.
 * - `too_many_sockets`: the user opened more sockets than allowed and this is the oldest; do not
 *   reconnect automatically, or the two devices would keep closing each other.
 * - `rate_limited`: the socket kept sending after its events were refused; reconnect later, slower.
 */
export type SocketClosingReason = 'session_expired' | 'too_many_sockets' | 'rate_limited';

export interface SocketClosing {
  reason: SocketClosingReason;
  message: string;
}

/** What a room missed: messages after the seq the client held, in seq order. */
export interface RoomCatchUp {
  roomId: number;
  messages: Message[];
  /**
   * Messages at or below the seq named whose `changeSeq` is above the `changeSeq` named, in `changeSeq` order, each
   * whole as it now is: replace your copy with it. Always empty when the room was named by its seq alone, or is one
   * of `joined`.
   */
  changed: Message[];
  /**
   * The room's change counter that you now hold: name it next time. The room's when the answer is complete;
   * otherwise that of the last change it carries (or the one you named).
   */
  changeSeq: number;
  /**
   * False when more follows: ask again from the last seq received (from the seq sent, when `messages` is empty:
   * the answer was full before it reached this room) and from `changeSeq`.
   */
  complete: boolean;
}

/**
 * The answer to `sync`. Name every room you hold in every `sync`, repeats included: a room you are a member of
 * and did not name comes back in `joined`.
 */
export interface SyncAnswer {
  /**
   * Each room you named and are a member of (by room id), then each room of `joined`, with the messages after the seq you
   * named (for a room of `joined`: after its `lastReadSeq`, its unread messages), in seq order.
   */
  rooms: RoomCatchUp[];
  /**
   * Rooms you are a member of and did not name (a direct chat opened with you, a room you joined on another
   * device), most recently active first, as `rooms:list` shows them. When it is not empty, more may follow:
   * add them to what you hold and ask again.
   */
  joined: Room[];
  /** Rooms you named and are not a member of (left on another device, or never yours): forget them. */
  left: number[];
}

/** `room:read`: a member's read marker moved forward to `seq`. */
export interface ReadMarker {
  roomId: number;
  userId: number;
  seq: number;
}

/** `room:mute`: the recipient muted or unmuted one of their rooms, on one of their devices. */
export interface RoomMute {
  roomId: number;
  muted: boolean;
}

/** `typing`: a member is typing in a room. Never stored; drop it after 5 s, or at that user's next message. */
export interface TypingSignal {
  roomId: number;
  userId: number;
}
