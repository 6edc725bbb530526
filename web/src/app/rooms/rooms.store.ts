import { Injectable, computed, inject, signal } from '@angular/core';
import type { AckOf, Message, Room, RoomsList } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';

/** Joinable rooms per page: about what the panel shows before one scrolls far. */
const JOINABLE_PAGE = 25;

/**
 * The rooms I am in, all of them, direct and group, and the group rooms I could join, a page at a time and searchable by
 * name; kept current by live events.
 */
@Injectable({ providedIn: 'root' })
export class RoomsStore {
  private readonly socket = inject(ChatSocket);
  /** Every room known: mine, and the joinable ones loaded so far. */
  private readonly rooms = signal<ReadonlyMap<number, Room>>(new Map());
  /** The joinable rooms loaded for the current search, in the server's order (by name). */
  private readonly joinableIds = signal<readonly number[]>([]);
  private readonly nextCursor = signal<string | null>(null);
  private readonly searchQuery = signal('');
  private readonly loadingMore = signal(false);
  /** Counts first-page requests, so that the answer to an older search never replaces a newer one. */
  private listing = 0;
  /** Counts log-outs, so that a list asked for before one is not merged after it. */
  private resets = 0;
  /** A list of my rooms arrived since the last log-in: until then the Chats list knows only what arrived live. */
  private readonly mineListed = signal(false);

  readonly byId = this.rooms.asReadonly();
  readonly query = this.searchQuery.asReadonly();
  readonly loading = this.loadingMore.asReadonly();
  /** More joinable rooms match the search than are loaded. */
  readonly hasMore = computed(() => this.nextCursor() !== null);
  readonly mineLoaded = this.mineListed.asReadonly();

