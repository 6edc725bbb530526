import { signal } from '@angular/core';
import type { Message, Room } from '@parley/protocol';

/** How long after sending its author may edit a message: the server's default window. */
export const EDIT_WINDOW_MS = 24 * 60 * 60_000;

/**
 * One chat box's part in changing messages: the message the composer answers, and the one being edited in place. The
 * server decides what is allowed; these say what to offer.
 */
export class BoxChanges {
  /** The message the next one sent answers, shown above the composer; null for none. */
  readonly replyingTo = signal<Message | null>(null);
  /** The id of the message being edited in place; null for none. */
  readonly editingId = signal<number | null>(null);

  constructor(
    private readonly myId: () => number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Mine, standing, and within the window. */
  canEdit(message: Message): boolean {
    return this.isMine(message) && message.kind === 'text' && message.deletedAt === null && this.now() - Date.parse(message.createdAt) < EDIT_WINDOW_MS;
  }

  /** Mine, or someone else's in a group room I own or moderate (the server refuses a moderator another moderator's). */
  canDelete(message: Message, room: Room): boolean {
    if (message.deletedAt !== null || message.kind !== 'text') return false;
    return this.isMine(message) || (room.kind === 'group' && (room.role === 'owner' || room.role === 'moderator'));
  }

  /** What Up-arrow in an empty composer edits: my newest message that I may still edit. */
  lastEditable(messages: readonly Message[]): Message | undefined {
    const mine = messages.findLast((message) => this.isMine(message) && message.kind === 'text' && message.deletedAt === null);
    return mine && this.canEdit(mine) ? mine : undefined;
  }

  private isMine(message: Message): boolean {
    return message.authorId === this.myId();
  }
}
