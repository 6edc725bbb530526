import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthResponse, Message } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { NodeProcess } from './support/node-process.js';
import { ResilientClient } from './support/resilient-client.js';
import { call, expectOk, nextEvent, type ClientSocket } from './support/harness.js';
import { adminQuery, postgresProblem, postgresUrl, redisProblem, redisUrl } from './support/services.js';
import { io } from 'socket.io-client';
import { randomBytes } from 'node:crypto';

const running: NodeProcess[] = [];
const clients: ResilientClient[] = [];
const sockets: ClientSocket[] = [];
const folders: string[] = [];
const schemas: string[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.disconnect();
  await Promise.all(running.splice(0).map((node) => node.kill()));
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  for (const schema of schemas.splice(0)) await adminQuery(`DROP SCHEMA ${schema} CASCADE`);
});

async function startNode(env: Record<string, string>, port?: number): Promise<NodeProcess> {
  const node = await NodeProcess.start(env, port);
  running.push(node);
  return node;
}

async function signUp(url: string, username: string): Promise<AuthResponse> {
  const response = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ firstName: username, lastName: 'Tester', username, password: 'long enough password' }),
  });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status}`);
  return (await response.json()) as AuthResponse;
}

function connect(url: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** People in one group room, plus a direct chat between the first two. */
async function setUpPeople(url: string, names = ['ann', 'ben', 'cat']) {
  const people = await Promise.all(names.map((name) => signUp(url, `${name}_${Date.now() % 100000}`)));
  const sockets = await Promise.all(people.map((person) => connect(url, person.token)));
  const group = expectOk(await call(sockets[0]!, 'room:create', { name: `Crash course ${Date.now()}` })).room;
  for (const socket of sockets.slice(1)) expectOk(await call(socket, 'room:join', { roomId: group.id }));
  const dm = expectOk(await call(sockets[0]!, 'dm:open', { userId: people[1]!.user.id })).room;
  for (const socket of sockets) socket.disconnect();
  return { people, group, dm };
}

async function readRooms(store: Store, roomIds: number[]): Promise<Map<number, Message[]>> {
  const stored = new Map<number, Message[]>();
  for (const roomId of roomIds) stored.set(roomId, await store.listMessagesAfter(roomId, 0, 100_000));
  await store.close();
  return stored;
}

/** Sends `count` messages from each client at once, and resolves when every one is acknowledged. */
async function everyoneSends(all: ResilientClient[], count: number, roomOf: (client: number, i: number) => number, during?: (client: number, i: number) => void) {
  await Promise.all(
    all.map(async (client, c) => {
      for (let i = 1; i <= count; i++) {
        await client.send(roomOf(c, i), `client ${c} message ${i}`);
        during?.(c, i);
      }
    }),
  );
  await Promise.all(all.map((client) => client.flush()));
  await Promise.all(all.map((client) => client.catchUp()));
}

/** What people sent, without the notices of the set-up's joins (which the checks below include: they take seqs too). */
function textsIn(stored: Map<number, Message[]>): Message[] {
  return [...stored.values()].flat().filter((message) => message.kind === 'text');
}

/** Checks the database against what was acknowledged and what each client ended up holding. */
function expectCompleteAndExactlyOnce(stored: Map<number, Message[]>, all: ResilientClient[]) {
  for (const [roomId, messages] of stored) {
    expect(messages.map((m) => m.seq), `room ${roomId} seqs`).toEqual(messages.map((_, i) => i + 1));
    const keys = messages.map((m) => `${m.authorId}/${m.clientId}`);
    expect(new Set(keys).size, `room ${roomId} has a duplicate`).toBe(keys.length);
  }
  const byId = new Map([...stored.values()].flat().map((m) => [m.id, m]));
  for (const client of all) {
    for (const message of client.acked.values()) expect(byId.get(message.id), 'an acknowledged message is stored').toEqual(message);
    expect(client.duplicates).toBe(0);
    for (const [roomId] of client.rooms) {
      expect(client.seqs(roomId), `client view of room ${roomId}`).toEqual(stored.get(roomId)!.map((m) => m.seq));
    }
  }
}

describe('crash safety on one node (SQLite)', () => {
  it('clients keep sending while the server is SIGKILLed; after a restart every acknowledged message is stored once and every client has the whole sequence', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-crash-'));
    folders.push(folder);
    const env = { DATABASE_URL: path.join(folder, 'parley.db') };
    let node = await startNode(env);
    const { people, group, dm } = await setUpPeople(node.url);
    const perClient = 30;

    // ann and ben share the direct chat; cat is only in the group.
    const all = people.map((person, c) => new ResilientClient([node.url], person.token, c < 2 ? [group.id, dm.id] : [group.id]));
    clients.push(...all);
    await Promise.all(all.map((client) => client.connect()));

    let killed: Promise<void> | null = null;
    let ackedBeforeKill = 0;
    await everyoneSends(all, perClient, (c, i) => (i % 3 === 0 && c < 2 ? dm.id : group.id), (c, i) => {
      // Mid-stream, while the others are still sending: kill -9, then start again on the same port.
      if (c === 0 && i === 10 && !killed) {
        ackedBeforeKill = all.reduce((sum, each) => sum + each.acked.size, 0);
        killed = node.kill().then(async () => {
          node = await startNode(env, node.port);
        });
      }
    });
    await killed;

    // The kill really fell mid-stream: every client lost its connection, with most messages still to send.
    expect(ackedBeforeKill).toBeLessThan(perClient * all.length / 2);
    for (const client of all) expect(client.disconnects).toBeGreaterThanOrEqual(1);
    expect(all.reduce((sum, client) => sum + client.acked.size, 0)).toBe(perClient * all.length);
    node.signal('SIGTERM');
    await node.exited;
    const stored = await readRooms(openSqliteStore(env.DATABASE_URL), [group.id, dm.id]);
    expect(textsIn(stored)).toHaveLength(perClient * all.length);
    expectCompleteAndExactlyOnce(stored, all);
  });
});

const clusterProblem = (await postgresProblem()) ?? (await redisProblem());

/** Two real server processes sharing a fresh PostgreSQL schema and a Redis channel prefix of their own. */
async function startCluster() {
  const schema = `parley_f_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  schemas.push(schema);
  const database = new URL(postgresUrl);
  database.searchParams.set('options', `-c search_path=${schema}`);
  const env = { DATABASE_URL: database.toString(), REDIS_URL: redisUrl, REDIS_PREFIX: `parley-${schema}` };
  const [one, two] = await Promise.all([startNode(env), startNode(env)]);
  return { env, one: one!, two: two!, openStore: () => openPostgresStore(postgresUrl, { searchPath: schema }) };
}

