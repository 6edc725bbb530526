import { Injectable, inject, signal } from '@angular/core';
import type { AckOf, PublicUser } from '@parley/protocol';
import { Api } from '../core/api';
import { ChatSocket } from '../core/chat-socket';
import { RoomsStore } from '../rooms/rooms.store';

/**
 * The people I blocked. While a block stands neither of us can open or write in our direct chat (the server refuses
 * both), so a box whose peer I blocked offers to unblock instead of a composer. The list comes from the server on
 * every connect, the first included (what my other devices changed while this one was away), and then changes with
 * my own `user:block` once acknowledged and with my other devices' (`user:blocked`).
 */
@Injectable({ providedIn: 'root' })
export class BlocksStore {
  private readonly api = inject(Api);
  private readonly socket = inject(ChatSocket);
  private readonly rooms = inject(RoomsStore);
  /** Most recently blocked first, as the server lists them. */
  private readonly list = signal<readonly PublicUser[]>([]);
  private readonly blockedIds = signal<ReadonlySet<number>>(new Set());
  private readonly listed = signal(false);
  /** Counts blocks and unblocks made or heard of: a list asked for before one may not have it. */
  private changes = 0;
  /** Counts the lists asked for and log-outs, so that an older answer never replaces a newer one. */
  private listing = 0;

  /** Whom I blocked, as the settings list them. */
  readonly people = this.list.asReadonly();
  /** The ids of whom I blocked: what a chat box asks. */
  readonly ids = this.blockedIds.asReadonly();
  /** The server has answered since log-in: an empty list means nobody is blocked. */
  readonly loaded = this.listed.asReadonly();

  constructor() {
    this.socket.on('user:blocked', ({ userId, blocked }) => this.heard(userId, blocked));
    this.socket.onConnected(() => void this.load().catch(() => undefined));
  }

  /** Asks the server whom I blocked; asks again when a block changed while the answer was on its way. */
  async load(): Promise<void> {
    const listing = ++this.listing;
    for (;;) {
      const askedAt = this.changes;
      const { users } = await this.api.blocks();
      if (listing !== this.listing) return;
      if (askedAt !== this.changes) continue;
      this.list.set(users);
      this.blockedIds.set(new Set(users.map((user) => user.id)));
      this.listed.set(true);
      return;
    }
  }

  /** Blocks someone, or lifts the block; shown here once the server has it, and on my other devices by `user:blocked`. */
  async setBlocked(user: PublicUser, blocked: boolean): Promise<AckOf<'user:block'>> {
    const ack = await this.socket.request('user:block', { userId: user.id, blocked });
    if (ack.ok) this.apply(user.id, blocked, user);
    return ack;
  }

  /** Someone I blocked changed their name (`user:updated`). */
  renamed(user: PublicUser): void {
    if (this.blockedIds().has(user.id)) this.list.update((users) => users.map((each) => (each.id === user.id ? user : each)));
  }

  reset(): void {
    this.listing += 1;
    this.changes += 1;
    this.list.set([]);
    this.blockedIds.set(new Set());
    this.listed.set(false);
  }

  /**
   * A block made or lifted on another device. Its name is most likely that of a direct chat of mine (blocking is done
   * from one); otherwise the list is asked for, for it.
   */
  private heard(userId: number, blocked: boolean): void {
    const known = blocked ? this.rooms.directWith(userId)?.peer : undefined;
    this.apply(userId, blocked, known);
    if (blocked && !known) void this.load().catch(() => undefined);
  }

  private apply(userId: number, blocked: boolean, user: PublicUser | null | undefined): void {
    this.changes += 1;
    this.blockedIds.update((ids) => {
      if (ids.has(userId) === blocked) return ids;
      const next = new Set(ids);
      if (blocked) next.add(userId);
      else next.delete(userId);
      return next;
    });
    this.list.update((users) => {
      const others = users.filter((each) => each.id !== userId);
      return blocked && user ? [user, ...others] : others;
    });
  }
}
