import { Injectable, computed, inject } from '@angular/core';
import { ChatSocket } from '../core/chat-socket';
import { RoomsStore } from '../rooms/rooms.store';

/** The Chats list: every room of mine by last activity, what is unread across them, and muting. */
@Injectable({ providedIn: 'root' })
export class ChatsStore {
  private readonly socket = inject(ChatSocket);
  private readonly rooms = inject(RoomsStore);

  readonly chats = this.rooms.mine;
  /** Whether every page of my chats has come since log-in: until then an empty list is not "no chats". */
  readonly loaded = this.rooms.mineLoaded;
  /** Whether the last try to list them failed (a reconnect tries again by itself; `reload` now). */
  readonly failed = this.rooms.mineFailedToLoad;

  reload(): void {
    void this.rooms.load();
  }

  /** Unread messages in the chats I did not mute: what the title and the favicon show. */
  readonly unreadTotal = computed(() => this.chats().reduce((sum, room) => sum + (room.muted ? 0 : room.unread), 0));

  constructor() {
    this.socket.on('room:mute', ({ roomId, muted }) => this.rooms.setMuted(roomId, muted));
  }

  /** Mutes or unmutes a chat on all my devices: at once here, and back if the server refuses. */
  async setMuted(roomId: number, muted: boolean): Promise<void> {
    const before = this.rooms.byId().get(roomId)?.muted;
    if (before === undefined || before === muted) return;
    this.rooms.setMuted(roomId, muted);
    const ack = await this.socket.request('room:mute', { roomId, muted });
    if (!ack.ok) this.rooms.setMuted(roomId, before);
  }
}
