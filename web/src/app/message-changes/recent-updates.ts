import type { Message, MessageUpdated } from '@parley/protocol';
import { applyUpdate } from '../chat/messages';

/** How many recent `message:updated` are kept: far more than can cross one page of history on its way. */
const KEPT = 500;

/**
 * The latest `message:updated` of each message, for a while: a page of history read before a change and answered after
 * it would otherwise bring back the copy from before, and the change feed, which counted the change, would not bring it
 * again.
 */
export class RecentUpdates {
  private readonly updates = new Map<number, MessageUpdated>();

  remember(event: MessageUpdated): void {
    this.updates.delete(event.message.id);
    this.updates.set(event.message.id, event);
    if (this.updates.size > KEPT) this.updates.delete(this.updates.keys().next().value!);
  }

  /** Messages read from the server, with any change heard of since they were read. */
  mend(messages: readonly Message[], myId: number | undefined): Message[] {
    if (this.updates.size === 0) return messages as Message[];
    return messages.map((message) => {
      const update = this.updates.get(message.id);
      return update && update.message.changeSeq > message.changeSeq ? applyUpdate(message, update, myId) : message;
    });
  }

  clear(): void {
    this.updates.clear();
  }
}
