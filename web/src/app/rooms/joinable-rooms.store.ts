import { Injectable, computed, inject, signal } from '@angular/core';
import type { Room, RoomsPage } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';
import { SEARCH_PAUSE_MS } from '../people/directory.store';
import { RoomsStore } from './rooms.store';

/** Joinable rooms per page: about what the panel shows before one scrolls far. */
const JOINABLE_PAGE = 25;

/**
 * The group rooms I could join (`rooms:browse`), a page at a time and searchable by name: what the rooms panel
 * offers. The first page for the current search comes on every connect; rooms created since arrive live.
 */
@Injectable({ providedIn: 'root' })
export class JoinableRoomsStore {
  private readonly socket = inject(ChatSocket);
  private readonly mine = inject(RoomsStore);
  /** The joinable rooms loaded for the current search, in the server's order (by name). */
  private readonly listed = signal<readonly Room[]>([]);
  private readonly nextCursor = signal<string | null>(null);
  private readonly searchQuery = signal('');
  private readonly loadingMore = signal(false);
  /** Counts first-page requests and log-outs, so that an older search's answer never replaces a newer one's. */
  private listing = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  readonly query = this.searchQuery.asReadonly();
  readonly loading = this.loadingMore.asReadonly();
  /** More joinable rooms match the search than are loaded. */
  readonly hasMore = computed(() => this.nextCursor() !== null);

  /** The group rooms I could join that match the search, as loaded so far; one I join moves to my rooms. */
  readonly rooms = computed(() => {
    const mine = this.mine.byId();
    return this.listed().filter((room) => !mine.get(room.id)?.joined);
  });

  constructor() {
    this.socket.onConnected(() => void this.showFirstPage());
    // Everyone but its creator hears of a new group room as an outsider; the creator's devices get room:new.
    this.socket.on('room:created', (room) => {
      if (this.mine.byId().has(room.id) || this.listed().some((held) => held.id === room.id)) return;
      if (matchesSearch(room, this.searchQuery())) this.listed.update((rooms) => insertByName(rooms, room));
    });
    // Renamed, its password set or removed, or deleted by its owner: the list shows it as it is now, or not at all.
    this.socket.on('room:updated', ({ roomId, name, protected: locked }) =>
      this.listed.update((rooms) => rooms.map((room) => (room.id === roomId ? { ...room, name, protected: locked } : room))),
    );
    this.socket.on('room:deleted', ({ roomId }) => this.listed.update((rooms) => rooms.filter((room) => room.id !== roomId)));
  }

  /** Shows the joinable rooms whose name starts like `query` (the server ignores case, width and look-alikes). */
  async search(query: string): Promise<void> {
    clearTimeout(this.searchTimer);
    this.searchQuery.set(query.trimStart());
    await this.showFirstPage();
  }

  /**
   * The same, as one types: the search goes once typing pauses. A request per keystroke would run into the socket's
   * event limit, and the search that mattered, the last, would be refused.
   */
  searchAsTyped(query: string): void {
    this.searchQuery.set(query.trimStart());
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.showFirstPage(), SEARCH_PAUSE_MS);
  }

  /** Loads the next page of joinable rooms for the current search. */
  async loadMore(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor === null || this.loadingMore()) return;
    const listing = this.listing;
    const query = this.searchQuery();
    this.loadingMore.set(true);
    try {
      const ack = await this.socket.request('rooms:browse', { ...(query && { query }), cursor, limit: JOINABLE_PAGE });
      if (!ack.ok || listing !== this.listing) return;
      this.addPage(ack);
    } finally {
      this.loadingMore.set(false);
    }
  }

  reset(): void {
    clearTimeout(this.searchTimer);
    this.listing += 1;
    this.listed.set([]);
    this.nextCursor.set(null);
    this.searchQuery.set('');
  }

  /** The first page for the current search, replacing the rooms shown once it comes. */
  private async showFirstPage(): Promise<void> {
    const listing = ++this.listing;
    const query = this.searchQuery();
    const ack = await this.socket.request('rooms:browse', { ...(query && { query }), limit: JOINABLE_PAGE });
    if (!ack.ok || listing !== this.listing) return;
    this.listed.set([]);
    this.addPage(ack);
  }

  private addPage(page: RoomsPage): void {
    const fresh = new Set(page.rooms.map((room) => room.id));
    // A room announced live may be on the page too: it takes the page's place in the server's order, once.
    this.listed.update((rooms) => [...rooms.filter((room) => !fresh.has(room.id)), ...page.rooms]);
    this.nextCursor.set(page.nextCursor);
  }
}

/**
 * Whether a room announced live belongs in the current search. The server compares names by look-alike
 * key, which the client does not have; a plain case-insensitive prefix is close enough for a live update.
 */
function matchesSearch(room: Room, query: string): boolean {
  const fold = (text: string) => text.normalize('NFKC').toLowerCase();
  return query === '' || fold(room.name ?? '').startsWith(fold(query));
}

function insertByName(rooms: readonly Room[], room: Room): Room[] {
  const name = room.name ?? '';
  const at = rooms.findIndex((held) => (held.name ?? '').localeCompare(name) > 0);
  return at === -1 ? [...rooms, room] : [...rooms.slice(0, at), room, ...rooms.slice(at)];
}
