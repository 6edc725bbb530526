import { LIMITS } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestServer, call, drain, expectOk, nextEvent, record } from './support/harness.js';

let server: TestServer;
beforeEach(async () => {
  server = await TestServer.start({ limits: { roomPasswordFailures: 3 } });
});
afterEach(async () => {
  await server.close();
});

describe('group rooms', () => {
  it('anyone can create a room and is its first member; names are unique whatever their case', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'room:create', { name: '  Book Club ' }));
    expect(room).toMatchObject({ kind: 'group', name: 'Book Club', protected: false, joined: true, memberCount: 1, lastSeq: 0, peer: null });

    const taken = await call(bob.socket, 'room:create', { name: 'book club' });
    expect(taken).toMatchObject({ ok: false, error: { code: 'conflict', fields: { name: 'is taken' } } });
  });

  it('everyone hears of a new room at once, as a room they could join', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobHears = nextEvent(bob.socket, 'room:created');
    const { room } = expectOk(await call(alice.socket, 'room:create', { name: 'Announced', password: 'hush hush' }));
    expect(await bobHears).toEqual({ ...room, joined: false, role: null });
  });

  it('a protected room asks for its password, and never shows it', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const created = await call(alice.socket, 'room:create', { name: 'Secret', password: 'open sesame' });
    const { room } = expectOk(created);
    expect(room.protected).toBe(true);
    expect(JSON.stringify(created)).not.toContain('sesame');

    const withoutPassword = await call(bob.socket, 'room:join', { roomId: room.id });
    expect(withoutPassword).toMatchObject({ ok: false, error: { code: 'bad_password' } });
    const wrongPassword = await call(bob.socket, 'room:join', { roomId: room.id, password: 'open barley' });
    expect(wrongPassword).toMatchObject({ ok: false, error: { code: 'bad_password' } });

    const joined = expectOk(await call(bob.socket, 'room:join', { roomId: room.id, password: 'open sesame' }));
    expect(joined.room).toMatchObject({ id: room.id, joined: true, memberCount: 2, protected: true });

    const listed = expectOk(await call(bob.socket, 'rooms:list', {}));
    expect(JSON.stringify(listed)).not.toMatch(/sesame|passwordHash|\$2[aby]\$/);
  });

  it('repeated wrong guesses are rate-limited, even with the right password afterwards', async () => {
    const alice = await server.signUpAndConnect();
    const mallory = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'room:create', { name: 'Vault', password: 'the real one' }));
    for (const guess of ['guess 1', 'guess 2', 'guess 3']) {
      expect(await call(mallory.socket, 'room:join', { roomId: room.id, password: guess })).toMatchObject({
        ok: false,
        error: { code: 'bad_password' },
      });
    }
    const blocked = await call(mallory.socket, 'room:join', { roomId: room.id, password: 'the real one' });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(await server.store.isMember(room.id, mallory.user.id)).toBe(false);
  });

  it('a member gets the history on joining, and both talk live', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'room:create', { name: 'Lobby' }));
    for (let i = 1; i <= 3; i++) {
      expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: `early-${i}`, body: `early ${i}` }));
    }

    const joined = expectOk(await call(bob.socket, 'room:join', { roomId: room.id }));
    // The history ends with the notice of his joining.
    expect(joined.messages.map((m) => m.notice?.change ?? m.body)).toEqual(['early 1', 'early 2', 'early 3', 'joined']);

    const aliceHears = nextEvent(alice.socket, 'message:new');
    expectOk(await call(bob.socket, 'message:send', { roomId: room.id, clientId: 'hello', body: 'hello all' }));
    expect(await aliceHears).toMatchObject({ body: 'hello all', seq: 5, author: bob.user });
  });

  it('joining a room you are in already succeeds and changes nothing', async () => {
    const alice = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'room:create', { name: 'Twice', password: 'pass word' }));
    const again = expectOk(await call(alice.socket, 'room:join', { roomId: room.id }));
    expect(again.room).toMatchObject({ id: room.id, joined: true, memberCount: 1 });
  });

  it('joining reaches all the member’s devices; leaving stops delivery', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobPhone = await server.connect(bob.token);
    const { room } = expectOk(await call(alice.socket, 'room:create', { name: 'Hikers' }));
    expectOk(await call(bob.socket, 'room:join', { roomId: room.id }));

    const phoneHears = nextEvent(bobPhone, 'message:new', (message) => message.kind === 'text');
    expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: 'a', body: 'trail at 9' }));
    expect((await phoneHears).body).toBe('trail at 9');

    expectOk(await call(bob.socket, 'room:leave', { roomId: room.id }));
    // What was sent before he left has come (the notice of his leaving among it).
    await Promise.all([drain(bob.socket), drain(bobPhone)]);
    const afterLeaving = [record(bob.socket, 'message:new'), record(bobPhone, 'message:new')];
    expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: 'b', body: 'bob left?' }));
    await Promise.all([drain(bob.socket), drain(bobPhone)]);
    expect(afterLeaving.flat()).toEqual([]);

    const leftAgain = await call(bob.socket, 'room:leave', { roomId: room.id });
    expect(leftAgain).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const sendAfterLeaving = await call(bob.socket, 'message:send', { roomId: room.id, clientId: 'c', body: 'hi' });
    expect(sendAfterLeaving).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('a direct chat cannot be left, nor joined by a third person', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const eve = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id }));
    expect(await call(alice.socket, 'room:leave', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(eve.socket, 'room:join', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await server.store.isMember(room.id, eve.user.id)).toBe(false);
  });

  it('rooms:list shows my rooms, direct ones with the other person; rooms:browse the groups I could join', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const mine = expectOk(await call(alice.socket, 'room:create', { name: 'Mine' })).room;
    const locked = expectOk(await call(bob.socket, 'room:create', { name: 'Locked', password: 'secret pw' })).room;
    const dm = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    const othersDm = expectOk(await call(bob.socket, 'dm:open', { userId: carol.user.id })).room;
    expectOk(await call(alice.socket, 'message:send', { roomId: mine.id, clientId: 'x', body: 'activity' }));

    const { rooms, nextCursor } = expectOk(await call(alice.socket, 'rooms:list', {}));
    // Mine, most recently active first: the room with a message, then the direct chat opened before it.
    expect(rooms.map((room) => room.id)).toEqual([mine.id, dm.id]);
    expect(nextCursor).toBeNull();
    expect(rooms[0]).toMatchObject({ joined: true, protected: false, memberCount: 1, lastSeq: 1 });
    expect(rooms[1]).toMatchObject({ kind: 'direct', joined: true, peer: bob.user });
    expect(Date.parse(rooms[0]!.lastActivityAt)).toBeGreaterThanOrEqual(Date.parse(mine.createdAt));

    const joinable = expectOk(await call(alice.socket, 'rooms:browse', {}));
    expect(joinable).toEqual({ ok: true, rooms: [{ ...locked, joined: false, role: null }], nextCursor: null });
    expect([...rooms, ...joinable.rooms].map((room) => room.id)).not.toContain(othersDm.id);
  });

  it('rooms:list pages my rooms by last activity with a cursor: each room once, in order, a room active meanwhile at the front', async () => {
    const alice = await server.signUpAndConnect();
    const created: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const { room } = expectOk(await call(alice.socket, 'room:create', { name: `Paged ${i}` }));
      expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: `p${i}`, body: `n${i}` }));
      created.push(room.id);
    }
    const newestFirst = [...created].reverse();

    const first = expectOk(await call(alice.socket, 'rooms:list', { limit: 3 }));
    expect(first.rooms.map((room) => room.id)).toEqual(newestFirst.slice(0, 3));
    // The oldest room speaks up between two pages: it moves to the front, and the pages after it do not repeat it.
    const revived = expectOk(await call(alice.socket, 'message:send', { roomId: created[0]!, clientId: 'again', body: 'back' }));
    const ids = first.rooms.map((room) => room.id);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = expectOk(await call(alice.socket, 'rooms:list', { limit: 3, cursor }));
      ids.push(...page.rooms.map((room) => room.id));
      cursor = page.nextCursor;
    }
    expect(ids).toEqual(newestFirst.slice(0, 6));
    const again = expectOk(await call(alice.socket, 'rooms:list', { limit: 100 }));
    expect(again.rooms.map((room) => room.id)).toEqual([created[0], ...newestFirst.slice(0, 6)]);
    expect(again.rooms[0]).toMatchObject({ lastSeq: 2, lastMessage: { id: revived.message.id } });
    expect(again.nextCursor).toBeNull();
  });

  it('rooms:list stops a page early rather than pass its byte limit, and the pages still hold every room once', async () => {
    await server.close();
    server = await TestServer.start({ limits: { roomCreationsPerWindow: 100 } });
    const alice = await server.signUpAndConnect();
    const rooms = 20;
    // Each room's last message is 4000 emoji, 16 KB of JSON: 20 of them do not fit in one page's 256 KiB.
    const body = '😀'.repeat(LIMITS.bodyMax);
    for (let i = 1; i <= rooms; i++) {
      const { room } = expectOk(await call(alice.socket, 'room:create', { name: `Heavy ${i}` }));
      expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: `h${i}`, body }));
    }
    const sizes: number[] = [];
    const seen: number[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await call(alice.socket, 'rooms:list', { limit: 100, ...(cursor && { cursor }) });
      sizes.push(Buffer.byteLength(JSON.stringify(page)));
      const { rooms: got, nextCursor } = expectOk(page);
      seen.push(...got.map((room) => room.id));
      cursor = nextCursor;
    } while (cursor !== null);
    expect(sizes.length).toBeGreaterThan(1);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(LIMITS.roomsPageBytesMax);
    expect(new Set(seen).size).toBe(rooms);
    expect(seen).toHaveLength(rooms);
  });

  it('rooms:browse pages the joinable rooms by name with a cursor', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    expectOk(await call(alice.socket, 'room:create', { name: 'Alpha' }));
    for (const name of ['Delta', 'Bravo', 'Echo', 'Charlie', 'Foxtrot']) expectOk(await call(bob.socket, 'room:create', { name }));

    const names: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = expectOk(await call(alice.socket, 'rooms:browse', { limit: 2, ...(cursor && { cursor }) }));
      expect(page.rooms.length).toBeLessThanOrEqual(2);
      names.push(...page.rooms.map((room) => room.name!));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(names).toEqual(['Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot']);
  });

  it('rooms:browse finds joinable rooms by the start of their name, ignoring case and width', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    for (const name of ['Book Club', 'Bookworms', 'Cookbook', 'Café Crème']) expectOk(await call(bob.socket, 'room:create', { name }));
    const search = async (query: string) =>
      expectOk(await call(alice.socket, 'rooms:browse', { query })).rooms.map((room) => room.name);

    expect(await search('book')).toEqual(['Book Club', 'Bookworms']);
    expect(await search('  BOOK C')).toEqual(['Book Club']);
    expect(await search('ＢＯＯＫ')).toEqual(['Book Club', 'Bookworms']);
    // A search finds names as they read: not a Cyrillic look-alike.
    expect(await search('Вооk')).toEqual([]);
    expect(await search('cafe\u0301')).toEqual(['Café Crème']);
    expect(await search('zzz')).toEqual([]);
    expect(await search('')).toEqual(['Book Club', 'Bookworms', 'Café Crème', 'Cookbook']);
  });

  it('both lists refuse a page size out of range, and a cursor they did not make, rather than guessing', async () => {
    const alice = await server.signUpAndConnect();
    const browseCursor = Buffer.from('["room",3]').toString('base64url');
    const listCursor = Buffer.from('[1764633600000,3]').toString('base64url');
    const foreign = { 'rooms:list': browseCursor, 'rooms:browse': listCursor };
    for (const event of ['rooms:list', 'rooms:browse'] as const) {
      for (const limit of [0, 101, 1.5]) {
        expect(await call(alice.socket, event, { limit })).toMatchObject({
          ok: false,
          error: { code: 'invalid', fields: { limit: expect.any(String) } },
        });
      }
      const badCursors = ['not base64!', Buffer.from('["room", -1]').toString('base64url'), 'bm9wZQ', foreign[event]];
      for (const cursor of badCursors) {
        expect(await call(alice.socket, event, { cursor })).toMatchObject({
          ok: false,
          error: { code: 'invalid', fields: { cursor: expect.any(String) } },
        });
      }
      expectOk(await call(alice.socket, event, { limit: 100 }));
    }
    expect(await call(alice.socket, 'rooms:browse', { query: 'x'.repeat(65) })).toMatchObject({
      ok: false,
      error: { code: 'invalid', fields: { query: expect.any(String) } },
    });
    expect(await call(alice.socket, 'rooms:list', { query: 'x' } as never)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expectOk(await call(alice.socket, 'rooms:list', { cursor: listCursor }));
    expectOk(await call(alice.socket, 'rooms:browse', { cursor: browseCursor }));
  });

  it('history pages backwards by seq, oldest first within a page, at most 100 at a time', async () => {
    const alice = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'room:create', { name: 'Archive' }));
    for (let i = 1; i <= 25; i++) {
      expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: `h${i}`, body: `n${i}` }));
    }
    const latest = expectOk(await call(alice.socket, 'room:history', { roomId: room.id, limit: 10 }));
    expect(latest.messages.map((m) => m.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    const older = expectOk(await call(alice.socket, 'room:history', { roomId: room.id, beforeSeq: 16, limit: 10 }));
    expect(older.messages.map((m) => m.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const oldest = expectOk(await call(alice.socket, 'room:history', { roomId: room.id, beforeSeq: 6, limit: 10 }));
    expect(oldest.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    const tooMany = await call(alice.socket, 'room:history', { roomId: room.id, limit: 101 });
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'invalid', fields: { limit: expect.any(String) } } });
  });
});
