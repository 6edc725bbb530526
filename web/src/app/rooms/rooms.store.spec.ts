import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Room } from '@parley/protocol';
import { FakeChatSocket, message } from '../../testing/fake-chat-socket';
import { groupRoom } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { RoomsStore } from './rooms.store';

const room = groupRoom;

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), { provide: ChatSocket, useClass: FakeChatSocket }],
  });
  return { socket: TestBed.inject(ChatSocket) as unknown as FakeChatSocket, rooms: TestBed.inject(RoomsStore) };
}

const page = (rooms: Room[], nextCursor: string | null = null) => ({ rooms, nextCursor });

describe('RoomsStore', () => {
  it('lists all my rooms, most recently active first, and the first page of rooms I could join in the server’s order', async () => {
    const { socket, rooms } = setUp();
    socket.responders['rooms:list'] = () => ({
      ok: true,
      rooms: [room(4, 'Recent'), room(2, 'Old'), room(9, '', { kind: 'direct', name: null, peer: { id: 7, username: 'bo', firstName: 'Bo', lastName: 'B' } })],
      joinable: page([room(3, 'Apple', { joined: false }), room(1, 'Zebra', { joined: false })], 'cursor-1'),
    });
    await rooms.load();
    expect(socket.sent('rooms:list')).toEqual([{ limit: 25 }]);
    expect(rooms.mine().map((r) => r.id)).toEqual([9, 4, 2]);
    expect(rooms.joinable().map((r) => r.name)).toEqual(['Apple', 'Zebra']);
    expect(rooms.hasMore()).toBe(true);
    expect(rooms.directWith(7)?.id).toBe(9);
  });

  it('loads more joinable rooms with the cursor, and stops when there are no more', async () => {
    const { socket, rooms } = setUp();
    socket.responders['rooms:list'] = (input) =>
      input.cursor === undefined
        ? { ok: true, rooms: [], joinable: page([room(1, 'Apple', { joined: false })], 'after-apple') }
        : { ok: true, joinable: page([room(2, 'Banana', { joined: false })]) };
    await rooms.load();
    await rooms.loadMore();
    expect(socket.sent('rooms:list')).toEqual([{ limit: 25 }, { cursor: 'after-apple', limit: 25 }]);
    expect(rooms.joinable().map((r) => r.name)).toEqual(['Apple', 'Banana']);
    expect(rooms.hasMore()).toBe(false);
    await rooms.loadMore();
    expect(socket.sent('rooms:list')).toHaveLength(2);
  });

  it('searches by name, paging within the search, and keeps the answer to the latest search only', async () => {
    const { socket, rooms } = setUp();
    const answers: Record<string, (value: unknown) => void> = {};
    socket.responders['rooms:list'] = (input) =>
      new Promise((resolve) => {
        answers[input.query ?? ''] = resolve as (value: unknown) => void;
      });
    const slow = rooms.search('b');
    const fast = rooms.search('bo');
    answers['bo']!({ ok: true, rooms: [], joinable: page([room(2, 'Book Club', { joined: false })], 'next') });
    await fast;
    answers['b']!({ ok: true, rooms: [], joinable: page([room(3, 'Bagels', { joined: false })]) });
    await slow;
    expect(rooms.joinable().map((r) => r.name)).toEqual(['Book Club']);
    expect(rooms.query()).toBe('bo');

    socket.responders['rooms:list'] = () => ({ ok: true, joinable: page([room(4, 'Bookworms', { joined: false })]) });
    await rooms.loadMore();
    expect(socket.sent('rooms:list').at(-1)).toEqual({ query: 'bo', cursor: 'next', limit: 25 });
    expect(rooms.joinable().map((r) => r.name)).toEqual(['Book Club', 'Bookworms']);
  });

  it('moves a room I join from the joinable ones to mine', async () => {
    const { socket, rooms } = setUp();
    socket.responders['rooms:list'] = () => ({ ok: true, rooms: [], joinable: page([room(1, 'Apple', { joined: false })]) });
    socket.responders['room:join'] = () => ({ ok: true, room: room(1, 'Apple'), messages: [] });
    await rooms.load();
    await rooms.join(1, '');
    expect(rooms.joinable()).toEqual([]);
    expect(rooms.mine().map((r) => r.name)).toEqual(['Apple']);
  });

  it('learns of new rooms live, in name order, without overwriting one it holds as joined, nor showing one the search excludes', async () => {
    const { socket, rooms } = setUp();
    socket.responders['rooms:list'] = () => ({ ok: true, rooms: [], joinable: page([room(5, 'Apple', { joined: false }), room(6, 'Cherry', { joined: false })]) });
    await rooms.load();
    rooms.upsert(room(1, 'Mine'));
    socket.serverSends('room:created', room(1, 'Mine', { joined: false }));
    socket.serverSends('room:created', room(2, 'Banana', { joined: false }));
    expect(rooms.byId().get(1)?.joined).toBe(true);
    expect(rooms.joinable().map((r) => r.name)).toEqual(['Apple', 'Banana', 'Cherry']);

    await rooms.search('ch');
    socket.serverSends('room:created', room(3, 'Durian', { joined: false }));
    socket.serverSends('room:created', room(4, 'CHOCOLATE', { joined: false }));
    expect(rooms.joinable().map((r) => r.name)).toEqual(['Apple', 'Cherry', 'CHOCOLATE']);
  });

  it('moves a room up as its messages arrive', () => {
    const { rooms } = setUp();
    rooms.upsert(room(1, 'Quiet'));
    rooms.upsert(room(2, 'Busy'));
    rooms.noteMessage({ ...message(1, 5), createdAt: '2026-11-24T11:00:00.000Z' }, false);
    expect(rooms.mine().map((r) => r.name)).toEqual(['Quiet', 'Busy']);
    expect(rooms.byId().get(1)).toMatchObject({ lastSeq: 5, unread: 5, lastMessage: { seq: 5 } });
  });

  it('counts what others write as unread, once each, and what I write moves my marker', () => {
    const { rooms } = setUp();
    rooms.upsert(room(1, 'Lobby', { lastSeq: 2, lastReadSeq: 2 }));
    rooms.noteMessage(message(1, 3), false);
    rooms.noteMessage(message(1, 3), false);
    rooms.noteMessage(message(1, 5), false);
    expect(rooms.byId().get(1)).toMatchObject({ lastSeq: 5, lastReadSeq: 2, unread: 3 });
    // Mine, heard late (it filled a gap): my marker still moves to it.
    rooms.noteMessage(message(1, 4), true);
    expect(rooms.byId().get(1)).toMatchObject({ lastSeq: 5, lastReadSeq: 4, unread: 1, lastMessage: { seq: 5 } });
    rooms.noteMessage(message(1, 6), true);
    expect(rooms.byId().get(1)).toMatchObject({ lastSeq: 6, lastReadSeq: 6, unread: 0 });
  });

  it('lists direct and group rooms alike as mine, and forgets one I left', () => {
    const { rooms } = setUp();
    rooms.upsert(room(1, 'Group'));
    rooms.upsert(room(2, '', { kind: 'direct', name: null, peer: { id: 7, username: 'bo', firstName: 'Bo', lastName: 'B' } }));
    expect(rooms.mine().map((r) => r.id)).toEqual([2, 1]);
    rooms.forget(2);
    expect(rooms.mine().map((r) => r.id)).toEqual([1]);
  });

  it('keeps what arrived live while a list was on its way: seqs and read markers never move back', async () => {
    const { socket, rooms } = setUp();
    const dm = (changes: Partial<Room>) => room(1, '', { kind: 'direct', name: null, peer: { id: 7, username: 'bo', firstName: 'Bo', lastName: 'B' }, peerLastReadSeq: 0, ...changes });
    rooms.upsert(dm({ lastSeq: 7, lastReadSeq: 5, unread: 2, peerLastReadSeq: 6 }));
    let answer!: (value: unknown) => void;
    socket.responders['rooms:list'] = () => new Promise((resolve) => (answer = resolve as (value: unknown) => void));
    const loading = rooms.load();
    rooms.noteMessage(message(1, 8), false);
    rooms.upsert({ ...rooms.byId().get(1)!, peerLastReadSeq: 8 });
    // What the server saw before seq 8, with a new name for the room and a marker moved on another device.
    answer({ ok: true, rooms: [dm({ lastSeq: 7, lastReadSeq: 6, unread: 1, peerLastReadSeq: 6, memberCount: 3 })], joinable: page([]) });
    expect(await loading).toBe(true);
    expect(rooms.byId().get(1)).toMatchObject({ lastSeq: 8, lastMessage: { seq: 8 }, lastReadSeq: 6, unread: 2, peerLastReadSeq: 8, memberCount: 3 });
  });

  it('forgets the rooms a list no longer has, but not one that arrived while it was on its way', async () => {
    const { socket, rooms } = setUp();
    rooms.upsert(room(1, 'Left elsewhere'));
    rooms.upsert(room(2, 'Still mine'));
    let answer!: (value: unknown) => void;
    socket.responders['rooms:list'] = () => new Promise((resolve) => (answer = resolve as (value: unknown) => void));
    const loading = rooms.load();
    rooms.upsert(room(3, 'New'));
    answer({ ok: true, rooms: [room(2, 'Still mine')], joinable: page([]) });
    await loading;
    expect(rooms.mine().map((r) => r.id).sort()).toEqual([2, 3]);
  });

  it('searching leaves my rooms alone, and a search does not stop the list of my rooms from counting', async () => {
    const { socket, rooms } = setUp();
    const answers: ((value: unknown) => void)[] = [];
    socket.responders['rooms:list'] = () => new Promise((resolve) => answers.push(resolve as (value: unknown) => void));
    const loading = rooms.load();
    const searching = rooms.search('ap');
    rooms.upsert(room(1, 'Lobby', { lastSeq: 3, unread: 3 }));
    answers[1]!({ ok: true, rooms: [room(1, 'Lobby'), room(2, 'Old')], joinable: page([room(5, 'Apple', { joined: false })]) });
    await searching;
    expect(rooms.mine().map((r) => r.id)).toEqual([1]);
    expect(rooms.mineLoaded()).toBe(false);
    answers[0]!({ ok: true, rooms: [room(1, 'Lobby', { lastSeq: 3, unread: 3 }), room(2, 'Old')], joinable: page([]) });
    expect(await loading).toBe(true);
    expect(rooms.mineLoaded()).toBe(true);
    expect(rooms.mine().map((r) => r.id)).toEqual([2, 1]);
    // The older answer does not replace the newer search's page.
    expect(rooms.joinable().map((r) => r.name)).toEqual(['Apple']);
  });
});
