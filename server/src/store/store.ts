import type { MemberChange, MemberRole, Message, MessageEdit, PublicUser, RoomKind } from '@parley/protocol';

/**
 * The storage contract. Async and driver-neutral: SQLite today, PostgreSQL next.
 * It holds queries, not rules: who may do what is decided by the services.
 * Uniqueness is the database's job, reported as a `StoreConflictError`.
 */

export interface UserRecord extends PublicUser {
  passwordHash: string;
  createdAt: string;
  /** The account was deleted: its row stays, named "Deleted user", so that its messages still have an author. */
  deleted: boolean;
}

export interface NewUser {
  username: string;
  /** The case-folded username that uniqueness is enforced on. */
  usernameKey: string;
  firstName: string;
  lastName: string;
  /** The whole name and the last name as the directory's search compares them (`fullNameFold`, `personNameFold`). */
  fullNameFold: string;
  lastNameFold: string;
  passwordHash: string;
  createdAt: Date;
}

/** A page of the directory, by username key. */
export interface UsersPageQuery {
  /**
   * Only people whose username key, folded whole name or folded last name starts with this (itself folded, as
   * `personNameFold` does); everyone without it.
   */
  prefix?: string;
  /** Only people whose username key sorts after this one: the last of the page before. */
  afterKey?: string;
  limit: number;
}

export interface SessionRecord {
  id: number;
  userId: number;
  expiresAt: Date;
  lastUsedAt: Date;
  user: PublicUser;
}

export interface NewSession {
  userId: number;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  userAgent: string;
  address: string;
}

/** A live session as its owner sees it listed. */
export interface SessionListing {
  id: number;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string;
  address: string;
}

export interface NameChange {
  firstName: string;
  lastName: string;
  fullNameFold: string;
  lastNameFold: string;
}

/** Who blocked whom between one user and others: the ids they blocked, and the ids that blocked them. */
export interface BlockRelations {
  blockedByMe: number[];
  blockedMe: number[];
}

/** Whether a user may send in a room: a member, a member of a direct chat closed to sending, or not a member. */
export type SendStanding = 'member' | 'closed' | null;

/** A room as one user sees it. */
export interface RoomRecord {
  id: number;
  kind: RoomKind;
  name: string | null;
  passwordHash: string | null;
  memberCount: number;
  lastSeq: number;
  lastActivityAt: string;
  createdAt: string;
  /** Whether the viewing user is a member. */
  joined: boolean;
  /** For a direct room, the member who is not the viewer. */
  peer: PublicUser | null;
  /** The viewer's read marker; 0 when they are not a member. */
  lastReadSeq: number;
  /** `lastSeq - lastReadSeq` for a member (none of their own messages is after their marker); 0 otherwise. */
  unread: number;
  /** Whether the viewer muted the room; false when they are not a member. */
  muted: boolean;
  /** The message with seq `lastSeq`; null when there is none or the viewer is not a member. */
  lastMessage: Message | null;
  /** For a direct room, the peer's read marker; null for a group. */
  peerLastReadSeq: number | null;
  /** The viewer's role; null when they are not a member. */
  role: MemberRole | null;
  /** The room's change counter (`Room.changeSeq`). */
  changeSeq: number;
}

/** Where a user stands in a room, as the read rules need it: one indexed look-up. */
export interface MembershipRecord {
  kind: RoomKind;
  lastSeq: number;
  member: boolean;
  /** The member's read marker; 0 when not a member. */
  lastReadSeq: number;
  muted: boolean;
  /** The member's role; null when not a member. */
  role: MemberRole | null;
}

export interface ReadMarkerMove {
  /** The marker after the call: the seq asked for, or the higher one it already had. */
  lastReadSeq: number;
  /** Whether it moved. */
  moved: boolean;
}

export interface NewGroupRoom {
  name: string;
  /** The name's confusable skeleton (`roomNameKey`), on which uniqueness is enforced. */
  nameKey: string;
  /** The name folded for case and width (`roomNameFold`), which search matches and lists are ordered by. */
  nameFold: string;
  passwordHash: string | null;
  creatorId: number;
  createdAt: Date;
  /**
   * Refuse (`StoreConflictError('rooms_per_creator')`) when the creator already has this many group rooms;
   * checked in the creating transaction, so that concurrent creations cannot pass it together.
   */
  creatorRoomsMax?: number;
}

/** What `updateGroupRoom` changes: what is left out stays as it is. */
export interface GroupRoomChanges {
  /** The new name with its keys, as `NewGroupRoom` holds them. */
  name?: Pick<NewGroupRoom, 'name' | 'nameKey' | 'nameFold'>;
  /** The new password's hash; null for none. */
  passwordHash?: string | null;
}

