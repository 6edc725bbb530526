import {
  LIMITS,
  type Message,
  type MessageSendInput,
  type Room,
  type RoomCatchUp,
  type RoomHistoryInput,
  type SyncAnswer,
  type SyncInput,
} from '@parley/protocol';
import type { Session } from '../auth/session.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import { assertMayWrite, assertMember } from '../rooms/membership.js';
import { toRoom } from '../rooms/room-view.js';
import type { Store } from '../store/store.js';
import { jsonBytes } from '../json-bytes.js';
import { ROOM_ENTRY_BYTES, SyncBudget } from './sync-budget.js';

export class MessagesService {
  constructor(
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores the message, then delivers it to every device of every member. The caller acks only after
   * this resolves, so an acknowledged message is committed. A retry with the same clientId returns the
   * stored message and delivers nothing new.
   */
  async send(actor: Session, input: MessageSendInput): Promise<{ message: Message }> {
    await assertMayWrite(this.store, actor.user.id, input.roomId);
    const { message, created } = await this.store.appendMessage({
      roomId: input.roomId,
      authorId: actor.user.id,
      clientId: input.clientId,
      body: input.body,
      createdAt: this.clock(),
    });
    if (created) {
      this.publisher.newMessage(message);
    } else if (message.roomId !== input.roomId) {
      throw new AppError('conflict', 'This clientId was already used for a message in another room.', {
        clientId: 'is already used',
      });
    }
    return { message };
  }

  /** Older messages by cursor, oldest first within the page. */
  async history(actor: Session, input: RoomHistoryInput): Promise<{ messages: Message[] }> {
    await assertMember(this.store, actor.user.id, input.roomId);
    const messages = await this.store.listMessages(input.roomId, {
      beforeSeq: input.beforeSeq,
      limit: input.limit ?? LIMITS.historyPageDefault,
    });
    return { messages };
  }

  /**
   * What a reconnecting client missed, read from the database:
   * - `rooms`: for each room it names and is a member of, the messages after the seq it holds; then, for each
   *   room of `joined`, its unread messages (those after the caller's read marker);
   * - `joined`: the rooms it is a member of and did not name (a direct chat opened with it while it was away,
   *   a room joined on another device), in the shape `rooms:list` gives, most recently active first;
   * - `left`: the ids it named of rooms it is not a member of, whether they exist or not.
   *
   * One answer is bounded as a whole, in messages and in bytes of JSON, whatever the request (see
   * `SyncBudget`): rooms of `joined` are taken while they fit, then messages, room after room, until the
   * answer is full; the rooms left without all their messages are answered `complete: false`, and the rooms
   * not named that did not fit come in a later answer. A client that repeats, naming every room it holds,
   * until every room is complete and `joined` is empty gets everything: each answer that leaves something
   * out carries a message or a room, and a room of `joined` is named from then on. The rooms named that are
   * the caller's and `joined` together never go beyond `LIMITS.syncRoomsMax`, the most a client can name: a
   * client that names that many of its rooms gets no more (it sees the others in `rooms:list`'s pages).
   */
  async sync(actor: Session, input: SyncInput): Promise<SyncAnswer> {
    const userId = actor.user.id;
    // One query for every room of the caller's: a room named at its last seq needs no other.
    const lastSeqs = await this.store.lastSeqsOf(userId);
    const named = Object.entries(input.rooms).map(([key, afterSeq]) => ({ roomId: Number(key), afterSeq }));
    const asked = named.filter(({ roomId }) => lastSeqs.has(roomId));
    const left = named.filter(({ roomId }) => !lastSeqs.has(roomId)).map(({ roomId }) => roomId);
    const budget = new SyncBudget(asked.length, left.length);

    const unnamedMax = LIMITS.syncRoomsMax - asked.length;
    const unnamed =
      unnamedMax > 0 && asked.length < lastSeqs.size
        ? await this.store.listMemberRooms(userId, { except: named.map(({ roomId }) => roomId), limit: unnamedMax })
        : [];
    const joined: Room[] = [];
    for (const record of unnamed) {
      const room = toRoom(record);
      // The room, the comma after it, and its entry in `rooms`.
      if (!budget.take(jsonBytes(room) + 1 + ROOM_ENTRY_BYTES, 0)) break;
      joined.push(room);
    }

    const rooms: RoomCatchUp[] = [];
    for (const { roomId, afterSeq } of asked) {
      rooms.push(
        afterSeq >= lastSeqs.get(roomId)!
          ? { roomId, messages: [], complete: true }
          : await this.catchUp(roomId, afterSeq, budget),
      );
    }
    for (const room of joined) {
      rooms.push(
        room.unread === 0
          ? { roomId: room.id, messages: [], complete: true }
          : await this.catchUp(room.id, room.lastReadSeq, budget),
      );
    }
    return { rooms, joined, left };
  }

  /** A room's messages after `afterSeq`, as many as the answer has room for. */
  private async catchUp(roomId: number, afterSeq: number, budget: SyncBudget): Promise<RoomCatchUp> {
    const limit = Math.min(LIMITS.syncMessagesPerRoom, budget.messages);
    if (limit === 0) return { roomId, messages: [], complete: false };
    // One more than a page tells whether the page is the end, without counting.
    const found = await this.store.listMessagesAfter(roomId, afterSeq, limit + 1);
    const messages: Message[] = [];
    for (const message of found.slice(0, limit)) {
      // The message and the comma after it.
      if (!budget.take(jsonBytes(message) + 1, 1)) break;
      messages.push(message);
    }
    return { roomId, messages, complete: messages.length === found.length };
  }
}
