import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthResponse, Message } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { NodeProcess } from './support/node-process.js';
import { ResilientClient } from './support/resilient-client.js';
import { call, expectOk, type ClientSocket } from './support/harness.js';
import { io } from 'socket.io-client';

const running: NodeProcess[] = [];
const clients: ResilientClient[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(running.splice(0).map((node) => node.kill()));
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
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
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Three people in one group room, plus a direct chat between the first two. */
async function setUpPeople(url: string) {
  const people = await Promise.all(['ann', 'ben', 'cat'].map((name) => signUp(url, `${name}_${Date.now() % 100000}`)));
  const sockets = await Promise.all(people.map((person) => connect(url, person.token)));
  const group = expectOk(await call(sockets[0]!, 'room:create', { name: `Crash course ${Date.now()}` })).room;
  for (const socket of sockets.slice(1)) expectOk(await call(socket, 'room:join', { roomId: group.id }));
  const dm = expectOk(await call(sockets[0]!, 'dm:open', { userId: people[1]!.user.id })).room;
  for (const socket of sockets) socket.disconnect();
  return { people, group, dm };
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
    await Promise.all(
      all.map(async (client, c) => {
        for (let i = 1; i <= perClient; i++) {
          await client.send(i % 3 === 0 && c < 2 ? dm.id : group.id, `client ${c} message ${i}`);
          // Mid-stream, while the others are still sending: kill -9, then start again on the same port.
          if (c === 0 && i === 10) {
            ackedBeforeKill = all.reduce((sum, each) => sum + each.acked.size, 0);
            killed = node.kill().then(async () => {
              node = await startNode(env, node.port);
            });
          }
        }
      }),
    );
    await killed;
    await Promise.all(all.map((client) => client.flush()));
    await Promise.all(all.map((client) => client.catchUp()));

    // The kill really fell mid-stream: every client lost its connection, with most messages still to send.
    expect(ackedBeforeKill).toBeLessThan(perClient * all.length / 2);
    for (const client of all) expect(client.disconnects).toBeGreaterThanOrEqual(1);
    expect(all.reduce((sum, client) => sum + client.acked.size, 0)).toBe(perClient * all.length);
    node.signal('SIGTERM');
    await node.exited;
    const store = openSqliteStore(env.DATABASE_URL);
    const stored = new Map([
      [group.id, await store.listMessagesAfter(group.id, 0, 10_000)],
      [dm.id, await store.listMessagesAfter(dm.id, 0, 10_000)],
    ]);
    await store.close();
    expect([...stored.values()].flat()).toHaveLength(perClient * all.length);
    expectCompleteAndExactlyOnce(stored, all);
  });
});
