import {
  LIMITS,
  type Message,
  type MessageSendInput,
  type RoomCatchUp,
  type RoomHistoryInput,
  type SyncInput,
} from '@parley/protocol';
import type { Session } from '../auth/session.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import { assertMember } from '../rooms/membership.js';
import type { Store } from '../store/store.js';

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
    await assertMember(this.store, actor.user.id, input.roomId);
    const { message, created } = await this.store.appendMessage({
      roomId: input.roomId,
      authorId: actor.user.id,
      clientId: input.clientId,
      body: input.body,
      createdAt: this.clock(),
    });
    if (created) {
      this.publisher.toRoom(message.roomId, 'message:new', message);
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
   * What a reconnecting client missed, read from the database: for each room it names and is a member
   * of, the messages after the seq it holds. Rooms it is not in are left out, whatever ids it sends.
   *
   * One answer is bounded as a whole, in messages and in bytes of JSON, whatever the request: rooms
   * are served in order until the answer is full, and the rest are answered `complete: false` with no
   * messages, so that the client asks again for them. An answer that is not complete always carries at
   * least one message, so a client that repeats until every room is complete gets everything.
   */
  async sync(actor: Session, input: SyncInput): Promise<{ rooms: RoomCatchUp[] }> {
    const memberOf = new Set(await this.store.roomIdsOf(actor.user.id));
    const asked = Object.entries(input.rooms)
      .map(([key, afterSeq]) => ({ roomId: Number(key), afterSeq }))
      .filter(({ roomId }) => memberOf.has(roomId));
    // Every room's entry is reserved up front: each room asked about is in the answer, reached or not.
    let bytesLeft = LIMITS.syncBytesMax - SYNC_ANSWER_ENVELOPE_BYTES - asked.length * SYNC_ROOM_ENTRY_BYTES;
    let messagesLeft: number = LIMITS.syncMessagesMax;
    const rooms: RoomCatchUp[] = [];
    for (const { roomId, afterSeq } of asked) {
      if (messagesLeft === 0 || bytesLeft <= 0) {
        rooms.push({ roomId, messages: [], complete: false });
        continue;
      }
      const limit = Math.min(LIMITS.syncMessagesPerRoom, messagesLeft);
      // One more than a page tells whether the page is the end, without counting.
      const found = await this.store.listMessagesAfter(roomId, afterSeq, limit + 1);
      const messages: Message[] = [];
      for (const message of found.slice(0, limit)) {
        const bytes = Buffer.byteLength(JSON.stringify(message)) + 1;
        // The answer's first message goes whatever its size, so that every answer makes progress.
        if (bytes > bytesLeft && messagesLeft < LIMITS.syncMessagesMax) break;
        messages.push(message);
        bytesLeft -= bytes;
        messagesLeft -= 1;
      }
      rooms.push({ roomId, messages, complete: messages.length === found.length });
    }
    return { rooms };
  }
}

/** The JSON of a `sync` answer without its rooms (`{"ok":true,"rooms":[]}`), with room to spare. */
const SYNC_ANSWER_ENVELOPE_BYTES = 64;
/** The JSON of one room's entry without its messages, at its largest, with the comma after it. */
const SYNC_ROOM_ENTRY_BYTES =
  Buffer.byteLength(JSON.stringify({ roomId: Number.MAX_SAFE_INTEGER, messages: [], complete: false } satisfies RoomCatchUp)) + 1;
