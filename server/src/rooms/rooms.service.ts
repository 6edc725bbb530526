import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import {
  LIMITS,
  type DmOpenInput,
  type Message,
  type PublicUser,
  type Room,
  type RoomCreateInput,
  type RoomJoinInput,
  type RoomDeleteInput,
  type RoomLeaveInput,
  type RoomsBrowseInput,
  type RoomsListInput,
  type RoomsPage,
  type RoomUpdateInput,
} from '@parley/protocol';
import type { FailureThrottle } from '../auth/throttle.js';
import type { Passwords } from '../auth/passwords.js';
import type { Session } from '../auth/session.js';
import type { Clock } from '../clock.js';
import type { Limits } from '../config.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import { StoreConflictError, type RoomBan, type RoomRecord, type Store } from '../store/store.js';
import { jsonBytes } from '../json-bytes.js';
import { announceMembership } from './announce-membership.js';
import { cannotMessage, requireMembership } from './membership.js';
import {
  decodeActivityCursor,
  decodeJoinableCursor,
  encodeActivityCursor,
  encodeJoinableCursor,
} from './room-cursors.js';
import { roomNameFold, roomNameKey } from './room-name-key.js';
import { asOutsider, toRoom } from './room-view.js';

/** The JSON of a `rooms:list` answer with no room in it, its cursor at its longest (two 16-digit numbers), with room to spare. */
const ROOMS_PAGE_ENVELOPE_BYTES = 128;

export type RoomCreationLimits = Pick<Limits, 'roomCreationsPerWindow' | 'roomCreationWindowMs' | 'roomsPerCreator'>;

export interface RoomWithHistory {
  room: Room;
  messages: Message[];
}

export class RoomsService {
  /** Room creations per user within the window; a point is taken before the work and given back if it fails. */
  private readonly creations: RateLimiterMemory;
  /** Room changes per user, as many as creations in the same window: each reaches every socket, and may hash a password. */
  private readonly updates: RateLimiterMemory;

  constructor(
    private readonly store: Store,
    private readonly passwords: Passwords,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
    private readonly wrongRoomPasswords: FailureThrottle,
    private readonly limits: RoomCreationLimits,
  ) {
    this.creations = new RateLimiterMemory({
      points: limits.roomCreationsPerWindow,
      duration: Math.ceil(limits.roomCreationWindowMs / 1000),
    });
    this.updates = new RateLimiterMemory({
      points: limits.roomCreationsPerWindow,
      duration: Math.ceil(limits.roomCreationWindowMs / 1000),
    });
  }

  /** The one direct room between the caller and another user, created on first use, with its latest messages. */
  async openDirect(actor: Session, input: DmOpenInput): Promise<RoomWithHistory> {
    if (input.userId === actor.user.id) {
      throw new AppError('invalid', 'You cannot open a direct chat with yourself.', { userId: 'is you' });
    }
    const peer = await this.store.findUserById(input.userId);
    if (!peer || peer.deleted) throw new AppError('not_found', 'No such user.');
    // Whoever blocked may still open the chat to read it (sending stays closed); whoever is blocked may not. With no
    // chat yet there is nothing to read, and making one would tell the other of it (`room:new`).
    const { blockedByMe, blockedMe } = await this.store.blocksAmong(actor.user.id, [peer.id]);
    if (blockedMe.length > 0 || (blockedByMe.length > 0 && (await this.store.directRoomIdOf(actor.user.id, peer.id)) === null)) {
      throw cannotMessage();
    }
    const { room, created } = await this.store.openDirectRoom(actor.user.id, peer.id, this.clock());
    if (created) {
      this.publisher.joinRoom(actor.user.id, room.id);
      this.publisher.joinRoom(peer.id, room.id);
      const peerView = await this.store.findRoom(room.id, peer.id);
      if (peerView) this.publisher.toUser(peer.id, 'room:new', toRoom(peerView));
    }
    return this.withHistory(room, actor.user.id, input.limit);
  }

