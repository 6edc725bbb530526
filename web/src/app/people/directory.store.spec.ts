import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { LIMITS, type AckOf, type DirectoryUser, type UsersResponse } from '@parley/protocol';
import { FakeChatSocket, alice, bob, settle } from '../../testing/fake-chat-socket';
import { BlocksStore } from '../blocking/blocks.store';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { DirectoryStore, PEOPLE_PAGE, SEARCH_PAUSE_MS } from './directory.store';

const carol = { id: 3, username: 'carol', firstName: 'Carol', lastName: 'Ann' };
const dave = { id: 4, username: 'dave', firstName: 'Dave', lastName: 'Grohl' };
const person = (id: number): DirectoryUser => ({ id, username: `p${id}`, firstName: 'P', lastName: `${id}`, online: false });

function setUp() {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(),
      provideHttpClientTesting(),
      { provide: ChatSocket, useClass: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
    ],
  });
  const socket = TestBed.inject(ChatSocket) as unknown as FakeChatSocket;
  // By default nobody is online; a test that cares answers otherwise.
  socket.responders['presence:watch'] = () => ({ ok: true, online: [] });
  const http = TestBed.inject(HttpTestingController);
  return {
    directory: TestBed.inject(DirectoryStore),
    socket,
    http,
    /** The one directory request waiting, with its query string as an object. */
    usersRequest(): { request: TestRequest; params: Record<string, string> } {
      const request = http.expectOne((req) => req.url === '/api/users');
      const params = Object.fromEntries(request.request.params.keys().map((key) => [key, request.request.params.get(key)!]));
      return { request, params };
    },
  };
}

const page = (users: DirectoryUser[], nextCursor: string | null = null): UsersResponse => ({ users, nextCursor });
const usernames = (directory: DirectoryStore) => directory.people().map((p) => p.username);
const dots = (directory: DirectoryStore) => directory.people().map((p) => [p.username, p.online]);

