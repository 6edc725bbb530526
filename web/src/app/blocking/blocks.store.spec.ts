import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { PublicUser } from '@parley/protocol';
import { FakeChatSocket, bob, settle } from '../../testing/fake-chat-socket';
import { directWithBob } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { RoomsStore } from '../rooms/rooms.store';
import { BlocksStore } from './blocks.store';

const carol: PublicUser = { id: 3, username: 'carol', firstName: 'Carol', lastName: 'Ann' };

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), provideHttpClient(), provideHttpClientTesting(), { provide: ChatSocket, useClass: FakeChatSocket }],
  });
  const socket = TestBed.inject(ChatSocket) as unknown as FakeChatSocket;
  const http = TestBed.inject(HttpTestingController);
  const blocks = TestBed.inject(BlocksStore);
  return { socket, http, blocks, rooms: TestBed.inject(RoomsStore) };
}

const ids = (blocks: BlocksStore) => [...blocks.ids()];
const names = (blocks: BlocksStore) => blocks.people().map((user) => user.username);

describe('BlocksStore', () => {
  it('asks the server whom I blocked on every connect, the first included', async () => {
    const { socket, http, blocks } = setUp();
    expect(blocks.loaded()).toBe(false);
    socket.connectFirst();
    http.expectOne('/api/me/blocks').flush({ users: [carol] });
    await settle();
    expect(blocks.loaded()).toBe(true);
    expect(ids(blocks)).toEqual([3]);

    socket.reconnect();
    http.expectOne('/api/me/blocks').flush({ users: [bob, carol] });
    await settle();
    expect(names(blocks)).toEqual(['bob', 'carol']);
  });

  it('blocks and unblocks once the server says so, and not when it refuses', async () => {
    const { socket, blocks } = setUp();
    socket.responders['user:block'] = ({ blocked }) =>
      blocked ? { ok: true } : { ok: false, error: { code: 'internal', message: 'The server did not answer in time.' } };
    expect((await blocks.setBlocked(bob, true)).ok).toBe(true);
    expect(socket.sent('user:block')).toEqual([{ userId: bob.id, blocked: true }]);
    expect(ids(blocks)).toEqual([bob.id]);
    expect(names(blocks)).toEqual(['bob']);

    expect((await blocks.setBlocked(bob, false)).ok).toBe(false);
    expect(ids(blocks)).toEqual([bob.id]);
  });

  it('hears of blocks made on my other devices, with the name of the direct chat, else from the server', async () => {
    const { socket, http, blocks, rooms } = setUp();
    rooms.upsert(directWithBob(1));
    socket.serverSends('user:blocked', { userId: bob.id, blocked: true });
    expect(names(blocks)).toEqual(['bob']);
    http.expectNone('/api/me/blocks');

    socket.serverSends('user:blocked', { userId: carol.id, blocked: true });
    expect(ids(blocks)).toEqual([bob.id, carol.id]);
    http.expectOne('/api/me/blocks').flush({ users: [carol, bob] });
    await settle();
    expect(names(blocks)).toEqual(['carol', 'bob']);

    socket.serverSends('user:blocked', { userId: bob.id, blocked: false });
    expect(ids(blocks)).toEqual([carol.id]);
    expect(names(blocks)).toEqual(['carol']);
  });

  it('asks again when a block changed while the list was on its way: that list may not have it', async () => {
    const { socket, http, blocks } = setUp();
    socket.responders['user:block'] = () => ({ ok: true });
    const loading = blocks.load();
    await blocks.setBlocked(carol, true);
    http.expectOne('/api/me/blocks').flush({ users: [] });
    await settle();
    expect(ids(blocks)).toEqual([carol.id]);
    http.expectOne('/api/me/blocks').flush({ users: [carol] });
    await loading;
    expect(names(blocks)).toEqual(['carol']);
  });

  it('forgets everything at log-out, and an answer asked for before it', async () => {
    const { http, blocks } = setUp();
    const loading = blocks.load();
    blocks.reset();
    http.expectOne('/api/me/blocks').flush({ users: [carol] });
    await loading;
    expect(ids(blocks)).toEqual([]);
    expect(blocks.loaded()).toBe(false);
  });
});
