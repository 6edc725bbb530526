import {
  LIMITS,
  type DmOpenInput,
  type Message,
  type Room,
  type RoomCreateInput,
  type RoomJoinInput,
  type RoomLeaveInput,
} from '@parley/protocol';
import type { FailureThrottle } from '../auth/throttle.js';
import type { Passwords } from '../auth/passwords.js';
import type { Session } from '../auth/session.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import { StoreConflictError, type RoomRecord, type Store } from '../store/store.js';
import { roomNameKey, toRoom } from './room-view.js';

export interface RoomWithHistory {
  room: Room;
  messages: Message[];
}

export class RoomsService {
  constructor(
    private readonly store: Store,
    private readonly passwords: Passwords,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
    private readonly wrongRoomPasswords: FailureThrottle,
  ) {}

  /** The one direct room between the caller and another user, created on first use, with its latest messages. */
  async openDirect(actor: Session, input: DmOpenInput): Promise<RoomWithHistory> {
    if (input.userId === actor.user.id) {
      throw new AppError('invalid', 'You cannot open a direct chat with yourself.', { userId: 'is you' });
    }
    const peer = await this.store.findUserById(input.userId);
    if (!peer) throw new AppError('not_found', 'No such user.');
    const { room, created } = await this.store.openDirectRoom(actor.user.id, peer.id, this.clock());
    if (created) {
      this.publisher.joinRoom(actor.user.id, room.id);
      this.publisher.joinRoom(peer.id, room.id);
      const peerView = await this.store.findRoom(room.id, peer.id);
      if (peerView) this.publisher.toUser(peer.id, 'room:new', toRoom(peerView));
    }
    return this.withHistory(room, input.limit);
  }

  async createGroup(actor: Session, input: RoomCreateInput): Promise<{ room: Room }> {
    const passwordHash = input.password ? await this.passwords.hash(input.password) : null;
    let room: RoomRecord;
    try {
      room = await this.store.createGroupRoom({
        name: input.name,
        nameKey: roomNameKey(input.name),
        passwordHash,
        creatorId: actor.user.id,
        createdAt: this.clock(),
      });
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new AppError('conflict', 'A room with that name already exists.', { name: 'is taken' });
      }
      throw error;
    }
    this.publisher.joinRoom(actor.user.id, room.id);
    this.publisher.toEveryone('room:created', toRoom({ ...room, joined: false }));
    return { room: toRoom(room) };
  }

  /** Joins a group room, checking its password; joining again changes nothing. */
  async join(actor: Session, input: RoomJoinInput): Promise<RoomWithHistory> {
    const userId = actor.user.id;
    let room = await this.store.findRoom(input.roomId, userId);
    if (!room || (room.kind === 'direct' && !room.joined)) throw new AppError('not_found', 'No such room.');
    if (room.joined) return this.withHistory(room, input.limit);

    if (room.passwordHash !== null) await this.checkRoomPassword(userId, room, input.password);
    if (await this.store.addMember(room.id, userId, this.clock())) {
      this.publisher.joinRoom(userId, room.id);
    }
    room = (await this.store.findRoom(room.id, userId))!;
    return this.withHistory(room, input.limit);
  }

  async leave(actor: Session, input: RoomLeaveInput): Promise<object> {
    const room = await this.store.findRoom(input.roomId, actor.user.id);
    if (!room?.joined) throw new AppError('not_found', 'You are not in that room.');
    if (room.kind === 'direct') throw new AppError('forbidden', 'A direct chat cannot be left.');
    await this.store.removeMember(room.id, actor.user.id);
    this.publisher.leaveRoom(actor.user.id, room.id);
    return {};
  }

  /** The caller's rooms and the group rooms they could join. */
  async list(actor: Session): Promise<{ rooms: Room[] }> {
    const rooms = await this.store.listVisibleRooms(actor.user.id);
    return { rooms: rooms.map(toRoom) };
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

  private async withHistory(room: RoomRecord, limit: number = LIMITS.historyDefault): Promise<RoomWithHistory> {
    const messages = await this.store.listMessages(room.id, { limit });
    return { room: toRoom(room), messages };
  }
}
