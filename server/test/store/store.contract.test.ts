import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message, PublicUser } from '@parley/protocol';
import {
  StoreConflictError,
  type AppendResult,
  type ActivityPosition,
  type RoomRecord,
  type Store,
  type UserRecord,
} from '../../src/store/store.js';
import { fullNameFold, personNameFold } from '../../src/users/name-fold.js';
import { drivers, type OpenedStore } from './drivers.js';

/** Every time in these tests is an offset from this instant, so nothing depends on the clock. */
const T0 = Date.parse('2024-03-01T12:00:00.000Z');
/** What a message that was never edited, deleted or reacted to, and answers none, carries. */
const UNCHANGED = { editedAt: null, deletedAt: null, changeSeq: 0, replyTo: null, reactions: [] };
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const isoAt = (seconds: number) => at(seconds).toISOString();
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const publicOf = (user: UserRecord): PublicUser => ({
  id: user.id,
  username: user.username,
  firstName: user.firstName,
  lastName: user.lastName,
});

const seqsOf = (messages: readonly Message[]) => messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const byId = <T extends { id: number }>(items: readonly T[]) => [...items].sort((a, b) => a.id - b.id);

async function expectConflict(promise: Promise<unknown>, constraint: StoreConflictError['constraint']) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreConflictError);
  expect((error as StoreConflictError).constraint).toBe(constraint);
}

