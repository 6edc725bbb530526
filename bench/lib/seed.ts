/**
 * Seeds a fresh database directly, before the server starts: creating thousands of users through the
 * HTTP API would be bcrypt-bound and rate-limited. The schema is the server's own: the built
 * `openStore` is opened once (which applies the migrations) and closed, then rows are inserted with
 * SQL into those tables. Every user shares one real bcrypt hash (BCRYPT_COST 11), computed once, so
 * logging in costs the server exactly what it costs in production. Each simulated user gets a session:
 * a random token, of which the SHA-256 hex (the server's own `hashToken`) is stored.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ChatUser, IdleUser } from './types.js';

const dist = (file: string) => new URL(`../../server/dist/${file}`, import.meta.url).href;

export const PASSWORD = 'bench-password-1';
export const BCRYPT_COST = 11;
const SESSION_TTL_MS = 7 * 86_400_000;

/**
 * Copies a room's last message onto its row (server migration 5), as sending does, for rooms whose
 * messages a seeder wrote straight into the table; `param` is the driver's placeholder for the room id.
 */
export const copyLastMessage = (param: string) => `
  UPDATE rooms SET last_message_id = m.id, last_message_author_id = m.author_id, last_message_client_id = m.client_id,
                   last_message_body = m.body, last_message_created_at = m.created_at
  FROM messages m WHERE rooms.id = ${param} AND m.room_id = rooms.id AND m.seq = rooms.last_seq`;

export type DbTarget = { driver: 'sqlite'; file: string } | { driver: 'postgres'; url: string; schema: string; baseUrl: string };

export interface SeedPlan {
  chatUsers: number;
  groupSize: number;
  /** Distinct idle users, and sessions (devices) per idle user: one socket each. */
  idleUsers: number;
  idleDevices: number;
  idleGroupSize: number;
  /** Users who come online after the idle sockets, to measure what one more user costs the server. */
  probeUsers: number;
  historyMessages: number;
  /** Members (and authors) of the history room, the reader included. */
  historyAuthors: number;
}

export interface Seeded {
  chat: ChatUser[];
  /** One entry per idle socket, device-major: every user's first device, then every user's second, … */
  idle: IdleUser[];
  idleUserIds: number[];
  probe: IdleUser[];
  /** The room, and a session for each of its members, who read it: one user alone would meet the per-user event limit. */
  history: { roomId: number; readers: { userId: number; token: string }[]; messages: number };
  /** Accounts for the login scenario (chat users: their password is PASSWORD). */
  logins: { username: string; password: string }[];
  timings: Record<string, number>;
}

export interface UserRow {
  username: string;
  firstName: string;
  lastName: string;
}

/** The operations seeding needs, per driver; every id comes back in the order of the rows given. */
export interface SeedDb {
  insertUsers(rows: UserRow[], passwordHash: string, at: Date): Promise<number[]>;
  insertSessions(rows: { userId: number; tokenHash: string }[], at: Date, expiresAt: Date): Promise<void>;
  /** `nameKey` and `nameFold` as the server computes them (`roomNameKey`, `roomNameFold`). */
  insertGroupRooms(rows: { name: string; nameKey: string; nameFold: string; creatorId: number }[], at: Date): Promise<number[]>;
  insertDirectRooms(rows: { a: number; b: number }[], at: Date): Promise<number[]>;
  insertMembers(rows: { roomId: number; userId: number }[], at: Date): Promise<void>;
  /** `count` messages in one room, seq 1..count, authors round-robin, and the room's last_seq. */
  insertHistory(roomId: number, authors: number[], count: number, at: Date): Promise<void>;
  close(): Promise<void>;
}

const HISTORY_BODY = 'A message from the archive, long enough to look like one: ';

