import { Injectable, inject } from '@angular/core';
import type { Ack, Message } from '@parley/protocol';
import { ChatStore } from '../chat/chat.store';
import { ChatSocket } from '../core/chat-socket';

/**
 * Edits, deletions and reactions asked of the server. Each answer is the message as it now is, which replaces the copy
 * held (its reactions' `me` are mine); every other device hears of it from `message:updated`. Each call answers the
 * server's refusal, to be shown, or null.
 */
@Injectable({ providedIn: 'root' })
export class MessageActions {
  private readonly socket = inject(ChatSocket);
  private readonly chat = inject(ChatStore);

  async edit(message: Message, body: string): Promise<string | null> {
    return this.applied(await this.socket.request('message:edit', { messageId: message.id, body }));
  }

  async remove(message: Message): Promise<string | null> {
    return this.applied(await this.socket.request('message:delete', { messageId: message.id }));
  }

  async react(message: Message, emoji: string, on: boolean): Promise<string | null> {
    return this.applied(await this.socket.request('reaction:set', { messageId: message.id, emoji, on }));
  }

  /** Gives a reaction, or takes it back when it is mine already. */
  toggle(message: Message, emoji: string): Promise<string | null> {
    const mine = message.reactions.some((r) => r.emoji === emoji && r.me);
    return this.react(message, emoji, !mine);
  }

  private applied(ack: Ack<{ message: Message }>): string | null {
    if (!ack.ok) return ack.error.message;
    this.chat.applyChanged(ack.message);
    return null;
  }
}
