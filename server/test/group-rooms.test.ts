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
    expect(await bobHears).toEqual({ ...room, joined: false });
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
    expect(joined.messages.map((m) => m.body)).toEqual(['early 1', 'early 2', 'early 3']);

    const aliceHears = nextEvent(alice.socket, 'message:new');
    expectOk(await call(bob.socket, 'message:send', { roomId: room.id, clientId: 'hello', body: 'hello all' }));
    expect(await aliceHears).toMatchObject({ body: 'hello all', seq: 4, author: bob.user });
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

    const phoneHears = nextEvent(bobPhone, 'message:new');
    expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: 'a', body: 'trail at 9' }));
    expect((await phoneHears).body).toBe('trail at 9');

    expectOk(await call(bob.socket, 'room:leave', { roomId: room.id }));
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

  it('rooms:list shows all my rooms, direct ones with the other person, and the groups I could join', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const mine = expectOk(await call(alice.socket, 'room:create', { name: 'Mine' })).room;
    const locked = expectOk(await call(bob.socket, 'room:create', { name: 'Locked', password: 'secret pw' })).room;
    const dm = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    const othersDm = expectOk(await call(bob.socket, 'dm:open', { userId: carol.user.id })).room;
    expectOk(await call(alice.socket, 'message:send', { roomId: mine.id, clientId: 'x', body: 'activity' }));

    const { rooms, joinable } = expectOk(await call(alice.socket, 'rooms:list', {}));
    // Mine, most recently active first: the room with a message, then the direct chat opened before it.
    expect(rooms?.map((room) => room.id)).toEqual([mine.id, dm.id]);
    expect(rooms?.[0]).toMatchObject({ joined: true, protected: false, memberCount: 1, lastSeq: 1 });
    expect(rooms?.[1]).toMatchObject({ kind: 'direct', joined: true, peer: bob.user });
    expect(Date.parse(rooms![0]!.lastActivityAt)).toBeGreaterThanOrEqual(Date.parse(mine.createdAt));
    expect(joinable).toEqual({ rooms: [{ ...locked, joined: false }], nextCursor: null });
    expect(JSON.stringify({ rooms, joinable })).not.toContain(String(othersDm.id) + ',"kind":"direct"');
    expect([...rooms!, ...joinable.rooms].map((room) => room.id)).not.toContain(othersDm.id);
  });

  it('rooms:list pages the joinable rooms by name with a cursor, my rooms coming with the first page only', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const mine = expectOk(await call(alice.socket, 'room:create', { name: 'Alpha' })).room;
    for (const name of ['Delta', 'Bravo', 'Echo', 'Charlie', 'Foxtrot']) expectOk(await call(bob.socket, 'room:create', { name }));

    const names: string[] = [];
    const first = expectOk(await call(alice.socket, 'rooms:list', { limit: 2 }));
    expect(first.rooms?.map((room) => room.id)).toEqual([mine.id]);
    names.push(...first.joinable.rooms.map((room) => room.name!));
    let cursor = first.joinable.nextCursor;
    while (cursor !== null) {
      const page = expectOk(await call(alice.socket, 'rooms:list', { limit: 2, cursor }));
      expect(page.rooms).toBeUndefined();
      names.push(...page.joinable.rooms.map((room) => room.name!));
      cursor = page.joinable.nextCursor;
    }
    expect(names).toEqual(['Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot']);
  });

  it('rooms:list finds joinable rooms by the start of their name, ignoring case and width', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    for (const name of ['Book Club', 'Bookworms', 'Cookbook', 'Café Crème']) expectOk(await call(bob.socket, 'room:create', { name }));
    const search = async (query: string) =>
      expectOk(await call(alice.socket, 'rooms:list', { query })).joinable.rooms.map((room) => room.name);

    expect(await search('book')).toEqual(['Book Club', 'Bookworms']);
    expect(await search('  BOOK C')).toEqual(['Book Club']);
    expect(await search('ＢＯＯＫ')).toEqual(['Book Club', 'Bookworms']);
    // A search finds names as they read: not a Cyrillic look-alike.
    expect(await search('Вооk')).toEqual([]);
    expect(await search('cafe\u0301')).toEqual(['Café Crème']);
    expect(await search('zzz')).toEqual([]);
    expect(await search('')).toEqual(['Book Club', 'Bookworms', 'Café Crème', 'Cookbook']);
  });

  it('rooms:list refuses a page size out of range, and a cursor it did not make, rather than guessing', async () => {
    const alice = await server.signUpAndConnect();
    for (const limit of [0, 101, 1.5]) {
      expect(await call(alice.socket, 'rooms:list', { limit })).toMatchObject({
        ok: false,
        error: { code: 'invalid', fields: { limit: expect.any(String) } },
      });
    }
    for (const cursor of ['not base64!', Buffer.from('["room", -1]').toString('base64url'), 'bm9wZQ']) {
      expect(await call(alice.socket, 'rooms:list', { cursor })).toMatchObject({
        ok: false,
        error: { code: 'invalid', fields: { cursor: expect.any(String) } },
      });
    }
    expect(await call(alice.socket, 'rooms:list', { query: 'x'.repeat(65) })).toMatchObject({
      ok: false,
      error: { code: 'invalid', fields: { query: expect.any(String) } },
    });
    expectOk(await call(alice.socket, 'rooms:list', { limit: 100 }));
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
