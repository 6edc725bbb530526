import { Injectable, computed, inject, signal } from '@angular/core';
import { LIMITS, isInvisible, type Message, type Room } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { DockStore } from '../dock/dock.store';
import { RoomsStore } from '../rooms/rooms.store';
import { mergeBySeq, newClientId } from './messages';

/** A message I wrote that the server has not acknowledged yet. */
export interface Outgoing {
  clientId: string;
  body: string;
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
 * The chats' messages, and sending with retry. Which boxes are open is the dock's (`DockStore`); the
 * unread counts are the rooms' own, from the server, kept current here as messages arrive.
 */
@Injectable({ providedIn: 'root' })
export class ChatStore {
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly rooms = inject(RoomsStore);
  private readonly dock = inject(DockStore);

  private readonly conversations = signal<ReadonlyMap<number, Conversation>>(new Map());
  private readonly lastAnnouncement = signal('');
  private learningRooms = false;

  /** The boxes on screen, left to right, oldest first. */
  readonly boxes = computed<ChatBox[]>(() => {
    const rooms = this.rooms.byId();
    const conversations = this.conversations();
    const collapsed = this.dock.collapsed();
    return this.dock.shown().flatMap((id) => {
      const room = rooms.get(id);
      const conversation = conversations.get(id);
      return room && conversation ? [{ room, conversation, collapsed: collapsed.has(id) }] : [];
    });
  });

  /** What the screen reader's live region says: the newest message from someone else. */
  readonly announcement = this.lastAnnouncement.asReadonly();

  /** The room whose composer should take the focus: one the person opened, never one that popped up. */
  readonly focusRequest = this.dock.focusRequest;

  constructor() {
    this.socket.on('message:new', (message) => this.receive(message));
    this.socket.onReconnected(() => void this.catchUpAll());
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
    this.addMessages(room.id, messages, { reachedStart: messages.length === 0 || messages[0]!.seq === 1 });
    this.dock.open(room.id, { focus: true });
  }

  focusHandled(): void {
    this.dock.focusHandled();
  }

  close(roomId: number): void {
    this.dock.close(roomId);
  }

  toggleCollapsed(roomId: number): void {
    this.dock.toggleCollapsed(roomId);
  }

  /** After the rooms are loaded: opens again the boxes this device had open, those still mine. */
  async restoreDock(): Promise<void> {
    const memory = this.dock.recall();
    const mine = (id: number) => this.rooms.byId().get(id)?.joined === true;
    const loaded = await Promise.all(memory.open.filter(mine).map(async (id) => ((await this.loadLatest(id)) ? [id] : [])));
    this.dock.restore({ open: loaded.flat(), collapsed: memory.collapsed, closed: memory.closed.filter(mine) });
  }