describe.each(drivers)('Store contract: $name', (driver) => {
  if (driver.unavailable !== undefined) {
    // Reported as skipped, with the reason as its title, so a machine without that database still passes.
    it.skip(driver.unavailable, () => {});
    return;
  }

  let opened: OpenedStore;
  let store: Store;
  let clientIds = 0;

  beforeEach(async () => {
    opened = await driver.open();
    store = opened.store;
    clientIds = 0;
  });

  afterEach(async () => {
    await opened.cleanup();
  });

  // --- small helpers that tell the story ---------------------------------------------------------

  function createUser(
    username: string,
    createdAt = at(0),
    { firstName = `${username} First`, lastName = `${username} Last` }: { firstName?: string; lastName?: string } = {},
  ): Promise<UserRecord> {
    return store.createUser({
      username,
      usernameKey: username.toLowerCase(),
      firstName,
      lastName,
      fullNameFold: fullNameFold(firstName, lastName),
      lastNameFold: personNameFold(lastName),
      passwordHash: `hash-of-${username}`,
      createdAt,
    });
  }

  function createGroup(
    creator: UserRecord,
    name: string,
    options: { passwordHash?: string | null; createdAt?: Date } = {},
  ): Promise<RoomRecord> {
    return store.createGroupRoom({
      name,
      nameKey: name.toLowerCase(),
      nameFold: name.toLowerCase(),
      passwordHash: options.passwordHash ?? null,
      creatorId: creator.id,
      createdAt: options.createdAt ?? at(0),
    });
  }

  function say(
    room: { id: number },
    author: UserRecord,
    body: string,
    options: { clientId?: string; createdAt?: Date } = {},
  ): Promise<AppendResult> {
    return store.appendMessage({
      roomId: room.id,
      authorId: author.id,
      clientId: options.clientId ?? `client-${++clientIds}`,
      body,
      createdAt: options.createdAt ?? at(60),
    });
  }

  async function roomAs(room: { id: number }, viewer: UserRecord): Promise<RoomRecord> {
    const found = await store.findRoom(room.id, viewer.id);
    expect(found).not.toBeNull();
    return found!;
  }

  // --- users -------------------------------------------------------------------------------------

  describe('users', () => {
    it('creates a user and finds them by id and by username key', async () => {
      const alice = await createUser('Alice', at(1));

      expect(alice).toEqual({
        id: expect.any(Number),
        username: 'Alice',
        firstName: 'Alice First',
        lastName: 'Alice Last',
        passwordHash: 'hash-of-Alice',
        createdAt: isoAt(1),
        deleted: false,
      });
      expect(Number.isInteger(alice.id) && alice.id > 0).toBe(true);
      expect(alice.createdAt).toMatch(ISO_UTC);

      expect(await store.findUserById(alice.id)).toEqual(alice);
      expect(await store.findUserByUsernameKey('alice')).toEqual(alice);
    });

    it('finds nobody for an unknown id or username key', async () => {
      const alice = await createUser('Alice');
      expect(await store.findUserById(alice.id + 1000)).toBeNull();
      expect(await store.findUserByUsernameKey('bob')).toBeNull();
    });

    it('gives each user their own id', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      expect(bob.id).not.toBe(alice.id);
      expect((await store.findUserById(bob.id))?.username).toBe('Bob');
    });

    it('refuses a second user with the same username key as a username conflict', async () => {
      const alice = await createUser('Alice');

      await expectConflict(createUser('ALICE'), 'username');
      await expectConflict(createUser('alice'), 'username');

      expect(await store.listUsersPage({ limit: 10 })).toEqual([publicOf(alice)]);
      expect(await store.findUserByUsernameKey('alice')).toEqual(alice);
    });
  });

  describe('the directory, a page at a time', () => {
    it('pages everyone by username key, ignoring case, without password hashes', async () => {
      const charlie = await createUser('charlie');
      const bob = await createUser('Bob');
      const dave = await createUser('Dave');
      const alice = await createUser('alice');

      const first = await store.listUsersPage({ limit: 3 });
      expect(first).toEqual([alice, bob, charlie].map(publicOf));
      for (const user of first) expect(user).not.toHaveProperty('passwordHash');
      expect(await store.listUsersPage({ afterKey: 'charlie', limit: 3 })).toEqual([publicOf(dave)]);
      expect(await store.listUsersPage({ afterKey: 'dave', limit: 3 })).toEqual([]);
      // A key between two: the page starts at the next one, whoever came or went meanwhile.
      expect(await store.listUsersPage({ afterKey: 'b', limit: 1 })).toEqual([publicOf(bob)]);
    });

    it('lists nobody when there are no users', async () => {
      expect(await store.listUsersPage({ limit: 10 })).toEqual([]);
      expect(await store.listUsersPage({ prefix: 'a', limit: 10 })).toEqual([]);
    });

    it('finds people by the start of their username key, whole name or last name, each once, by username key', async () => {
      const ada = await createUser('ada', at(0), { firstName: 'Ada', lastName: 'Lovelace' });
      const zed = await createUser('zed', at(0), { firstName: 'Adam', lastName: 'Smith' });
      const emile = await createUser('ezola', at(0), { firstName: 'Émile', lastName: 'Zola' });
      const mara = await createUser('Mara', at(0), { firstName: 'Mara', lastName: 'Adams' });
      await createUser('bob', at(0), { firstName: 'Bob', lastName: 'Baker' });
      const page = (prefix: string, afterKey?: string, limit = 10) => store.listUsersPage({ prefix, afterKey, limit });

      // By username (ada), whole name (Ada…, Adam…) and last name (Adams); Ada matches twice and comes once.
      expect(await page('ada')).toEqual([ada, mara, zed].map(publicOf));
      expect(await page('ada lo')).toEqual([publicOf(ada)]);
      expect(await page('emile')).toEqual([publicOf(emile)]);
      expect(await page('zola')).toEqual([publicOf(emile)]);
      expect(await page('ez')).toEqual([publicOf(emile)]);
      expect(await page('smith')).toEqual([publicOf(zed)]);
      expect(await page('lovelace ada')).toEqual([]);
      expect(await page('q')).toEqual([]);

      // Pages within a search, by username key, after the last of the page before.
      expect(await page('ada', undefined, 2)).toEqual([ada, mara].map(publicOf));
      expect(await page('ada', 'mara', 2)).toEqual([publicOf(zed)]);
      expect(await page('ada', 'zed', 2)).toEqual([]);
    });

    it('finds the same people whichever index a prefix of one, two, three or more letters is read from', async () => {
      const ada = await createUser('ada', at(0), { firstName: 'Ada', lastName: 'Lovelace' });
      const zed = await createUser('zed', at(0), { firstName: 'Adam', lastName: 'Smith' });
      const mara = await createUser('Mara', at(0), { firstName: 'Mara', lastName: 'Adams' });
      const lou = await createUser('lou', at(0), { firstName: 'Lou', lastName: 'Reed' });
      const page = (prefix: string, afterKey?: string, limit = 10) => store.listUsersPage({ prefix, afterKey, limit });

      for (const prefix of ['l', 'lo']) expect(await page(prefix), prefix).toEqual([ada, lou].map(publicOf));
      for (const prefix of ['lov', 'love', 'lovelace']) expect(await page(prefix), prefix).toEqual([publicOf(ada)]);
      for (const prefix of ['a', 'ad', 'ada']) expect(await page(prefix), prefix).toEqual([ada, mara, zed].map(publicOf));
      expect(await page('adam')).toEqual([mara, zed].map(publicOf));
      expect(await page('adam', undefined, 1)).toEqual([publicOf(mara)]);
      expect(await page('adam', 'mara', 1)).toEqual([publicOf(zed)]);
      expect(await page('ada', 'mara', 1)).toEqual([publicOf(zed)]);
    });

    it('finds a name that starts with the last code point there is, whose prefix has no end', async () => {
      const top = await createUser('top', at(0), { firstName: 'Top', lastName: '\u{10FFFF}x' });
      await createUser('other', at(0), { firstName: 'Other', lastName: '\u{10FFFE}' });
      expect(await store.listUsersPage({ prefix: '\u{10FFFF}', limit: 10 })).toEqual([publicOf(top)]);
    });
  });

  // --- sessions ----------------------------------------------------------------------------------

  describe('sessions', () => {
    let alice: UserRecord;

    beforeEach(async () => {
      alice = await createUser('Alice');
    });

    function createSession(tokenHash: string, expiresAt: Date, userId = alice.id) {
      return store.createSession({ userId, tokenHash, createdAt: at(0), expiresAt, userAgent: 'test', address: '127.0.0.1' });
    }

    it('finds a live session with its user and expiry', async () => {
      await createSession('token-1', at(3600));

      const session = await store.findSession('token-1', at(10));

      expect(session).toEqual({
        id: expect.any(Number),
        userId: alice.id,
        expiresAt: at(3600),
        lastUsedAt: at(0),
        user: publicOf(alice),
      });
      expect(session!.expiresAt).toBeInstanceOf(Date);
      expect(session!.user).not.toHaveProperty('passwordHash');
    });

    it('finds nothing for an unknown token', async () => {
      await createSession('token-1', at(3600));
      expect(await store.findSession('token-2', at(10))).toBeNull();
    });

    it('treats a session as expired at and after its expiry', async () => {
      await createSession('token-1', at(3600));

      expect(await store.findSession('token-1', new Date(T0 + 3600_000 - 1))).not.toBeNull();
      expect(await store.findSession('token-1', at(3600))).toBeNull();
      expect(await store.findSession('token-1', at(7200))).toBeNull();
    });

    it('deletes a session, returning its id once and then null', async () => {
      await createSession('token-1', at(3600));
      await createSession('token-2', at(3600));
      const session = await store.findSession('token-1', at(10));

      expect(await store.deleteSession('token-1')).toBe(session!.id);
      expect(await store.deleteSession('token-1')).toBeNull();
      expect(await store.findSession('token-1', at(10))).toBeNull();
      expect(await store.findSession('token-2', at(10))).not.toBeNull();
    });

    it('returns null when deleting a session that never existed', async () => {
      expect(await store.deleteSession('no-such-token')).toBeNull();
    });

    it('deletes only the expired sessions and counts them', async () => {
      const bob = await createUser('Bob');
      await createSession('expired-long-ago', at(100));
      await createSession('expires-right-now', at(200), bob.id);
      await createSession('still-live', at(300));

      expect(await store.deleteExpiredSessions(at(200))).toBe(2);

      expect(await store.deleteSession('expired-long-ago')).toBeNull();
      expect(await store.deleteSession('expires-right-now')).toBeNull();
      expect(await store.findSession('still-live', at(250))).toEqual(
        expect.objectContaining({ userId: alice.id, expiresAt: at(300) }),
      );
      expect(await store.deleteExpiredSessions(at(200))).toBe(0);
    });

    it('keeps only the newest sessions of a user, returning the ids of those it deleted', async () => {
      const bob = await createUser('Bob');
      for (const token of ['a1', 'a2', 'a3', 'a4']) await createSession(token, at(3600));
      await createSession('b1', at(3600), bob.id);
      const ids = await Promise.all(['a1', 'a2'].map(async (token) => (await store.findSession(token, at(0)))!.id));

      expect((await store.deleteSessionsBeyond(alice.id, 2)).sort((x, y) => x - y)).toEqual(ids);

      expect(await store.findSession('a1', at(0))).toBeNull();
      expect(await store.findSession('a2', at(0))).toBeNull();
      expect(await store.findSession('a3', at(0))).not.toBeNull();
      expect(await store.findSession('a4', at(0))).not.toBeNull();
      // Other users' sessions are not counted and not touched.
      expect(await store.findSession('b1', at(0))).not.toBeNull();
      expect(await store.deleteSessionsBeyond(alice.id, 2)).toEqual([]);
      expect(await store.deleteSessionsBeyond(bob.id, 2)).toEqual([]);
    });
  });

  // --- accounts ----------------------------------------------------------------------------------

  describe('accounts', () => {
    let alice: UserRecord;
    let bob: UserRecord;

    beforeEach(async () => {
      alice = await createUser('Alice');
      bob = await createUser('Bob');
    });

    const session = (tokenHash: string, userId: number, seconds = 0) =>
      store.createSession({
        userId,
        tokenHash,
        createdAt: at(seconds),
        expiresAt: at(3600),
        userAgent: `agent ${tokenHash}`,
        address: '127.0.0.1',
      });

    it('lists a user’s live sessions newest first, with where they came from and when they were last used', async () => {
      await session('a1', alice.id, 1);
      await session('a2', alice.id, 2);
      await session('b1', bob.id, 3);
      const first = (await store.findSession('a1', at(10)))!;
      await store.touchSession(first.id, at(100));

      const listed = await store.listSessions(alice.id, at(10));

      expect(listed.map((s) => s.userAgent)).toEqual(['agent a2', 'agent a1']);
      expect(listed[1]).toEqual({ id: first.id, createdAt: at(1), lastUsedAt: at(100), userAgent: 'agent a1', address: '127.0.0.1' });
      expect((await store.findSession('a1', at(10)))!.lastUsedAt).toEqual(at(100));
      expect(await store.listSessions(alice.id, at(3600))).toEqual([]);
    });

    it('deletes one of a user’s sessions, never another user’s, and all but one', async () => {
      await session('a1', alice.id);
      await session('a2', alice.id);
      await session('a3', alice.id);
      await session('b1', bob.id);
      const [a1, a2, a3, b1] = await Promise.all(['a1', 'a2', 'a3', 'b1'].map(async (t) => (await store.findSession(t, at(0)))!.id));

      expect(await store.deleteUserSession(alice.id, b1!)).toBe(false);
      expect(await store.deleteUserSession(alice.id, a1!)).toBe(true);
      expect(await store.deleteUserSession(alice.id, a1!)).toBe(false);
      expect(await store.deleteSessionsExcept(alice.id, a3!)).toEqual([a2]);
      expect((await store.listSessions(alice.id, at(0))).map((s) => s.id)).toEqual([a3]);
      expect(await store.findSession('b1', at(0))).not.toBeNull();
    });

    it('renames a user, and their messages and direct chats show the new name', async () => {
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(1));
      await say(room, alice, 'hello');

      const renamed = await store.updateUserName(alice.id, {
        firstName: 'Alicia',
        lastName: 'Keys',
        fullNameFold: fullNameFold('Alicia', 'Keys'),
        lastNameFold: personNameFold('Keys'),
      });

      expect(renamed).toEqual({ id: alice.id, username: 'Alice', firstName: 'Alicia', lastName: 'Keys' });
      expect((await store.listMessages(room.id, { limit: 10 }))[0]!.author).toEqual(renamed);
      expect((await roomAs(room, bob)).peer).toEqual(renamed);
      expect((await store.listUsersPage({ prefix: 'keys', limit: 10 })).map((u) => u.id)).toEqual([alice.id]);
    });

    it('deletes an account: "Deleted user", no sessions, out of the directory, its direct chats closed, its username taken until released', async () => {
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(1));
      await say(room, alice, 'hello');
      await session('a1', alice.id);
      const a1 = (await store.findSession('a1', at(0)))!.id;

      expect(await store.deleteUser(alice.id, at(100))).toEqual([a1]);
      expect(await store.deleteUser(alice.id, at(101))).toBeNull();

      const gone = (await store.findUserById(alice.id))!;
      expect(gone).toMatchObject({ firstName: 'Deleted', lastName: 'user', deleted: true, passwordHash: '' });
      expect((await store.listMessages(room.id, { limit: 10 }))[0]!.author).toMatchObject({ firstName: 'Deleted', lastName: 'user' });
      expect(await store.findSession('a1', at(0))).toBeNull();
      // A session a log-in racing the deletion made is no session.
      await session('late', alice.id);
      expect(await store.findSession('late', at(0))).toBeNull();
      expect((await store.listUsersPage({ limit: 10 })).map((u) => u.id)).toEqual([bob.id]);
      expect(await store.listUsersPage({ prefix: 'ali', limit: 10 })).toEqual([]);
      expect(await store.sendStanding(room.id, bob.id)).toBe('closed');
      expect(await store.updateUserName(alice.id, { firstName: 'A', lastName: 'B', fullNameFold: 'a b', lastNameFold: 'b' })).toBeNull();

      await expectConflict(createUser('alice'), 'username');
      expect(await store.releaseDeletedUsernames(at(100))).toBe(0);
      expect(await store.releaseDeletedUsernames(at(101))).toBe(1);
      expect(await store.findUserByUsernameKey('alice')).toBeNull();
      expect((await createUser('alice')).username).toBe('alice');
      expect(await store.releaseDeletedUsernames(at(1000))).toBe(0);
    });

    it('names a deleted account "Deleted user" in the notices of its joining and leaving, the last one of a room included', async () => {
      const general = await createGroup(bob, 'General');
      const lounge = await createGroup(bob, 'Lounge');
      const change = (room: RoomRecord, kind: 'joined' | 'left') =>
        store.changeMembership({ roomId: room.id, user: publicOf(alice), actorId: alice.id, change: kind, at: at(1) });
      await change(general, 'joined');
      await say(general, bob, 'welcome');
      await change(lounge, 'joined');
      await change(lounge, 'left');

      await store.deleteUser(alice.id, at(2));

      const gone = { id: alice.id, username: `~${alice.id}`, firstName: 'Deleted', lastName: 'user' };
      const notices = async (room: RoomRecord) =>
        (await store.listMessages(room.id, { limit: 10 })).filter((m) => m.notice).map((m) => m.notice);
      expect(await notices(general)).toEqual([{ change: 'joined', user: gone }]);
      expect(await notices(lounge)).toEqual([
        { change: 'joined', user: gone },
        { change: 'left', user: gone },
      ]);
      expect((await roomAs(lounge, bob)).lastMessage?.notice).toEqual({ change: 'left', user: gone });
      expect((await roomAs(general, bob)).lastMessage?.body).toBe('welcome');
    });
  });

  // --- blocks ------------------------------------------------------------------------------------

  describe('blocks', () => {
    let alice: UserRecord;
    let bob: UserRecord;
    let carol: UserRecord;

    beforeEach(async () => {
      alice = await createUser('Alice');
      bob = await createUser('Bob');
      carol = await createUser('Carol');
    });

    it('closes the pair’s direct chat to sending both ways while a block stands either way, and opens it when none is left', async () => {
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(1));
      expect(await store.sendStanding(room.id, alice.id)).toBe('member');

      expect(await store.setBlock(alice.id, bob.id, true, at(2), 10)).toBe(true);
      expect(await store.setBlock(alice.id, bob.id, true, at(3), 10)).toBe(false);
      expect(await store.sendStanding(room.id, alice.id)).toBe('closed');
      expect(await store.sendStanding(room.id, bob.id)).toBe('closed');
      expect(await store.sendStanding(room.id, carol.id)).toBeNull();

      await store.setBlock(bob.id, alice.id, true, at(4), 10);
      await store.setBlock(alice.id, bob.id, false, at(5), 10);
      expect(await store.sendStanding(room.id, alice.id)).toBe('closed');
      expect(await store.setBlock(bob.id, alice.id, false, at(6), 10)).toBe(true);
      expect(await store.setBlock(bob.id, alice.id, false, at(6), 10)).toBe(false);
      expect(await store.sendStanding(room.id, alice.id)).toBe('member');
      expect(await store.sendStanding(room.id, bob.id)).toBe('member');
    });

    it('opens a direct chat closed when a block already stands', async () => {
      await store.setBlock(bob.id, alice.id, true, at(1), 10);
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(2));
      expect(await store.sendStanding(room.id, alice.id)).toBe('closed');
      // Other pairs are not touched.
      const other = (await store.openDirectRoom(alice.id, carol.id, at(3))).room;
      expect(await store.sendStanding(other.id, alice.id)).toBe('member');
    });

    it('lists whom a user blocked, newest first, and the blocks both ways', async () => {
      await store.setBlock(alice.id, bob.id, true, at(1), 10);
      await store.setBlock(alice.id, carol.id, true, at(2), 10);
      await store.setBlock(carol.id, alice.id, true, at(3), 10);

      expect(await store.listBlocked(alice.id)).toEqual([publicOf(carol), publicOf(bob)]);
      expect(await store.blockRelationsOf(alice.id)).toEqual({ blockedByMe: expect.arrayContaining([bob.id, carol.id]), blockedMe: [carol.id] });
      expect(await store.blockRelationsOf(bob.id)).toEqual({ blockedByMe: [], blockedMe: [alice.id] });
    });

    it('sets no block on an account deleted, and a chat opened with one is closed', async () => {
      await store.deleteUser(bob.id, at(1));
      expect(await store.setBlock(alice.id, bob.id, true, at(2), 10)).toBe(false);
      expect(await store.listBlocked(alice.id)).toEqual([]);
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(3));
      expect(await store.sendStanding(room.id, alice.id)).toBe('closed');
    });

    it('leaves the chat closed whatever the order of a block, its lifting, a chat opened and an account deleted, all at once', async () => {
      const dave = await createUser('Dave');
      await Promise.all([
        store.setBlock(alice.id, bob.id, true, at(1), 10),
        store.openDirectRoom(alice.id, bob.id, at(1)),
        store.setBlock(bob.id, alice.id, true, at(1), 10),
        store.openDirectRoom(carol.id, dave.id, at(1)),
        store.deleteUser(dave.id, at(1)),
      ]);
      const ab = (await store.openDirectRoom(bob.id, alice.id, at(2))).room;
      const cd = (await store.openDirectRoom(carol.id, dave.id, at(2))).room;
      expect(await store.sendStanding(ab.id, alice.id)).toBe('closed');
      expect(await store.sendStanding(cd.id, carol.id)).toBe('closed');
      await Promise.all([store.setBlock(alice.id, bob.id, false, at(3), 10), store.setBlock(bob.id, alice.id, false, at(3), 10)]);
      expect(await store.sendStanding(ab.id, bob.id)).toBe('member');
    });

    it('refuses a block beyond the most, even when they come at once', async () => {
      const others = await Promise.all(['D1', 'D2', 'D3', 'D4', 'D5'].map((name) => createUser(name)));
      const outcomes = await Promise.allSettled(others.map((other) => store.setBlock(alice.id, other.id, true, at(1), 3)));

      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
      for (const refused of outcomes.filter((o) => o.status === 'rejected')) {
        expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflictError);
      }
      expect(await store.listBlocked(alice.id)).toHaveLength(3);
      // Lifting one makes room for another.
      expect(await store.setBlock(alice.id, (await store.listBlocked(alice.id))[0]!.id, false, at(2), 3)).toBe(true);
      expect(await store.setBlock(alice.id, bob.id, true, at(3), 3)).toBe(true);
    });
  });

  // --- group rooms -------------------------------------------------------------------------------

  describe('group rooms', () => {
    it('creates a group with its creator as the only member', async () => {
      const alice = await createUser('Alice');

      const room = await createGroup(alice, 'General', { createdAt: at(5) });

      expect(room).toEqual({
        id: expect.any(Number),
        kind: 'group',
        name: 'General',
        passwordHash: null,
        memberCount: 1,
        lastSeq: 0,
        lastActivityAt: isoAt(5),
        createdAt: isoAt(5),
        joined: true,
        peer: null,
        lastReadSeq: 0,
        unread: 0,
        muted: false,
        lastMessage: null,
        peerLastReadSeq: null,
        role: 'owner',
        changeSeq: 0,
      });
      expect(await store.isMember(room.id, alice.id)).toBe(true);
      expect(await store.findRoom(room.id, alice.id)).toEqual(room);
    });

    it('stores the password hash as given', async () => {
      const alice = await createUser('Alice');

      const room = await createGroup(alice, 'Secret', { passwordHash: 'hash-of-door-password' });

      expect(room.passwordHash).toBe('hash-of-door-password');
      expect((await roomAs(room, alice)).passwordHash).toBe('hash-of-door-password');
    });

    it('refuses a second group with the same name key as a room_name conflict', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const general = await createGroup(alice, 'General');

      await expectConflict(createGroup(bob, 'GENERAL'), 'room_name');

      // The refused room left nothing behind: Bob is in no room, and only one group is there to join.
      expect(await store.roomIdsOf(bob.id)).toEqual([]);
      expect((await store.listJoinableRooms(bob.id, { limit: 10 })).rooms.map((r) => r.id)).toEqual([general.id]);
    });

    it('finds a group room by its name key', async () => {
      const alice = await createUser('Alice');
      const general = await createGroup(alice, 'General');

      expect(await store.findRoomIdByNameKey('general')).toBe(general.id);
      expect(await store.findRoomIdByNameKey('gen')).toBeNull();
    });

    it('counts the group rooms a user created, not the ones they joined or their direct rooms', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      await createGroup(alice, 'One');
      await createGroup(alice, 'Two');
      const bobs = await createGroup(bob, 'Three');
      await store.addMember(bobs.id, alice.id, at(1));
      await store.openDirectRoom(alice.id, bob.id, at(2));

      expect(await store.countGroupRoomsCreatedBy(alice.id)).toBe(2);
      expect(await store.countGroupRoomsCreatedBy(bob.id)).toBe(1);
    });

    it('refuses a room beyond the creator quota, even when many are created at once', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      await createGroup(alice, 'First');

      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          store.createGroupRoom({
            name: `Room ${i}`,
            nameKey: `room ${i}`,
            nameFold: `room ${i}`,
            passwordHash: null,
            creatorId: alice.id,
            createdAt: at(i),
            creatorRoomsMax: 3,
          }),
        ),
      );

      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(2);
      for (const attempt of attempts) {
        if (attempt.status === 'rejected') {
          expect(attempt.reason).toBeInstanceOf(StoreConflictError);
          expect((attempt.reason as StoreConflictError).constraint).toBe('rooms_per_creator');
        }
      }
      expect(await store.countGroupRoomsCreatedBy(alice.id)).toBe(3);
      expect(await store.roomIdsOf(alice.id)).toHaveLength(3);
      // Another creator has a quota of their own.
      const bobs = await store.createGroupRoom({
        name: 'Bob Room', nameKey: 'bob room', nameFold: 'bob room', passwordHash: null, creatorId: bob.id, createdAt: at(9), creatorRoomsMax: 3,
      });
      expect(bobs.name).toBe('Bob Room');
    });
  });

  // --- direct rooms ------------------------------------------------------------------------------

  describe('direct rooms', () => {
    it('opens the one direct room between two users, whichever of them asks', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');

      const first = await store.openDirectRoom(alice.id, bob.id, at(7));
      expect(first.created).toBe(true);
      expect(first.room).toEqual({
        id: expect.any(Number),
        kind: 'direct',
        name: null,
        passwordHash: null,
        memberCount: 2,
        lastSeq: 0,
        lastActivityAt: isoAt(7),
        createdAt: isoAt(7),
        joined: true,
        peer: publicOf(bob),
        lastReadSeq: 0,
        unread: 0,
        muted: false,
        lastMessage: null,
        peerLastReadSeq: 0,
        role: 'member',
        changeSeq: 0,
      });

      const reversed = await store.openDirectRoom(bob.id, alice.id, at(8));
      expect(reversed.created).toBe(false);
      expect(reversed.room.id).toBe(first.room.id);
      expect(reversed.room.peer).toEqual(publicOf(alice));
      expect(reversed.room.createdAt).toBe(isoAt(7));

      const again = await store.openDirectRoom(alice.id, bob.id, at(9));
      expect(again.created).toBe(false);
      expect(again.room.id).toBe(first.room.id);
    });

    it('makes both users members, each seeing the other as the peer', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(1));

      expect(await store.isMember(room.id, alice.id)).toBe(true);
      expect(await store.isMember(room.id, bob.id)).toBe(true);
      expect(await store.roomIdsOf(alice.id)).toEqual([room.id]);
      expect(await store.roomIdsOf(bob.id)).toEqual([room.id]);

      expect((await roomAs(room, alice)).peer).toEqual(publicOf(bob));
      expect((await roomAs(room, bob)).peer).toEqual(publicOf(alice));
    });

    it("knows the last seq and change counter of each of a user's rooms, and only of theirs", async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const carol = await createUser('Carol');
      const { room: direct } = await store.openDirectRoom(alice.id, bob.id, at(1));
      const quiet = await createGroup(alice, 'Quiet');
      const elsewhere = await createGroup(carol, 'Elsewhere');
      await say(direct, alice, 'one');
      await say(direct, bob, 'two');
      await say(elsewhere, carol, 'not hers');

      const [first] = await store.listMessages(direct.id, { limit: 1 });
      await store.setReaction({ messageId: first!.id, userId: bob.id, emoji: '👍', on: true, at: at(5), emojiMax: 20 });

      expect(await store.roomCountersOf(alice.id)).toEqual(
        new Map([
          [direct.id, { lastSeq: 2, changeSeq: 1 }],
          [quiet.id, { lastSeq: 0, changeSeq: 0 }],
        ]),
      );
      expect(await store.roomCountersOf(bob.id)).toEqual(new Map([[direct.id, { lastSeq: 2, changeSeq: 1 }]]));
    });

    it('gives each pair of users its own room', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const carol = await createUser('Carol');

      const withBob = await store.openDirectRoom(alice.id, bob.id, at(1));
      const withCarol = await store.openDirectRoom(alice.id, carol.id, at(1));

      expect(withCarol.created).toBe(true);
      expect(withCarol.room.id).not.toBe(withBob.room.id);
      expect(withCarol.room.peer).toEqual(publicOf(carol));
      expect(await store.isMember(withCarol.room.id, bob.id)).toBe(false);
    });

    it('creates exactly one room when many callers open it at once', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0 ? store.openDirectRoom(alice.id, bob.id, at(i)) : store.openDirectRoom(bob.id, alice.id, at(i)),
        ),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      const ids = new Set(results.map((r) => r.room.id));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      expect(await store.roomIdsOf(alice.id)).toEqual([id]);
      expect(await store.roomIdsOf(bob.id)).toEqual([id]);
      expect((await store.findRoom(id!, alice.id))?.memberCount).toBe(2);
      for (const [i, result] of results.entries()) {
        expect(result.room.peer).toEqual(publicOf(i % 2 === 0 ? bob : alice));
      }
    });
  });

  // --- finding and listing rooms -----------------------------------------------------------------

  describe('finding rooms', () => {
    it('shows a group to a non-member as not joined', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const room = await createGroup(alice, 'General');

      expect(await store.findRoom(room.id, bob.id)).toEqual({ ...room, joined: false, role: null });
    });

    it('finds nothing for a room id that does not exist', async () => {
      const alice = await createUser('Alice');
      const room = await createGroup(alice, 'General');

      expect(await store.findRoom(room.id + 1000, alice.id)).toBeNull();
    });

    it("lists the viewer's own rooms, direct and group, most recently active first, and nobody else's", async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const carol = await createUser('Carol');
      const aliceAndBob = (await store.openDirectRoom(alice.id, bob.id, at(1))).room;
      const bobAndCarol = (await store.openDirectRoom(bob.id, carol.id, at(2))).room;
      const aliceClub = await createGroup(alice, 'Alice Club', { createdAt: at(3) });
      const bobClub = await createGroup(bob, 'Bob Club', { createdAt: at(4), passwordHash: 'hash' });
      const joined = await createGroup(carol, 'Carol Club', { createdAt: at(5) });
      await store.addMember(joined.id, alice.id, at(6));
      const { message: latest } = await say(aliceAndBob, bob, 'latest', { createdAt: at(10) });

      const mine = await store.listMemberRoomsPage(alice.id, { limit: 100 });

      expect(mine).toEqual([
        {
          ...aliceAndBob,
          lastSeq: 1,
          lastActivityAt: isoAt(10),
          peer: publicOf(bob),
          unread: 1,
          lastMessage: latest,
          peerLastReadSeq: 1,
        },
        { ...joined, joined: true, memberCount: 2, role: 'member' },
        { ...aliceClub, joined: true },
      ]);
      expect(mine.map((r) => r.id)).not.toContain(bobAndCarol.id);
      expect(mine.map((r) => r.id)).not.toContain(bobClub.id);
      expect((await store.listMemberRoomsPage(carol.id, { limit: 100 })).find((r) => r.id === bobAndCarol.id)?.peer).toEqual(publicOf(bob));
    });

    it("lists the viewer's rooms but those named, the most recently active up to a limit, as the full list shows them", async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const rooms = [];
      for (let i = 0; i < 5; i++) rooms.push(await createGroup(alice, `Club ${i}`, { createdAt: at(i) }));
      const direct = (await store.openDirectRoom(bob.id, alice.id, at(9))).room;
      await store.addMember(rooms[1]!.id, bob.id, at(10));
      await say(rooms[1]!, bob, 'late news', { clientId: 'late', createdAt: at(20) });
      const all = await store.listMemberRoomsPage(alice.id, { limit: 100 });
      const byId = new Map(all.map((room) => [room.id, room]));

      const except = [rooms[0]!.id, rooms[3]!.id, 424242];
      expect(await store.listMemberRooms(alice.id, { except, limit: 10 })).toEqual(
        [rooms[1]!, direct, rooms[4]!, rooms[2]!].map((room) => byId.get(room.id)),
      );
      expect(await store.listMemberRooms(alice.id, { except, limit: 2 })).toEqual([rooms[1]!, direct].map((room) => byId.get(room.id)));
      expect(await store.listMemberRooms(alice.id, { except: [], limit: 10 })).toEqual(all);
      expect(await store.listMemberRooms(alice.id, { except: all.map((room) => room.id), limit: 10 })).toEqual([]);
    });

    it("pages the viewer's rooms by activity then id, both descending, each room once, ties included", async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const rooms = [];
      // Three rooms share one activity time: the id decides between them, on both sides of a page's end.
      for (let i = 0; i < 7; i++) rooms.push(await createGroup(alice, `Paged ${i}`, { createdAt: at(i < 3 ? 1 : i) }));
      await createGroup(bob, 'Not mine', { createdAt: at(50) });
      const all = await store.listMemberRoomsPage(alice.id, { limit: 100 });
      const expected = [...rooms].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id - a.id);
      expect(all.map((room) => room.id)).toEqual(expected.map((room) => room.id));

      const paged: RoomRecord[] = [];
      let after: ActivityPosition | undefined;
      for (;;) {
        const page = await store.listMemberRoomsPage(alice.id, { after, limit: 2 });
        paged.push(...page);
        const last = page.at(-1);
        if (page.length < 2 || !last) break;
        after = { activityMs: Date.parse(last.lastActivityAt), id: last.id };
      }
      expect(paged).toEqual(all);
      expect(await store.listMemberRoomsPage(alice.id, { after: { activityMs: 0, id: 1 }, limit: 10 })).toEqual([]);
    });

    it('lists the groups the viewer could join by folded name, never a direct room or one they are in', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const carol = await createUser('Carol');
      await store.openDirectRoom(bob.id, carol.id, at(1));
      const zebra = await createGroup(bob, 'Zebra', { createdAt: at(2) });
      await createGroup(alice, 'Mine', { createdAt: at(3) });
      const apple = await createGroup(carol, 'Apple', { createdAt: at(4), passwordHash: 'hash' });
      const joined = await createGroup(carol, 'Joined', { createdAt: at(5) });
      await store.addMember(joined.id, alice.id, at(6));

      const page = await store.listJoinableRooms(alice.id, { limit: 10 });

      expect(page).toEqual({ rooms: [{ ...apple, joined: false, role: null }, { ...zebra, joined: false, role: null }], next: null });
    });

    it('pages the joinable groups: each page continues after the (folded name, id) the one before ended on', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const rooms = new Map<string, RoomRecord>();
      for (const name of ['e', 'a', 'd', 'c', 'b']) rooms.set(name, await createGroup(bob, name));

      const first = await store.listJoinableRooms(alice.id, { limit: 2 });
      expect(first.rooms.map((r) => r.name)).toEqual(['a', 'b']);
      expect(first.next).toEqual({ nameFold: 'b', id: rooms.get('b')!.id });
      const second = await store.listJoinableRooms(alice.id, { limit: 2, after: first.next! });
      expect(second.rooms.map((r) => r.name)).toEqual(['c', 'd']);
      const last = await store.listJoinableRooms(alice.id, { limit: 2, after: second.next! });
      expect(last).toEqual({ rooms: [expect.objectContaining({ name: 'e' })], next: null });
      // A page that ends exactly on the last room says so, rather than promising an empty page.
      expect((await store.listJoinableRooms(alice.id, { limit: 5 })).next).toBeNull();
    });

    it('orders rooms with one folded name by id, and pages through them without losing one', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      // Only rooms from before name keys were skeletons can share a folded name; the store does not mind.
      const twins = [];
      for (const key of ['twin 1', 'twin 2', 'twin 3']) {
        twins.push(await store.createGroupRoom({ name: 'Twin', nameKey: key, nameFold: 'twin', passwordHash: null, creatorId: bob.id, createdAt: at(1) }));
      }
      const first = await store.listJoinableRooms(alice.id, { limit: 2 });
      const rest = await store.listJoinableRooms(alice.id, { limit: 2, after: first.next! });
      expect([...first.rooms, ...rest.rooms].map((r) => r.id)).toEqual(twins.map((r) => r.id));
      expect(rest.next).toBeNull();
    });

    it('finds joinable groups whose folded name starts with a prefix, beyond ASCII too', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const names = ['book club', 'book', 'books', 'bool', 'boo', 'bon', 'café', 'cafe', 'caf\u{10FFFF}', 'cag', 'ça'];
      for (const name of names) await createGroup(bob, name);
      const matching = async (namePrefix: string, limit = 20) =>
        (await store.listJoinableRooms(alice.id, { namePrefix, limit })).rooms.map((r) => r.name);

      expect(await matching('book')).toEqual(['book', 'book club', 'books']);
      expect(await matching('boo')).toEqual(['boo', 'book', 'book club', 'books', 'bool']);
      expect(await matching('caf')).toEqual(['cafe', 'café', 'caf\u{10FFFF}']);
      expect(await matching('café')).toEqual(['café']);
      expect(await matching('ç')).toEqual(['ça']);
      expect(await matching('nothing')).toEqual([]);

      const first = await store.listJoinableRooms(alice.id, { namePrefix: 'boo', limit: 2 });
      const rest = await store.listJoinableRooms(alice.id, { namePrefix: 'boo', limit: 10, after: first.next! });
      expect([...first.rooms, ...rest.rooms].map((r) => r.name)).toEqual(['boo', 'book', 'book club', 'books', 'bool']);
    });

    it('lists a group the viewer has left as joinable again', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const room = await createGroup(alice, 'General');
      await store.addMember(room.id, bob.id, at(1));
      await store.removeMember(room.id, alice.id);

      expect(await store.listMemberRoomsPage(alice.id, { limit: 100 })).toEqual([]);
      const { rooms } = await store.listJoinableRooms(alice.id, { limit: 10 });
      expect(rooms).toEqual([expect.objectContaining({ id: room.id, joined: false, memberCount: 1 })]);
    });
  });

  // --- membership --------------------------------------------------------------------------------

  describe('membership', () => {
    it('adds a member once: true, then false', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const room = await createGroup(alice, 'General');

      expect(await store.isMember(room.id, bob.id)).toBe(false);
      expect(await store.addMember(room.id, bob.id, at(1))).toBe(true);
      expect(await store.addMember(room.id, bob.id, at(2))).toBe(false);

      expect(await store.isMember(room.id, bob.id)).toBe(true);
      const asBob = await roomAs(room, bob);
      expect(asBob.memberCount).toBe(2);
      expect(asBob.joined).toBe(true);
    });

    it('removes a member once: true, then false', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const room = await createGroup(alice, 'General');
      await store.addMember(room.id, bob.id, at(1));

      expect(await store.removeMember(room.id, bob.id)).toBe(true);
      expect(await store.removeMember(room.id, bob.id)).toBe(false);

      expect(await store.isMember(room.id, bob.id)).toBe(false);
      expect(await store.isMember(room.id, alice.id)).toBe(true);
      expect((await roomAs(room, alice)).memberCount).toBe(1);
    });

    it('records a change of membership with its notice, the room’s next seq, in one go; nothing when nothing changes', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const room = await createGroup(alice, 'General');
      await say(room, alice, 'before Bob');
      const change = (kind: 'joined' | 'left' | 'removed', user: UserRecord, actor: UserRecord, t: number) =>
        store.changeMembership({ roomId: room.id, user: publicOf(user), actorId: actor.id, change: kind, at: at(t) });

      const joined = await change('joined', bob, bob, 2);
      expect(joined).toEqual({
        memberCount: 2,
        newOwnerId: null,
        notice: {
          id: expect.any(Number),
          roomId: room.id,
          seq: 2,
          kind: 'system',
          authorId: bob.id,
          author: publicOf(bob),
          body: '',
          notice: { change: 'joined', user: publicOf(bob) },
          clientId: `notice.${room.id}.2`,
          createdAt: isoAt(2),
          ...UNCHANGED,
        },
      });
      expect(await change('joined', bob, bob, 3)).toBeNull();
      // The joiner has read up to their own notice; the others have it unread, as any message.
      expect(await roomAs(room, bob)).toMatchObject({ memberCount: 2, lastSeq: 2, lastReadSeq: 2, unread: 0, lastMessage: joined!.notice });
      expect(await roomAs(room, alice)).toMatchObject({ lastSeq: 2, unread: 1, lastMessage: joined!.notice });

      const removed = await change('removed', bob, alice, 4);
      expect(removed).toMatchObject({ memberCount: 1, notice: { seq: 3, authorId: alice.id, notice: { change: 'removed', user: publicOf(bob) } } });
      expect(await change('left', bob, bob, 5)).toBeNull();
      expect(await store.isMember(room.id, bob.id)).toBe(false);
      // The remover's marker moves to the notice, as a sender's does.
      expect(await roomAs(room, alice)).toMatchObject({ lastSeq: 3, lastReadSeq: 3, unread: 0 });
      expect((await store.listMessages(room.id, { limit: 10 })).map((m) => [m.seq, m.kind, m.notice?.change ?? m.body])).toEqual([
        [1, 'text', 'before Bob'],
        [2, 'system', 'joined'],
        [3, 'system', 'removed'],
      ]);
      expect(await store.changeMembership({ roomId: 999_999, user: publicOf(bob), actorId: bob.id, change: 'joined', at: at(6) })).toBeNull();
    });

    it('gives changes of membership and messages sent at once gap-free seqs, each change counted once', async () => {
      const alice = await createUser('Alice');
      const room = await createGroup(alice, 'General');
      const people = await Promise.all(range(1, 6).map((i) => createUser(`Joiner${i}`)));
      const outcomes = await Promise.all([
        ...people.map((person, i) =>
          store.changeMembership({ roomId: room.id, user: publicOf(person), actorId: person.id, change: 'joined', at: at(i) }),
        ),
        ...range(1, 10).map((i) => say(room, alice, `message ${i}`, { clientId: `m-${i}` })),
        // The same person twice at once: one of the two changes it.
        store.changeMembership({ roomId: room.id, user: publicOf(people[0]!), actorId: people[0]!.id, change: 'joined', at: at(9) }),
      ]);
      expect(outcomes.filter((outcome) => outcome === null)).toHaveLength(1);
      const stored = await store.listMessages(room.id, { limit: 100 });
      expect(stored.map((m) => m.seq)).toEqual(range(1, 16));
      expect(stored.filter((m) => m.kind === 'system')).toHaveLength(6);
      expect((await roomAs(room, alice)).memberCount).toBe(7);
      const counts = outcomes.flatMap((outcome) => (outcome && 'memberCount' in outcome ? [outcome.memberCount] : []));
      expect(counts.sort((a, b) => a - b)).toEqual(range(2, 7));
    });

    it('answers many membership checks asked at once, each for its own room and user', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const general = await createGroup(alice, 'General');
      const random = await createGroup(bob, 'Random');
      const { room: direct } = await store.openDirectRoom(alice.id, bob.id, at(1));
      const checks = [
        [general, alice, true],
        [general, bob, false],
        [random, alice, false],
        [random, bob, true],
        [direct, alice, true],
        [direct, bob, true],
        [{ id: 987_654 }, alice, false],
        [general, alice, true],
      ] as const;

      const answers = await Promise.all(checks.map(([room, user]) => store.isMember(room.id, user.id)));

      expect(answers).toEqual(checks.map(([, , member]) => member));
    });

    it("lists the ids of a user's rooms, and only theirs", async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const carol = await createUser('Carol');
      const general = await createGroup(alice, 'General');
      const random = await createGroup(bob, 'Random');
      const quiet = await createGroup(carol, 'Quiet');
      const direct = (await store.openDirectRoom(bob.id, alice.id, at(1))).room;
      await store.addMember(random.id, alice.id, at(2));

      expect([...(await store.roomIdsOf(alice.id))].sort((a, b) => a - b)).toEqual(
        [general.id, random.id, direct.id].sort((a, b) => a - b),
      );
      expect(await store.roomIdsOf(carol.id)).toEqual([quiet.id]);

      await store.removeMember(random.id, alice.id);
      expect([...(await store.roomIdsOf(alice.id))].sort((a, b) => a - b)).toEqual(
        [general.id, direct.id].sort((a, b) => a - b),
      );
    });

    it('lists no rooms for a user who is in none', async () => {
      const alice = await createUser('Alice');
      expect(await store.roomIdsOf(alice.id)).toEqual([]);
    });
  });

  // --- messages ----------------------------------------------------------------------------------

  describe('appending messages', () => {
    let alice: UserRecord;
    let bob: UserRecord;
    let general: RoomRecord;

    beforeEach(async () => {
      alice = await createUser('Alice');
      bob = await createUser('Bob');
      general = await createGroup(alice, 'General');
      await store.addMember(general.id, bob.id, at(1));
    });

    it('an append that fails does not take the appends issued alongside it down with it', async () => {
      const outcomes = await Promise.allSettled([
        say(general, alice, 'first', { clientId: 'ok-1' }),
        store.appendMessage({ roomId: 987_654, authorId: alice.id, clientId: 'nowhere', body: 'lost', createdAt: at(2) }),
        say(general, bob, 'second', { clientId: 'ok-2' }),
      ]);

      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const stored = await store.listMessages(general.id, { limit: 10 });
      expect(stored.map((m) => [m.seq, m.body])).toEqual([
        [1, 'first'],
        [2, 'second'],
      ]);
    });

    it('stores a message with its author, body, client id and time', async () => {
      const result = await say(general, alice, 'hello', { clientId: 'c-1', createdAt: at(30) });

      expect(result.created).toBe(true);
      expect(result.message).toEqual({
        id: expect.any(Number),
        roomId: general.id,
        seq: 1,
        kind: 'text',
        authorId: alice.id,
        author: { id: alice.id, username: 'Alice', firstName: 'Alice First', lastName: 'Alice Last' },
        body: 'hello',
        notice: null,
        clientId: 'c-1',
        createdAt: isoAt(30),
        ...UNCHANGED,
      });
      expect(result.message.createdAt).toMatch(ISO_UTC);
      expect(result.message.author).not.toHaveProperty('passwordHash');
    });

    it('numbers messages from 1, rising by exactly 1, separately in each room', async () => {
      const random = await createGroup(bob, 'Random');

      const a1 = await say(general, alice, 'one');
      const b1 = await say(random, bob, 'elsewhere');
      const a2 = await say(general, bob, 'two');
      const a3 = await say(general, alice, 'three');
      const b2 = await say(random, bob, 'elsewhere again');

      expect([a1, a2, a3].map((r) => r.message.seq)).toEqual([1, 2, 3]);
      expect([b1, b2].map((r) => r.message.seq)).toEqual([1, 2]);
      expect(new Set([a1, a2, a3, b1, b2].map((r) => r.message.id)).size).toBe(5);
    });

    it("moves the room's last seq and last activity to the newest message", async () => {
      const random = await createGroup(bob, 'Random', { createdAt: at(2) });
      await say(general, alice, 'one', { createdAt: at(100) });
      await say(general, bob, 'two', { createdAt: at(200) });

      const generalNow = await roomAs(general, alice);
      expect(generalNow.lastSeq).toBe(2);
      expect(generalNow.lastActivityAt).toBe(isoAt(200));
      expect(generalNow.createdAt).toBe(general.createdAt);

      const randomNow = await roomAs(random, bob);
      expect(randomNow.lastSeq).toBe(0);
      expect(randomNow.lastActivityAt).toBe(isoAt(2));
    });

    it('returns the original message, storing nothing, when the same author resends a client id', async () => {
      const original = await say(general, alice, 'hello', { clientId: 'c-1', createdAt: at(30) });

      const resent = await say(general, alice, 'hello (retried)', { clientId: 'c-1', createdAt: at(40) });

      expect(resent.created).toBe(false);
      expect(resent.message).toEqual(original.message);
      expect((await roomAs(general, alice)).lastSeq).toBe(1);

      const next = await say(general, alice, 'next');
      expect(next.created).toBe(true);
      expect(next.message.seq).toBe(2);

      const history = await store.listMessages(general.id, { limit: 100 });
      expect(history.map((m) => [m.seq, m.body])).toEqual([
        [1, 'hello'],
        [2, 'next'],
      ]);
    });

    it("treats another author's message with the same client id as a different message", async () => {
      const fromAlice = await say(general, alice, 'from alice', { clientId: 'shared' });

      const fromBob = await say(general, bob, 'from bob', { clientId: 'shared' });

      expect(fromBob.created).toBe(true);
      expect(fromBob.message.id).not.toBe(fromAlice.message.id);
      expect(fromBob.message.seq).toBe(2);
      expect(fromBob.message.author.id).toBe(bob.id);
      expect(fromBob.message.body).toBe('from bob');
    });

    it('stores one message when the same client id is sent many times at once', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => say(general, alice, `attempt ${i}`, { clientId: 'retry-storm' })),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect(results.every((r) => r.message.seq === 1)).toBe(true);
      expect(await store.listMessages(general.id, { limit: 100 })).toHaveLength(1);
      expect((await roomAs(general, alice)).lastSeq).toBe(1);
    });

    it('gives 200 concurrent messages the seqs 1..200, with no gap and no duplicate', async () => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => say(general, i % 2 === 0 ? alice : bob, `message ${i}`)),
      );

      expect(results.every((r) => r.created)).toBe(true);
      expect(results.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(range(1, 200));
      expect(new Set(results.map((r) => r.message.id)).size).toBe(200);

      const history = await store.listMessages(general.id, { limit: 1000 });
      expect(seqsOf(history)).toEqual(range(1, 200));
      expect((await roomAs(general, alice)).lastSeq).toBe(200);
    });

    // Appends asked for in one turn of the event loop are written together (group commit).
    describe('several at once', () => {
      it("numbers each room's messages in the order they were asked for, when they go to several rooms at once", async () => {
        const random = await createGroup(bob, 'Random');
        await store.addMember(random.id, alice.id, at(1));
        const { room: direct } = await store.openDirectRoom(alice.id, bob.id, at(1));
        const asked = [
          [general, alice, 'g1'],
          [random, bob, 'r1'],
          [general, bob, 'g2'],
          [direct, alice, 'd1'],
          [random, alice, 'r2'],
          [general, alice, 'g3'],
          [random, bob, 'r3'],
        ] as const;

        const results = await Promise.all(
          asked.map(([room, author, body], i) => say(room, author, body, { createdAt: at(100 + i) })),
        );

        expect(results.map((r) => [r.message.roomId, r.message.seq, r.created])).toEqual([
          [general.id, 1, true],
          [random.id, 1, true],
          [general.id, 2, true],
          [direct.id, 1, true],
          [random.id, 2, true],
          [general.id, 3, true],
          [random.id, 3, true],
        ]);
        const bodies = async (room: { id: number }) => (await store.listMessages(room.id, { limit: 10 })).map((m) => m.body);
        expect(await bodies(general)).toEqual(['g1', 'g2', 'g3']);
        expect(await bodies(random)).toEqual(['r1', 'r2', 'r3']);
        expect(await bodies(direct)).toEqual(['d1']);
        expect(await roomAs(general, bob)).toMatchObject({
          lastSeq: 3,
          lastActivityAt: isoAt(105),
          lastMessage: results[5]!.message,
          lastReadSeq: 2,
          unread: 1,
        });
        expect(await roomAs(random, alice)).toMatchObject({ lastSeq: 3, lastMessage: results[6]!.message, lastReadSeq: 2 });
        expect(await roomAs(random, bob)).toMatchObject({ lastReadSeq: 3, unread: 0 });
        expect(await roomAs(direct, bob)).toMatchObject({ lastSeq: 1, lastMessage: results[3]!.message, unread: 1 });
      });

      it('stores a client id asked for twice at once as the first asked, answering the second with it', async () => {
        const random = await createGroup(bob, 'Random');
        await store.addMember(random.id, alice.id, at(1));

        const [first, again, elsewhere, other] = await Promise.all([
          say(general, alice, 'first', { clientId: 'twice' }),
          say(general, alice, 'second', { clientId: 'twice' }),
          say(random, alice, 'in another room', { clientId: 'twice' }),
          say(general, bob, 'from bob', { clientId: 'twice' }),
        ]);

        expect(first!.created).toBe(true);
        expect(first!.message).toMatchObject({ roomId: general.id, seq: 1, body: 'first' });
        expect(again).toEqual({ message: first!.message, created: false });
        expect(elsewhere).toEqual({ message: first!.message, created: false });
        expect(other!.created).toBe(true);
        expect(other!.message).toMatchObject({ seq: 2, body: 'from bob' });
        expect((await store.listMessages(general.id, { limit: 10 })).map((m) => [m.seq, m.body])).toEqual([
          [1, 'first'],
          [2, 'from bob'],
        ]);
        expect(await store.listMessages(random.id, { limit: 10 })).toEqual([]);
        expect(await roomAs(random, alice)).toMatchObject({ lastSeq: 0, lastMessage: null });
        expect(await roomAs(general, alice)).toMatchObject({ lastSeq: 2, lastReadSeq: 1 });
      });

      it('fails only the message that breaks a constraint, storing the others of its turn without a gap', async () => {
        const random = await createGroup(bob, 'Random');
        const nobody = { ...alice, id: 987_654 };

        const outcomes = await Promise.allSettled([
          say(general, alice, 'one', { clientId: 'before' }),
          say(random, bob, 'elsewhere'),
          say(general, nobody, 'from an author who does not exist'),
          say(general, bob, 'two'),
          say(general, alice, 'one, again', { clientId: 'before' }),
          say(general, alice, 'three'),
        ]);

        expect(outcomes.map((outcome) => outcome.status)).toEqual([
          'fulfilled',
          'fulfilled',
          'rejected',
          'fulfilled',
          'fulfilled',
          'fulfilled',
        ]);
        const results = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
        expect(results.map((r) => [r.message.body, r.message.seq, r.created])).toEqual([
          ['one', 1, true],
          ['elsewhere', 1, true],
          ['two', 2, true],
          ['one', 1, false],
          ['three', 3, true],
        ]);
        expect(seqsOf(await store.listMessages(general.id, { limit: 10 }))).toEqual([1, 2, 3]);
        expect(await roomAs(general, bob)).toMatchObject({ lastSeq: 3, lastMessage: results[4]!.message, lastReadSeq: 2 });
        expect((await roomAs(random, bob)).lastSeq).toBe(1);
      });
    });
  });

  describe('appending through several stores on the same storage', () => {
    let alice: UserRecord;
    let bob: UserRecord;
    let general: RoomRecord;
    let stores: Store[];

    beforeEach(async () => {
      alice = await createUser('Alice');
      bob = await createUser('Bob');
      general = await createGroup(alice, 'General');
      await store.addMember(general.id, bob.id, at(1));
      // As if three server processes shared the storage.
      stores = [store, await opened.openAnother(), await opened.openAnother()];
    });

    function sayThrough(via: Store, author: UserRecord, body: string, clientId: string): Promise<AppendResult> {
      return via.appendMessage({ roomId: general.id, authorId: author.id, clientId, body, createdAt: at(60) });
    }

    it('gives 50 messages sent at once through three stores the seqs 1..50, with no gap and no duplicate', async () => {
      const results = await Promise.all(
        range(0, 49).map((i) => sayThrough(stores[i % 3]!, i % 2 === 0 ? alice : bob, `message ${i}`, `multi-${i}`)),
      );

      expect(results.every((r) => r.created)).toBe(true);
      expect(results.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(range(1, 50));
      for (const via of stores) {
        expect(seqsOf(await via.listMessages(general.id, { limit: 100 }))).toEqual(range(1, 50));
        expect((await via.findRoom(general.id, alice.id))?.lastSeq).toBe(50);
      }
    });

    it('stores one message when the same client id is sent at once through three stores, leaving no gap', async () => {
      const results = await Promise.all(
        range(0, 11).map((i) => sayThrough(stores[i % 3]!, alice, `attempt ${i}`, 'retry-storm')),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect(results.every((r) => r.message.seq === 1 && r.message.body === results[0]!.message.body)).toBe(true);

      const next = await sayThrough(stores[1]!, bob, 'next', 'after-the-storm');
      expect(next.message.seq).toBe(2);
      expect(seqsOf(await store.listMessages(general.id, { limit: 100 }))).toEqual([1, 2]);
    });
  });

  describe('reading history', () => {
    let alice: UserRecord;
    let general: RoomRecord;

    beforeEach(async () => {
      alice = await createUser('Alice');
      general = await createGroup(alice, 'General');
    });

    async function post(count: number, room: { id: number } = general) {
      for (let i = 1; i <= count; i++) await say(room, alice, `message ${i}`, { createdAt: at(i) });
    }

    it('returns the newest messages, oldest first, when no beforeSeq is given', async () => {
      await post(25);

      const page = await store.listMessages(general.id, { limit: 10 });

      expect(seqsOf(page)).toEqual(range(16, 25));
      expect(page.map((m) => m.body)).toEqual(range(16, 25).map((n) => `message ${n}`));
      expect(page[0]?.createdAt).toBe(isoAt(16));
    });

    it('returns only messages strictly below beforeSeq, oldest first', async () => {
      await post(25);

      expect(seqsOf(await store.listMessages(general.id, { beforeSeq: 16, limit: 10 }))).toEqual(range(6, 15));
      expect(seqsOf(await store.listMessages(general.id, { beforeSeq: 5, limit: 100 }))).toEqual(range(1, 4));
      expect(await store.listMessages(general.id, { beforeSeq: 1, limit: 10 })).toEqual([]);
    });

    it('pages backwards through 25 messages, 10 at a time, returning each exactly once', async () => {
      await post(25);

      const pages: number[][] = [];
      let beforeSeq: number | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = await store.listMessages(general.id, beforeSeq === undefined ? { limit: 10 } : { beforeSeq, limit: 10 });
        if (page.length === 0) break;
        pages.push(seqsOf(page));
        beforeSeq = page[0]!.seq;
      }

      expect(pages).toEqual([range(16, 25), range(6, 15), range(1, 5)]);
      expect(pages.flat().sort((a, b) => a - b)).toEqual(range(1, 25));
    });

    it('returns an empty page for a room with no messages', async () => {
      const random = await createGroup(alice, 'Random');
      await post(3);

      expect(await store.listMessages(random.id, { limit: 10 })).toEqual([]);
    });

    it("never mixes in another room's messages", async () => {
      const random = await createGroup(alice, 'Random');
      await post(3);
      await say(random, alice, 'in random');

      const page = await store.listMessages(random.id, { limit: 10 });
      expect(page.map((m) => [m.roomId, m.seq, m.body])).toEqual([[random.id, 1, 'in random']]);
      expect((await store.listMessages(general.id, { limit: 10 })).every((m) => m.roomId === general.id)).toBe(true);
    });

    it('reads forwards after a seq, in seq order, for catching up', async () => {
      const random = await createGroup(alice, 'Random');
      await post(25);
      await say(random, alice, 'elsewhere');

      expect(seqsOf(await store.listMessagesAfter(general.id, 20, 100))).toEqual(range(21, 25));
      expect(seqsOf(await store.listMessagesAfter(general.id, 0, 10))).toEqual(range(1, 10));
      expect(seqsOf(await store.listMessagesAfter(general.id, 10, 10))).toEqual(range(11, 20));
      expect(await store.listMessagesAfter(general.id, 25, 10)).toEqual([]);
      expect((await store.listMessagesAfter(random.id, 0, 10)).map((m) => m.body)).toEqual(['elsewhere']);
    });
  });

  // --- read state --------------------------------------------------------------------------------

  describe('read state', () => {
    it('starts a new member with what was said before them read, and counts what comes after', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const general = await createGroup(alice, 'General');
      for (let i = 1; i <= 3; i++) await say(general, alice, `before ${i}`);

      expect(await store.addMember(general.id, bob.id, at(100))).toBe(true);
      expect(await roomAs(general, bob)).toMatchObject({ lastSeq: 3, lastReadSeq: 3, unread: 0 });

      await say(general, alice, 'after 1');
      const { message: latest } = await say(general, alice, 'after 2', { createdAt: at(200) });
      expect(await roomAs(general, bob)).toMatchObject({ lastSeq: 5, lastReadSeq: 3, unread: 2, lastMessage: latest });
    });

    it("moves the author's marker to their message, so that their own messages never count as unread", async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(1));
      for (let i = 1; i <= 3; i++) await say(room, bob, `from Bob ${i}`);
      expect(await roomAs(room, alice)).toMatchObject({ lastReadSeq: 0, unread: 3, peerLastReadSeq: 3 });

      await say(room, alice, 'from Alice');

      expect(await roomAs(room, alice)).toMatchObject({ lastSeq: 4, lastReadSeq: 4, unread: 0, peerLastReadSeq: 3 });
      expect(await roomAs(room, bob)).toMatchObject({ lastSeq: 4, lastReadSeq: 3, unread: 1, peerLastReadSeq: 4 });
    });

    it("moves each author's marker to their newest message when many are sent at once", async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(1));

      const results = await Promise.all(range(1, 20).map((i) => say(room, i % 2 ? alice : bob, `message ${i}`)));

      const newestBy = (author: UserRecord) =>
        Math.max(...results.filter((r) => r.message.authorId === author.id).map((r) => r.message.seq));
      const aliceView = await roomAs(room, alice);
      const bobView = await roomAs(room, bob);
      expect(aliceView.lastReadSeq).toBe(newestBy(alice));
      expect(bobView.lastReadSeq).toBe(newestBy(bob));
      expect(aliceView.unread).toBe(20 - newestBy(alice));
      expect(bobView.unread).toBe(20 - newestBy(bob));
    });

    it("does not move the marker for a resent client id's original message again", async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(1));
      await say(room, alice, 'mine', { clientId: 'c-1' });
      await say(room, bob, 'reply');

      expect((await say(room, alice, 'mine', { clientId: 'c-1' })).created).toBe(false);

      expect(await roomAs(room, alice)).toMatchObject({ lastReadSeq: 1, unread: 1 });
    });

    it('moves a read marker forward only, never back, and only for a member', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const carol = await createUser('Carol');
      const general = await createGroup(alice, 'General');
      await store.addMember(general.id, bob.id, at(1));
      for (let i = 1; i <= 5; i++) await say(general, alice, `m${i}`);

      expect(await store.advanceReadMarker(general.id, bob.id, 3)).toEqual({ lastReadSeq: 3, moved: true });
      expect(await store.advanceReadMarker(general.id, bob.id, 2)).toEqual({ lastReadSeq: 3, moved: false });
      expect(await store.advanceReadMarker(general.id, bob.id, 3)).toEqual({ lastReadSeq: 3, moved: false });
      expect(await roomAs(general, bob)).toMatchObject({ lastReadSeq: 3, unread: 2 });
      expect(await store.advanceReadMarker(general.id, bob.id, 5)).toEqual({ lastReadSeq: 5, moved: true });
      expect(await roomAs(general, bob)).toMatchObject({ lastReadSeq: 5, unread: 0 });

      expect(await store.advanceReadMarker(general.id, carol.id, 2)).toBeNull();
      expect(await store.advanceReadMarker(general.id + 1000, bob.id, 2)).toBeNull();
      expect((await roomAs(general, alice)).lastReadSeq).toBe(5);
    });

    it('finds where a user stands in a room in one look-up, and nothing for a room that does not exist', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const general = await createGroup(alice, 'General');
      await say(general, alice, 'one');
      await say(general, alice, 'two');
      const { room: direct } = await store.openDirectRoom(alice.id, bob.id, at(1));
      await store.setMuted(direct.id, bob.id, true);

      expect(await store.findMembership(general.id, alice.id)).toEqual({ kind: 'group', lastSeq: 2, member: true, lastReadSeq: 2, muted: false, role: 'owner' });
      expect(await store.findMembership(general.id, bob.id)).toEqual({ kind: 'group', lastSeq: 2, member: false, lastReadSeq: 0, muted: false, role: null });
      expect(await store.findMembership(direct.id, bob.id)).toEqual({ kind: 'direct', lastSeq: 0, member: true, lastReadSeq: 0, muted: true, role: 'member' });
      expect(await store.findMembership(general.id + 1000, alice.id)).toBeNull();
    });

    it('keeps mute per membership, saying whether a call changed it', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const carol = await createUser('Carol');
      const { room } = await store.openDirectRoom(alice.id, bob.id, at(1));

      expect(await store.setMuted(room.id, alice.id, true)).toBe(true);
      expect(await store.setMuted(room.id, alice.id, true)).toBe(false);
      expect(await store.setMuted(room.id, carol.id, true)).toBe(false);

      expect((await roomAs(room, alice)).muted).toBe(true);
      expect((await roomAs(room, bob)).muted).toBe(false);
      expect(await store.setMuted(room.id, alice.id, false)).toBe(true);
      expect((await roomAs(room, alice)).muted).toBe(false);
    });

    it('shows an outsider no read state and no last message', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const general = await createGroup(alice, 'General');
      await say(general, alice, 'members only');
      await store.setMuted(general.id, alice.id, true);

      expect(await roomAs(general, bob)).toMatchObject({ joined: false, lastSeq: 1, lastReadSeq: 0, unread: 0, muted: false, lastMessage: null, peerLastReadSeq: null });
      const { rooms } = await store.listJoinableRooms(bob.id, { limit: 10 });
      expect(rooms).toEqual([await roomAs(general, bob)]);
    });

    it('starts a member who left and came back at the last seq of their return', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const general = await createGroup(alice, 'General');
      await store.addMember(general.id, bob.id, at(1));
      await store.setMuted(general.id, bob.id, true);
      await store.removeMember(general.id, bob.id);
      await say(general, alice, 'while Bob was away');

      await store.addMember(general.id, bob.id, at(2));

      expect(await roomAs(general, bob)).toMatchObject({ lastReadSeq: 1, unread: 0, muted: false });
    });

    it('lists my rooms by last activity with their counts, last messages and mute in one answer, after a reopen too', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const carol = await createUser('Carol');
      const withBob = (await store.openDirectRoom(alice.id, bob.id, at(1))).room;
      const withCarol = (await store.openDirectRoom(alice.id, carol.id, at(2))).room;
      const club = await createGroup(carol, 'Club', { createdAt: at(3) });
      await store.addMember(club.id, alice.id, at(4));
      await say(withBob, bob, 'b1', { createdAt: at(10) });
      const { message: fromBob } = await say(withBob, bob, 'b2', { createdAt: at(11) });
      const { message: mine } = await say(withCarol, alice, 'a1', { createdAt: at(12) });
      const { message: inClub } = await say(club, carol, 'c1', { createdAt: at(13) });
      await store.setMuted(club.id, alice.id, true);

      const expected = [
        { id: club.id, unread: 1, lastReadSeq: 0, muted: true, lastMessage: inClub, peerLastReadSeq: null },
        { id: withCarol.id, unread: 0, lastReadSeq: 1, muted: false, lastMessage: mine, peerLastReadSeq: 0 },
        { id: withBob.id, unread: 2, lastReadSeq: 0, muted: false, lastMessage: fromBob, peerLastReadSeq: 2 },
      ];
      const summary = (rooms: RoomRecord[]) =>
        rooms.map(({ id, unread, lastReadSeq, muted, lastMessage, peerLastReadSeq }) => ({ id, unread, lastReadSeq, muted, lastMessage, peerLastReadSeq }));
      expect(summary(await store.listMemberRoomsPage(alice.id, { limit: 100 }))).toEqual(expected);

      store = await opened.reopen();
      expect(summary(await store.listMemberRoomsPage(alice.id, { limit: 100 }))).toEqual(expected);
    });
  });

  // --- migrations --------------------------------------------------------------------------------

  describe('reopening', () => {
    it('keeps the data when the same storage is closed and opened again, migrating nothing twice', async () => {
      const alice = await createUser('Alice');
      const bob = await createUser('Bob');
      const general = await createGroup(alice, 'General', { passwordHash: 'hash' });
      const direct = (await store.openDirectRoom(alice.id, bob.id, at(1))).room;
      const first = await say(general, alice, 'before reopening', { clientId: 'c-1' });
      await store.createSession({ userId: bob.id, tokenHash: 'token', createdAt: at(0), expiresAt: at(3600), userAgent: '', address: '' });

      store = await opened.reopen();
      store = await opened.reopen();

      expect(await store.findUserById(alice.id)).toEqual(alice);
      expect(await store.findUserByUsernameKey('bob')).toEqual(bob);
      expect((await store.findSession('token', at(10)))?.userId).toBe(bob.id);
      expect(await store.findRoom(general.id, alice.id)).toEqual({
        ...general,
        lastSeq: 1,
        lastActivityAt: isoAt(60),
        lastReadSeq: 1,
        lastMessage: first.message,
      });
      expect((await store.openDirectRoom(bob.id, alice.id, at(2))).room.id).toBe(direct.id);
      expect(await store.listMessages(general.id, { limit: 10 })).toEqual([first.message]);

      // Uniqueness and sequencing still hold on the reopened store.
      expect(await say(general, alice, 'retry', { clientId: 'c-1' })).toEqual({ message: first.message, created: false });
      expect((await say(general, bob, 'after reopening')).message.seq).toBe(2);
      await expectConflict(createUser('ALICE'), 'username');
      await expectConflict(createGroup(bob, 'general'), 'room_name');
    });
  });
});
