import { Injectable, computed, effect, inject, signal } from '@angular/core';
import {
  LIMITS,
  isInvisible,
  type ErrorCode,
  type Message,
  type MessageUpdated,
  type PublicUser,
  type Room,
  type RoomCatchUp,
  type SyncPosition,
} from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { DockStore } from '../dock/dock.store';
import { RoomsStore } from '../rooms/rooms.store';
import { plainText } from '../markdown/plain-text';
import { ChangeFeed } from '../message-changes/change-feed';
import { RecentUpdates } from '../message-changes/recent-updates';
import { applyChanges, applyUpdate, mergeBySeq, newClientId, renameAuthor, requote } from './messages';

/** A message I wrote that the server has not acknowledged yet. */
export interface Outgoing {
  clientId: string;
  body: string;
  /** The message it answers. */
  replyToId?: number;
  status: 'sending' | 'failed';
  error?: string;
}

export interface Conversation {
  roomId: number;
  /** In seq order, without gaps once caught up. */
  messages: Message[];
  outbox: Outgoing[];
  /** The first message is loaded: there is nothing older. */
  reachedStart: boolean;
  loadingOlder: boolean;
}

/** An open box: the room (live: its unread count and read markers move), its messages, whether it is collapsed. */
export interface ChatBox {
  room: Room;
  conversation: Conversation;
  collapsed: boolean;
}

const OLDER_PAGE = 30;


/**
 * A socket may spend 50 event points a second and a `sync` costs 10: rounds of one catch-up start at least
 * this far apart, leaving room for what the person does meanwhile.
 */
const SYNC_SPACING_MS = 250;
/** After a `sync` refused for being over budget, or unanswered: the waits before asking again, then give up. */
const SYNC_RETRY_MS = [1000, 2000, 4000];
const SYNC_RETRIED: ReadonlySet<ErrorCode> = new Set(['rate_limited', 'internal']);

/**
 * After a send refused with `overloaded`: the waits before sending it again under the same clientId, each
 * spread by jitter (see `jittered`); once they have all passed, the message shows as failed, to be retried by hand.
 */
export const SEND_RETRY_MS = [500, 1000, 2000, 4000, 8000, 8000];

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Between half and one and a half times `ms`: clients refused together do not all come back together. */
const jittered = (ms: number) => ms * (0.5 + Math.random());

/**
 * The chats' messages, and sending with retry. Which boxes are open is the dock's (`DockStore`); the
 * unread counts are the rooms' own, from the server, kept current here as messages arrive.
 */
@Injectable({ providedIn: 'root' })
export class ChatStore {
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly rooms = inject(RoomsStore);
  private readonly dock = inject(DockStore);
  private readonly changes = inject(ChangeFeed);

  private readonly conversations = signal<ReadonlyMap<number, Conversation>>(new Map());
  /** Per clientId, the latest delivery of it: an earlier one waiting to send it again gives way to it. */
  private readonly deliveries = new Map<string, object>();
  private readonly lastAnnouncement = signal('');
  /** Who hears of the unread messages a `sync` brings (see `onCaughtUp`). */
  private readonly caughtUpListeners: ((unread: readonly Message[]) => void)[] = [];
  private learningRooms = false;
  /**
   * Per room, the seq to catch up from when it is not the newest held: the start of a gap in the live stream,
   * or where an answer that was not complete stopped. Kept until the room comes back complete, so a `sync`
   * refused or cut short leaves it for the next one.
   */
  private readonly catchUpFrom = new Map<number, number>();
  /** The one `sync` loop running, if any: whatever needs a sync meanwhile joins it (see `sync`). */
  private syncing: Promise<void> | null = null;
  private syncWanted = false;
  /** Lists asked for on connect and not answered yet: gaps found meanwhile wait for the sync after them. */
  private listing = 0;
  /** Counts log-outs, so that a sync loop from before one stops. */
  private resets = 0;
  private readonly recentUpdates = new RecentUpdates();
  /** Per room, the page of older messages on its way. */
  private readonly olderPages = new Map<number, Promise<void>>();
  /** Rooms whose box came on screen without its messages, being loaded. */
  private readonly loadingBoxes = new Set<number>();