describe('DirectoryStore', () => {
  afterEach(() => vi.useRealTimers());

  it('lists the first page by username but me, and watches exactly the people listed', async () => {
    const { directory, socket, usersRequest } = setUp();
    socket.responders['presence:watch'] = () => ({ ok: true, online: [bob.id] });
    const loading = directory.load();
    const { request, params } = usersRequest();
    expect(params).toEqual({ limit: String(PEOPLE_PAGE) });
    request.flush(page([{ ...alice, online: true }, { ...bob, online: false }, { ...carol, online: false }], 'after-carol'));
    await loading;

    expect(dots(directory)).toEqual([
      ['bob', true],
      ['carol', false],
    ]);
    expect(socket.sent('presence:watch')).toEqual([{ userIds: [bob.id, carol.id] }]);
    expect(directory.hasMore()).toBe(true);
  });

  it('never shows someone I blocked online: the server stops telling of them', async () => {
    const { directory, socket, usersRequest } = setUp();
    socket.responders['presence:watch'] = () => ({ ok: true, online: [bob.id, carol.id] });
    socket.responders['user:block'] = () => ({ ok: true });
    const loading = directory.load();
    usersRequest().request.flush(page([bob, carol].map((user) => ({ ...user, online: false }))));
    await loading;
    await TestBed.inject(BlocksStore).setBlocked(carol, true);
    expect(dots(directory)).toEqual([
      ['bob', true],
      ['carol', false],
    ]);
  });

  it('searches on the server once typing pauses, one request for the last query', async () => {
    vi.useFakeTimers();
    const { directory, http, usersRequest } = setUp();
    for (const query of ['c', 'ca', 'car']) {
      directory.search(query);
      await vi.advanceTimersByTimeAsync(SEARCH_PAUSE_MS - 1);
    }
    http.expectNone((req) => req.url === '/api/users');
    expect(directory.query()).toBe('car');

    await vi.advanceTimersByTimeAsync(1);
    const { request, params } = usersRequest();
    expect(params).toEqual({ query: 'car', limit: String(PEOPLE_PAGE) });
    request.flush(page([{ ...carol, online: false }]));
    await vi.advanceTimersByTimeAsync(0);
    expect(usernames(directory)).toEqual(['carol']);
    expect(directory.hasMore()).toBe(false);
  });

  it('keeps the answer to the latest search only', async () => {
    vi.useFakeTimers();
    const { directory, http } = setUp();
    directory.search('b');
    await vi.advanceTimersByTimeAsync(SEARCH_PAUSE_MS);
    directory.search('  d');
    await vi.advanceTimersByTimeAsync(SEARCH_PAUSE_MS);
    const [slow, fast] = http.match((req) => req.url === '/api/users');
    expect(fast!.request.params.get('query')).toBe('d');
    fast!.flush(page([{ ...dave, online: false }]));
    slow!.flush(page([{ ...bob, online: false }]));
    await vi.advanceTimersByTimeAsync(0);
    expect(usernames(directory)).toEqual(['dave']);
  });

  it('lists more with the cursor of the same search, and watches all it lists, up to what a watch may name', async () => {
    vi.useFakeTimers();
    const { directory, socket, usersRequest } = setUp();
    directory.search('p');
    await vi.advanceTimersByTimeAsync(SEARCH_PAUSE_MS);
    const pages = Math.ceil(LIMITS.presenceWatchMax / PEOPLE_PAGE);
    usersRequest().request.flush(page(Array.from({ length: PEOPLE_PAGE }, (_, i) => person(100 + i)), 'c1'));
    await vi.advanceTimersByTimeAsync(0);
    for (let n = 1; n < pages; n++) {
      const more = directory.loadMore();
      const { request, params } = usersRequest();
      expect(params).toEqual({ query: 'p', cursor: `c${n}`, limit: String(PEOPLE_PAGE) });
      request.flush(page(Array.from({ length: PEOPLE_PAGE }, (_, i) => person(100 + n * PEOPLE_PAGE + i)), `c${n + 1}`));
      await more;
    }
    expect(directory.people()).toHaveLength(LIMITS.presenceWatchMax);
    expect((socket.sent('presence:watch').at(-1) as { userIds: number[] }).userIds).toHaveLength(LIMITS.presenceWatchMax);
    // Full: a narrower search, not a longer list.
    expect(directory.hasMore()).toBe(false);
    expect(directory.full()).toBe(true);
    await directory.loadMore();
  });

  it('moves the dots of the people listed as they come and go', async () => {
    const { directory, socket, usersRequest } = setUp();
    const loading = directory.load();
    usersRequest().request.flush(page([{ ...bob, online: true }, { ...carol, online: false }]));
    await loading;
    socket.serverSends('user:offline', { userId: bob.id });
    socket.serverSends('user:online', { userId: carol.id });
    socket.serverSends('user:online', { userId: dave.id });
    expect(dots(directory)).toEqual([
      ['bob', false],
      ['carol', true],
    ]);
  });

  it('lets news heard while a watch is on its way win over its answer, and a later watch’s answer over an earlier one’s', async () => {
    const { directory, socket, usersRequest } = setUp();
    const answers: ((ack: AckOf<'presence:watch'>) => void)[] = [];
    socket.responders['presence:watch'] = () => new Promise((resolve) => answers.push(resolve));
    const loading = directory.load();
    usersRequest().request.flush(page([{ ...bob, online: false }, { ...carol, online: false }]));
    await settle();
    socket.serverSends('user:online', { userId: carol.id });
    answers[0]!({ ok: true, online: [bob.id] });
    await loading;
    expect(dots(directory)).toEqual([
      ['bob', true],
      ['carol', true],
    ]);

    socket.reconnect();
    socket.reconnect();
    await settle();
    answers[2]!({ ok: true, online: [] });
    await settle();
    answers[1]!({ ok: true, online: [bob.id, carol.id] });
    await settle();
    expect(dots(directory)).toEqual([
      ['bob', false],
      ['carol', false],
    ]);
  });

  it('asks for nobody until New chat shows, and then only once however often it shows', async () => {
    const { directory, socket, http, usersRequest } = setUp();
    socket.reconnect();
    await settle();
    http.expectNone('/api/users');
    expect(socket.sent('presence:watch')).toEqual([]);

    directory.showing();
    usersRequest().request.flush(page([{ ...bob, online: false }]));
    await settle();
    directory.showing();
    http.expectNone((req) => req.url === '/api/users');
    expect(usernames(directory)).toEqual(['bob']);
  });

  it('watches again on every reconnect, since a watch ends with its socket; lists the first page then if it never came', async () => {
    const { directory, socket, usersRequest } = setUp();
    directory.showing();
    usersRequest().request.flush('down', { status: 503, statusText: 'Service Unavailable' });
    await settle();
    socket.reconnect();
    const { request } = usersRequest();
    request.flush(page([{ ...bob, online: false }]));
    await settle();
    expect(socket.sent('presence:watch')).toEqual([{ userIds: [bob.id] }]);

    socket.responders['presence:watch'] = () => ({ ok: true, online: [bob.id] });
    socket.reconnect();
    await settle();
    expect(socket.sent('presence:watch')).toEqual([{ userIds: [bob.id] }, { userIds: [bob.id] }]);
    expect(dots(directory)).toEqual([['bob', true]]);
  });

  it('keeps the list in its order when people come online or go, so rows never move under the pointer', async () => {
    const { directory, socket, usersRequest } = setUp();
    const loading = directory.load();
    usersRequest().request.flush(page([{ ...bob, online: false }, { ...carol, online: false }, { ...dave, online: false }]));
    await loading;
    socket.serverSends('user:online', { userId: dave.id });
    socket.serverSends('user:online', { userId: carol.id });
    socket.serverSends('user:offline', { userId: carol.id });
    expect(dots(directory)).toEqual([
      ['bob', false],
      ['carol', false],
      ['dave', true],
    ]);
  });

  it('shows nobody online while the connection is down, then what the watch answers once it is back', async () => {
    const { directory, socket, usersRequest } = setUp();
    socket.responders['presence:watch'] = () => ({ ok: true, online: [bob.id] });
    const loading = directory.load();
    usersRequest().request.flush(page([{ ...bob, online: false }, { ...carol, online: false }]));
    await loading;
    expect(dots(directory)).toEqual([
      ['bob', true],
      ['carol', false],
    ]);

    socket.state.set('reconnecting');
    expect(dots(directory)).toEqual([
      ['bob', false],
      ['carol', false],
    ]);

    socket.responders['presence:watch'] = () => ({ ok: true, online: [carol.id] });
    socket.state.set('connected');
    socket.reconnect();
    await settle();
    expect(dots(directory)).toEqual([
      ['bob', false],
      ['carol', true],
    ]);
  });

  it('forgets everything at log-out, and a page asked for before it', async () => {
    const { directory, usersRequest } = setUp();
    const loading = directory.load();
    const { request } = usersRequest();
    directory.reset();
    request.flush(page([{ ...bob, online: true }]));
    await loading;
    expect(directory.people()).toEqual([]);
    expect(directory.find(bob.id)).toBeUndefined();
  });
});
