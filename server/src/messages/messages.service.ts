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
   */
  async sync(actor: Session, input: SyncInput): Promise<{ rooms: RoomCatchUp[] }> {
    const memberOf = new Set(await this.store.roomIdsOf(actor.user.id));
    const limit = LIMITS.syncMessagesPerRoom;
    const rooms: RoomCatchUp[] = [];
    for (const [key, afterSeq] of Object.entries(input.rooms)) {
      const roomId = Number(key);
      if (!memberOf.has(roomId)) continue;
      // One more than a page tells whether the page is the end, without counting.
      const messages = await this.store.listMessagesAfter(roomId, afterSeq, limit + 1);
      rooms.push({ roomId, messages: messages.slice(0, limit), complete: messages.length <= limit });
    }
    return { rooms };
  }
}
