import { Injectable, inject } from '@angular/core';
import { LIMITS, type AckOf } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';

/** Who is in a room, asked of the server a page at a time, and leaving a room. */
@Injectable({ providedIn: 'root' })
export class MembersStore {
  private readonly socket = inject(ChatSocket);

  /** A page of a room's members, longest-standing first: the first, or the one after `cursor`. */
  page(roomId: number, cursor: string | null): Promise<AckOf<'room:members'>> {
    return this.socket.request('room:members', cursor === null ? { roomId, limit: LIMITS.membersPageDefault } : { roomId, cursor, limit: LIMITS.membersPageDefault });
  }

  /**
   * Leaves a group room. Every device of mine, this one included, hears `room:member` (before this ack), which
   * closes the room's box and takes it out of the Chats list (see ChatStore).
   */
  leave(roomId: number): Promise<AckOf<'room:leave'>> {
    return this.socket.request('room:leave', { roomId });
  }
}