  /** The boxes on screen, left to right, oldest first. */
  readonly boxes = computed<ChatBox[]>(() => this.dock.shown().flatMap((id) => this.boxOf(id) ?? []));

  /** The chat on the stage of a wide screen, once its messages are here; null when the stage is empty. */
  readonly stage = computed<ChatBox | null>(() => {
    const id = this.dock.staged();
    return id === null ? null : (this.boxOf(id) ?? null);
  });

  /** What the screen reader's live region says: the newest message from someone else. */
  readonly announcement = this.lastAnnouncement.asReadonly();

  /** The room whose composer should take the focus: one the person opened, never one that popped up. */
  readonly focusRequest = this.dock.focusRequest;
  readonly focusOnOpening = this.dock.focusOnOpening;

  constructor() {
    this.socket.on('message:new', (message) => this.receive(message));
    this.socket.on('message:updated', (event) => this.applyUpdated(event));
    // I left a room on another device: it goes here too. I was removed: an open box says so. (Joining elsewhere
    // brings its notice, a message of a room not known here, which lists my rooms.)
    this.socket.on('room:member', ({ roomId, userId, change }) => {
      if (userId !== this.session.user()?.id || change === 'joined') return;
      if (change === 'removed') this.removedFrom(roomId);
      else this.forgetRoom(roomId);
    });
    // Its owner deleted it: its box and messages go.
    this.socket.on('room:deleted', ({ roomId }) => this.forgetRoom(roomId));
    this.socket.onConnected((again) => void (again ? this.catchUpAll() : this.listRooms()));
    // A box that comes on screen without its messages (restored, or out of "+N" when another closes) loads them.
    effect(() => {
      const held = this.conversations();
      for (const roomId of this.dock.onScreen()) if (!held.has(roomId)) void this.loadBox(roomId);
    });
  }

  /** Opens the chat with a person: the server finds or creates the direct room and sends its latest messages. */
  async openDirect(userId: number): Promise<void> {
    const known = this.rooms.directWith(userId);
    if (known?.joined) return this.openRoom(known.id);
    const ack = await this.socket.request('dm:open', { userId });
    if (!ack.ok) return;
    this.show(ack.room, ack.messages);
  }

  /** Opens a room I am a member of, loading its latest messages the first time. */
  async openRoom(roomId: number): Promise<void> {
    if (!(await this.loadLatest(roomId))) return;
    this.dock.open(roomId, { focus: true });
  }

  /** Shows a room that came with its messages (after joining, or opening a direct chat). */
  show(room: Room, messages: Message[]): void {
    this.rooms.upsert(room);
    this.changes.start(room.id, room.changeSeq);
    this.addMessages(room.id, messages, { reachedStart: messages.length === 0 || messages[0]!.seq === 1 });
    this.dock.open(room.id, { focus: true });
  }

  /** Takes the keyboard to a box on screen: its composer, or its expand button when it is collapsed. */
  focusBox(roomId: number): void {
    this.dock.requestFocus(roomId);
  }

  focusHandled(): void {
    this.dock.focusHandled();
  }

  close(roomId: number): void {
    this.dock.close(roomId);
    // A room I was removed from stayed for its box to say so; it goes with the box.
    if (this.rooms.byId().get(roomId)?.joined === false) this.forgetRoom(roomId);
  }

  toggleCollapsed(roomId: number): void {
    this.dock.toggleCollapsed(roomId);
  }

  /**
   * After my rooms are listed: opens again the boxes this device had open, those still mine. Only the boxes
   * on screen load their messages now; one under "+N" loads when it comes back.
   */
  async restoreDock(): Promise<void> {
    const memory = this.dock.recall();
    const mine = (id: number) => this.rooms.byId().get(id)?.joined === true;
    this.dock.restore({ open: memory.open.filter(mine), collapsed: memory.collapsed, closed: memory.closed.filter(mine) });
    await Promise.all(this.dock.onScreen().map((roomId) => this.loadBox(roomId)));
  }

