import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { AckOf, Room } from '@parley/protocol';
import { FakeChatSocket, settle } from '../../testing/fake-chat-socket';
import { groupRoom } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { SEARCH_PAUSE_MS } from '../people/directory.store';
import { JoinableRoomsStore } from './joinable-rooms.store';
import { RoomsStore } from './rooms.store';

const joinable = (id: number, name: string) => groupRoom(id, name, { joined: false });

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), { provide: ChatSocket, useClass: FakeChatSocket }],
  });
  return {
    socket: TestBed.inject(ChatSocket) as unknown as FakeChatSocket,
    joinableRooms: TestBed.inject(JoinableRoomsStore),
    rooms: TestBed.inject(RoomsStore),
  };
}

const page = (rooms: Room[], nextCursor: string | null = null): AckOf<'rooms:browse'> => ({ ok: true, rooms, nextCursor });

describe('JoinableRoomsStore', () => {
  afterEach(() => vi.useRealTimers());

  it('searches as one types once typing pauses: one request for the last query', async () => {
    vi.useFakeTimers();
    const { socket, joinableRooms } = setUp();
    socket.responders['rooms:browse'] = () => page([joinable(4, 'Chess club')]);
    for (const query of ['c', 'ch', 'che']) {
      joinableRooms.searchAsTyped(query);
      await vi.advanceTimersByTimeAsync(SEARCH_PAUSE_MS - 1);
    }
    expect(socket.sent('rooms:browse')).toEqual([]);
    expect(joinableRooms.query()).toBe('che');
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sent('rooms:browse')).toEqual([{ query: 'che', limit: 25 }]);
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Chess club']);
  });

  it('on every connect, browses the first page of rooms I could join, in the server’s order', async () => {
    const { socket, joinableRooms } = setUp();
    socket.responders['rooms:browse'] = () => page([joinable(3, 'Apple'), joinable(1, 'Zebra')], 'cursor-1');
    socket.connectFirst();
    await settle();
    expect(socket.sent('rooms:browse')).toEqual([{ limit: 25 }]);
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Apple', 'Zebra']);
    expect(joinableRooms.hasMore()).toBe(true);

    socket.responders['rooms:browse'] = () => page([joinable(3, 'Apple')]);
    socket.reconnect();
    await settle();
    expect(socket.sent('rooms:browse')).toHaveLength(2);
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Apple']);
    expect(joinableRooms.hasMore()).toBe(false);
    expect(socket.sent('rooms:list')).toEqual([]);
  });

  it('loads more with the cursor, and stops when there are no more', async () => {
    const { socket, joinableRooms } = setUp();
    socket.responders['rooms:browse'] = ({ cursor }) =>
      cursor === undefined ? page([joinable(1, 'Apple')], 'after-apple') : page([joinable(2, 'Banana')]);
    await joinableRooms.search('');
    await joinableRooms.loadMore();
    expect(socket.sent('rooms:browse')).toEqual([{ limit: 25 }, { cursor: 'after-apple', limit: 25 }]);
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Apple', 'Banana']);
    expect(joinableRooms.hasMore()).toBe(false);
    await joinableRooms.loadMore();
    expect(socket.sent('rooms:browse')).toHaveLength(2);
  });

  it('searches by name with rooms:browse, paging within the search, and keeps the answer to the latest search only', async () => {
    const { socket, joinableRooms } = setUp();
    const answers: Record<string, (ack: AckOf<'rooms:browse'>) => void> = {};
    socket.responders['rooms:browse'] = ({ query }) => new Promise((resolve) => (answers[query ?? ''] = resolve));
    const slow = joinableRooms.search('b');
    const fast = joinableRooms.search('  bo');
    answers['bo']!(page([joinable(2, 'Book Club')], 'next'));
    await fast;
    answers['b']!(page([joinable(3, 'Bagels')]));
    await slow;
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Book Club']);
    expect(joinableRooms.query()).toBe('bo');

    socket.responders['rooms:browse'] = () => page([joinable(4, 'Bookworms')]);
    await joinableRooms.loadMore();
    expect(socket.sent('rooms:browse').at(-1)).toEqual({ query: 'bo', cursor: 'next', limit: 25 });
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Book Club', 'Bookworms']);
    expect(socket.sent('rooms:list')).toEqual([]);
  });

  it('drops a page asked for before a log-out', async () => {
    const { socket, joinableRooms } = setUp();
    let answer!: (ack: AckOf<'rooms:browse'>) => void;
    socket.responders['rooms:browse'] = () => new Promise((resolve) => (answer = resolve));
    const searching = joinableRooms.search('ap');
    joinableRooms.reset();
    answer(page([joinable(1, 'Apple')]));
    await searching;
    expect(joinableRooms.rooms()).toEqual([]);
    expect(joinableRooms.query()).toBe('');
  });

  it('moves a room I join from the joinable ones to mine', async () => {
    const { socket, joinableRooms, rooms } = setUp();
    socket.responders['rooms:browse'] = () => page([joinable(1, 'Apple'), joinable(2, 'Banana')]);
    socket.responders['room:join'] = () => ({ ok: true, room: groupRoom(1, 'Apple'), messages: [] });
    await joinableRooms.search('');
    await rooms.join(1, '');
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Banana']);
    expect(rooms.mine().map((r) => r.name)).toEqual(['Apple']);
  });

  it('learns of new rooms live, in name order, without listing one that is mine, nor one the search excludes', async () => {
    const { socket, joinableRooms, rooms } = setUp();
    socket.responders['rooms:browse'] = () => page([joinable(5, 'Apple'), joinable(6, 'Cherry')]);
    await joinableRooms.search('');
    rooms.upsert(groupRoom(1, 'Mine'));
    socket.serverSends('room:created', joinable(1, 'Mine'));
    socket.serverSends('room:created', joinable(2, 'Banana'));
    socket.serverSends('room:created', joinable(2, 'Banana'));
    expect(rooms.byId().get(1)?.joined).toBe(true);
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Apple', 'Banana', 'Cherry']);

    await joinableRooms.search('ch');
    socket.serverSends('room:created', joinable(3, 'Durian'));
    socket.serverSends('room:created', joinable(4, 'CHOCOLATE'));
    expect(joinableRooms.rooms().map((r) => r.name)).toEqual(['Apple', 'Cherry', 'CHOCOLATE']);
  });

  it('lists a room announced live and then paged once, where the page puts it', async () => {
    const { socket, joinableRooms } = setUp();
    socket.responders['rooms:browse'] = ({ cursor }) =>
      cursor === undefined ? page([joinable(1, 'Apple')], 'after-apple') : page([joinable(2, 'Banana'), joinable(3, 'Cherry')]);
    await joinableRooms.search('');
    socket.serverSends('room:created', joinable(3, 'Cherry'));
    await joinableRooms.loadMore();
    expect(joinableRooms.rooms().map((r) => r.id)).toEqual([1, 2, 3]);
  });
});
