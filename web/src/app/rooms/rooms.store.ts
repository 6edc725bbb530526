import { Injectable, computed, inject, signal } from '@angular/core';
import { LIMITS, type AckOf, type Message, type PublicUser, type Room, type RoomMemberEvent, type RoomsListInput } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';

/** My rooms on the first page of a paging: what the Chats list shows first, so it comes quickly. */
const MINE_FIRST_PAGE = 50;

/**
 * The rooms I am in, direct and group: listed a page at a time (`rooms:list`), kept current by live events.
 * The group rooms I could join are `JoinableRoomsStore`'s.
 */
@Injectable({ providedIn: 'root' })
export class RoomsStore {
  private readonly socket = inject(ChatSocket);
  /** Every room of mine known: listed, or heard of live. */
  private readonly rooms = signal<ReadonlyMap<number, Room>>(new Map());
  /** Counts log-outs, so that a paging from before one merges nothing after it. */
  private resets = 0;
  /** A paging of my rooms went through to its last page since the last log-in (see `load`). */
  private readonly mineListed = signal(false);
  /** The last paging of my rooms stopped at a page the server refused or did not answer. */
  private readonly mineFailed = signal(false);
  /** The paging running, if any: a `load` asked for meanwhile joins it (see `load`). */
  private paging: Promise<boolean> | null = null;
  /** A `load` was asked for since the running paging began: it pages once more from the start. */
  private pagingWanted = false;
  /** Counts mute changes, made here or heard of from another device, so that a page asked for before one cannot undo it. */
  private muteChanges = 0;
  /** For each room, `muteChanges` at its latest mute change. */
  private readonly mutedAt = new Map<number, number>();
  /**
   * For each room, the seq its member count was counted at: the room's `lastSeq` as the server sent it, or a
   * `room:member` event's. Events and pages can come in any order; the count with the higher seq is the newer.
   */
  private readonly countedAt = new Map<number, number>();

  readonly byId = this.rooms.asReadonly();
  /**
   * Until true, the rooms known since log-in may be only some of mine: what arrived live, or the pages that
   * came before one failed. What is restored from an earlier visit waits for it, lest a room not listed yet
   * pass for one I left.
   */
  readonly mineLoaded = this.mineListed.asReadonly();
  /** Whether the last paging of my rooms failed: the Chats list offers to try again. */
  readonly mineFailedToLoad = this.mineFailed.asReadonly();