/** A place in the joinable rooms' order: (folded name, id). */
export interface JoinablePosition {
  nameFold: string;
  id: number;
}

export interface JoinableQuery {
  /** Only rooms whose folded name starts with this (itself folded, as `roomNameFold` does). */
  namePrefix?: string;
  /** Only rooms after this position: the `next` of the page before. */
  after?: JoinablePosition;
  limit: number;
}

export interface JoinablePage {
  /** Ordered by folded name, then id. */
  rooms: RoomRecord[];
  /** The position to continue after, or null when no room follows. */
  next: JoinablePosition | null;
}

/** A place in the order of the viewer's rooms, most recently active first: (activity time in ms, id). */
export interface ActivityPosition {
  activityMs: number;
  id: number;
}

/** Before every room in that order: where the first page starts. */
export const FIRST_ACTIVITY_POSITION: ActivityPosition = { activityMs: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };

/** A page of the viewer's rooms: those after `after` (from the most recently active without it). */
export interface MemberRoomsPageQuery {
  after?: ActivityPosition;
  limit: number;
}

/** Which of the viewer's rooms to list. */
export interface MemberRoomsQuery {
  /** Leave these rooms out. */
  except: readonly number[];
  /** At most this many rooms: the most recently active. */
  limit: number;
}

export interface NewMessage {
  roomId: number;
  authorId: number;
  clientId: string;
  body: string;
  createdAt: Date;
  /** The message of the same room that it answers. */
  replyToId?: number;
}

/** An edit of a message that is not deleted: the body it replaced goes to its edit history. */
export interface MessageEditChange {
  messageId: number;
  body: string;
  at: Date;
  /** Refuse (`StoreConflictError('edits_per_message')`) when the message was edited this many times already. */
  editsMax: number;
}

export interface ReactionChangeRequest {
  messageId: number;
  userId: number;
  emoji: string;
  on: boolean;
  at: Date;
  /** Refuse a new emoji (`StoreConflictError('reactions_per_message')`) when the message has this many already. */
  emojiMax: number;
}

/** A change's outcome: the message as its actor now sees it, and whether anything changed (raising `changeSeq`). */
export interface MessageChanged {
  message: Message;
  changed: boolean;
}

/** Where a user's room stands: its last seq and its change counter. */
export interface RoomCounters {
  lastSeq: number;
  changeSeq: number;
}

export interface ChangesQuery {
  /** Only messages whose last change came after this count. */
  afterChangeSeq: number;
  /** Only messages up to this seq. */
  maxSeq: number;
  limit: number;
}

/** A member of a room. */
export interface MemberRecord {
  user: PublicUser;
  role: MemberRole;
  joinedAt: string;
}

/** A place in a room's members' order, longest-standing first: (time joined in ms, user id). */
export interface MemberPosition {
  joinedAtMs: number;
  userId: number;
}

export interface MembersPageQuery {
  /** Only the members after this position: the last of the page before. */
  after?: MemberPosition;
  limit: number;
}

/** A change of a room's membership, to record with its notice. */
export interface MembershipChange {
  roomId: number;
  /** Who joins, leaves or is removed. */
  user: PublicUser;
  /** Who does it: `user` themself, or the owner or moderator who removes them. */
  actorId: number;
  change: MemberChange;
  at: Date;
  /** For `removed`: until when they may not join again; null until the ban is lifted; absent for no ban. */
  bannedUntil?: Date | null;
}

export interface MembershipChanged {
  /** The system message that records the change, with the room's next seq, authored by the actor. */
  notice: Message;
  /** The room's members after the change. */
  memberCount: number;
  /**
   * Who owns the room now, when that changed: its longest-standing moderator, else member, when its owner went; the
   * one who joined a room that everyone had left. Null otherwise.
   */
  newOwnerId: number | null;
}

/** A ban from a room: when it ends, null when it lasts until it is lifted. */
export interface RoomBan {
  until: string | null;
}

export interface AppendResult {
  message: Message;
  /** False when (author, clientId) was already stored: `message` is that earlier one. */
  created: boolean;
}

export interface HistoryQuery {
  /** Only messages with a smaller seq; the newest when absent. */
  beforeSeq?: number;
  limit: number;
}

/**
 * Messages are read for one viewer, whose reactions they mark (`Reaction.me`); without one, none is marked. The
 * reactions of a page are read in one more query, for those of its messages that ever changed only.
 */
export type ViewerId = number;

export interface Store {
  createUser(user: NewUser): Promise<UserRecord>;
  findUserById(id: number): Promise<UserRecord | null>;
  findUserByUsernameKey(usernameKey: string): Promise<UserRecord | null>;
  /**
   * A page of the directory, ordered by username key: at most `limit`, after `afterKey`, matching `prefix`. The
   * indexes on the three keys serve it, whose cost grows with the page and with the people the prefix matches by
   * name, never with everyone.
   */
  listUsersPage(query: UsersPageQuery): Promise<PublicUser[]>;

