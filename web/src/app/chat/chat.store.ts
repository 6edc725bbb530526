import { Injectable, computed, inject, signal } from '@angular/core';
import { LIMITS, isInvisible, type Message, type Room } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
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
  unread: number;
}

export interface ChatBox {
  room: Room;
  conversation: Conversation;
  collapsed: boolean;
}

const OLDER_PAGE = 30;

/**
 * The chats: their messages, the boxes docked on screen, unread counts, and sending with retry.
 * Messages for a chat that is not open pop its box open, or count as unread when the dock is full.
 */
@Injectable({ providedIn: 'root' })
export class ChatStore {
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly rooms = inject(RoomsStore);

  private readonly conversations = signal<ReadonlyMap<number, Conversation>>(new Map());
  private readonly openIds = signal<readonly number[]>([]);
  private readonly collapsedIds = signal<ReadonlySet<number>>(new Set());
  private readonly maxBoxes = signal(3);
  private readonly lastAnnouncement = signal('');
  private readonly focusTarget = signal<number | null>(null);

  /** The open boxes, left to right, oldest first. */
  readonly boxes = computed<ChatBox[]>(() => {
    const rooms = this.rooms.byId();
    const conversations = this.conversations();
    const collapsed = this.collapsedIds();
    return this.openIds().flatMap((id) => {
      const room = rooms.get(id);
      const conversation = conversations.get(id);
      return room && conversation ? [{ room, conversation, collapsed: collapsed.has(id) }] : [];
    });
  });

  /** Unread messages per room, for the badges on people and rooms. */
  readonly unreadByRoom = computed(() => {
    const unread = new Map<number, number>();
    for (const conversation of this.conversations().values()) {
      if (conversation.unread > 0) unread.set(conversation.roomId, conversation.unread);
    }
    return unread;
  });

  /** What the screen reader's live region says: the newest message from someone else. */
  readonly announcement = this.lastAnnouncement.asReadonly();

  /** The room whose composer should take the focus: one the person opened, never one that popped up. */
  readonly focusRequest = this.focusTarget.asReadonly();

  constructor() {
    this.socket.on('message:new', (message) => this.receive(message));
    this.socket.onReconnected(() => void this.catchUpAll());
  }

  /** How many boxes fit side by side; the dock sets it from the screen's width. */
  setCapacity(boxes: number): void {
    this.maxBoxes.set(Math.max(1, boxes));
    this.openIds.update((ids) => ids.slice(-this.maxBoxes()));
  }

  /** Opens the chat with a person: the server finds or creates the direct room and sends its latest messages. */
  async openDirect(userId: number): Promise<void> {
    const known = this.rooms.directWith(userId);
    if (known && this.conversations().has(known.id)) return this.open(known.id, { focus: true });
    const ack = await this.socket.request('dm:open', { userId });
    if (!ack.ok) return;
    this.show(ack.room, ack.messages);
  }

  /** Opens a room I am a member of, loading its latest messages the first time. */
  async openRoom(roomId: number): Promise<void> {
    if (!this.conversations().has(roomId)) {
      const ack = await this.socket.request('room:history', { roomId, limit: LIMITS.historyDefault });
      if (!ack.ok) return;
      this.addMessages(roomId, ack.messages, { reachedStart: ack.messages.length < LIMITS.historyDefault });
    }
    this.open(roomId, { focus: true });
  }

  /** Shows a room that came with its messages (after joining, or opening a direct chat). */
  show(room: Room, messages: Message[]): void {
    this.rooms.upsert(room);
    this.addMessages(room.id, messages, { reachedStart: messages.length === 0 || messages[0]!.seq === 1 });
    this.open(room.id, { focus: true });
  }

  /** Docks a chat's box at the right end; when the dock is full, the oldest box makes way. */
  open(roomId: number, { focus = false } = {}): void {
    this.openIds.update((ids) => [...ids.filter((id) => id !== roomId), roomId].slice(-this.maxBoxes()));
    this.setCollapsed(roomId, false);
    if (focus) this.focusTarget.set(roomId);
  }

  focusHandled(): void {
    this.focusTarget.set(null);
  }

