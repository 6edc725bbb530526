import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeChatSocket } from '../../testing/fake-chat-socket';
import { directWithBob, groupRoom } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { RoomsStore } from '../rooms/rooms.store';
import { ChatsStore } from './chats.store';

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), { provide: ChatSocket, useClass: FakeChatSocket }],
  });
  const rooms = TestBed.inject(RoomsStore);
  rooms.upsert(directWithBob(1, { unread: 3 }));
  rooms.upsert(groupRoom(2, 'Noisy', { unread: 40, muted: true }));
  rooms.upsert(groupRoom(3, 'Quiet', { unread: 1 }));
  rooms.upsert(groupRoom(4, 'Not mine', { joined: false, unread: 0 }));
  return { socket: TestBed.inject(ChatSocket) as unknown as FakeChatSocket, rooms, chats: TestBed.inject(ChatsStore) };
}

describe('ChatsStore', () => {
  it('lists my rooms, direct and group, newest activity first, and totals the unread of those not muted', () => {
    const { chats } = setUp();
    expect(chats.chats().map((room) => room.id)).toEqual([3, 2, 1]);
    expect(chats.unreadTotal()).toBe(4);
  });

  it('mutes at once and tells the server; a mute from another device applies too', async () => {
    const { socket, chats, rooms } = setUp();
    socket.responders['room:mute'] = () => ({ ok: true });
    await chats.setMuted(3, true);
    expect(socket.sent('room:mute')).toEqual([{ roomId: 3, muted: true }]);
    expect(chats.unreadTotal()).toBe(3);

    socket.serverSends('room:mute', { roomId: 2, muted: false });
    expect(rooms.byId().get(2)?.muted).toBe(false);
    expect(chats.unreadTotal()).toBe(43);
  });

  it('puts the bell back when the server refuses', async () => {
    const { socket, chats, rooms } = setUp();
    socket.responders['room:mute'] = () => ({ ok: false, error: { code: 'not_found', message: 'No such room.' } });
    await chats.setMuted(1, true);
    expect(rooms.byId().get(1)?.muted).toBe(false);
  });
});