  createSession(session: NewSession): Promise<void>;
  /** The session with that token hash and its user, if it has not expired at `now`. */
  findSession(tokenHash: string, now: Date): Promise<SessionRecord | null>;
  /** Deletes the session and returns its id, or null when there was none. */
  deleteSession(tokenHash: string): Promise<number | null>;
  deleteExpiredSessions(now: Date): Promise<number>;
  /** Deletes the user's sessions beyond the `keep` newest, returning the ids of those deleted. */
  deleteSessionsBeyond(userId: number, keep: number): Promise<number[]>;
  /** Notes that a session was used at `at`. */
  touchSession(sessionId: number, at: Date): Promise<void>;
  /** The user's live sessions at `now`, newest first. */
  listSessions(userId: number, now: Date): Promise<SessionListing[]>;
  /** Deletes one of the user's sessions; false when they have none with that id. */
  deleteUserSession(userId: number, sessionId: number): Promise<boolean>;
  /** Deletes every session of the user but one, returning the ids of those deleted. */
  deleteSessionsExcept(userId: number, keepSessionId: number): Promise<number[]>;

  /** Renames a user who is not deleted; null when there is none. */
  updateUserName(userId: number, change: NameChange): Promise<PublicUser | null>;
  updatePasswordHash(userId: number, passwordHash: string): Promise<void>;
  /**
   * Deletes an account, in one transaction: its name becomes "Deleted user", its password unusable, its sessions
   * (whose ids it returns) and blocks are gone, and its direct chats are closed to sending. Its username stays taken
   * until `releaseDeletedUsernames`. Null when the user does not exist or is already deleted.
   */
  deleteUser(userId: number, now: Date): Promise<number[] | null>;
  /** Frees the usernames of the accounts deleted before `before`; returns how many. */
  releaseDeletedUsernames(before: Date): Promise<number>;

  /**
   * Sets or lifts a block, and closes or opens their direct chat to sending to match, in one transaction. Refuses a
   * new block beyond `max` blocks of the blocker's (`StoreConflictError('blocks_per_user')`). True when it changed.
   */
  setBlock(blockerId: number, blockedId: number, blocked: boolean, now: Date, max: number): Promise<boolean>;
  /** The people the user blocked, most recently first. */
  listBlocked(userId: number): Promise<PublicUser[]>;
  /** The blocks between the user and anyone, both ways. */
  blockRelationsOf(userId: number): Promise<BlockRelations>;
  /** The blocks between the user and these people only, both ways: what a page or a pair needs, however many blocked the user. */
  blocksAmong(userId: number, otherIds: readonly number[]): Promise<BlockRelations>;
  /** The direct room of two users, or null when they have none. */
  directRoomIdOf(a: number, b: number): Promise<number | null>;

