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
import type { RoomCounters, Store } from '../store/store.js';
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
    if (input.replyToId !== undefined) await this.assertAnswerable(input.replyToId, input.roomId);
    const { message, created } = await this.store.appendMessage({
      roomId: input.roomId,
      authorId: actor.user.id,
      clientId: input.clientId,
      body: input.body,
      createdAt: this.clock(),
      replyToId: input.replyToId,
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

  /**
   * A reply answers a text message of the same room. One deleted is quoted as deleted: so a send retried after its
   * original went (its first try stored) still gets its stored reply, as a retry must.
   */
  private async assertAnswerable(messageId: number, roomId: number): Promise<void> {
    const original = await this.store.findMessage(messageId, 0);
    if (original?.roomId !== roomId || original.kind !== 'text') {
      throw new AppError('invalid', 'The message this answers is not in this room.', { replyToId: 'is not a message of this room' });
    }
  }

  /** Older messages by cursor, oldest first within the page. */
  async history(actor: Session, input: RoomHistoryInput): Promise<{ messages: Message[] }> {
    await assertMember(this.store, actor.user.id, input.roomId);
    const messages = await this.store.listMessages(
      input.roomId,
      { beforeSeq: input.beforeSeq, limit: input.limit ?? LIMITS.historyPageDefault },
      actor.user.id,
    );
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
    // One query for every room of the caller's: a room named at its last seq and change counter needs no other.
    const counters = await this.store.roomCountersOf(userId);
    const named = Object.entries(input.rooms).map(([key, held]) => ({ roomId: Number(key), ...syncPosition(held) }));
    const asked = named.filter(({ roomId }) => counters.has(roomId));
    const left = named.filter(({ roomId }) => !counters.has(roomId)).map(({ roomId }) => roomId);
    const budget = new SyncBudget(asked.length, left.length);

    const unnamedMax = LIMITS.syncRoomsMax - asked.length;
    const unnamed =
      unnamedMax > 0 && asked.length < counters.size
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
    for (const { roomId, seq, changeSeq } of asked) {
      rooms.push(await this.catchUp(roomId, userId, { seq, changeSeq }, counters.get(roomId)!, budget));
    }
    for (const room of joined) {
      // A room new to the client: its unread messages, and no changes, since it holds none of its messages.
      const now = { lastSeq: room.lastSeq, changeSeq: room.changeSeq };
      rooms.push(await this.catchUp(room.id, userId, { seq: room.lastReadSeq, changeSeq: null }, now, budget));
    }
    return { rooms, joined, left };
  }

  /**
   * A room's messages after `held.seq`, then its messages up to that seq that changed after `held.changeSeq` (none
   * when it is null), as many as the answer has room for. `now` is where the room stood before anything was read:
   * a change made since may come twice, never not at all, and applying a copy twice changes nothing.
   */
  private async catchUp(
    roomId: number,
    viewerId: number,
    held: { seq: number; changeSeq: number | null },
    now: RoomCounters,
    budget: SyncBudget,
  ): Promise<RoomCatchUp> {
    // Not complete: no further than what was read, nor than `now` (a change after it may have hit a message read
    // before it, in `messages`, which `changed` does not look at).
    const entry: RoomCatchUp = { roomId, messages: [], changed: [], changeSeq: Math.min(held.changeSeq ?? now.changeSeq, now.changeSeq), complete: false };
    if (held.seq < now.lastSeq) {
      const read = (limit: number) => this.store.listMessagesAfter(roomId, held.seq, limit, viewerId);
      if (!(await this.take(entry.messages, LIMITS.syncMessagesPerRoom, budget, read))) return entry;
    }
    if (held.changeSeq !== null && held.changeSeq < now.changeSeq) {
      const query = { afterChangeSeq: held.changeSeq, maxSeq: held.seq };
      const read = (limit: number) => this.store.listChangedMessages(roomId, { ...query, limit }, viewerId);
      const complete = await this.take(entry.changed, LIMITS.syncMessagesPerRoom - entry.messages.length, budget, read);
      const last = entry.changed.at(-1);
      if (last) entry.changeSeq = Math.min(last.changeSeq, now.changeSeq);
      if (!complete) return entry;
    }
    // Every change up to `now` is in hand; one after it may be here too, and comes again next time, harmlessly.
    return { ...entry, changeSeq: now.changeSeq, complete: true };
  }

  /**
   * Reads up to `roomMax` messages, as many as the answer may still hold, and takes those it has room for into `into`;
   * true when they were all there was.
   */
  private async take(
    into: Message[],
    roomMax: number,
    budget: SyncBudget,
    read: (limit: number) => Promise<Message[]>,
  ): Promise<boolean> {
    const limit = Math.min(roomMax, budget.messages);
    if (limit <= 0) return false;
    // One more than a page tells whether the page is the end, without counting.
    const found = await read(limit + 1);
    for (const message of found.slice(0, limit)) {
      // The message and the comma after it.
      if (!budget.take(jsonBytes(message) + 1, 1)) return false;
      into.push(message);
    }
    return found.length <= limit;
  }
}

/** A room as `sync` names it: by its seq alone (the first form), or by its seq and change counter. */
function syncPosition(held: SyncInput['rooms'][string]): { seq: number; changeSeq: number | null } {
  return typeof held === 'number' ? { seq: held, changeSeq: null } : held;
}
