import { Injectable, inject, signal } from '@angular/core';
import { ChatSocket } from '../core/chat-socket';

/** The server relays `typing` to others; sending it more often than this while typing only adds traffic. */
export const TYPING_SEND_EVERY_MS = 3000;
/** An indicator not renewed within this time is stale: the person stopped typing, or left. */
export const TYPING_SHOWN_FOR_MS = 5000;

/**
 * "Alice is typing…": tells a room's other members when I type in its composer, and keeps, per room, who
 * is typing there. Nothing is stored on the server; an indicator lasts 5 s unless renewed, and ends at that
 * person's next message.
 */
@Injectable({ providedIn: 'root' })
export class TypingStore {
  private readonly socket = inject(ChatSocket);
  /** Per room, the ids of the people typing, first to start first. */
  private readonly typists = signal<ReadonlyMap<number, readonly number[]>>(new Map());
  private readonly expiries = new Map<string, ReturnType<typeof setTimeout>>();
  /** Per room, when I last told the others I am typing. */
  private readonly lastSent = new Map<number, number>();

  readonly byRoom = this.typists.asReadonly();

  constructor() {
    this.socket.on('typing', ({ roomId, userId }) => this.started(roomId, userId));
    this.socket.on('message:new', (message) => this.stopped(message.roomId, message.authorId));
  }

  /** I typed in a room's composer: the others hear of it, at most once per 3 s. */
  typed(roomId: number): void {
    const now = Date.now();
    const last = this.lastSent.get(roomId);
    if (last !== undefined && now - last < TYPING_SEND_EVERY_MS) return;
    this.lastSent.set(roomId, now);
    void this.socket.request('typing', { roomId });
  }

  /**
   * My draft was sent or emptied: that bout of typing is over. The others drop the indicator at my message
   * (or after 5 s), so the first keystroke of the next draft is news again.
   */
  draftEnded(roomId: number): void {
    this.lastSent.delete(roomId);
  }

  private started(roomId: number, userId: number): void {
    const key = `${roomId}:${userId}`;
    clearTimeout(this.expiries.get(key));
    this.expiries.set(key, setTimeout(() => this.stopped(roomId, userId), TYPING_SHOWN_FOR_MS));
    this.typists.update((all) => {
      const ids = all.get(roomId) ?? [];
      return ids.includes(userId) ? all : new Map(all).set(roomId, [...ids, userId]);
    });
  }

  private stopped(roomId: number, userId: number): void {
    const key = `${roomId}:${userId}`;
    clearTimeout(this.expiries.get(key));
    this.expiries.delete(key);
    this.typists.update((all) => {
      const ids = all.get(roomId);
      if (!ids?.includes(userId)) return all;
      const rest = ids.filter((id) => id !== userId);
      const next = new Map(all);
      if (rest.length > 0) next.set(roomId, rest);
      else next.delete(roomId);
      return next;
    });
  }
}
