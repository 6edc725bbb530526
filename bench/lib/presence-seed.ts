/**
 * Seeds the presence scenario (`--presence`): a directory of many people, each in a group room of ten and in
 * direct chats with their neighbours, straight into the server's tables with `seed.ts`'s inserts (the built
 * `openStore` applies the migrations first). Names come from short lists of common first and last names, drawn
 * by a seeded pseudo-random sequence, so that a search by a prefix finds as many people as it would in a real
 * company; every run seeds the same.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { random } from './rooms-list-seed.js';
import { migrate, postgresSeedDb, sqliteSeedDb, stopwatch, type DbTarget, type UserRow } from './seed.js';

const dist = (file: string) => new URL(`../../server/dist/${file}`, import.meta.url).href;

export interface PresencePlan {
  /** People registered. */
  users: number;
  /** Sockets connected before the measurements, and sockets (devices) per user among them: `online / devices` users. */
  online: number;
  devices: number;
  /** Each person is in one group room of this many, by index. */
  groupSize: number;
  /** Each person opens a direct chat with the next `directAhead` people by index (so has twice that many peers). */
  directAhead: number;
  /** People who come online once the others are connected, one at a time: what one more costs. */
  probes: number;
  /** Each probe shares a group room with this many online people, and a direct chat with this many more. */
  probeGroupOthers: number;
  probeDirectPeers: number;
}

export interface PresenceSeeded {
  /** One token per online socket, device-major: every online user's first device, then every one's second, … */
  onlineTokens: string[];
  /** One token per probe, and the online people each shares a room with. */
  probeTokens: string[];
  probeContacts: number;
  /** Every person's id, by index. */
  userIds: number[];
  /** Searches as people type them: prefixes of names and usernames in the directory. */
  names: { first: string[]; last: string[] };
  /** Whether the server folds names for search (its migration 6): older servers have no such columns. */
  searchColumns: boolean;
  timings: Record<string, number>;
}

const FIRST = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara',
  'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Lisa', 'Daniel', 'Nancy',
  'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Margaret', 'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily',
  'Paul', 'Donna', 'Joshua', 'Michelle', 'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'Timothy', 'Deborah',
  'Ronald', 'Stephanie', 'Aisha', 'Wei', 'Fatima', 'Hiroshi', 'Olga', 'Pierre', 'Ingrid', 'Carlos', 'Priya', 'Ahmed',
];
const LAST = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson',
  'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright',
  'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell',
  'Mitchell', 'Carter', 'Roberts', 'Kowalski', 'Novak', 'Dubois', 'Schmidt', 'Rossi', 'Silva', 'Tanaka', 'Kim', 'Singh',
  'Ivanova', 'Okafor', 'Haddad', 'Larsen', 'Murphy', 'Cohen', 'Costa', 'Meyer', 'Fischer', 'Weber', 'Bauer',
];

/** Person `i`: a first and a last name from the lists, and a username made of them (at most 32 characters). */
function person(i: number, next: () => number): UserRow {
  const firstName = FIRST[Math.floor(next() * FIRST.length)]!;
  const lastName = LAST[Math.floor(next() * LAST.length)]!;
  return { firstName, lastName, username: `${firstName}.${lastName}${i}`.toLowerCase().slice(0, 32) };
}

