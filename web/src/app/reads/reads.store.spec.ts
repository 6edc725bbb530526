import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeChatSocket, alice, bob } from '../../testing/fake-chat-socket';
import { directWithBob } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { RoomsStore } from '../rooms/rooms.store';
import { ReadsStore } from './reads.store';

function setUp() {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      { provide: ChatSocket, useClass: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
    ],
  });
  const socket = TestBed.inject(ChatSocket) as unknown as FakeChatSocket;
  socket.responders['room:read'] = ({ seq }) => ({ ok: true, lastReadSeq: seq });
  const rooms = TestBed.inject(RoomsStore);
  rooms.upsert(directWithBob(7, { lastSeq: 5, lastReadSeq: 1, unread: 4, peerLastReadSeq: 2 }));
  return { socket, rooms, reads: TestBed.inject(ReadsStore) };
}

describe('ReadsStore', () => {
  it('marks a chat read here at once and on the server once, never backwards', () => {
    const { socket, rooms, reads } = setUp();
    reads.markRead(7, 4);
    expect(rooms.byId().get(7)).toMatchObject({ lastReadSeq: 4, unread: 1 });
    reads.markRead(7, 4);
    reads.markRead(7, 3);
    expect(socket.sent('room:read')).toEqual([{ roomId: 7, seq: 4 }]);
  });

  it('clears the count when I read the chat on another device', () => {
    const { socket, rooms } = setUp();
    socket.serverSends('room:read', { roomId: 7, userId: alice.id, seq: 5 });
    expect(rooms.byId().get(7)).toMatchObject({ lastReadSeq: 5, unread: 0 });
    socket.serverSends('room:read', { roomId: 7, userId: alice.id, seq: 3 });
    expect(rooms.byId().get(7)).toMatchObject({ lastReadSeq: 5, unread: 0 });
  });

  it('moves the other person’s marker in a direct chat, for "Seen"', () => {
    const { socket, rooms } = setUp();
    socket.serverSends('room:read', { roomId: 7, userId: bob.id, seq: 5 });
    expect(rooms.byId().get(7)).toMatchObject({ peerLastReadSeq: 5, unread: 4 });
  });
});
