import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Room } from '@parley/protocol';
import { FakeChatSocket, message } from '../../testing/fake-chat-socket';
import { ChatSocket } from '../core/chat-socket';
import { RoomsStore } from './rooms.store';

const room = (id: number, name: string, changes: Partial<Room> = {}): Room => ({
  id,
  kind: 'group',
  name,
  protected: false,
  joined: true,
  memberCount: 1,
  lastSeq: 0,
  lastActivityAt: `2026-11-24T10:00:0${id}.000Z`,
  createdAt: '2026-11-24T10:00:00.000Z',
  peer: null,
  ...changes,
});

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), { provide: ChatSocket, useClass: FakeChatSocket }],
  });
  return { socket: TestBed.inject(ChatSocket) as unknown as FakeChatSocket, rooms: TestBed.inject(RoomsStore) };
}

describe('RoomsStore', () => {
  it('lists my group rooms first, most recently active first, then the ones I could join by name', async () => {
    const { socket, rooms } = setUp();
    socket.responders['rooms:list'] = () => ({
      ok: true,
      rooms: [room(1, 'Zebra', { joined: false }), room(2, 'Old'), room(3, 'Apple', { joined: false }), room(4, 'Recent')],
    });
    await rooms.load();
    expect(rooms.groups().map((r) => r.name)).toEqual(['Recent', 'Old', 'Apple', 'Zebra']);
  });

  it('learns of new rooms live, without overwriting one it holds as joined', () => {
    const { socket, rooms } = setUp();
    rooms.upsert(room(1, 'Mine'));
    socket.serverSends('room:created', room(1, 'Mine', { joined: false }));
    socket.serverSends('room:created', room(2, 'Theirs', { joined: false }));
    expect(rooms.byId().get(1)?.joined).toBe(true);
    expect(rooms.byId().get(2)?.joined).toBe(false);
  });

  it('moves a room up as its messages arrive', () => {
    const { rooms } = setUp();
    rooms.upsert(room(1, 'Quiet'));
    rooms.upsert(room(2, 'Busy'));
    rooms.noteMessage({ ...message(1, 5), createdAt: '2026-11-24T11:00:00.000Z' });
    expect(rooms.groups().map((r) => r.name)).toEqual(['Quiet', 'Busy']);
    expect(rooms.byId().get(1)?.lastSeq).toBe(5);
  });
});