  /**
   * Creates a group room, its creator the first member, and announces it to everyone else. Everything cheap is
   * checked before the password is hashed (a bcrypt hash takes a core for tens of milliseconds, shared with
   * log-ins): the name is free, the creator's quota, the creator's rate. The store still decides a race for
   * a name, and for the last room of the quota.
   */
  async createGroup(actor: Session, input: RoomCreateInput): Promise<{ room: Room }> {
    const creatorId = actor.user.id;
    const nameKey = roomNameKey(input.name);
    if ((await this.store.findRoomIdByNameKey(nameKey)) !== null) throw nameTaken();
    if ((await this.store.countGroupRoomsCreatedBy(creatorId)) >= this.limits.roomsPerCreator) throw this.quotaReached();
    await this.takeCreationPoint(creatorId);

    let room: RoomRecord;
    try {
      const passwordHash = input.password ? await this.passwords.hash(input.password) : null;
      room = await this.store.createGroupRoom({
        name: input.name,
        nameKey,
        nameFold: roomNameFold(input.name),
        passwordHash,
        creatorId,
        createdAt: this.clock(),
        creatorRoomsMax: this.limits.roomsPerCreator,
      });
    } catch (error) {
      // Nothing was created: the attempt does not count against the rate.
      await this.creations.reward(String(creatorId), 1);
      if (error instanceof StoreConflictError && error.constraint === 'room_name') throw nameTaken();
      if (error instanceof StoreConflictError && error.constraint === 'rooms_per_creator') throw this.quotaReached();
      throw error;
    }
    this.publisher.joinRoom(creatorId, room.id);
    // Not to the creator's own devices: to them the room is not one they could join.
    this.publisher.toEveryoneExceptUser(creatorId, 'room:created', toRoom(asOutsider(room)));
    // The creator's other devices learn of it as a member (the creating one already has it from the ack).
    this.publisher.toUser(creatorId, 'room:new', toRoom(room));
    return { room: toRoom(room) };
  }

  /** Joins a group room, checking its password; joining again changes nothing. */
  async join(actor: Session, input: RoomJoinInput): Promise<RoomWithHistory> {
    const userId = actor.user.id;
    let room = await this.store.findRoom(input.roomId, userId);
    if (!room || (room.kind === 'direct' && !room.joined)) throw noSuchRoom();
    if (room.joined) return this.withHistory(room, actor.user.id, input.limit);

    // Before the password: a guess from someone who may not come in costs no hashing.
    const ban = await this.store.findBan(room.id, userId, this.clock());
    if (ban) throw banned(ban);
    if (room.passwordHash !== null) await this.checkRoomPassword(userId, room, input.password);
    const user = await this.nameNow(actor);
    const joined = await this.store.changeMembership({ roomId: room.id, user, actorId: userId, change: 'joined', at: this.clock() });
    if (joined) {
      // First, so that the joiner's devices hear of it too.
      this.publisher.joinRoom(userId, room.id);
      announceMembership(this.publisher, joined, userId);
    }
    // Deleted meanwhile: as if it had never been there.
    room = await this.store.findRoom(room.id, userId);
    if (!room) throw noSuchRoom();
    return this.withHistory(room, actor.user.id, input.limit);
  }