  async send(roomId: number, body: string, replyToId?: number): Promise<void> {
    // What shows nothing (spaces, zero-width characters…) the server refuses as blank: never send it.
    if (isInvisible(body)) return;
    const outgoing: Outgoing = { clientId: newClientId(), body, status: 'sending', ...(replyToId ? { replyToId } : {}) };
    this.updateConversation(roomId, (c) => ({ ...c, outbox: [...c.outbox, outgoing] }));
    await this.deliver(roomId, outgoing);
  }

  /** Sends a failed message again with the same clientId, so the server stores it at most once. */
  async retry(roomId: number, clientId: string): Promise<void> {
    const outgoing = this.conversations().get(roomId)?.outbox.find((o) => o.clientId === clientId);
    if (!outgoing || outgoing.status === 'sending') return;
    this.setOutgoing(roomId, clientId, { status: 'sending', error: undefined });
    await this.deliver(roomId, outgoing);
  }

  /** A room's messages as held now (a box's input follows them only once the page is drawn again). */
  conversation(roomId: number): Conversation | undefined {
    return this.conversations().get(roomId);
  }

  /** Loads the page of messages before the oldest one shown; while one is on its way, resolves when it is here. */
  loadOlder(roomId: number): Promise<void> {
    const pending = this.olderPages.get(roomId);
    if (pending) return pending;
    const conversation = this.conversations().get(roomId);
    if (!conversation || conversation.reachedStart || conversation.loadingOlder) return Promise.resolve();
    const page = this.loadOlderPage(roomId, conversation).finally(() => this.olderPages.delete(roomId));
    this.olderPages.set(roomId, page);
    return page;
  }

  private async loadOlderPage(roomId: number, conversation: Conversation): Promise<void> {
    this.updateConversation(roomId, (c) => ({ ...c, loadingOlder: true }));
    const beforeSeq = conversation.messages[0]?.seq;
    const ack = await this.socket.request('room:history', { roomId, beforeSeq, limit: OLDER_PAGE });
    this.updateConversation(roomId, (c) => ({
      ...c,
      loadingOlder: false,
      messages: ack.ok ? mergeBySeq(c.messages, this.mended(ack.messages)) : c.messages,
      reachedStart: ack.ok ? ack.messages.length < OLDER_PAGE || ack.messages[0]?.seq === 1 : c.reachedStart,
    }));
  }

  /**
   * A message as it now is, after a change made here (the ack of an edit, a deletion or a reaction, whose reactions'
   * `me` are mine): it replaces the copy held, if that is older.
   */
  applyChanged(message: Message): void {
    this.updateConversation(message.roomId, (c) => ({ ...c, messages: applyChanges(c.messages, [message]) }));
    this.notePreview(message);
  }

  /** A change made anywhere (`message:updated`): see `applyUpdate`, and the room's change count moves on. */
  private applyUpdated(event: MessageUpdated): void {
    const { message } = event;
    const me = this.session.user()?.id;
    this.recentUpdates.remember(event);
    this.updateConversation(message.roomId, (c) => {
      const i = c.messages.findIndex((m) => m.id === message.id);
      const messages = [...c.messages];
      if (i >= 0) messages[i] = applyUpdate(messages[i]!, event, me);
      return { ...c, messages: requote(messages, message) };
    });
    this.changes.live(message.roomId, message.changeSeq);
    this.notePreview(message);
  }

  /** The room's preview follows an edit or a deletion of its last message. */
  private notePreview(message: Message): void {
    const room = this.rooms.byId().get(message.roomId);
    const last = room?.lastMessage;
    if (room && last?.id === message.id && message.changeSeq > last.changeSeq) {
      this.rooms.change({ ...room, lastMessage: { ...message, replyTo: null, reactions: [] } });
    }
  }

