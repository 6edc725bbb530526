import { Injectable, inject } from '@angular/core';
import type { ReadMarker } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { RoomsStore } from '../rooms/rooms.store';

/**
 * Read markers: mine, moved when a chat is read on this device or another, and the other person's in a
 * direct chat ("Seen"). The room's `unread` follows from its markers: sending moves the author's marker on
 * the server, so what lies after mine was written by others.
 */
@Injectable({ providedIn: 'root' })
export class ReadsStore {
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly rooms = inject(RoomsStore);

  constructor() {
    this.socket.on('room:read', (event) => this.apply(event));
  }

  /** I have read a chat up to `seq` on this device: marks it on the server once, and at once here. */
  markRead(roomId: number, seq: number): void {
    const me = this.session.user()?.id;
    const room = this.rooms.byId().get(roomId);
    if (me === undefined || !room || seq <= room.lastReadSeq) return;
    this.apply({ roomId, userId: me, seq });
    void this.socket.request('room:read', { roomId, seq: Math.min(seq, room.lastSeq) });
  }

  private apply(event: ReadMarker): void {
    const room = this.rooms.byId().get(event.roomId);
    if (!room) return;
    if (event.userId === this.session.user()?.id) {
      if (event.seq <= room.lastReadSeq) return;
      const lastSeq = Math.max(room.lastSeq, event.seq);
      this.rooms.change({ ...room, lastReadSeq: event.seq, unread: Math.max(0, lastSeq - event.seq) });
    } else if (room.peer?.id === event.userId && event.seq > (room.peerLastReadSeq ?? 0)) {
      this.rooms.change({ ...room, peerLastReadSeq: event.seq });
    }
  }
}