  close(roomId: number): void {
    this.openIds.update((ids) => ids.filter((id) => id !== roomId));
  }

  toggleCollapsed(roomId: number): void {
    this.setCollapsed(roomId, !this.collapsedIds().has(roomId));
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
   * After a reconnect: the room list is refreshed, every loaded chat gets what it missed from the
   * database (`sync`, repeated while a room is not complete), and messages still unsent are sent again
   * with their clientIds, so none is lost or stored twice.
   */
  async catchUpAll(): Promise<void> {
    await this.rooms.load();
    let held: Record<string, number> = {};
    for (const [roomId, conversation] of this.conversations()) held[roomId] = conversation.messages.at(-1)?.seq ?? 0;
    while (Object.keys(held).length > 0) {
      const ack = await this.socket.request('sync', { rooms: held });
      if (!ack.ok) return;
      // The server puts at least one message in an answer that is not complete; without one, stop.
      if (ack.rooms.every((room) => room.messages.length === 0)) break;
      const asked = held;
      held = {};
      for (const room of ack.rooms) {
        for (const message of room.messages) this.receive(message);
        // A room the answer had no space left for comes back empty and incomplete: ask again from the same seq.
        if (!room.complete) held[room.roomId] = room.messages.at(-1)?.seq ?? asked[room.roomId] ?? 0;
      }
    }
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
  async catchUp(roomId: number, afterSeq: number): Promise<void> {
    for (let held = afterSeq; ; ) {
      const ack = await this.socket.request('sync', { rooms: { [roomId]: held } });
      const room = ack.ok ? ack.rooms[0] : undefined;
      if (!room) return;
      this.addMessages(roomId, room.messages);
      if (room.complete || room.messages.length === 0) return;
      held = room.messages.at(-1)!.seq;
    }
  }

  reset(): void {
    this.conversations.set(new Map());
    this.openIds.set([]);
    this.collapsedIds.set(new Set());
    this.lastAnnouncement.set('');
  }

  private receive(message: Message): void {
    const mine = message.authorId === this.session.user()?.id;
    const before = this.conversations().get(message.roomId);
    const previousSeq = before?.messages.at(-1)?.seq;
    this.addMessages(message.roomId, [message]);
    if (mine) this.dropOutgoing(message.roomId, message.clientId);

    if (this.rooms.byId().has(message.roomId)) this.rooms.noteMessage(message);
    else void this.rooms.load();

    if (previousSeq !== undefined && message.seq > previousSeq + 1) void this.catchUp(message.roomId, previousSeq);
    if (mine) return;

    this.lastAnnouncement.set(`${message.author.firstName} ${message.author.lastName}: ${message.body}`);
    const isOpen = this.openIds().includes(message.roomId);
    if (!isOpen && this.openIds().length < this.maxBoxes()) {
      this.open(message.roomId);
      // A chat that pops up with one message deserves the conversation before it.
      if (!before) void this.loadOlder(message.roomId);
    } else if (!isOpen || this.collapsedIds().has(message.roomId)) {
      this.updateConversation(message.roomId, (c) => ({ ...c, unread: c.unread + 1 }));
    }
  }

  private async deliver(roomId: number, outgoing: Outgoing): Promise<void> {
    const ack = await this.socket.request('message:send', { roomId, clientId: outgoing.clientId, body: outgoing.body });
    if (ack.ok) {
      this.addMessages(roomId, [ack.message]);
      this.dropOutgoing(roomId, outgoing.clientId);
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
        unread: 0,
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

  private setCollapsed(roomId: number, collapsed: boolean): void {
    this.collapsedIds.update((ids) => {
      const next = new Set(ids);
      if (collapsed) next.add(roomId);
      else next.delete(roomId);
      return next;
    });
    if (!collapsed) this.updateConversation(roomId, (c) => (c.unread === 0 ? c : { ...c, unread: 0 }));
  }

  private updateConversation(roomId: number, change: (conversation: Conversation) => Conversation): void {
    this.conversations.update((all) => {
      const current = all.get(roomId);
      return current ? new Map(all).set(roomId, change(current)) : all;
    });
  }
}