  /** My rooms, direct and group, most recently active first: the Chats list. */
  readonly mine = computed(() =>
    [...this.rooms().values()]
      .filter((room) => room.joined)
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id - a.id),
  );

  constructor() {
    this.socket.on('room:new', (room) => this.upsert(room));
    this.socket.on('room:member', (event) => this.countMembers(event));
    this.socket.on('room:updated', ({ roomId, name, protected: locked }) => {
      const room = this.rooms().get(roomId);
      if (room) this.change({ ...room, name, protected: locked });
    });
  }

  /**
   * Lists my rooms, a page at a time, most recently active first, merging each page as it arrives: the Chats
   * list shows the first at once. True once a paging went through to the last page; false when a page failed
   * (what came before it stays) or a log-out stopped it.
   *
   * One paging at a time: a `load` asked for while one runs (a reconnect, a message in a room not known yet)
   * joins it, and when it ends it pages once more from the start, for whoever joined. Carrying on would not do:
   * the room that prompted the `load` is most likely active now, so at the front, among the pages already answered.
   */
  load(): Promise<boolean> {
    this.mineFailed.set(false);
    this.pagingWanted = true;
    this.paging ??= this.pageRounds();
    return this.paging;
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

  /**
   * Renames a room I own, or sets, changes or removes its password (empty removes it). The new name comes back in
   * the ack, and to everyone as `room:updated`.
   */
  async update(roomId: number, changes: { name?: string; password?: string }): Promise<AckOf<'room:update'>> {
    const ack = await this.socket.request('room:update', { roomId, ...changes });
    if (ack.ok) this.upsert(ack.room);
    return ack;
  }

  /** Deletes a room I own; `room:deleted` closes its box on every device (see ChatStore). */
  delete(roomId: number): Promise<AckOf<'room:delete'>> {
    return this.socket.request('room:delete', { roomId });
  }

  /** The direct room with a person, if it exists yet. */
  directWith(userId: number): Room | undefined {
    for (const room of this.rooms().values()) if (room.peer?.id === userId) return room;
    return undefined;
  }

  /** Mutes or unmutes one of my rooms here: done on this device, or heard of from another. */
  setMuted(roomId: number, muted: boolean): void {
    const room = this.rooms().get(roomId);
    if (!room) return;
    this.mutedAt.set(roomId, ++this.muteChanges);
    if (room.muted !== muted) this.change({ ...room, muted });
  }

  /** Adds a room as the server sent it, or updates one, never moving its seqs, read markers and count back (see `merge`). */
  upsert(room: Room): void {
    this.rooms.update((rooms) => new Map(rooms).set(room.id, this.merge(rooms.get(room.id), room)));
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
    this.change({ ...room, ...latest, lastReadSeq, unread: Math.max(0, lastSeq - lastReadSeq) });
  }

  /**
   * Someone changed their name (`user:updated`): the direct chat with them and the last message they wrote in any of
   * my rooms say it from now on.
   */
  renamed(user: PublicUser): void {
    const rooms = this.rooms();
    let next: Map<number, Room> | null = null;
    for (const room of rooms.values()) {
      const peer = room.peer?.id === user.id ? user : room.peer;
      const last = room.lastMessage;
      const lastMessage = last?.authorId === user.id ? { ...last, author: user } : last;
      if (peer === room.peer && lastMessage === last) continue;
      next ??= new Map(rooms);
      next.set(room.id, { ...room, peer, lastMessage });
    }
    if (next) this.rooms.set(next);
  }

  /** Someone joined or left: the count after it, unless a newer count is held (see `countedAt`). */
  private countMembers({ roomId, memberCount, seq }: RoomMemberEvent): void {
    const room = this.rooms().get(roomId);
    if (!room || seq <= (this.countedAt.get(roomId) ?? 0)) return;
    this.countedAt.set(roomId, seq);
    this.change({ ...room, memberCount });
  }

  /** A room I am no longer in (left on another device, or removed). */
  forget(roomId: number): void {
    this.countedAt.delete(roomId);
    if (!this.rooms().has(roomId)) return;
    this.rooms.update((rooms) => {
      const next = new Map(rooms);
      next.delete(roomId);
      return next;
    });
  }

  reset(): void {
    this.resets += 1;
    this.countedAt.clear();
    // The paging from before the log-out stops at its next answer; the next log-in's must not join it.
    this.paging = null;
    this.pagingWanted = false;
    this.mineListed.set(false);
    this.mineFailed.set(false);
    this.rooms.set(new Map());
    this.mutedAt.clear();
  }

  /** A room held, changed here (a mute, a read marker, a message): nothing in it is older than what is held. */
  change(room: Room): void {
    this.rooms.update((rooms) => new Map(rooms).set(room.id, room));
  }

  /** A room from the server over the one held (see `merged`), keeping a member count counted later (see `countedAt`). */
  private merge(held: Room | undefined, heard: Room): Room {
    const room = merged(held, heard);
    if (held !== undefined && (this.countedAt.get(heard.id) ?? 0) > heard.lastSeq) return { ...room, memberCount: held.memberCount };
    this.countedAt.set(heard.id, heard.lastSeq);
    return room;
  }

  /** Pages through my rooms, again as long as a `load` was asked for meanwhile; the last paging's outcome. */
  private async pageRounds(): Promise<boolean> {
    const resets = this.resets;
    let complete = false;
    try {
      while (resets === this.resets && this.pagingWanted) {
        this.pagingWanted = false;
        complete = await this.pageThrough(resets);
      }
      return complete;
    } finally {
      // After a log-out, `paging` is the next log-in's, if anyone's.
      if (resets === this.resets) this.paging = null;
    }
  }

  /**
   * One paging, from the first page to the last, each merged as it arrives. False when a page failed or a log-out
   * came: nothing is forgotten then, since the pages not answered may hold any room.
   */
  private async pageThrough(resets: number): Promise<boolean> {
    const heldSeqs = new Map([...this.rooms()].flatMap(([id, room]) => (room.joined ? [[id, room.lastSeq] as const] : [])));
    const listed = new Set<number>();
    let cursor: string | null = null;
    do {
      const ask: RoomsListInput = cursor === null ? { limit: MINE_FIRST_PAGE } : { cursor, limit: LIMITS.roomsPageMax };
      const askedAt = this.muteChanges;
      const ack = await this.socket.request('rooms:list', ask);
      if (resets !== this.resets) return false;
      this.mineFailed.set(!ack.ok);
      if (!ack.ok) return false;
      for (const room of ack.rooms) listed.add(room.id);
      this.mergePage(ack.rooms, askedAt);
      cursor = ack.nextCursor;
    } while (cursor !== null);
    this.forgetUnlisted(heldSeqs, listed);
    this.mineListed.set(true);
    return true;
  }

  /**
   * A page of my rooms, each merged with what is held. A page can be older than what arrived live while it was on
   * its way (see `merged`), mute included: a room muted or unmuted since the page was asked for (`askedAt`) keeps
   * what it is now. It can even bring back a room `sync` said I left meanwhile, which the next `sync`, naming it,
   * hears of as left again.
   */
  private mergePage(page: readonly Room[], askedAt: number): void {
    this.rooms.update((rooms) => {
      const next = new Map(rooms);
      for (const room of page) {
        const held = rooms.get(room.id);
        const mutedSince = held !== undefined && (this.mutedAt.get(room.id) ?? 0) > askedAt;
        next.set(room.id, this.merge(held, mutedSince ? { ...room, muted: held.muted } : room));
      }
      return next;
    });
  }

  /**
   * After a paging that reached its last page: the rooms of mine held when it began that no page listed are
   * forgotten (left on another device). Not one that got a message meanwhile: its activity moved it to the
   * front, among the pages already answered, so the pages after may have skipped it though it is still mine.
   * One learned meanwhile (joined here, opened by someone) was not asked about. `sync`'s `left` is the authority
   * on which rooms I left; this only keeps the Chats list from showing them until it speaks.
   */
  private forgetUnlisted(heldSeqs: ReadonlyMap<number, number>, listed: ReadonlySet<number>): void {
    const rooms = this.rooms();
    const gone = [...heldSeqs].filter(([id, lastSeq]) => {
      const room = rooms.get(id);
      return !listed.has(id) && room?.joined === true && room.lastSeq === lastSeq;
    });
    if (gone.length === 0) return;
    const next = new Map(rooms);
    for (const [id] of gone) next.delete(id);
    this.rooms.set(next);
  }
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