export function sqliteSeedDb(file: string): SeedDb {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  // The whole seed is one transaction; the server opens the file afterwards with its own settings.
  db.exec('BEGIN IMMEDIATE');
  const insertUser = db.prepare<[string, string, string, string, string, number], { id: number }>(
    `INSERT INTO users (username, username_key, first_name, last_name, password_hash, created_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertSession = db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
  const insertGroup = db.prepare<[string, string, string, number, number, number], { id: number }>(
    `INSERT INTO rooms (kind, name, name_key, name_fold, created_by, last_activity_at, created_at)
     VALUES ('group', ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertDirect = db.prepare<[string, number, number, number], { id: number }>(
    `INSERT INTO rooms (kind, direct_key, created_by, last_activity_at, created_at) VALUES ('direct', ?, ?, ?, ?) RETURNING id`,
  );
  const insertMember = db.prepare('INSERT INTO members (room_id, user_id, joined_at) VALUES (?, ?, ?)');
  const insertMessage = db.prepare(
    'INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    async insertUsers(rows, hash, at) {
      return rows.map((r) => insertUser.get(r.username, r.username.toLowerCase(), r.firstName, r.lastName, hash, at.getTime())!.id);
    },
    async insertSessions(rows, at, expiresAt) {
      for (const r of rows) insertSession.run(r.tokenHash, r.userId, at.getTime(), expiresAt.getTime());
    },
    async insertGroupRooms(rows, at) {
      return rows.map((r) => insertGroup.get(r.name, r.nameKey, r.nameFold, r.creatorId, at.getTime(), at.getTime())!.id);
    },
    async insertDirectRooms(rows, at) {
      return rows.map((r) => insertDirect.get(`${Math.min(r.a, r.b)}:${Math.max(r.a, r.b)}`, r.a, at.getTime(), at.getTime())!.id);
    },
    async insertMembers(rows, at) {
      for (const r of rows) insertMember.run(r.roomId, r.userId, at.getTime());
    },
    async insertHistory(roomId, authors, count, at) {
      const t0 = at.getTime() - count;
      for (let seq = 1; seq <= count; seq++) {
        const author = authors[seq % authors.length]!;
        insertMessage.run(roomId, seq, author, `seed-${seq}`, `${HISTORY_BODY}${seq}`, t0 + seq);
      }
      db.prepare('UPDATE rooms SET last_seq = ?, last_activity_at = ? WHERE id = ?').run(count, at.getTime(), roomId);
      db.prepare(copyLastMessage('?')).run(roomId);
    },
    async close() {
      db.exec('COMMIT');
      db.close();
    },
  };
}

export async function postgresSeedDb(url: string): Promise<SeedDb> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  const CHUNK = 5000;
  async function chunked<T, R>(rows: T[], work: (part: T[]) => Promise<R[]>): Promise<R[]> {
    const out: R[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) out.push(...(await work(rows.slice(i, i + CHUNK))));
    return out;
  }
  /** Ids in the order of `keys`, from a RETURNING that names each row's key (RETURNING order is not guaranteed). */
  const inOrder = (keys: string[], returned: { id: string | number; key: string }[]) => {
    const byKey = new Map(returned.map((r) => [r.key, Number(r.id)]));
    return keys.map((k) => byKey.get(k)!);
  };
  return {
    async insertUsers(rows, hash, at) {
      return chunked(rows, async (part) => {
        const keys = part.map((r) => r.username.toLowerCase());
        const { rows: returned } = await client.query<{ id: string; key: string }>(
          `INSERT INTO users (username, username_key, first_name, last_name, password_hash, created_at)
           SELECT u, k, f, l, $5, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(u, k, f, l)
           RETURNING id, username_key AS key`,
          [part.map((r) => r.username), keys, part.map((r) => r.firstName), part.map((r) => r.lastName), hash, at],
        );
        return inOrder(keys, returned);
      });
    },
    async insertSessions(rows, at, expiresAt) {
      await chunked(rows, async (part) => {
        await client.query(
          `INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
           SELECT h, u, $3, $4 FROM unnest($1::text[], $2::bigint[]) AS t(h, u)`,
          [part.map((r) => r.tokenHash), part.map((r) => r.userId), at, expiresAt],
        );
        return [];
      });
    },
    async insertGroupRooms(rows, at) {
      return chunked(rows, async (part) => {
        const keys = part.map((r) => r.nameKey);
        const { rows: returned } = await client.query<{ id: string; key: string }>(
          `INSERT INTO rooms (kind, name, name_key, name_fold, created_by, last_activity_at, created_at)
           SELECT 'group', n, k, f, c, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(n, k, f, c)
           RETURNING id, name_key AS key`,
          [part.map((r) => r.name), keys, part.map((r) => r.nameFold), part.map((r) => r.creatorId), at],
        );
        return inOrder(keys, returned);
      });
    },
    async insertDirectRooms(rows, at) {
      return chunked(rows, async (part) => {
        const keys = part.map((r) => `${Math.min(r.a, r.b)}:${Math.max(r.a, r.b)}`);
        const { rows: returned } = await client.query<{ id: string; key: string }>(
          `INSERT INTO rooms (kind, direct_key, created_by, last_activity_at, created_at)
           SELECT 'direct', k, c, $3, $3 FROM unnest($1::text[], $2::bigint[]) AS t(k, c)
           RETURNING id, direct_key AS key`,
          [keys, part.map((r) => r.a), at],
        );
        return inOrder(keys, returned);
      });
    },
    async insertMembers(rows, at) {
      await chunked(rows, async (part) => {
        await client.query(
          `INSERT INTO members (room_id, user_id, joined_at) SELECT r, u, $3 FROM unnest($1::bigint[], $2::bigint[]) AS t(r, u)`,
          [part.map((r) => r.roomId), part.map((r) => r.userId), at],
        );
        return [];
      });
    },
    async insertHistory(roomId, authors, count, at) {
      await client.query(
        `INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
         SELECT $1, g, ($2::bigint[])[1 + (g % $3)::int], 'seed-' || g, $4::text || g, $5::timestamptz - ($6::bigint - g) * interval '1 millisecond'
         FROM generate_series(1, $6::bigint) AS g`,
        [roomId, authors, authors.length, HISTORY_BODY, at, count],
      );
      await client.query('UPDATE rooms SET last_seq = $1, last_activity_at = $2 WHERE id = $3', [count, at, roomId]);
      await client.query(copyLastMessage('$1'), [roomId]);
    },
    async close() {
      await client.query('COMMIT');
      // Autovacuum would analyze the new rows within a minute; do it now, so the run does not depend on when.
      await client.query('ANALYZE');
      await client.end();
    },
  };
}