export async function seedPresence(target: DbTarget, plan: PresencePlan, log: (line: string) => void): Promise<PresenceSeeded> {
  const { hashToken } = (await import(dist('auth/tokens.js'))) as typeof import('../../server/src/auth/tokens.js');
  const { roomNameKey, roomNameFold } = (await import(dist('rooms/room-name-key.js'))) as typeof import('../../server/src/rooms/room-name-key.js');
  const { timings, time } = stopwatch();
  await time('migrate', () => migrate(target));
  const db = target.driver === 'sqlite' ? sqliteSeedDb(target.file) : await postgresSeedDb(target.url);
  const at = new Date();
  const onlineUsers = Math.ceil(plan.online / plan.devices);
  const newToken = () => randomBytes(32).toString('base64url');
  try {
    const next = random(7);
    const rows = Array.from({ length: plan.users }, (_, i) => person(i, next));
    // Nobody logs in: sessions are seeded, so a hash is never checked.
    const userIds = await time('users', () => db.insertUsers(rows, 'no-password', at));

    const onlineTokens = Array.from({ length: plan.devices }, () => Array.from({ length: onlineUsers }, newToken)).flat().slice(0, plan.online);
    const probeIndexes = Array.from({ length: plan.probes }, (_, p) => plan.users - plan.probes + p);
    const probeTokens = probeIndexes.map(newToken);
    await time('sessions', () =>
      db.insertSessions(
        [
          ...onlineTokens.map((token, k) => ({ userId: userIds[k % onlineUsers]!, tokenHash: hashToken(token) })),
          ...probeIndexes.map((i, p) => ({ userId: userIds[i]!, tokenHash: hashToken(probeTokens[p]!) })),
        ],
        at,
        new Date(at.getTime() + 7 * 86_400_000),
      ),
    );

    await time('rooms and members', async () => {
      const groupRoom = (name: string, creatorId: number) => ({ name, nameKey: roomNameKey(name), nameFold: roomNameFold(name), creatorId });
      const groupCount = Math.ceil(plan.users / plan.groupSize);
      const groups = await db.insertGroupRooms(
        Array.from({ length: groupCount }, (_, g) => groupRoom(`presence-group-${g}`, userIds[g * plan.groupSize]!)),
        at,
      );
      // The probes' rooms: each with online people only, none of them shared by two probes.
      const onlinePeer = (p: number, k: number) => userIds[(p * (plan.probeGroupOthers + plan.probeDirectPeers) + k) % onlineUsers]!;
      const probeGroups = await db.insertGroupRooms(probeIndexes.map((i, p) => groupRoom(`presence-probe-${p}`, userIds[i]!)), at);
      const pairs: { a: number; b: number }[] = [];
      for (let i = 0; i < plan.users; i++) {
        for (let d = 1; d <= plan.directAhead && i + d < plan.users; d++) pairs.push({ a: userIds[i]!, b: userIds[i + d]! });
      }
      probeIndexes.forEach((i, p) => {
        for (let k = 0; k < plan.probeDirectPeers; k++) pairs.push({ a: userIds[i]!, b: onlinePeer(p, plan.probeGroupOthers + k) });
      });
      const directs = await db.insertDirectRooms(pairs, at);
      const members: { roomId: number; userId: number }[] = [];
      userIds.forEach((userId, i) => members.push({ roomId: groups[Math.floor(i / plan.groupSize)]!, userId }));
      probeIndexes.forEach((i, p) => {
        members.push({ roomId: probeGroups[p]!, userId: userIds[i]! });
        for (let k = 0; k < plan.probeGroupOthers; k++) members.push({ roomId: probeGroups[p]!, userId: onlinePeer(p, k) });
      });
      pairs.forEach(({ a, b }, r) => members.push({ roomId: directs[r]!, userId: a }, { roomId: directs[r]!, userId: b }));
      await db.insertMembers(members, at);
    });
    await time('commit', () => db.close());
    const searchColumns = await time('search folds', () => foldNames(target));
    log(`  seeded in ${Object.entries(timings).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
    return {
      onlineTokens,
      probeTokens,
      probeContacts: plan.probeGroupOthers + plan.probeDirectPeers,
      userIds,
      names: { first: FIRST, last: LAST },
      searchColumns,
      timings,
    };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/**
 * Writes the folds the directory's search reads (the server's migration 6), as the server does at sign-up: the
 * names here are ASCII, whose fold is their lower case. False when the server has no such columns (an older one).
 */
async function foldNames(target: DbTarget): Promise<boolean> {
  const update = `UPDATE users SET full_name_fold = lower(first_name || ' ' || last_name), last_name_fold = lower(last_name)`;
  if (target.driver === 'sqlite') {
    const db = new Database(target.file);
    try {
      const columns = db.prepare<[], { name: string }>('PRAGMA table_info(users)').all().map((column) => column.name);
      if (!columns.includes('full_name_fold')) return false;
      db.exec(update);
      return true;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'full_name_fold'",
    );
    if (rows.length === 0) return false;
    await client.query(update);
    await client.query('VACUUM ANALYZE users');
    return true;
  } finally {
    await client.end();
  }
}