describe.skipIf(clusterProblem !== null)(`two server processes on PostgreSQL and Redis${clusterProblem ? ` (skipped: ${clusterProblem})` : ''}`, () => {
  it('people on different nodes chat in a direct chat and a group room, and presence is right', async () => {
    const { one, two } = await startCluster();
    const { people, group, dm } = await setUpPeople(one.url, ['ann', 'ben', 'watcher']);
    const [ann, ben, watcher] = people as [AuthResponse, AuthResponse, AuthResponse];
    const watching = await connect(one.url, watcher.token);
    const benOnline = nextEvent(watching, 'user:online', ({ userId }) => userId === ben.user.id);
    const annSocket = await connect(one.url, ann.token);
    const benSocket = await connect(two.url, ben.token);
    await benOnline;

    const benHears = nextEvent(benSocket, 'message:new', (m) => m.roomId === dm.id);
    expectOk(await call(annSocket, 'message:send', { roomId: dm.id, clientId: 'dm-1', body: 'across nodes' }));
    expect((await benHears).body).toBe('across nodes');
    const annHears = nextEvent(annSocket, 'message:new', (m) => m.roomId === group.id);
    expectOk(await call(benSocket, 'message:send', { roomId: group.id, clientId: 'g-1', body: 'to the group' }));
    expect(await annHears).toMatchObject({ body: 'to the group', author: ben.user });

    const directory = await fetch(`${one.url}/api/users`, { headers: { authorization: `Bearer ${watcher.token}` } });
    const online = ((await directory.json()) as { users: { id: number; online: boolean }[] }).users;
    expect(online.find((u) => u.id === ben.user.id)?.online).toBe(true);

    const benOffline = nextEvent(watching, 'user:offline', ({ userId }) => userId === ben.user.id);
    benSocket.disconnect();
    await benOffline;
  });

  it('concurrent senders in one room, on two nodes, get seq 1..N with no gap and no duplicate', async () => {
    const { one, two, openStore } = await startCluster();
    const { people, group } = await setUpPeople(one.url, ['ann', 'ben', 'cat', 'dan']);
    const all = people.map((person, c) => new ResilientClient([one.url, two.url], person.token, [group.id], c % 2));
    clients.push(...all);
    await Promise.all(all.map((client) => client.connect()));
    expect(all.map((client) => client.connectedTo)).toEqual([one.url, two.url, one.url, two.url]);

    await everyoneSends(all, 25, () => group.id);

    const stored = await readRooms(await openStore(), [group.id]);
    expect(textsIn(stored)).toHaveLength(100);
    expectCompleteAndExactlyOnce(stored, all);
  });

  it('one node is SIGKILLed while clients on both keep sending: nothing acknowledged is lost or doubled, and its users are reported offline', async () => {
    const { one, two, openStore } = await startCluster();
    const { people, group, dm } = await setUpPeople(one.url, ['ann', 'ben', 'cat', 'ghost', 'watcher']);
    const [ghost, watcher] = people.slice(3) as [AuthResponse, AuthResponse];
    const all = people.slice(0, 3).map((person, c) => new ResilientClient([two.url, one.url], person.token, c < 2 ? [group.id, dm.id] : [group.id], c === 2 ? 1 : 0));
    clients.push(...all);
    await Promise.all(all.map((client) => client.connect()));
    // Someone only on the node that will die, who never comes back: the others must stop seeing them online.
    const watching = await connect(one.url, watcher.token);
    const ghostOnline = nextEvent(watching, 'user:online', ({ userId }) => userId === ghost.user.id);
    await connect(two.url, ghost.token);
    await ghostOnline;
    const ghostOffline = nextEvent(watching, 'user:offline', ({ userId }) => userId === ghost.user.id);

    let killed: Promise<unknown> | null = null;
    await everyoneSends(all, 30, (c, i) => (i % 3 === 0 && c < 2 ? dm.id : group.id), (c, i) => {
      if (c === 0 && i === 10) killed ??= two.kill();
    });
    expect(await killed).toMatchObject({ signal: 'SIGKILL' });
    for (const client of all.slice(0, 2)) expect(client.disconnects).toBeGreaterThanOrEqual(1);
    for (const client of all) expect(client.connectedTo).toBe(one.url);

    const stored = await readRooms(await openStore(), [group.id, dm.id]);
    expect(textsIn(stored)).toHaveLength(90);
    expectCompleteAndExactlyOnce(stored, all);
    // Within one presence sweep (10 s by default) of the other node.
    await ghostOffline;
  }, 60_000);

  it('SIGTERM under load loses no acknowledged message, and its clients carry on through the other node', async () => {
    const { one, two, openStore } = await startCluster();
    const { people, group, dm } = await setUpPeople(one.url);
    const all = people.map((person, c) => new ResilientClient([two.url, one.url], person.token, c < 2 ? [group.id, dm.id] : [group.id]));
    clients.push(...all);
    await Promise.all(all.map((client) => client.connect()));

    let stopped: Promise<unknown> | null = null;
    const started = Date.now();
    await everyoneSends(all, 30, (c, i) => (i % 3 === 0 && c < 2 ? dm.id : group.id), (c, i) => {
      if (c === 0 && i === 10) {
        two.signal('SIGTERM');
        stopped = two.exited;
      }
    });
    expect(await stopped).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(30_000);
    for (const client of all) {
      expect(client.disconnects).toBeGreaterThanOrEqual(1);
      expect(client.connectedTo).toBe(one.url);
    }

    const stored = await readRooms(await openStore(), [group.id, dm.id]);
    expect(textsIn(stored)).toHaveLength(90);
    expectCompleteAndExactlyOnce(stored, all);
  });
});
