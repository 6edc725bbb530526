import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { LIMITS, type AckOf, type Room } from '@parley/protocol';
import { FakeChatSocket, bob, message, notice, settle } from '../../testing/fake-chat-socket';
import { directWithBob, groupRoom } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { RoomsStore } from './rooms.store';

const room = groupRoom;

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), { provide: ChatSocket, useClass: FakeChatSocket }],
  });
  return { socket: TestBed.inject(ChatSocket) as unknown as FakeChatSocket, rooms: TestBed.inject(RoomsStore) };
}

const page = (rooms: Room[], nextCursor: string | null = null): AckOf<'rooms:list'> => ({ ok: true, rooms, nextCursor });

/** Holds each `rooms:list` request until the test answers it, in the order asked. */
function heldPages(socket: FakeChatSocket) {
  const answers: ((ack: AckOf<'rooms:list'>) => void)[] = [];
  socket.responders['rooms:list'] = () => new Promise((resolve) => answers.push(resolve));
  return answers;
}

describe('RoomsStore', () => {
  it('lists my rooms, direct and group, most recently active first', async () => {
    const { socket, rooms } = setUp();
    socket.responders['rooms:list'] = () => page([room(4, 'Recent'), room(2, 'Old'), directWithBob(9)]);
    expect(await rooms.load()).toBe(true);
    expect(socket.sent('rooms:list')).toEqual([{ limit: 50 }]);
    expect(rooms.mine().map((r) => r.id)).toEqual([9, 4, 2]);
    expect(rooms.directWith(2)?.id).toBe(9);
    expect(rooms.mineLoaded()).toBe(true);
  });

  it('says when listing my rooms failed, until a new try', async () => {
    const { socket, rooms } = setUp();
    socket.responders['rooms:list'] = () => ({ ok: false, error: { code: 'internal', message: 'The server did not answer in time.' } });
    expect(await rooms.load()).toBe(false);
    expect([rooms.mineLoaded(), rooms.mineFailedToLoad()]).toEqual([false, true]);

    const answers = heldPages(socket);
    const again = rooms.load();
    expect(rooms.mineFailedToLoad()).toBe(false);
    answers[0]!(page([room(4, 'Recent')]));
    expect(await again).toBe(true);
    expect([rooms.mineLoaded(), rooms.mineFailedToLoad()]).toEqual([true, false]);
  });

  it('pages through my rooms until there is no next cursor: 50 first, then as many as a page may hold', async () => {
    const { socket, rooms } = setUp();
    const pages: Record<string, AckOf<'rooms:list'>> = {
      first: page([room(9, 'Nine'), room(8, 'Eight')], 'after-8'),
      'after-8': page([room(5, 'Five')], 'after-5'),
      'after-5': page([room(2, 'Two')]),
    };
    socket.responders['rooms:list'] = ({ cursor }) => pages[cursor ?? 'first']!;
    expect(await rooms.load()).toBe(true);
    expect(socket.sent('rooms:list')).toEqual([
      { limit: 50 },
      { cursor: 'after-8', limit: LIMITS.roomsPageMax },
      { cursor: 'after-5', limit: LIMITS.roomsPageMax },
    ]);
    expect(rooms.mine().map((r) => r.id)).toEqual([9, 8, 5, 2]);
  });

  it('shows the first page in the Chats list before the next one comes, and is done only after the last', async () => {
    const { socket, rooms } = setUp();
    const answers = heldPages(socket);
    let done = false;
    const loading = rooms.load().then((complete) => (done = complete));
    answers[0]!(page([room(9, 'Nine'), room(8, 'Eight')], 'after-8'));
    await settle();
    expect(rooms.mine().map((r) => r.id)).toEqual([9, 8]);
    expect(socket.sent('rooms:list')).toHaveLength(2);
    expect(done).toBe(false);
    expect(rooms.mineLoaded()).toBe(false);

    answers[1]!(page([room(5, 'Five')]));
    await loading;
    expect(done).toBe(true);
    expect(rooms.mine().map((r) => r.id)).toEqual([9, 8, 5]);
    expect(rooms.mineLoaded()).toBe(true);
  });

  it('stops at a page that fails, keeping the pages before it', async () => {
    const { socket, rooms } = setUp();
    socket.responders['rooms:list'] = ({ cursor }) =>
      cursor === undefined ? page([room(9, 'Nine')], 'after-9') : { ok: false, error: { code: 'rate_limited', message: 'Too many events; slow down.' } };
    expect(await rooms.load()).toBe(false);
    expect(socket.sent('rooms:list')).toHaveLength(2);
    expect(rooms.mine().map((r) => r.id)).toEqual([9]);
    expect(rooms.mineLoaded()).toBe(false);
  });

  it('stops paging at a log-out, and merges nothing more', async () => {
    const { socket, rooms } = setUp();
    const answers = heldPages(socket);
    const loading = rooms.load();
    answers[0]!(page([room(9, 'Nine')], 'after-9'));
    await settle();
    rooms.reset();
    answers[1]!(page([room(5, 'Five')], 'after-5'));
    expect(await loading).toBe(false);
    expect(socket.sent('rooms:list')).toHaveLength(2);
    expect(rooms.byId().size).toBe(0);
    expect(rooms.mineLoaded()).toBe(false);

    // The next log-in's load pages anew rather than join the paging that was stopped.
    socket.responders['rooms:list'] = () => page([room(3, 'Three')]);
    expect(await rooms.load()).toBe(true);
    expect(rooms.mine().map((r) => r.id)).toEqual([3]);
  });

  it('runs one paging at a time: a load asked for meanwhile joins it, and it pages once more from the start', async () => {
    const { socket, rooms } = setUp();
    const answers = heldPages(socket);
    const first = rooms.load();
    const second = rooms.load();
    expect(second).toBe(first);
    answers[0]!(page([room(9, 'Nine')], 'after-9'));
    await settle();
    const third = rooms.load();
    answers[1]!(page([room(5, 'Five')]));
    await settle();
    // The room that prompted the third load is active now: on the first page, which the paging had passed.
    expect(socket.sent('rooms:list')).toEqual([{ limit: 50 }, { cursor: 'after-9', limit: LIMITS.roomsPageMax }, { limit: 50 }]);
    answers[2]!(page([room(12, 'New'), room(9, 'Nine'), room(5, 'Five')]));
    expect(await third).toBe(true);
    expect(await first).toBe(true);
    expect(socket.sent('rooms:list')).toHaveLength(3);
    expect(rooms.mine().map((r) => r.id)).toEqual([12, 9, 5]);
  });

  it('keeps what arrived live while a page was on its way: seqs and read markers never move back', async () => {
    const { socket, rooms } = setUp();
    const dm = (changes: Partial<Room>) => directWithBob(1, changes);
    rooms.upsert(dm({ lastSeq: 7, lastReadSeq: 5, unread: 2, peerLastReadSeq: 6 }));
    const answers = heldPages(socket);
    const loading = rooms.load();
    rooms.noteMessage(message(1, 8), false);
    rooms.change({ ...rooms.byId().get(1)!, peerLastReadSeq: 8 });
    // What the server saw before seq 8, with a new member in the room and a marker moved on another device.
    answers[0]!(page([dm({ lastSeq: 7, lastReadSeq: 6, unread: 1, peerLastReadSeq: 6, memberCount: 3 })]));
    expect(await loading).toBe(true);
    expect(rooms.byId().get(1)).toMatchObject({ lastSeq: 8, lastMessage: { seq: 8 }, lastReadSeq: 6, unread: 2, peerLastReadSeq: 8, memberCount: 3 });
  });

  it('takes a room’s new name and password state as its owner changes them', () => {
    const { socket, rooms } = setUp();
    rooms.upsert(room(3, 'General'));
    socket.serverSends('room:updated', { roomId: 3, name: 'Lounge', protected: true });
    socket.serverSends('room:updated', { roomId: 99, name: 'Not mine', protected: false });
    expect(rooms.byId().get(3)).toMatchObject({ name: 'Lounge', protected: true });
    expect(rooms.byId().has(99)).toBe(false);
  });

  it('counts members as people join and leave, never going back to an older count', () => {
    const { socket, rooms } = setUp();
    rooms.upsert(room(3, 'General', { lastSeq: 4, memberCount: 2 }));
    rooms.noteMessage(notice(3, 5, 'joined'), false);
    socket.serverSends('room:member', { roomId: 3, userId: bob.id, change: 'joined', memberCount: 3, seq: 5 });
    expect(rooms.byId().get(3)).toMatchObject({ lastSeq: 5, memberCount: 3, lastMessage: { kind: 'system' } });

    // Across nodes, a change can be announced before its notice comes, and an older one after a newer one.
    socket.serverSends('room:member', { roomId: 3, userId: 9, change: 'joined', memberCount: 4, seq: 7 });
    socket.serverSends('room:member', { roomId: 3, userId: bob.id, change: 'left', memberCount: 3, seq: 6 });
    expect(rooms.byId().get(3)?.memberCount).toBe(4);
    // A page from before the change does not take it back; one from after it counts.
    rooms.upsert(room(3, 'General', { lastSeq: 5, memberCount: 3 }));
    expect(rooms.byId().get(3)?.memberCount).toBe(4);
    rooms.upsert(room(3, 'General', { lastSeq: 8, memberCount: 5 }));
    expect(rooms.byId().get(3)?.memberCount).toBe(5);
  });

  it('keeps a mute made while a page was on its way, and takes one the page brings otherwise', async () => {
    const { socket, rooms } = setUp();
    rooms.upsert(room(1, 'Muted here meanwhile'));
    rooms.upsert(room(2, 'Muted elsewhere before'));
    const answers = heldPages(socket);
    const loading = rooms.load();
    rooms.setMuted(1, true);
    // The page was read before the mute of room 1, and after room 2 was muted on another device.
    answers[0]!(page([room(1, 'Muted here meanwhile'), room(2, 'Muted elsewhere before', { muted: true })]));
    expect(await loading).toBe(true);
    expect(rooms.byId().get(1)?.muted).toBe(true);
    expect(rooms.byId().get(2)?.muted).toBe(true);

    // A page asked for after the change speaks for it.
    socket.responders['rooms:list'] = () => page([room(1, 'Muted here meanwhile', { muted: false })]);
    await rooms.load();
    expect(rooms.byId().get(1)?.muted).toBe(false);
  });

  it('forgets the rooms no page listed, but not one that arrived while it paged', async () => {
    const { socket, rooms } = setUp();
    rooms.upsert(room(1, 'Left elsewhere'));
    rooms.upsert(room(2, 'Still mine'));
    const answers = heldPages(socket);
    const loading = rooms.load();
    rooms.upsert(room(3, 'New'));
    answers[0]!(page([room(2, 'Still mine')]));
    await loading;
    expect(rooms.mine().map((r) => r.id).sort()).toEqual([2, 3]);
  });

  it('keeps a room no page listed that got a message while it paged: it may have moved ahead of the pages to come', async () => {
    const { socket, rooms } = setUp();
    rooms.upsert(room(1, 'Left elsewhere', { lastSeq: 4, lastReadSeq: 4 }));
    rooms.upsert(room(2, 'Busy', { lastSeq: 4, lastReadSeq: 4 }));
    rooms.upsert(room(3, 'Listed'));
    const answers = heldPages(socket);
    const loading = rooms.load();
    answers[0]!(page([room(3, 'Listed')], 'after-3'));
    await settle();
    rooms.noteMessage(message(2, 5), false);
    answers[1]!(page([room(7, 'Quiet')]));
    expect(await loading).toBe(true);
    expect(rooms.mine().map((r) => r.id).sort()).toEqual([2, 3, 7]);
  });

  it('forgets nothing after a paging that failed', async () => {
    const { socket, rooms } = setUp();
    rooms.upsert(room(1, 'Not listed yet'));
    socket.responders['rooms:list'] = ({ cursor }) =>
      cursor === undefined ? page([room(3, 'Listed')], 'after-3') : { ok: false, error: { code: 'internal', message: 'The server did not answer in time.' } };
    expect(await rooms.load()).toBe(false);
    expect(rooms.mine().map((r) => r.id)).toEqual([3, 1]);
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
    rooms.upsert(directWithBob(2));
    expect(rooms.mine().map((r) => r.id)).toEqual([2, 1]);
    rooms.forget(2);
    expect(rooms.mine().map((r) => r.id)).toEqual([1]);
  });

  it('adds a room I join or create to mine', async () => {
    const { socket, rooms } = setUp();
    socket.responders['room:join'] = ({ roomId }) => ({ ok: true, room: room(roomId, 'Apple'), messages: [] });
    socket.responders['room:create'] = ({ name }) => ({ ok: true, room: room(2, name) });
    await rooms.join(1, '');
    await rooms.create('Banana', '');
    expect(rooms.mine().map((r) => r.name)).toEqual(['Banana', 'Apple']);
    expect(socket.sent('room:join')).toEqual([{ roomId: 1 }]);
    expect(socket.sent('room:create')).toEqual([{ name: 'Banana' }]);
  });
});
