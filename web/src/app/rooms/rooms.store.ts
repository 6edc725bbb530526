import { Injectable, computed, inject, signal } from '@angular/core';
import type { AckOf, Message, Room } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';

/** The rooms I am in and the group rooms I could join, kept current by live events. */
@Injectable({ providedIn: 'root' })
export class RoomsStore {
  private readonly socket = inject(ChatSocket);
  private readonly rooms = signal<ReadonlyMap<number, Room>>(new Map());

  readonly byId = this.rooms.asReadonly();

  /** Group rooms: mine first, most recently active first; then the ones I could join, by name. */
  readonly groups = computed(() => {
    const groups = [...this.rooms().values()].filter((room) => room.kind === 'group');
    const mine = groups.filter((room) => room.joined).sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
    const joinable = groups.filter((room) => !room.joined).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
    return [...mine, ...joinable];
  });

  constructor() {
    this.socket.on('room:new', (room) => this.upsert(room));
    // Everyone hears of a new group room, its creator too, who already holds it as joined.
    this.socket.on('room:created', (room) => {
      if (!this.rooms().has(room.id)) this.upsert(room);
    });
  }

  async load(): Promise<void> {
    const ack = await this.socket.request('rooms:list', {});
    if (ack.ok) this.rooms.set(new Map(ack.rooms.map((room) => [room.id, room])));
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

  upsert(room: Room): void {
    this.rooms.update((rooms) => new Map(rooms).set(room.id, room));
  }

  /** Keeps a room's activity current as its messages arrive. */
  noteMessage(message: Message): void {
    const room = this.rooms().get(message.roomId);
    if (!room || room.lastSeq >= message.seq) return;
    this.upsert({ ...room, lastSeq: message.seq, lastActivityAt: message.createdAt });
  }

  reset(): void {
    this.rooms.set(new Map());
  }
}
