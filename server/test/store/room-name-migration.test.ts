import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { roomNameFold, roomNameKey } from '../../src/rooms/room-name-key.js';
import { personNameFold } from '../../src/users/name-fold.js';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { sqliteMigrations } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { StoreConflictError, type Store } from '../../src/store/store.js';
import { adminQuery, postgresProblem, postgresUrl } from '../support/services.js';

/**
 * A database as version 1 left it, whose room name keys were NFKC and lowercase only: "Open Room" and
 * "Ореn Room" (Cyrillic О, р, е) could both be created. Opening it with today's code migrates the keys.
 */
interface LegacyDatabase {
  /** Runs a statement with positional parameters on the version-1 database. */
  insert(sql: string, params: unknown[]): Promise<number>;
  /** Opens the store on it, which migrates. */
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const legacyKey = (name: string) => name.normalize('NFKC').toLowerCase();

const legacySqlite = {
  name: 'sqlite',
  unavailable: undefined as string | undefined,
  async create(): Promise<LegacyDatabase> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-migrate-'));
    const file = path.join(dir, 'parley.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    db.exec(sqliteMigrations[0]!.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (1, ?, 0)').run(sqliteMigrations[0]!.name);
    let store: Store | undefined;
    return {
      async insert(sql, params) {
        return (db.prepare(sql.replace(/\$\d+/g, '?')).get(...params) as { id: number }).id;
      },
      async open() {
        db.close();
        store = openSqliteStore(file);
        return store;
      },
      async cleanup() {
        if (db.open) db.close();
        await store?.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const legacyPostgres = {
  name: 'postgres',
  unavailable: (await postgresProblem()) ?? undefined,
  async create(): Promise<LegacyDatabase> {
    const schema = `parley_m_${randomBytes(8).toString('hex')}`;
    await adminQuery(`CREATE SCHEMA ${schema}`);
    const client = new pg.Client({ connectionString: postgresUrl, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)');
    await client.query(postgresMigrations[0]!.sql);
    await client.query('INSERT INTO schema_migrations VALUES (1, $1, now())', [postgresMigrations[0]!.name]);
    let store: Store | undefined;
    return {
      async insert(sql, params) {
        const { rows } = await client.query<{ id: string }>(sql, params);
        return Number(rows[0]!.id);
      },
      async open() {
        await client.end();
        store = await openPostgresStore(postgresUrl, { searchPath: schema });
        return store;
      },
      async cleanup() {
        await client.end().catch(() => {});
        await store?.close();
        await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
  },
};

/** A person in a version-1 database, by name; resolves with their id. */
function insertLegacyUser(legacy: LegacyDatabase, t: number | Date, name: string): Promise<number> {
  return legacy.insert(
    `INSERT INTO users (username, username_key, first_name, last_name, password_hash, created_at)
     VALUES ($1, $2, $3, 'L', 'hash', $4) RETURNING id`,
    [name, name, name, t],
  );
}

/**
 * A suite run on a version-1 database of each driver (skipped, with the reason, where the driver is not
 * available). `start` creates the test's database, removed after the test, and the time value its
 * driver stores.
 */
function onLegacyDatabases(title: string, tests: (start: () => Promise<{ legacy: LegacyDatabase; t: number | Date }>) => void): void {
  describe.each([legacySqlite, legacyPostgres])(`${title}: $name`, (driver) => {
    if (driver.unavailable !== undefined) {
      it.skip(driver.unavailable, () => {});
      return;
    }
    let created: LegacyDatabase | undefined;
    afterEach(async () => {
      await created?.cleanup();
      created = undefined;
    });
    tests(async () => {
      created = await driver.create();
      return { legacy: created, t: driver.name === 'sqlite' ? 0 : new Date(0) };
    });
  });
}

onLegacyDatabases('migration 3, room name keys become skeletons', (start) => {

  it('recomputes every key; of two look-alike rooms both stay, the older keeps the name, and neither name can be taken again', async () => {
    const { legacy, t } = await start();
    const alice = await legacy.insert(
      `INSERT INTO users (username, username_key, first_name, last_name, password_hash, created_at)
       VALUES ($1, $2, 'Alice', 'A', 'hash', $3) RETURNING id`,
      ['alice', 'alice', t],
    );
    const room = (name: string) =>
      legacy.insert(
        `INSERT INTO rooms (kind, name, name_key, created_by, last_activity_at, created_at)
         VALUES ('group', $1, $2, $3, $4, $5) RETURNING id`,
        [name, legacyKey(name), alice, t, t],
      );
    const open = await room('Open Room');
    const cyrillic = await room('Ореn Room');
    const book = await room('Book Club');
    // Its old key is the new key of "Open Room": rewriting keys in place, one by one, would collide.
    const oldKeyClash = await room('Open Roorn');
    expect(legacyKey('Open Roorn')).toBe(roomNameKey('Open Room'));

    const store = await legacy.open();

    expect(await store.findRoomIdByNameKey(roomNameKey('Open Room'))).toBe(open);
    expect(await store.findRoomIdByNameKey(roomNameKey('Ореn Room'))).toBe(open);
    expect(await store.findRoomIdByNameKey(roomNameKey('Book Club'))).toBe(book);
    const viewer = await store.createUser({
      username: 'bob', usernameKey: 'bob', firstName: 'Bob', lastName: 'B', fullNameFold: 'bob b', lastNameFold: 'b', passwordHash: 'hash', createdAt: new Date(0),
    });
    const { rooms } = await store.listJoinableRooms(viewer.id, { limit: 10 });
    // By folded name: Latin before Cyrillic.
    expect(rooms.map((r) => [r.id, r.name])).toEqual([
      [book, 'Book Club'],
      [open, 'Open Room'],
      [oldKeyClash, 'Open Roorn'],
      [cyrillic, 'Ореn Room'],
    ]);
    const search = await store.listJoinableRooms(viewer.id, { namePrefix: roomNameFold('open'), limit: 10 });
    expect(search.rooms.map((r) => r.id)).toEqual([open, oldKeyClash]);

    for (const name of ['Open Room', 'Ореn Room', 'BOOK CLUB']) {
      const attempt = store.createGroupRoom({
        name, nameKey: roomNameKey(name), nameFold: roomNameFold(name), passwordHash: null, creatorId: viewer.id, createdAt: new Date(0),
      });
      await expect(attempt).rejects.toBeInstanceOf(StoreConflictError);
    }
    expect(await store.countGroupRoomsCreatedBy(alice)).toBe(4);
  });
});

onLegacyDatabases('migration 4, read markers and mute', (start) => {

  it("starts every existing membership with the room's messages read, unmuted, and counts only what comes after", async () => {
    const { legacy, t } = await start();
    const user = (name: string) => insertLegacyUser(legacy, t, name);
    const alice = await user('alice');
    const bob = await user('bob');
    const room = await legacy.insert(
      `INSERT INTO rooms (kind, direct_key, created_by, last_seq, last_activity_at, created_at)
       VALUES ('direct', $1, $2, 2, $3, $4) RETURNING id`,
      [`${alice}:${bob}`, alice, t, t],
    );
    for (const member of [alice, bob]) {
      await legacy.insert('INSERT INTO members (room_id, user_id, joined_at) VALUES ($1, $2, $3) RETURNING room_id AS id', [room, member, t]);
    }
    for (const seq of [1, 2]) {
      await legacy.insert(
        `INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
         VALUES ($1, $2, $3, $4, 'old', $5) RETURNING id`,
        [room, seq, alice, `c-${seq}`, t],
      );
    }

    const store = await legacy.open();

    expect(await store.findRoom(room, bob)).toMatchObject({ lastSeq: 2, lastReadSeq: 2, unread: 0, muted: false, peerLastReadSeq: 2 });
    await store.appendMessage({ roomId: room, authorId: alice, clientId: 'c-3', body: 'new', createdAt: new Date(1000) });
    expect(await store.findRoom(room, bob)).toMatchObject({ lastSeq: 3, lastReadSeq: 2, unread: 1, lastMessage: { seq: 3, body: 'new' } });
  });
});

onLegacyDatabases('migration 5, each room keeps a copy of its last message', (start) => {

  it('copies the last existing message onto each room, none for an empty room, and sending keeps the copy', async () => {
    const { legacy, t } = await start();
    const user = (name: string) => insertLegacyUser(legacy, t, name);
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    const direct = async (peer: number, lastSeq: number) => {
      const room = await legacy.insert(
        `INSERT INTO rooms (kind, direct_key, created_by, last_seq, last_activity_at, created_at)
         VALUES ('direct', $1, $2, $3, $4, $5) RETURNING id`,
        [`${alice}:${peer}`, alice, lastSeq, t, t],
      );
      for (const member of [alice, peer]) {
        await legacy.insert('INSERT INTO members (room_id, user_id, joined_at) VALUES ($1, $2, $3) RETURNING room_id AS id', [room, member, t]);
      }
      return room;
    };
    const withBob = await direct(bob, 2);
    const withCarol = await direct(carol, 0);
    const ids: number[] = [];
    for (const [seq, author, body] of [[1, alice, 'first'], [2, bob, 'second']] as const) {
      ids.push(
        await legacy.insert(
          `INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [withBob, seq, author, `c-${seq}`, body, t],
        ),
      );
    }

    const store = await legacy.open();

    expect((await store.findRoom(withBob, alice))!.lastMessage).toMatchObject({
      id: ids[1],
      roomId: withBob,
      seq: 2,
      authorId: bob,
      author: { id: bob, username: 'bob' },
      body: 'second',
      clientId: 'c-2',
    });
    expect((await store.findRoom(withCarol, alice))!.lastMessage).toBeNull();
    const sent = await store.appendMessage({ roomId: withCarol, authorId: carol, clientId: 'c-3', body: 'hello', createdAt: new Date(5000) });
    const [newest, older] = await store.listMemberRoomsPage(alice, { limit: 100 });
    expect(newest!.id).toBe(withCarol);
    expect(newest!.lastMessage).toEqual(sent.message);
    expect(await store.listMessages(withCarol, { limit: 10 })).toEqual([sent.message]);
    expect(older!.lastMessage!.id).toBe(ids[1]);
    // Not a member: no last message, although the room row holds one.
    expect((await store.findRoom(withCarol, bob))!.lastMessage).toBeNull();
  });
});

onLegacyDatabases('migration 6, the directory searched by name', (start) => {

  it("folds every existing person's names, so that a search finds them by name as it finds those who sign up later", async () => {
    const { legacy, t } = await start();
    const person = (username: string, firstName: string, lastName: string) =>
      legacy.insert(
        `INSERT INTO users (username, username_key, first_name, last_name, password_hash, created_at)
         VALUES ($1, $2, $3, $4, 'hash', $5) RETURNING id`,
        [username, username.toLowerCase(), firstName, lastName, t],
      );
    const emile = await person('ez', 'Émile', 'ZOLA');
    const ada = await person('Countess', 'Ada', 'Lovelace');

    const store = await legacy.open();

    const found = async (query: string) => (await store.listUsersPage({ prefix: personNameFold(query), limit: 10 })).map((user) => user.id);
    expect(await found('emile')).toEqual([emile]);
    expect(await found('Zola')).toEqual([emile]);
    expect(await found('ada love')).toEqual([ada]);
    expect(await found('countess')).toEqual([ada]);
    expect(await found('lovelace')).toEqual([ada]);
  });
});

onLegacyDatabases('migration 8, members have a role', (start) => {
  it('makes each group room’s creator its owner, or its longest-standing member where the creator left; direct rooms have none', async () => {
    const { legacy, t } = await start();
    const later = (seconds: number) => (typeof t === 'number' ? t + seconds * 1000 : new Date(t.getTime() + seconds * 1000));
    const user = (name: string) => insertLegacyUser(legacy, t, name);
    const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
    const group = (name: string) =>
      legacy.insert(
        `INSERT INTO rooms (kind, name, name_key, created_by, last_activity_at, created_at)
         VALUES ('group', $1, $2, $3, $4, $5) RETURNING id`,
        [name, legacyKey(name), alice, t, t],
      );
    const join = (room: number, member: number, seconds: number) =>
      legacy.insert('INSERT INTO members (room_id, user_id, joined_at) VALUES ($1, $2, $3) RETURNING room_id AS id', [room, member, later(seconds)]);
    const kept = await group('Kept');
    await join(kept, carol, 1);
    await join(kept, alice, 2);
    const abandoned = await group('Abandoned');
    await join(abandoned, carol, 3);
    await join(abandoned, bob, 2);
    const direct = await legacy.insert(
      `INSERT INTO rooms (kind, direct_key, created_by, last_activity_at, created_at) VALUES ('direct', $1, $2, $3, $4) RETURNING id`,
      [`${alice}:${bob}`, alice, t, t],
    );
    await join(direct, alice, 1);
    await join(direct, bob, 1);

    const store = await legacy.open();

    const roles = async (room: number) => (await store.listMembers(room, { limit: 10 })).map((member) => [member.user.username, member.role]);
    expect(await roles(kept)).toEqual([
      ['carol', 'member'],
      ['alice', 'owner'],
    ]);
    expect(await roles(abandoned)).toEqual([
      ['bob', 'owner'],
      ['carol', 'member'],
    ]);
    expect(await roles(direct)).toEqual([
      ['alice', 'member'],
      ['bob', 'member'],
    ]);
  });
});

onLegacyDatabases('migration 11 (PostgreSQL 10), accounts people can manage', (start) => {
  it('keeps every session, last used when it was created, every account alive, and every direct chat open', async () => {
    const { legacy, t } = await start();
    const [alice, bob] = [await insertLegacyUser(legacy, t, 'alice'), await insertLegacyUser(legacy, t, 'bob')];
    const created = typeof t === 'number' ? t + 5_000 : new Date(t.getTime() + 5_000);
    const expires = typeof t === 'number' ? t + 3_600_000 : new Date(t.getTime() + 3_600_000);
    await legacy.insert('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id', [
      'old-token',
      alice,
      created,
      expires,
    ]);
    const direct = await legacy.insert(
      `INSERT INTO rooms (kind, direct_key, created_by, last_activity_at, created_at) VALUES ('direct', $1, $2, $3, $4) RETURNING id`,
      [`${alice}:${bob}`, alice, t, t],
    );
    for (const member of [alice, bob]) {
      await legacy.insert('INSERT INTO members (room_id, user_id, joined_at) VALUES ($1, $2, $3) RETURNING room_id AS id', [direct, member, t]);
    }

    const store = await legacy.open();

    const session = (await store.findSession('old-token', new Date(0)))!;
    expect(session.lastUsedAt).toEqual(new Date(5_000));
    expect(await store.listSessions(alice, new Date(0))).toEqual([
      { id: session.id, createdAt: new Date(5_000), lastUsedAt: new Date(5_000), userAgent: '', address: '' },
    ]);
    expect((await store.findUserById(alice))!.deleted).toBe(false);
    expect(await store.sendStanding(direct, bob)).toBe('member');
    expect(await store.blockRelationsOf(alice)).toEqual({ blockedByMe: [], blockedMe: [] });
  });
});