  /**
   * After a reconnect: the room list is refreshed (unread counts, last messages), every room of mine gets
   * what it missed from the database (`sync`, which also says which rooms I joined or left elsewhere), and
   * messages still unsent are sent again with their clientIds, so none is lost or stored twice. Nothing
   * caught up pops a box open: the Chats list shows the counts.
   */
  async catchUpAll(): Promise<void> {
    await this.listRooms();
    await this.sync();
    for (const [roomId, conversation] of this.conversations()) {
      for (const outgoing of conversation.outbox) {
        this.setOutgoing(roomId, outgoing.clientId, { status: 'sending', error: undefined });
        void this.deliver(roomId, outgoing);
      }
    }
  }

  /** Someone changed their name (`user:updated`): their messages in the chats loaded say it (see `renameAuthor`). */
  renamed(user: PublicUser): void {
    const all = this.conversations();
    let next: Map<number, Conversation> | null = null;
    for (const [roomId, conversation] of all) {
      const messages = renameAuthor(conversation.messages, user);
      if (messages === conversation.messages) continue;
      next ??= new Map(all);
      next.set(roomId, { ...conversation, messages });
    }
    if (next) this.conversations.set(next);
  }

  reset(): void {
    this.resets += 1;
    // The loop from before the log-out stops at its next answer; a sync asked for after the next log-in must not
    // join it, or it would be lost with it.
    this.syncing = null;
    this.syncWanted = false;
    this.catchUpFrom.clear();
    this.changes.reset();
    this.recentUpdates.clear();
    this.conversations.set(new Map());
    this.lastAnnouncement.set('');
    this.dock.reset();
  }

  /**
   * My rooms, asked for on every connect (a list asked for before the first one may have timed out), and
   * the first time since log-in that every page of them came, the boxes this device had open.
   */
  private async listRooms(): Promise<void> {
    this.listing += 1;
    try {
      await this.rooms.load();
    } finally {
      this.listing -= 1;
    }
    await this.restoreOnce();
    if (this.catchUpFrom.size > 0) void this.sync();
  }

  private async restoreOnce(): Promise<void> {
    if (this.rooms.mineLoaded() && !this.dock.remembering()) await this.restoreDock();
  }

  /**
   * Catches up with the server: one loop at a time, which whoever needs a sync meanwhile (a gap, a reconnect)
   * joins; it goes round once more for them. Resolves when the loop ends.
   */
  private sync(): Promise<void> {
    this.syncWanted = true;
    if (!this.syncing) {
      const resets = this.resets;
      const loop = this.syncRounds().finally(() => {
        // After a log-out, `syncing` is the next log-in's loop, if anyone's.
        if (resets === this.resets) this.syncing = null;
      });
      this.syncing = loop;
    }
    return this.syncing;
  }

