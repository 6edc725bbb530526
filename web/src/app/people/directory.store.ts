import { Injectable, computed, inject, signal } from '@angular/core';
import { LIMITS, type DirectoryUser, type PublicUser, type UsersResponse } from '@parley/protocol';
import { BlocksStore } from '../blocking/blocks.store';
import { Api } from '../core/api';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';

/** People per page of the New chat list: about what the sidebar shows before one scrolls far. */
export const PEOPLE_PAGE = 25;
/** How long typing must pause before a search goes to the server. */
export const SEARCH_PAUSE_MS = 250;

/**
 * The people directory as New chat shows it: a page at a time from the server (`GET /api/users`), searched there
 * as one types, never everyone. The online dots stay live: the people listed are watched (`presence:watch`), whose
 * answer says who of them is online, and the server announces anyone I share a room with anyway. At most
 * `LIMITS.presenceWatchMax` people are listed, all of them watched: a longer list asks for a narrower search.
 */
@Injectable({ providedIn: 'root' })
export class DirectoryStore {
  private readonly api = inject(Api);
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly blocks = inject(BlocksStore);
  /** The people loaded for the current search, in the server's order (by username). */
  private readonly listed = signal<readonly DirectoryUser[]>([]);
  private readonly nextCursor = signal<string | null>(null);
  private readonly searchQuery = signal('');
  private readonly loadingMore = signal(false);
  /** Counts first-page requests and log-outs, so that an older search's answer never replaces a newer one's. */
  private listing = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Watches sent and not answered yet, each with whose coming or going was heard meanwhile: that news is newer. */
  private readonly watchesInFlight = new Set<Set<number>>();
  private watchesSent = 0;
  private watchApplied = 0;
  /** New chat has been shown since logging in: until then nobody is listed, asked for or watched. */
  private wanted = false;

  readonly query = this.searchQuery.asReadonly();
  readonly loading = this.loadingMore.asReadonly();
  /** More people match the search than are listed, and there is room to list them. */
  readonly hasMore = computed(() => this.nextCursor() !== null && this.listed().length < LIMITS.presenceWatchMax);
  /** More people match the search than may be listed: a narrower search finds them. */
  readonly full = computed(() => this.nextCursor() !== null && this.listed().length >= LIMITS.presenceWatchMax);
  /**
   * The people listed but me, by username, each with whether they are online. Without a connection nobody's
   * coming or going is heard, so nobody is shown online until the connection is back and its watch has answered:
   * a green dot that may be hours old would say more than we know.
   */
  readonly people = computed(() => {
    const me = this.session.user()?.id;
    const blocked = this.blocks.ids();
    const others = this.listed().filter((user) => user.id !== me);
    // Nor is anyone I blocked: the server no longer tells of their coming and going, so what was known would go stale.
    const connected = this.socket.state() === 'connected';
    return others.map((user) => (user.online && (!connected || blocked.has(user.id)) ? { ...user, online: false } : user));
  });

  constructor() {
    this.socket.on('user:online', ({ userId }) => this.heard(userId, true));
    this.socket.on('user:offline', ({ userId }) => this.heard(userId, false));
    // A watch ends with its socket: a new one watches again, and the answer brings the dots up to date (or, if the
    // first page never came, asks for it again). The first connect waits for `load`, whose watch it sends.
    // Until New chat is shown, there is nothing to watch.
    this.socket.onReconnected(() => {
      if (!this.wanted) return;
      const again = this.listed().length > 0 ? this.watchListed() : this.showFirstPage();
      again.catch(() => undefined);
    });
  }

  /** Lists the first page for the current search at once (the empty one on start). */
  load(): Promise<void> {
    this.wanted = true;
    return this.showFirstPage();
  }

  /**
   * New chat is showing: the first time, lists the first page. Most visits go to one's own chats, so a page load
   * neither waits behind this request nor watches 25 people for nothing.
   */
  showing(): void {
    if (!this.wanted) void this.load().catch(() => undefined);
  }

  /** Shows the people whose username or name starts like `query`, once typing pauses. */
  search(query: string): void {
    this.searchQuery.set(query);
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.showFirstPage().catch(() => undefined), SEARCH_PAUSE_MS);
  }

  /** Lists the next page for the current search. */
  async loadMore(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor === null || this.loadingMore() || !this.hasMore()) return;
    const listing = this.listing;
    this.loadingMore.set(true);
    try {
      const page = await this.api.users({ ...this.searchParams(), cursor });
      if (listing !== this.listing) return;
      const fresh = new Set(page.users.map((user) => user.id));
      this.listed.update((users) => [...users.filter((user) => !fresh.has(user.id)), ...page.users].slice(0, LIMITS.presenceWatchMax));
      this.nextCursor.set(page.nextCursor);
    } finally {
      this.loadingMore.set(false);
    }
    await this.watchListed();
  }

  /** Someone listed, by id. */
  find(userId: number): DirectoryUser | undefined {
    return this.listed().find((user) => user.id === userId);
  }

  /** Someone listed changed their name (`user:updated`): the list shows the new one, in the same place until the next search. */
  renamed(user: PublicUser): void {
    const users = this.listed();
    const at = users.findIndex((listed) => listed.id === user.id);
    if (at === -1) return;
    this.listed.set(users.with(at, { ...users[at]!, firstName: user.firstName, lastName: user.lastName }));
  }

  reset(): void {
    clearTimeout(this.searchTimer);
    this.wanted = false;
    this.listing += 1;
    this.watchApplied = ++this.watchesSent;
    this.listed.set([]);
    this.nextCursor.set(null);
    this.searchQuery.set('');
  }

  private async showFirstPage(): Promise<void> {
    clearTimeout(this.searchTimer);
    const listing = ++this.listing;
    const page: UsersResponse = await this.api.users(this.searchParams());
    if (listing !== this.listing) return;
    this.listed.set(page.users.slice(0, LIMITS.presenceWatchMax));
    this.nextCursor.set(page.nextCursor);
    await this.watchListed();
  }

  private searchParams(): { query?: string; limit: number } {
    const query = this.searchQuery().trimStart();
    return { ...(query && { query }), limit: PEOPLE_PAGE };
  }

  /**
   * Watches the people listed, replacing what this socket watched, and takes their online state from the answer,
   * but for those whose news came while it was on its way, and unless a later watch was answered first.
   */
  private async watchListed(): Promise<void> {
    const userIds = this.people().map((user) => user.id);
    const sent = ++this.watchesSent;
    const heardMeanwhile = new Set<number>();
    this.watchesInFlight.add(heardMeanwhile);
    let ack;
    try {
      ack = await this.socket.request('presence:watch', { userIds });
    } finally {
      this.watchesInFlight.delete(heardMeanwhile);
    }
    if (!ack.ok || sent < this.watchApplied) return;
    this.watchApplied = sent;
    const asked = new Set(userIds);
    const online = new Set(ack.online);
    this.listed.update((users) =>
      users.map((user) => {
        if (!asked.has(user.id) || heardMeanwhile.has(user.id)) return user;
        const now = online.has(user.id);
        return user.online === now ? user : { ...user, online: now };
      }),
    );
  }

  private heard(userId: number, online: boolean): void {
    for (const heardMeanwhile of this.watchesInFlight) heardMeanwhile.add(userId);
    const users = this.listed();
    const at = users.findIndex((user) => user.id === userId);
    if (at === -1 || users[at]!.online === online) return;
    this.listed.set(users.with(at, { ...users[at]!, online }));
  }
}

export function displayName(user: { firstName: string; lastName: string }): string {
  return `${user.firstName} ${user.lastName}`;
}