  /** My rooms, direct and group, most recently active first: the Chats list. */
  readonly mine = computed(() =>
    [...this.rooms().values()]
      .filter((room) => room.joined)
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id - a.id),
  );

  /** The group rooms I could join that match the search, as loaded so far; one I join moves to `mine`. */
  readonly joinable = computed(() => {
    const rooms = this.rooms();
    return this.joinableIds().flatMap((id) => {
      const room = rooms.get(id);
      return room && !room.joined ? [room] : [];
    });
  });

  constructor() {
    this.socket.on('room:new', (room) => this.upsert(room));
    // Everyone but its creator hears of a new group room as an outsider; the creator's devices get room:new.
    this.socket.on('room:created', (room) => {
      if (this.rooms().has(room.id)) return;
      this.upsert(room);
      if (matchesSearch(room, this.searchQuery())) this.joinableIds.update((ids) => insertByName(ids, room, this.rooms()));
    });
  }

  /**
   * My rooms, and the first page of the joinable rooms that match the current search. False when the answer
   * failed. My rooms are merged in even when a newer search replaced the joinable page: they do not depend on it.
   */
  async load(): Promise<boolean> {
    const resets = this.resets;
    const listing = ++this.listing;
    // The answer speaks for the rooms known when it was asked for; one learned live meanwhile may be newer than it.
    const asked = new Set(this.rooms().keys());
    const ack = await this.firstPage();
    if (!ack.ok || resets !== this.resets) return false;
    this.mergeMine(ack.rooms ?? [], asked);
    this.mineListed.set(true);
    if (listing === this.listing) this.setJoinable(ack.joinable);
    return true;
  }

  /**
   * Shows the joinable rooms whose name starts like `query` (the server ignores case, width and look-alikes).
   * My rooms are left alone: the answer's may be older than what arrived live meanwhile.
   */
  async search(query: string): Promise<void> {
    this.searchQuery.set(query.trimStart());
    const listing = ++this.listing;
    const ack = await this.firstPage();
    if (ack.ok && listing === this.listing) this.setJoinable(ack.joinable);
  }

  /** Loads the next page of joinable rooms for the current search. */
  async loadMore(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor === null || this.loadingMore()) return;
    const listing = this.listing;
    const query = this.searchQuery();
    this.loadingMore.set(true);
    try {
      const ack = await this.socket.request('rooms:list', { ...(query && { query }), cursor, limit: JOINABLE_PAGE });
      if (!ack.ok || listing !== this.listing) return;
      this.addPage(ack.joinable);
    } finally {
      this.loadingMore.set(false);
    }
  }

  async create(name: string, password: string): Promise<AckOf<'room:create'>> {
    const ack = await this.socket.request('room:create', password ? { name, password } : { name });
    if (ack.ok) this.upsert(ack.room);
    return ack;
  }

  async join(roomId: number, password: string): Promise<AckOf<'room:join'>> {
    const ack = await this.socket.request('room:join', password ? { roomId, password } : { roomId });
    if (ack.ok) this.upsert(ack.room);
    return ack;
  }

  /** The direct room with a person, if it exists yet. */
  directWith(userId: number): Room | undefined {
    for (const room of this.rooms().values()) if (room.peer?.id === userId) return room;
    return undefined;
  }

  /** Adds a room, or updates one, never moving its seqs and read markers back (see `merged`). */
  upsert(room: Room): void {
    this.rooms.update((rooms) => new Map(rooms).set(room.id, merged(rooms.get(room.id), room)));
  }

  /**
   * Keeps a room's activity, last message and unread count current as its messages arrive, each once
   * however often it is heard of (live, by catch-up). Sending moves my own marker, as the server does, so
   * what lies after my marker was written by others: `unread` stays `lastSeq - lastReadSeq`.
   */
  noteMessage(message: Message, mine: boolean): void {
    const room = this.rooms().get(message.roomId);
    if (!room) return;
    const newer = message.seq > room.lastSeq;
    // One of mine filling a gap late still moves my marker.
    const lastReadSeq = mine ? Math.max(room.lastReadSeq, message.seq) : room.lastReadSeq;
    if (!newer && lastReadSeq === room.lastReadSeq) return;
    const latest = newer ? { lastSeq: message.seq, lastActivityAt: message.createdAt, lastMessage: message } : {};
    const lastSeq = latest.lastSeq ?? room.lastSeq;
    this.upsert({ ...room, ...latest, lastReadSeq, unread: Math.max(0, lastSeq - lastReadSeq) });
  }

  /** A room I am no longer in (left on another device, or removed). */
  forget(roomId: number): void {
    if (!this.rooms().has(roomId)) return;
    this.rooms.update((rooms) => {
      const next = new Map(rooms);
      next.delete(roomId);
      return next;
    });
    this.joinableIds.update((ids) => ids.filter((id) => id !== roomId));
  }

  reset(): void {
    this.listing += 1;
    this.resets += 1;
    this.mineListed.set(false);
    this.rooms.set(new Map());
    this.joinableIds.set([]);
    this.nextCursor.set(null);
    this.searchQuery.set('');
  }

  /** `rooms:list` without a cursor: all my rooms, and the first joinable page for the current search. */
  private firstPage(): Promise<AckOf<'rooms:list'>> {
    const query = this.searchQuery();
    return this.socket.request('rooms:list', { ...(query && { query }), limit: JOINABLE_PAGE });
  }

  /**
   * My rooms from a list: each merged with what is held, and those known when the list was asked for that it
   * no longer has (left on another device) forgotten. Joinable rooms not in the page stay until replaced.
   */
  private mergeMine(mine: readonly Room[], asked: ReadonlySet<number>): void {
    const listed = new Set(mine.map((room) => room.id));
    this.rooms.update((rooms) => {
      const next = new Map(rooms);
      for (const [id, room] of rooms) if (room.joined && asked.has(id) && !listed.has(id)) next.delete(id);
      for (const room of mine) next.set(room.id, merged(rooms.get(room.id), room));
      return next;
    });
  }

  /** The first page of joinable rooms for the current search, replacing the one before. */
  private setJoinable(page: RoomsList['joinable']): void {
    this.joinableIds.set([]);
    this.addPage(page);
  }

  private addPage(page: RoomsList['joinable']): void {
    this.rooms.update((rooms) => {
      const next = new Map(rooms);
      for (const room of page.rooms) if (!next.get(room.id)?.joined) next.set(room.id, room);
      return next;
    });
    // A room announced live may already be listed; it is not listed twice.
    this.joinableIds.update((ids) => [...ids, ...page.rooms.map((room) => room.id).filter((id) => !ids.includes(id))]);
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

/**
 * A room as heard of now, over what was held: an answer can be older than a message or read marker that
 * arrived live while it was on its way, and seqs and markers only ever move forward. The newest message
 * comes with its activity time; the rest (name, members, mute) is taken as heard.
 */
function merged(held: Room | undefined, heard: Room): Room {
  if (!held) return heard;
  const latest = held.lastSeq > heard.lastSeq ? held : heard;
  const lastReadSeq = Math.max(held.lastReadSeq, heard.lastReadSeq);
  const peerLastReadSeq = heard.peerLastReadSeq === null ? held.peerLastReadSeq : Math.max(held.peerLastReadSeq ?? 0, heard.peerLastReadSeq);
  return {
    ...heard,
    lastSeq: latest.lastSeq,
    lastMessage: latest.lastMessage,
    lastActivityAt: latest.lastActivityAt,
    lastReadSeq,
    peerLastReadSeq,
    // What lies after my marker was written by others (see `noteMessage`).
    unread: latest === heard && lastReadSeq === heard.lastReadSeq ? heard.unread : Math.max(0, latest.lastSeq - lastReadSeq),
  };
}

function insertByName(ids: readonly number[], room: Room, rooms: ReadonlyMap<number, Room>): number[] {
  const name = room.name ?? '';
  const at = ids.findIndex((id) => (rooms.get(id)?.name ?? '').localeCompare(name) > 0);
  return at === -1 ? [...ids, room.id] : [...ids.slice(0, at), room.id, ...ids.slice(at)];
}