  /**
   * `sync` until every room is complete, none comes back in `joined`, and nobody asked for another round.
   * Rounds are spaced (`SYNC_SPACING_MS`); one refused or unanswered is asked again a few times, ever later.
   */
  private async syncRounds(): Promise<void> {
    const resets = this.resets;
    let retries = 0;
    while (this.syncWanted && resets === this.resets) {
      this.syncWanted = false;
      const held = this.heldSeqs();
      const asked = new Map(this.catchUpFrom);
      const ack = await this.socket.request('sync', { rooms: held });
      if (resets !== this.resets) return;
      if (!ack.ok) {
        // Asked for again while this round was on its way (a reconnect, a new gap), or worth asking again:
        // after a pause, longer each time. Otherwise what is still missing stays in catchUpFrom for the next sync.
        const again = this.syncWanted || (SYNC_RETRIED.has(ack.error.code) && retries < SYNC_RETRY_MS.length);
        if (!again) return;
        await pause(SYNC_RETRY_MS[Math.min(retries++, SYNC_RETRY_MS.length - 1)]!);
        this.syncWanted = true;
        continue;
      }
      retries = 0;
      for (const room of ack.joined) this.rooms.upsert(room);
      for (const roomId of ack.left) this.forgetRoom(roomId);
      for (const room of ack.rooms) for (const message of room.messages) this.catchUpWith(message);
      for (const room of ack.rooms) {
        // Changes come whole, with my reactions marked: each replaces an older copy held.
        for (const message of room.changed) this.applyChanged(message);
        this.changes.synced(room.roomId, room.changeSeq);
      }
      this.announceCaughtUp(ack.rooms);
      const joinedAt = new Map(ack.joined.map((room) => [room.id, room.lastReadSeq]));
      for (const { roomId, messages, complete } of ack.rooms) {
        // A gap found while this answer was on its way may be older than it: asked for in the next round.
        const noted = this.catchUpFrom.get(roomId);
        const newGap = noted !== asked.get(roomId) ? noted : undefined;
        if (complete) {
          if (newGap === undefined) this.catchUpFrom.delete(roomId);
          continue;
        }
        // Not complete: from the last seq received, or, when the answer had no space left for it, from the seq
        // named (for a room of `joined`, its read marker: its unread messages were coming).
        const named = held[roomId];
        const from = messages.at(-1)?.seq ?? (typeof named === 'object' ? named.seq : named) ?? joinedAt.get(roomId) ?? 0;
        this.catchUpFrom.set(roomId, Math.min(from, newGap ?? from));
      }
      // The server puts at least one message in an answer that is not complete, and names a room in `joined`
      // only while it is not named; without either, this loop would ask the same forever.
      const newlyJoined = ack.joined.some((room) => !(room.id in held));
      const progress = newlyJoined || ack.rooms.some((room) => room.messages.length > 0 || room.changed.length > 0);
      if (progress && (newlyJoined || ack.rooms.some((room) => !room.complete))) this.syncWanted = true;
      if (this.syncWanted) await pause(SYNC_SPACING_MS);
    }
  }

  /**
   * What `sync` names: every room I hold, with the seq held (a room not named comes back in `joined`): where
   * to catch up from, else a loaded chat's newest message, else the last seq the list gave, so that only what
   * arrived since comes back. A loaded chat names its change count too, for the changes to what it holds. At most
   * `LIMITS.syncRoomsMax` are named: those with something to catch up first, then the boxes on screen, the other
   * loaded chats, and the rest by activity.
   */
  private heldSeqs(): Record<string, number | SyncPosition> {
    const conversations = this.conversations();
    const rooms = this.rooms.byId();
    const ranked = new Set([...this.catchUpFrom.keys(), ...this.dock.onScreen(), ...conversations.keys(), ...this.rooms.mine().map((room) => room.id)]);
    const held: Record<string, number | SyncPosition> = {};
    for (const roomId of [...ranked].slice(0, LIMITS.syncRoomsMax)) {
      const conversation = conversations.get(roomId);
      const seq = this.catchUpFrom.get(roomId) ?? (conversation ? (conversation.messages.at(-1)?.seq ?? 0) : (rooms.get(roomId)?.lastSeq ?? 0));
      const changeSeq = conversation ? this.changes.of(roomId) : undefined;
      held[roomId] = changeSeq === undefined ? seq : { seq, changeSeq };
    }
    return held;
  }

  /** A chat as a box shows it, once its room and messages are here. */
  private boxOf(roomId: number): ChatBox | undefined {
    const room = this.rooms.byId().get(roomId);
    const conversation = this.conversations().get(roomId);
    return room && conversation ? { room, conversation, collapsed: this.dock.collapsed().has(roomId) } : undefined;
  }

  /**
   * Calls `listener` with the text messages from others, past my read marker, that a `sync` brought into a room (in
   * seq order): what arrived while this device was away, which no `message:new` announced. Once per room and answer.
   */
  onCaughtUp(listener: (unread: readonly Message[]) => void): void {
    this.caughtUpListeners.push(listener);
  }