  async send(roomId: number, body: string): Promise<void> {
    // What shows nothing (spaces, zero-width characters…) the server refuses as blank: never send it.
    if (isInvisible(body)) return;
    const outgoing: Outgoing = { clientId: newClientId(), body, status: 'sending' };
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

  /** Loads the page of messages before the oldest one shown. */
  async loadOlder(roomId: number): Promise<void> {
    const conversation = this.conversations().get(roomId);
    if (!conversation || conversation.reachedStart || conversation.loadingOlder) return;
    this.updateConversation(roomId, (c) => ({ ...c, loadingOlder: true }));
    const beforeSeq = conversation.messages[0]?.seq;
    const ack = await this.socket.request('room:history', { roomId, beforeSeq, limit: OLDER_PAGE });
    this.updateConversation(roomId, (c) => ({
      ...c,
      loadingOlder: false,
      messages: ack.ok ? mergeBySeq(c.messages, ack.messages) : c.messages,
      reachedStart: ack.ok ? ack.messages.length < OLDER_PAGE || ack.messages[0]?.seq === 1 : c.reachedStart,
    }));
  }

  /**
   * After a reconnect: the room list is refreshed (unread counts, last messages, rooms joined or left
   * elsewhere), every room of mine gets what it missed from the database (`sync`, repeated while a room is
   * not complete), and messages still unsent are sent again with their clientIds, so none is lost or
   * stored twice. Nothing caught up pops a box open: the Chats list shows the counts.
   */
  async catchUpAll(): Promise<void> {
    await this.rooms.load();
    for (const roomId of [...this.conversations().keys()]) {
      if (!this.rooms.byId().get(roomId)?.joined) this.forgetRoom(roomId);
    }
    await this.syncUntilComplete();
    for (const [roomId, conversation] of this.conversations()) {
      for (const outgoing of conversation.outbox) {
        this.setOutgoing(roomId, outgoing.clientId, { status: 'sending', error: undefined });
        void this.deliver(roomId, outgoing);
      }
    }
  }

  /**
   * Fills a gap the live stream left (a message arrived whose seq skips some): fetches what comes after
   * the newest message held before it. Merging by seq makes overlaps harmless.
   */
  catchUp(roomId: number, afterSeq: number): Promise<void> {
    return this.syncUntilComplete({ [roomId]: afterSeq });
  }

  reset(): void {
    this.conversations.set(new Map());
    this.lastAnnouncement.set('');
    this.dock.reset();
  }

  /**
   * The seq held in each room of mine, as `sync` wants every room named each time (a room not named comes
   * back in `joined`): a loaded chat's newest message; for the others, the last seq the list gave, so that
   * only what arrived since comes back.
   */
  private heldSeqs(): Record<string, number> {
    const held: Record<string, number> = {};
    for (const [roomId, conversation] of this.conversations()) held[roomId] = conversation.messages.at(-1)?.seq ?? 0;
    for (const room of this.rooms.mine()) held[room.id] ??= room.lastSeq;
    return Object.fromEntries(Object.entries(held).slice(0, LIMITS.syncRoomsMax));
  }

  /**
   * `sync` until every room is complete and none comes back in `joined`. `from` holds seqs to ask from
   * instead of what is held (the start of a gap), kept for a room until it is complete.
   */
  private async syncUntilComplete(from: Record<string, number> = {}): Promise<void> {
    let asking = from;
    for (;;) {
      const held = { ...this.heldSeqs(), ...asking };
      const ack = await this.socket.request('sync', { rooms: held });
      if (!ack.ok) return;
      for (const room of ack.joined) this.rooms.upsert(room);
      for (const roomId of ack.left) this.forgetRoom(roomId);
      for (const room of ack.rooms) for (const message of room.messages) this.catchUpWith(message);
      // The server puts at least one message in an answer that is not complete, and names a room in `joined`
      // only while it is not named; without either, stop.
      const newlyJoined = ack.joined.filter((room) => !(room.id in held));
      const progress = newlyJoined.length > 0 || ack.rooms.some((room) => room.messages.length > 0);
      const incomplete = ack.rooms.filter((room) => !room.complete);
      if (!progress || (incomplete.length === 0 && newlyJoined.length === 0)) return;
      // A room the answer had no space left for comes back empty and incomplete: ask again from the same seq.
      asking = Object.fromEntries(
        incomplete.filter((room) => room.roomId in asking).map((room) => [room.roomId, room.messages.at(-1)?.seq ?? held[room.roomId] ?? 0]),
      );
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

    if (previousSeq !== undefined && message.seq > previousSeq + 1) void this.catchUp(message.roomId, previousSeq);
    if (mine) return;

    this.lastAnnouncement.set(`${message.author.firstName} ${message.author.lastName}: ${message.body}`);
    const arrival = this.dock.arrive(message.roomId, { mine, muted: room?.muted ?? false });
    // A chat that pops up with one message deserves the conversation before it.
    if (arrival !== 'badge' && arrival !== 'banner' && !before) void this.loadOlder(message.roomId);
  }

  /**
   * A message came in a room not known yet (one I opened on another device): the list is asked for once,
   * however many of its messages arrive before the answer.
   */
  private learnRooms(): void {
    if (this.learningRooms) return;
    this.learningRooms = true;
    void this.rooms.load().finally(() => (this.learningRooms = false));
  }

  /** A room I am no longer in: its box closes and its messages go. */
  private forgetRoom(roomId: number): void {
    this.dock.forget(roomId);
    this.rooms.forget(roomId);
    this.conversations.update((all) => {
      if (!all.has(roomId)) return all;
      const next = new Map(all);
      next.delete(roomId);
      return next;
    });
  }

  /** Loads a room's latest messages unless they are here already; false when the server refused. */
  private async loadLatest(roomId: number): Promise<boolean> {
    if (this.conversations().has(roomId)) return true;
    const ack = await this.socket.request('room:history', { roomId, limit: LIMITS.historyDefault });
    if (!ack.ok) return false;
    this.addMessages(roomId, ack.messages, { reachedStart: ack.messages.length < LIMITS.historyDefault });
    return true;
  }

  private async deliver(roomId: number, outgoing: Outgoing): Promise<void> {
    const ack = await this.socket.request('message:send', { roomId, clientId: outgoing.clientId, body: outgoing.body });
    if (ack.ok) {
      this.addMessages(roomId, [ack.message]);
      this.dropOutgoing(roomId, outgoing.clientId);
      this.rooms.noteMessage(ack.message, true);
    } else {
      this.setOutgoing(roomId, outgoing.clientId, { status: 'failed', error: ack.error.message });
    }
  }

  private addMessages(roomId: number, messages: readonly Message[], flags: { reachedStart?: boolean } = {}): void {
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