/** A new PostgreSQL schema for this run, and the URL that points the server (and seeding) at it. */
export async function createPostgresSchema(baseUrl: string): Promise<DbTarget & { driver: 'postgres' }> {
  const schema = `parley_bench_${Date.now().toString(36)}_${process.pid}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return { driver: 'postgres', url, schema, baseUrl };
}

export async function dropPostgresSchema(target: DbTarget & { driver: 'postgres' }): Promise<void> {
  const client = new pg.Client({ connectionString: target.baseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export async function postgresVersion(baseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0]!.v;
  } finally {
    await client.end();
  }
}

/** Applies the server's migrations with the built store, then closes it. */
export async function migrate(target: DbTarget): Promise<void> {
  const { openStore } = (await import(dist('store/open-store.js'))) as typeof import('../../server/src/store/open-store.js');
  const store = await openStore(target.driver === 'sqlite' ? { driver: 'sqlite', file: target.file } : { driver: 'postgres', url: target.url });
  await store.close();
}

const groups = (n: number, size: number) => Math.ceil(n / size);

export async function seed(target: DbTarget, plan: SeedPlan, log: (line: string) => void): Promise<Seeded> {
  const { hashToken } = (await import(dist('auth/tokens.js'))) as typeof import('../../server/src/auth/tokens.js');
  const { roomNameKey, roomNameFold } = (await import(dist('rooms/room-name-key.js'))) as typeof import('../../server/src/rooms/room-name-key.js');
  const groupRoom = (name: string, creatorId: number) => ({ name, nameKey: roomNameKey(name), nameFold: roomNameFold(name), creatorId });
  const { timings, time } = stopwatch();

  await time('migrate', () => migrate(target));
  const passwordHash = await time('bcrypt', () => bcrypt.hash(PASSWORD, BCRYPT_COST));
  const db = target.driver === 'sqlite' ? sqliteSeedDb(target.file) : await postgresSeedDb(target.url);
  const at = new Date();
  const expiresAt = new Date(at.getTime() + SESSION_TTL_MS);

  try {
    const chatRows = Array.from({ length: plan.chatUsers }, (_, i) => ({ username: `bench_u${i}`, firstName: 'Bench', lastName: `User ${i}` }));
    const idleRows = Array.from({ length: plan.idleUsers }, (_, i) => ({ username: `bench_i${i}`, firstName: 'Idle', lastName: `User ${i}` }));
    const histRows = Array.from({ length: plan.historyAuthors }, (_, i) => ({ username: `bench_h${i}`, firstName: 'History', lastName: `User ${i}` }));
    const probeRows = Array.from({ length: plan.probeUsers }, (_, i) => ({ username: `bench_p${i}`, firstName: 'Probe', lastName: `User ${i}` }));

    const { chatIds, idleIds, histIds, probeIds } = await time('users', async () => ({
      chatIds: await db.insertUsers(chatRows, passwordHash, at),
      idleIds: await db.insertUsers(idleRows, passwordHash, at),
      histIds: await db.insertUsers(histRows, passwordHash, at),
      probeIds: await db.insertUsers(probeRows, passwordHash, at),
    }));

    const newToken = () => randomBytes(32).toString('base64url');
    const chatTokens = chatIds.map(newToken);
    // Device-major: entry d * idleUsers + i is device d of idle user i.
    const idleSockets = Array.from({ length: plan.idleDevices }, () => idleIds.map((userId, i) => ({ userId, i, token: newToken() }))).flat();
    const probeTokens = probeIds.map(newToken);
    const readerTokens = histIds.map(newToken);
    await time('sessions', () =>
      db.insertSessions(
        [
          ...chatIds.map((userId, i) => ({ userId, tokenHash: hashToken(chatTokens[i]!) })),
          ...idleSockets.map(({ userId, token }) => ({ userId, tokenHash: hashToken(token) })),
          ...probeIds.map((userId, i) => ({ userId, tokenHash: hashToken(probeTokens[i]!) })),
          ...histIds.map((userId, i) => ({ userId, tokenHash: hashToken(readerTokens[i]!) })),
        ],
        at,
        expiresAt,
      ),
    );

    // Rooms: chat users in groups of `groupSize` and in pairs (2k, 2k+1); idle users likewise.
    const { chatGroups, chatDms, idleGroups, idleDms, historyRoom } = await time('rooms', async () => {
      const chatGroups = await db.insertGroupRooms(
        Array.from({ length: groups(plan.chatUsers, plan.groupSize) }, (_, g) => groupRoom(`bench-room-${g}`, chatIds[g * plan.groupSize]!)),
        at,
      );
      const idleGroups = await db.insertGroupRooms(
        Array.from({ length: groups(plan.idleUsers, plan.idleGroupSize) }, (_, g) => groupRoom(`bench-idle-${g}`, idleIds[g * plan.idleGroupSize]!)),
        at,
      );
      const [historyRoom] = await db.insertGroupRooms([groupRoom('bench-history', histIds[0]!)], at);
      const pairs = (ids: number[]) =>
        Array.from({ length: Math.floor(ids.length / 2) }, (_, k) => ({ a: ids[2 * k]!, b: ids[2 * k + 1]! }));
      const chatDms = await db.insertDirectRooms(pairs(chatIds), at);
      const idleDms = await db.insertDirectRooms(pairs(idleIds), at);
      return { chatGroups, chatDms, idleGroups, idleDms, historyRoom: historyRoom! };
    });

    await time('members', async () => {
      const rows: { roomId: number; userId: number }[] = [];
      chatIds.forEach((userId, i) => {
        rows.push({ roomId: chatGroups[Math.floor(i / plan.groupSize)]!, userId });
        if (i >> 1 < chatDms.length) rows.push({ roomId: chatDms[i >> 1]!, userId });
      });
      idleIds.forEach((userId, i) => {
        rows.push({ roomId: idleGroups[Math.floor(i / plan.idleGroupSize)]!, userId });
        if (i >> 1 < idleDms.length) rows.push({ roomId: idleDms[i >> 1]!, userId });
      });
      for (const userId of histIds) rows.push({ roomId: historyRoom, userId });
      await db.insertMembers(rows, at);
    });

    await time('history', () => db.insertHistory(historyRoom, histIds, plan.historyMessages, at));
    await time('commit', () => db.close());

    const groupMembers = (g: number) => Math.min(plan.groupSize, plan.chatUsers - g * plan.groupSize);
    const chat: ChatUser[] = chatIds.map((userId, i) => {
      const g = Math.floor(i / plan.groupSize);
      // A user without a pair (odd count) sends to its group only: its "direct" room is the group.
      const dm = i >> 1 < chatDms.length ? { roomId: chatDms[i >> 1]!, members: 2 } : { roomId: chatGroups[g]!, members: groupMembers(g) };
      return {
        index: i,
        userId,
        username: chatRows[i]!.username,
        token: chatTokens[i]!,
        firstName: chatRows[i]!.firstName,
        lastName: chatRows[i]!.lastName,
        group: { roomId: chatGroups[g]!, members: groupMembers(g) },
        dm,
      };
    });
    const idle: IdleUser[] = idleSockets.map(({ userId, i, token }) => ({
      userId,
      username: idleRows[i]!.username,
      token,
      roomIds: [idleGroups[Math.floor(i / plan.idleGroupSize)]!, ...(i >> 1 < idleDms.length ? [idleDms[i >> 1]!] : [])],
    }));
    const probe: IdleUser[] = probeIds.map((userId, i) => ({ userId, username: probeRows[i]!.username, token: probeTokens[i]!, roomIds: [] }));
    log(`  seeded in ${Object.entries(timings).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
    return {
      chat,
      idle,
      idleUserIds: idleIds,
      probe,
      history: { roomId: historyRoom, readers: histIds.map((userId, i) => ({ userId, token: readerTokens[i]! })), messages: plan.historyMessages },
      logins: chatRows.map((r) => ({ username: r.username, password: PASSWORD })),
      timings,
    };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/** Times the named steps of a seeding, in whole milliseconds, for its log line and results. */
export function stopwatch(): { timings: Record<string, number>; time: <T>(name: string, work: () => Promise<T>) => Promise<T> } {
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    timings[name] = Math.round(performance.now() - t);
    return result;
  };
  return { timings, time };
}