  private announceCaughtUp(caughtUp: readonly RoomCatchUp[]): void {
    const me = this.session.user()?.id;
    for (const { roomId, messages } of caughtUp) {
      const readUpTo = this.rooms.byId().get(roomId)?.lastReadSeq ?? 0;
      const unread = messages.filter((message) => message.kind === 'text' && message.authorId !== me && message.seq > readUpTo);
      if (unread.length > 0) for (const listener of this.caughtUpListeners) listener(unread);
    }
  }

  /** A message missed while away: it joins its conversation and its room's counts, and pops nothing open. */
  private catchUpWith(message: Message): void {
    const mine = message.authorId === this.session.user()?.id;
    this.addMessages(message.roomId, [message]);
    if (mine) this.dropOutgoing(message.roomId, message.clientId);
    this.rooms.noteMessage(message, mine);
  }

  private receive(message: Message): void {
    const mine = message.authorId === this.session.user()?.id;
    const before = this.conversations().get(message.roomId);
    const previousSeq = before?.messages.at(-1)?.seq;
    this.addMessages(message.roomId, [message]);
    if (mine) this.dropOutgoing(message.roomId, message.clientId);

    const room = this.rooms.byId().get(message.roomId);
    if (room) this.rooms.noteMessage(message, mine);
    else this.learnRooms();

    if (previousSeq !== undefined && message.seq > previousSeq + 1) this.noteGap(message.roomId, previousSeq);
    // Who joined or left is shown in its place, and is news to nobody: no box opens for it, nothing is read out.
    if (mine || message.kind === 'system') return;

    // A muted chat is meant to stay quiet: the screen reader is not told of its messages either.
    if (!room?.muted) this.lastAnnouncement.set(`${message.author.firstName} ${message.author.lastName}: ${plainText(message.body)}`);
    const arrival = this.dock.arrive(message.roomId, { mine, muted: room?.muted ?? false });
    // A chat that pops up with one message deserves the conversation before it.
    if (arrival !== 'badge' && arrival !== 'banner' && !before) void this.loadOlder(message.roomId);
  }

  /**
   * A message skipped some after `afterSeq`: they are fetched by the sync loop, right away unless a list asked
   * for on connect is on its way (the sync after it takes the gap along). Merging by seq makes overlaps harmless.
   */
  private noteGap(roomId: number, afterSeq: number): void {
    this.catchUpFrom.set(roomId, Math.min(afterSeq, this.catchUpFrom.get(roomId) ?? afterSeq));
    if (this.listing === 0) void this.sync();
  }

  /**
   * A message came in a room not known yet (one I opened on another device): the list is asked for once,
   * however many of its messages arrive before the answer.
   */
  private learnRooms(): void {
    if (this.learningRooms) return;
    this.learningRooms = true;
    void this.rooms
      .load()
      .then(() => this.restoreOnce())
      .finally(() => (this.learningRooms = false));
  }

  /**
   * An owner or moderator removed me: the room leaves the Chats list, and a box on screen stays, its history readable,
   * saying why nothing more comes, until it is closed.
   */
  private removedFrom(roomId: number): void {
    const room = this.rooms.byId().get(roomId);
    if (!room || !this.dock.onScreen().includes(roomId)) return this.forgetRoom(roomId);
    this.catchUpFrom.delete(roomId);
    this.rooms.change({ ...room, joined: false, role: null });
  }

  /** A room I am no longer in: its box closes and its messages go. */
  private forgetRoom(roomId: number): void {
    this.catchUpFrom.delete(roomId);
    this.changes.forget(roomId);
    this.dock.forget(roomId);
    this.rooms.forget(roomId);
    this.conversations.update((all) => {
      if (!all.has(roomId)) return all;
      const next = new Map(all);
      next.delete(roomId);
      return next;
    });
  }

  /** Loads the messages of a box on screen, once at a time; a box the server refuses them for goes. */
  private async loadBox(roomId: number): Promise<void> {
    if (this.loadingBoxes.has(roomId)) return;
    this.loadingBoxes.add(roomId);
    try {
      if (!(await this.loadLatest(roomId))) this.dock.forget(roomId);
    } finally {
      this.loadingBoxes.delete(roomId);
    }
  }

