import { Injectable, inject } from '@angular/core';
import { LIMITS, type AckOf } from '@parley/protocol';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { RoomsStore } from '../rooms/rooms.store';

/**
 * Who is in a room, asked of the server a page at a time; leaving a room, and removing someone from one. Made with
 * the main page: my role in my rooms changes live (I own a room its owner left).
 */
@Injectable({ providedIn: 'root' })
export class MembersStore {
  private readonly socket = inject(ChatSocket);
  private readonly rooms = inject(RoomsStore);
  private readonly session = inject(SessionStore);

  constructor() {
    this.socket.on('room:role', ({ roomId, userId, role }) => {
      const room = this.rooms.byId().get(roomId);
      if (room && userId === this.session.user()?.id && room.role !== role) this.rooms.change({ ...room, role });
    });
  }

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

  /**
   * Removes someone from a room I own or moderate; they may not join again for `banMinutes`. The members shown hear
   * of it through `room:member`.
   */
  remove(roomId: number, userId: number, banMinutes: number): Promise<AckOf<'room:remove'>> {
    return this.socket.request('room:remove', { roomId, userId, banMinutes });
  }

  /** Makes a member of a room I own a moderator, or a moderator a member again. */
  setRole(roomId: number, userId: number, role: 'moderator' | 'member'): Promise<AckOf<'room:role'>> {
    return this.socket.request('room:role', { roomId, userId, role });
  }
}