  /**
   * Leaves every group room the caller is in, each as `leave` does: for an account being deleted. A room that went
   * meanwhile (deleted, or the caller removed) is passed over, and so is one that fails: the others are still left.
   */
  async leaveEveryGroup(actor: Session): Promise<{ failed: number }> {
    let failed = 0;
    for (const roomId of await this.store.roomIdsOf(actor.user.id)) {
      try {
        const room = await this.store.findRoom(roomId, actor.user.id);
        if (room?.kind === 'group' && room.joined) await this.leave(actor, { roomId });
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'not_found')) failed += 1;
      }
    }
    return { failed };
  }

  async leave(actor: Session, input: RoomLeaveInput): Promise<object> {
    const userId = actor.user.id;
    const room = await this.store.findRoom(input.roomId, userId);
    if (!room?.joined) throw new AppError('not_found', 'You are not in that room.');
    if (room.kind === 'direct') throw new AppError('forbidden', 'A direct chat cannot be left.');
    const user = await this.nameNow(actor);
    const left = await this.store.changeMembership({ roomId: room.id, user, actorId: userId, change: 'left', at: this.clock() });
    // Announced before the leaver's sockets leave the room's channel, so that their other devices hear of it.
    if (left) announceMembership(this.publisher, left, userId);
    this.publisher.leaveRoom(userId, room.id);
    return {};
  }

  /**
   * The owner renames a group room, or sets, changes or removes its password (an empty one removes it). Members
   * who have joined stay in; the next joins ask for the new password. Everyone hears of it (`room:updated`), as
   * everyone can see the room's name and whether it has a password.
   */
  async update(actor: Session, input: RoomUpdateInput): Promise<{ room: Room }> {
    await this.requireOwner(actor, input.roomId);
    const name = input.name === undefined ? undefined : { name: input.name, nameKey: roomNameKey(input.name), nameFold: roomNameFold(input.name) };
    if (name === undefined && input.password === undefined) return { room: await this.roomAsSeenBy(actor, input.roomId) };
    if (name) {
      const holder = await this.store.findRoomIdByNameKey(name.nameKey);
      if (holder !== null && holder !== input.roomId) throw nameTaken();
    }
    // Every change reaches every socket, and a password is hashed: each counts.
    await this.takePoint(this.updates, actor.user.id, `change rooms at most ${this.limits.roomCreationsPerWindow} times`);
    try {
      const passwordHash = input.password === undefined ? undefined : input.password === '' ? null : await this.passwords.hash(input.password);
      const found = await this.store.updateGroupRoom(input.roomId, { ...(name && { name }), ...(passwordHash !== undefined && { passwordHash }) });
      if (!found) throw noSuchRoom();
    } catch (error) {
      await this.updates.reward(String(actor.user.id), 1);
      if (error instanceof StoreConflictError && error.constraint === 'room_name') throw nameTaken();
      throw error;
    }
    const room = await this.roomAsSeenBy(actor, input.roomId);
    this.publisher.toEveryone('room:updated', { roomId: room.id, name: room.name!, protected: room.protected });
    return { room };
  }

  /**
   * The owner deletes a group room: its messages are gone from every read, its members' devices and everyone's
   * list of rooms to join hear `room:deleted`, and no socket receives anything more of it, on any node.
   */
  async delete(actor: Session, input: RoomDeleteInput): Promise<object> {
    await this.requireOwner(actor, input.roomId);
    if (!(await this.store.deleteRoom(input.roomId))) return {};
    this.publisher.toEveryone('room:deleted', { roomId: input.roomId });
    this.publisher.closeRoom(input.roomId);
    return {};
  }

  /**
   * A page of the caller's own rooms, direct and group, most recently active first, each with its read state
   * and last message. A page is bounded in rooms (`limit`) and in bytes (`LIMITS.roomsPageBytesMax`, since a
   * room carries a message of up to 4000 characters): it stops at whichever comes first, and its first room
   * goes whatever its size, so that paging always moves on.
   */
  async list(actor: Session, input: RoomsListInput): Promise<RoomsPage> {
    const limit = input.limit ?? LIMITS.roomsPageDefault;
    // One more than the page tells whether another follows, without counting.
    const found = await this.store.listMemberRoomsPage(actor.user.id, {
      after: input.cursor === undefined ? undefined : decodeActivityCursor(input.cursor),
      limit: limit + 1,
    });
    let bytesLeft = LIMITS.roomsPageBytesMax - ROOMS_PAGE_ENVELOPE_BYTES;
    const rooms: Room[] = [];
    for (const record of found.slice(0, limit)) {
      const room = toRoom(record);
      // The room and the comma after it.
      bytesLeft -= jsonBytes(room) + 1;
      if (bytesLeft < 0 && rooms.length > 0) break;
      rooms.push(room);
    }
    const last = rooms.at(-1);
    const more = rooms.length < found.length;
    return {
      rooms,
      nextCursor: more && last ? encodeActivityCursor({ activityMs: Date.parse(last.lastActivityAt), id: last.id }) : null,
    };
  }

  /** A page of the group rooms the caller could join, ordered by name, whose name starts with `query` (case and width ignored). */
  async browse(actor: Session, input: RoomsBrowseInput): Promise<RoomsPage> {
    const query = input.query?.trimStart() ?? '';
    const page = await this.store.listJoinableRooms(actor.user.id, {
      namePrefix: query === '' ? undefined : roomNameFold(query),
      after: input.cursor === undefined ? undefined : decodeJoinableCursor(input.cursor),
      limit: input.limit ?? LIMITS.roomsPageDefault,
    });
    return {
      rooms: page.rooms.map(toRoom),
      nextCursor: page.next === null ? null : encodeJoinableCursor(page.next),
    };
  }

  /** The rooms whose messages a user's sockets receive. */
  roomIdsOf(userId: number): Promise<number[]> {
    return this.store.roomIdsOf(userId);
  }

  /**
   * A guess takes its point before the slow bcrypt check and gives it back only when right, so that
   * concurrent guesses (from one socket or many of the user's) get no more than the budget between them.
   */
  private async checkRoomPassword(userId: number, room: RoomRecord, password: string | undefined): Promise<void> {
    if (!password) throw new AppError('bad_password', 'This room needs a password.', { password: 'is required' });
    const key = `${userId}:${room.id}`;
    const waitMs = await this.wrongRoomPasswords.take(key);
    if (waitMs > 0) {
      throw new AppError('rate_limited', `Too many wrong passwords. Try again in ${Math.ceil(waitMs / 60_000)} min.`);
    }
    let wrong = false;
    try {
      wrong = !(await this.passwords.verify(password, room.passwordHash));
    } finally {
      if (!wrong) await this.wrongRoomPasswords.giveBack(key);
    }
    if (wrong) throw new AppError('bad_password', 'Wrong password for this room.', { password: 'is wrong' });
  }

  private takeCreationPoint(creatorId: number): Promise<void> {
    return this.takePoint(this.creations, creatorId, `create at most ${this.limits.roomCreationsPerWindow} rooms`);
  }

  /** A point of `limiter` for the user, or `rate_limited` saying that they can `can` in the window. */
  private async takePoint(limiter: RateLimiterMemory, userId: number, can: string): Promise<void> {
    try {
      await limiter.consume(String(userId));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const minutes = Math.ceil(error.msBeforeNext / 60_000);
      throw new AppError(
        'rate_limited',
        `You can ${can} in ${Math.round(this.limits.roomCreationWindowMs / 60_000)} minutes; try again in ${minutes} min.`,
      );
    }
  }

  /** A room as the caller sees it now; `not_found` when it was deleted meanwhile. */
  private async roomAsSeenBy(actor: Session, roomId: number): Promise<Room> {
    const room = await this.store.findRoom(roomId, actor.user.id);
    if (!room) throw noSuchRoom();
    return toRoom(room);
  }

  /**
   * The actor as their account is named now, for a notice that keeps the name as it was: a socket's session holds
   * the name it connected with, which a rename since has changed.
   */
  private async nameNow(actor: Session): Promise<PublicUser> {
    const user = await this.store.findUserById(actor.user.id);
    return user ? { id: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName } : actor.user;
  }

  /** The caller's membership of a group room they own. */

  private async requireOwner(actor: Session, roomId: number): Promise<void> {
    const mine = await requireMembership(this.store, actor.user.id, roomId);
    if (mine.kind !== 'group') throw new AppError('forbidden', 'A direct chat has no owner.');
    if (mine.role !== 'owner') throw new AppError('forbidden', 'Only the room’s owner can do that.');
  }

  private quotaReached(): AppError {
    return new AppError('forbidden', `You have created ${this.limits.roomsPerCreator} rooms, the most one person may.`);
  }

  /** The room and its latest messages, read after it: its `changeSeq` is no newer than theirs, so `sync` misses no change. */
  private async withHistory(room: RoomRecord, viewerId: number, limit: number = LIMITS.historyDefault): Promise<RoomWithHistory> {
    const messages = await this.store.listMessages(room.id, { limit }, viewerId);
    return { room: toRoom(room), messages };
  }
}

function banned({ until }: RoomBan): AppError {
  return new AppError(
    'forbidden',
    until === null ? 'You were removed from this room.' : `You were removed from this room; you can join again after ${until}.`,
  );
}

function noSuchRoom(): AppError {
  return new AppError('not_found', 'No such room.');
}

function nameTaken(): AppError {
  return new AppError('conflict', 'A room with that name already exists.', { name: 'is taken' });
}