  /** Loads a room's latest messages unless they are here already; false when the server refused. */
  private async loadLatest(roomId: number): Promise<boolean> {
    if (this.conversations().has(roomId)) return true;
    const ack = await this.socket.request('room:history', { roomId, limit: LIMITS.historyDefault });
    if (!ack.ok) return false;
    this.addMessages(roomId, ack.messages, { reachedStart: ack.messages.length < LIMITS.historyDefault });
    return true;
  }

  /**
   * Sends until the server answers: one refused because it is overloaded is sent again, under the same clientId,
   * after each wait of `SEND_RETRY_MS`, and shows as sending meanwhile. A later delivery of the same message (a
   * reconnect sends the outbox again) takes over from one waiting; one whose message left the outbox (it was
   * acknowledged, or the person logged out) stops.
   */
  private async deliver(roomId: number, outgoing: Outgoing): Promise<void> {
    const delivery = {};
    this.deliveries.set(outgoing.clientId, delivery);
    const current = () =>
      this.deliveries.get(outgoing.clientId) === delivery &&
      this.conversations().get(roomId)?.outbox.some((o) => o.clientId === outgoing.clientId) === true;
    try {
      for (let refusals = 0; ; refusals += 1) {
        const { clientId, body, replyToId } = outgoing;
        const ack = await this.socket.request('message:send', { roomId, clientId, body, ...(replyToId ? { replyToId } : {}) });
        if (ack.ok) {
          this.addMessages(roomId, [ack.message]);
          this.dropOutgoing(roomId, outgoing.clientId);
          this.rooms.noteMessage(ack.message, true);
          return;
        }
        const wait = ack.error.code === 'overloaded' ? SEND_RETRY_MS[refusals] : undefined;
        if (wait === undefined) {
          // A later delivery, still under way, says how it went.
          if (this.deliveries.get(outgoing.clientId) === delivery) {
            this.setOutgoing(roomId, outgoing.clientId, { status: 'failed', error: ack.error.message });
          }
          return;
        }
        await pause(jittered(wait));
        if (!current()) return;
      }
    } finally {
      if (this.deliveries.get(outgoing.clientId) === delivery) this.deliveries.delete(outgoing.clientId);
    }
  }

  private addMessages(roomId: number, incoming: readonly Message[], flags: { reachedStart?: boolean } = {}): void {
    // A room's first messages held: its changes are followed from where the list read the room, before them (a change
    // made between comes again in `sync`, harmlessly).
    if (!this.conversations().has(roomId)) this.changes.start(roomId, this.rooms.byId().get(roomId)?.changeSeq ?? 0);
    const messages = this.mended(incoming);
    this.conversations.update((all) => {
      const current = all.get(roomId) ?? {
        roomId,
        messages: [],
        outbox: [],
        reachedStart: false,
        loadingOlder: false,
      };
      const next: Conversation = {
        ...current,
        messages: mergeBySeq(current.messages, messages),
        reachedStart: current.reachedStart || flags.reachedStart === true,
      };
      return new Map(all).set(roomId, next);
    });
  }

  private mended(messages: readonly Message[]): Message[] {
    return this.recentUpdates.mend(messages, this.session.user()?.id);
  }

  private dropOutgoing(roomId: number, clientId: string): void {
    this.updateConversation(roomId, (c) => ({ ...c, outbox: c.outbox.filter((o) => o.clientId !== clientId) }));
  }

  private setOutgoing(roomId: number, clientId: string, change: Partial<Outgoing>): void {
    this.updateConversation(roomId, (c) => ({
      ...c,
      outbox: c.outbox.map((o) => (o.clientId === clientId ? { ...o, ...change } : o)),
    }));
  }

  private updateConversation(roomId: number, change: (conversation: Conversation) => Conversation): void {
    this.conversations.update((all) => {
      const current = all.get(roomId);
      return current ? new Map(all).set(roomId, change(current)) : all;
    });
  }
}