  createGroupRoom(room: NewGroupRoom): Promise<RoomRecord>;
  /**
   * The one direct room between two users, created with both as members when missing.
   * Safe under concurrency: two callers for the same pair get the same room.
   */
  openDirectRoom(viewerId: number, peerId: number, now: Date): Promise<{ room: RoomRecord; created: boolean }>;
  /** A room as `viewerId` sees it. */
  findRoom(roomId: number, viewerId: number): Promise<RoomRecord | null>;
  /** The id of the group room with that name key, if there is one. */
  findRoomIdByNameKey(nameKey: string): Promise<number | null>;
  /** How many group rooms the user has created (that still exist). */
  countGroupRoomsCreatedBy(userId: number): Promise<number>;
  /**
   * A page of the rooms the viewer is a member of, direct and group, most recently active first (activity
   * time in ms, then id, both descending): at most `limit`, after `after`. One query, whose cost grows with
   * the page, not with the viewer's rooms beyond a sort of their keys.
   */
  listMemberRoomsPage(viewerId: number, query: MemberRoomsPageQuery): Promise<RoomRecord[]>;
  /** The rooms the viewer is a member of but those in `except`, the `limit` most recently active, in that order. */
  listMemberRooms(viewerId: number, query: MemberRoomsQuery): Promise<RoomRecord[]>;
  /** A page of the group rooms the viewer is not a member of, ordered by folded name and id. */
  listJoinableRooms(viewerId: number, query: JoinableQuery): Promise<JoinablePage>;
  /**
   * Adds a member, their read marker at the room's last seq (what was said before they came is not unread);
   * false when they already were one, or the room does not exist.
   */
  addMember(roomId: number, userId: number, now: Date): Promise<boolean>;
  /** Removes a member; false when they were not one. */
  removeMember(roomId: number, userId: number): Promise<boolean>;
  /**
   * Adds (`joined`) or removes (`left`, `removed`) a member of a group room, and appends the change's system notice
   * with the room's next seq, in one transaction; the actor's read marker moves to it, as a sender's does. An owner
   * who goes hands the room to its longest-standing moderator, else member; one removed is banned as `bannedUntil`
   * says. Null when nothing changed: already a member, not one, or no such room.
   */
  changeMembership(change: MembershipChange): Promise<MembershipChanged | null>;
  /** Renames a group room or changes its password; false when there is no such group room. A taken name is a conflict. */
  updateGroupRoom(roomId: number, changes: GroupRoomChanges): Promise<boolean>;
  /** Sets a member's role, never the owner's; false when they are not a member, own the room, or have it already. */
  setRole(roomId: number, userId: number, role: 'moderator' | 'member'): Promise<boolean>;
  /** Deletes a room with its members, messages and bans; false when there was none. */
  deleteRoom(roomId: number): Promise<boolean>;
  /** The user's ban from the room if it has not ended at `now`; null when there is none. */
  findBan(roomId: number, userId: number, now: Date): Promise<RoomBan | null>;
  /** Lifts a ban; false when there was none. */
  deleteBan(roomId: number, userId: number): Promise<boolean>;
  /** A page of a room's members, longest-standing first (time joined, then user id), read by an index on that order. */
  listMembers(roomId: number, query: MembersPageQuery): Promise<MemberRecord[]>;
  isMember(roomId: number, userId: number): Promise<boolean>;
  /** The send path's one look-up: a member, a member of a direct chat closed to sending, or null. */
  sendStanding(roomId: number, userId: number): Promise<SendStanding>;
  roomIdsOf(userId: number): Promise<number[]>;
  /** The last seq and change counter of each room the user is a member of, by room id. */
  roomCountersOf(userId: number): Promise<Map<number, RoomCounters>>;
  /** The room's kind and last seq, and the user's membership of it; null when the room does not exist. */
  findMembership(roomId: number, userId: number): Promise<MembershipRecord | null>;
  /** Moves a member's read marker up to `seq`, never down; null when they are not a member. */
  advanceReadMarker(roomId: number, userId: number, seq: number): Promise<ReadMarkerMove | null>;
  /** Sets whether a member muted the room; true when that changed it, false when it was so already or they are not a member. */
  setMuted(roomId: number, userId: number, muted: boolean): Promise<boolean>;

  /**
   * Stores a message with the room's next seq, and moves its author's read marker to it, in one transaction.
   * If (authorId, clientId) is already stored, stores nothing and returns that message.
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;
  /** A page of a room's messages, oldest first. */
  listMessages(roomId: number, query: HistoryQuery, viewerId?: ViewerId): Promise<Message[]>;
  /** Up to `limit` messages with a seq above `afterSeq`, in seq order. */
  listMessagesAfter(roomId: number, afterSeq: number, limit: number, viewerId?: ViewerId): Promise<Message[]>;
  /** Up to `limit` messages up to `maxSeq` whose last change is after `afterChangeSeq`, in the order of their changes. */
  listChangedMessages(roomId: number, query: ChangesQuery, viewerId: ViewerId): Promise<Message[]>;
  /** One message, or null when there is none. */
  findMessage(messageId: number, viewerId: ViewerId): Promise<Message | null>;
  /**
   * Replaces a message's body, keeping the one it replaced in its history (the n-th edit as number n), and raises the
   * room's change counter, in one transaction. Unchanged when the body is the same; null when the message does not
   * exist or is deleted.
   */
  editMessage(edit: MessageEditChange): Promise<MessageChanged | null>;
  /**
   * Deletes a message: its body is emptied, its edits, reactions and quote are gone, and the room's change counter
   * rises, in one transaction. Null when there is no such message; unchanged when it was deleted already.
   */
  deleteMessage(messageId: number, at: Date): Promise<MessageChanged | null>;
  /** Gives or takes back a reaction, raising the room's change counter when that changed anything. Null when the message does not exist or is deleted. */
  setReaction(change: ReactionChangeRequest): Promise<MessageChanged | null>;
  /** The bodies a message's edits replaced, oldest first. */
  listEdits(messageId: number): Promise<MessageEdit[]>;

  close(): Promise<void>;
}

/** A uniqueness constraint refused a write. `constraint` names what was taken. */
export class StoreConflictError extends Error {
  constructor(
    readonly constraint:
      | 'username'
      | 'room_name'
      | 'rooms_per_creator'
      | 'blocks_per_user'
      | 'edits_per_message'
      | 'reactions_per_message',
  ) {
    super(`conflict on ${constraint}`);
    this.name = 'StoreConflictError';
  }
}
