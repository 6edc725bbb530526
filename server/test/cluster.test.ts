import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createClient } from 'redis';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthResponse, PublicUser, SocketClosing, UsersResponse } from '@parley/protocol';
import { buildApp } from '../src/app.js';
import { ConfigError, defaultLimits, loadConfig } from '../src/config.js';
import type { RealtimeOptions } from '../src/realtime/realtime.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { call, drain, expectOk, nextEvent, record, type ClientSocket } from './support/harness.js';
import { redisProblem, redisUrl } from './support/services.js';

const REDIS_URL = redisUrl;
const unavailable = await redisProblem();

/** One message each way in a room, each received live by the other side exactly as stored. */
async function expectExchange(first: ClientSocket, second: ClientSocket, roomId: number): Promise<void> {
  const toSecond = nextEvent(second, 'message:new', (message) => message.roomId === roomId && message.clientId === 'first');
  const sent = expectOk(await call(first, 'message:send', { roomId, clientId: 'first', body: 'Hello from node 1' }));
  expect(await toSecond).toEqual(sent.message);

  const toFirst = nextEvent(first, 'message:new', (message) => message.roomId === roomId && message.clientId === 'reply');
  const reply = expectOk(await call(second, 'message:send', { roomId, clientId: 'reply', body: 'Hello back from node 2' }));
  expect(await toFirst).toEqual(reply.message);
}

/** One Parley node: its own app and store connection, on a database and a Redis shared with the others. */
class ParleyNode {
  private readonly sockets: ClientSocket[] = [];

  private constructor(
    readonly app: FastifyInstance,
    readonly store: Store,
    readonly url: string,
  ) {}

  static async start(databaseFile: string, realtime: Partial<RealtimeOptions>): Promise<ParleyNode> {
    const config = loadConfig(
      { DATABASE_URL: databaseFile, REDIS_URL, BCRYPT_COST: '4', LOG_LEVEL: 'silent' },
      { registrationsPerMinute: 10_000, handshakesPerAddress: 10_000 },
    );
    const store = await openStore(config.database);
    const app = await buildApp(config, { store, webRoot: path.dirname(databaseFile), realtime });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return new ParleyNode(app, store, `http://127.0.0.1:${port}`);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.disconnect();
    await this.app.close();
    await this.store.close();
  }

  async http<T = any>(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.url + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async signUp(name: string): Promise<AuthResponse> {
    const username = `${name}_${Math.random().toString(36).slice(2, 8)}`;
    const response = await this.http<AuthResponse>('POST', '/api/auth/register', undefined, {
      firstName: name,
      lastName: 'Cluster',
      username,
      password: 'correct horse battery',
    });
    if (response.status !== 201) throw new Error(`sign-up failed: ${response.status}`);
    return response.body;
  }

  connect(token: string): Promise<ClientSocket> {
    const socket: ClientSocket = connectSocket(this.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    this.sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  /** Resolves when this node has seen that client socket disconnect. */
  sawDisconnect(client: ClientSocket): Promise<void> {
    const socket = this.app.realtime.io.of('/').sockets.get(client.id!);
    if (!socket) throw new Error(`socket ${client.id} is not on this node`);
    return new Promise((resolve) => socket.once('disconnect', () => resolve()));
  }

  /** Whether the directory, as this node answers it, shows the user online. */
  async onlineOf(token: string, user: PublicUser): Promise<boolean> {
    const response = await this.http<UsersResponse>('GET', `/api/users?query=${encodeURIComponent(user.username)}`, token);
    expect(response.status).toBe(200);
    const entry = response.body.users.find((found) => found.id === user.id);
    if (!entry) throw new Error(`user ${user.id} is not in the directory`);
    return entry.online;
  }

  /**
   * Has someone on this node create a room: everyone hears of it, so once a socket on another node has, whatever
   * this node published before has reached it too.
   */
  async broadcastMarker(): Promise<string> {
    const marker = await this.signUp('marker');
    const socket = await this.connect(marker.token);
    const name = `Marker ${Math.random().toString(36).slice(2, 8)}`;
    expectOk(await call(socket, 'room:create', { name }));
    return name;
  }
}

/** Two nodes on one SQLite file (WAL, one connection each) and one Redis, with their own channel prefix. */
async function startPair(realtime: Partial<RealtimeOptions> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));
  const file = path.join(dir, 'parley.db');
  const options = {
    redisKeyPrefix: `parley-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    redisRequestTimeoutMs: 1_000,
    ...realtime,
  };
  const node1 = await ParleyNode.start(file, options);
  const node2 = await ParleyNode.start(file, options);
  return {
    node1,
    node2,
    async close() {
      // Both at once, as in a full stop. A node counting devices as it closes may wait for an answer
      // from one that has just unsubscribed: the short request timeout keeps that wait short.
      await Promise.allSettled([node1.close(), node2.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('REDIS_URL', () => {
  it('is optional, and takes redis:// and rediss:// URLs', () => {
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({ REDIS_URL: 'rediss://app:s3cret@cache.example.com:6380/1' }).redisUrl).toBe('rediss://app:s3cret@cache.example.com:6380/1');
  });

  it('refuses anything else with a message that names it, never the credentials', () => {
    for (const value of ['http://app:s3cret@cache', 'app:s3cret@cache:6379', 'redis://', 'redis://:s3cret@[::1']) {
      let error: unknown;
      try {
        loadConfig({ REDIS_URL: value });
      } catch (caught) {
        error = caught;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message, value).toMatch(/REDIS_URL: .*redis:\/\/ or rediss:\/\//);
      expect(message, value).not.toContain('s3cret');
      expect(message, value).not.toContain('app:');
    }
  });

  it('makes the app refuse to start when Redis cannot be reached, naming the address only', async () => {
    const config = loadConfig({ DATABASE_URL: ':memory:', REDIS_URL: 'redis://app:s3cret@127.0.0.1:1', LOG_LEVEL: 'silent' });
    const store = await openStore(config.database);
    try {
      const starting = buildApp(config, { store, realtime: { redisConnectTimeoutMs: 300 } });
      await expect(starting).rejects.toThrow(/^REDIS_URL: .*redis:\/\/127\.0\.0\.1:1/);
      await expect(starting).rejects.not.toThrow(/s3cret/);
    } finally {
      await store.close();
    }
  });
});

if (unavailable !== null) {
  it.skip(`cluster tests: ${unavailable}`, () => {});
} else {
  describe('two nodes sharing Redis', () => {
    let pair: Awaited<ReturnType<typeof startPair>>;
    let node1: ParleyNode;
    let node2: ParleyNode;

    beforeAll(async () => {
      // A long sweep: these tests count announcements, and the sweep is tested on its own below.
      pair = await startPair({ presenceSweepMs: 60_000 });
      ({ node1, node2 } = pair);
    });
    afterAll(async () => {
      await pair?.close();
    });

    it('delivers a direct chat live between people on different nodes, room:new included', async () => {
      const alice = await node1.signUp('alice');
      const bob = await node2.signUp('bob');
      const aliceSocket = await node1.connect(alice.token);
      const bobSocket = await node2.connect(bob.token);

      const bobGetsRoom = nextEvent(bobSocket, 'room:new');
      const { room } = expectOk(await call(aliceSocket, 'dm:open', { userId: bob.user.id }));
      expect(await bobGetsRoom).toMatchObject({ id: room.id, kind: 'direct', peer: alice.user });

      await expectExchange(aliceSocket, bobSocket, room.id);
    });

    it('delivers a group room live across nodes, from its creation to its messages', async () => {
      const alice = await node1.signUp('alice');
      const bob = await node2.signUp('bob');
      const aliceSocket = await node1.connect(alice.token);
      const bobSocket = await node2.connect(bob.token);

      const name = `Across ${Math.random().toString(36).slice(2, 8)}`;
      const bobSeesIt = nextEvent(bobSocket, 'room:created', (room) => room.name === name);
      const { room } = expectOk(await call(aliceSocket, 'room:create', { name }));
      expect(await bobSeesIt).toMatchObject({ id: room.id, joined: false });
      expectOk(await call(bobSocket, 'room:join', { roomId: room.id }));

      await expectExchange(aliceSocket, bobSocket, room.id);
    });

    it('tells the members on the other node who joins and leaves, with the count, and the notices in order', async () => {
      const alice = await node1.signUp('alice');
      const bob = await node2.signUp('bob');
      const aliceSocket = await node1.connect(alice.token);
      const bobSocket = await node2.connect(bob.token);
      const { room } = expectOk(await call(aliceSocket, 'room:create', { name: `Members ${Math.random().toString(36).slice(2, 8)}` }));
      const notices = record(aliceSocket, 'message:new');

      const joined = nextEvent(aliceSocket, 'room:member', (event) => event.roomId === room.id);
      expectOk(await call(bobSocket, 'room:join', { roomId: room.id }));
      expect(await joined).toEqual({ roomId: room.id, userId: bob.user.id, change: 'joined', memberCount: 2, seq: 1 });

      const left = nextEvent(aliceSocket, 'room:member', (event) => event.roomId === room.id && event.change === 'left');
      const leftNotice = nextEvent(aliceSocket, 'message:new', (message) => message.roomId === room.id && message.seq === 2);
      expectOk(await call(bobSocket, 'room:leave', { roomId: room.id }));
      expect(await left).toEqual({ roomId: room.id, userId: bob.user.id, change: 'left', memberCount: 1, seq: 2 });
      await leftNotice;
      expect(notices.map((message) => [message.seq, message.notice?.change])).toEqual([
        [1, 'joined'],
        [2, 'left'],
      ]);
    });

    it('stops delivering a room to a member removed through the other node, on every device, at once', async () => {
      const alice = await node1.signUp('alice');
      const carol = await node2.signUp('carol');
      const aliceSocket = await node1.connect(alice.token);
      const carolOn1 = await node1.connect(carol.token);
      const carolOn2 = await node2.connect(carol.token);
      const { room } = expectOk(await call(aliceSocket, 'room:create', { name: `Removal ${Math.random().toString(36).slice(2, 8)}` }));
      expectOk(await call(carolOn2, 'room:join', { roomId: room.id }));

      const heard = [carolOn1, carolOn2].map((socket) => nextEvent(socket, 'room:member', (event) => event.change === 'removed'));
      expectOk(await call(aliceSocket, 'room:remove', { roomId: room.id, userId: carol.user.id }));
      for (const event of await Promise.all(heard)) expect(event).toMatchObject({ roomId: room.id, userId: carol.user.id, memberCount: 1 });

      const after = [record(carolOn1, 'message:new'), record(carolOn2, 'message:new')];
      expectOk(await call(aliceSocket, 'message:send', { roomId: room.id, clientId: 'gone', body: 'after the removal' }));
      // Published by node 1 after Alice's message, so reaching node 2 after it (and node 1's own sockets at once).
      const markers = [carolOn1, carolOn2].map((socket) => nextEvent(socket, 'room:created', (created) => created.name?.startsWith('Marker ') ?? false));
      await node1.broadcastMarker();
      await Promise.all(markers);
      expect(after.flat().filter((message) => message.roomId === room.id && message.kind === 'text')).toEqual([]);
    });

    it('delivers a message sent right after a chat opens to the peer on the same node, however slow Redis is', async () => {
      const alice = await node1.signUp('alice');
      const bob = await node1.signUp('bob');
      const aliceSocket = await node1.connect(alice.token);
      const bobSocket = await node1.connect(bob.token);
      const bobGetsRoom = nextEvent(bobSocket, 'room:new');
      // Holds every PUBLISH (the cluster-wide join included) while the chat opens and the message goes out.
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      try {
        await redis.sendCommand(['CLIENT', 'PAUSE', '500', 'WRITE']);
        const { room } = expectOk(await call(aliceSocket, 'dm:open', { userId: bob.user.id }));
        const bobGetsMessage = nextEvent(bobSocket, 'message:new', (message) => message.roomId === room.id);
        const sent = expectOk(await call(aliceSocket, 'message:send', { roomId: room.id, clientId: 'at-once', body: 'Straight away' }));
        expect(await bobGetsMessage).toEqual(sent.message);
        await bobGetsRoom;
      } finally {
        await redis.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => undefined);
        await redis.quit();
      }
    });

    it("delivers a room's messages to every socket in seq order while people on both nodes send at once", async () => {
      const people = await Promise.all([node1, node1, node2, node2].map((node, i) => node.signUp(`sender${i}`)));
      const nodeOf = (i: number) => (i < 2 ? node1 : node2);
      const sockets = await Promise.all(people.map((person, i) => nodeOf(i).connect(person.token)));
      const name = `Busy ${Math.random().toString(36).slice(2, 8)}`;
      const { room } = expectOk(await call(sockets[0]!, 'room:create', { name }));
      let joinedAt = 0;
      for (const socket of sockets.slice(1)) joinedAt = expectOk(await call(socket, 'room:join', { roomId: room.id })).room.lastSeq;

      // Each node's appends take turns on the room's row, so the seqs interleave the nodes' messages: a node that
      // delivered its own at once would get ahead of the other's, still on its way through Redis.
      const perSocket = 40;
      const total = perSocket * sockets.length;
      const received = sockets.map((socket) => {
        const seqs: number[] = [];
        const all = new Promise<number[]>((resolve) =>
          socket.on('message:new', (message) => {
            // The notices of the joins before are not part of the race.
            if (message.roomId !== room.id || message.seq <= joinedAt) return;
            seqs.push(message.seq);
            if (seqs.length === total) resolve(seqs);
          }),
        );
        return all;
      });
      await Promise.all(
        sockets.flatMap((socket, s) =>
          Array.from({ length: perSocket }, async (_, i) => expectOk(await call(socket, 'message:send', { roomId: room.id, clientId: `c${s}-${i}`, body: `${s}/${i}` }))),
        ),
      );
      const inOrder = Array.from({ length: total }, (_, i) => joinedAt + i + 1);
      for (const seqs of await Promise.all(received)) expect(seqs).toEqual(inOrder);
    });

    it("leaves out the typist's and the creator's devices on the other node too, and carries receipts across", async () => {
      const alice = await node1.signUp('alice');
      const bob = await node2.signUp('bob');
      const alice1 = await node1.connect(alice.token);
      const alice2 = await node2.connect(alice.token);
      const bob1 = await node1.connect(bob.token);
      const bob2 = await node2.connect(bob.token);
      const { room } = expectOk(await call(alice1, 'dm:open', { userId: bob.user.id }));
      const typingOnAlice2 = record(alice2, 'typing');
      const createdOnAlice2 = record(alice2, 'room:created');

      const bobHearsTyping = [bob1, bob2].map((socket) => nextEvent(socket, 'typing'));
      expectOk(await call(alice1, 'typing', { roomId: room.id }));
      for (const heard of await Promise.all(bobHearsTyping)) expect(heard).toEqual({ roomId: room.id, userId: alice.user.id });
      const name = `Quiet ${Math.random().toString(36).slice(2, 8)}`;
      const bobSeesRoom = nextEvent(bob2, 'room:created', (created) => created.name === name);
      expectOk(await call(alice1, 'room:create', { name }));
      await bobSeesRoom;
      // Published by node 1 after Alice's own typing and room, so arriving on node 2 after them: had those
      // reached her socket there, they would be recorded by now.
      const bobTypingOnAlice2 = nextEvent(alice2, 'typing');
      expectOk(await call(bob1, 'typing', { roomId: room.id }));
      expect(await bobTypingOnAlice2).toEqual({ roomId: room.id, userId: bob.user.id });
      expect(typingOnAlice2).toEqual([{ roomId: room.id, userId: bob.user.id }]);
      expect(createdOnAlice2).toEqual([]);

      expectOk(await call(alice1, 'message:send', { roomId: room.id, clientId: 'seen', body: 'Seen?' }));
      const receipts = [alice1, alice2, bob1].map((socket) => nextEvent(socket, 'room:read'));
      expectOk(await call(bob2, 'room:read', { roomId: room.id, seq: 1 }));
      for (const receipt of await Promise.all(receipts)) expect(receipt).toEqual({ roomId: room.id, userId: bob.user.id, seq: 1 });
    });

    it('tells watchers and room members on either node when someone comes and goes, never strangers, and answers a watch from both', async () => {
      const bob = await node2.signUp('bob');
      const watcher = await node1.connect((await node1.signUp('watcher')).token);
      const member = await node2.connect((await node2.signUp('member')).token);
      const stranger = await node1.connect((await node1.signUp('stranger')).token);
      const strangerHeard = record(stranger, 'user:online');
      const name = `Shared ${Math.random().toString(36).slice(2, 8)}`;
      const { room } = expectOk(await call(member, 'room:create', { name }));
      const bobFirst = await node1.connect(bob.token);
      expectOk(await call(bobFirst, 'room:join', { roomId: room.id }));
      bobFirst.disconnect();
      expect(expectOk(await call(watcher, 'presence:watch', { userIds: [bob.user.id] })).online).toEqual([]);
      await node1.app.realtime.presence.settled();
      await drain(stranger);
      strangerHeard.length = 0;

      const toWatcher = nextEvent(watcher, 'user:online', (event) => event.userId === bob.user.id);
      const toMember = nextEvent(member, 'user:online', (event) => event.userId === bob.user.id);
      const bobSocket = await node2.connect(bob.token);
      await Promise.all([toWatcher, toMember]);
      // Published by node 2 after Bob's announcement, so reaching node 1 after it.
      const marker = await node2.broadcastMarker();
      await nextEvent(stranger, 'room:created', (created) => created.name === marker);
      expect(strangerHeard).toEqual([]);

      // Asked on node 1, about a socket on node 2.
      expect(expectOk(await call(watcher, 'presence:watch', { userIds: [bob.user.id] })).online).toEqual([bob.user.id]);
      const offline = nextEvent(watcher, 'user:offline', (event) => event.userId === bob.user.id);
      bobSocket.disconnect();
      await offline;
    });

    it('announces someone online once for devices on two nodes, and offline once after the last', async () => {
      const carol = await node1.signUp('carol');
      const bob = await node2.signUp('bob');
      const watcher = await node1.connect(carol.token);
      expectOk(await call(watcher, 'presence:watch', { userIds: [bob.user.id] }));
      const onlineEvents = record(watcher, 'user:online');
      const offlineEvents = record(watcher, 'user:offline');
      const aboutBob = (events: { userId: number }[]) => events.filter((event) => event.userId === bob.user.id);

      // Bob's phone, on node 2: node 1's watcher hears it through Redis.
      const online = nextEvent(watcher, 'user:online', (event) => event.userId === bob.user.id);
      const phone = await node2.connect(bob.token);
      await online;
      expect(await node1.onlineOf(carol.token, bob.user)).toBe(true);

      // His laptop, on node 1: nothing new to announce.
      const laptop = await node1.connect(bob.token);
      await node1.app.realtime.presence.settled();
      await drain(watcher);

      // The phone goes; the laptop is still there, so node 2 must announce nothing. Had it announced
      // something, it would reach the watcher before this later broadcast from node 2 does.
      const phoneGone = node2.sawDisconnect(phone);
      phone.disconnect();
      await phoneGone;
      await node2.app.realtime.presence.settled();
      const marker = await node2.broadcastMarker();
      await nextEvent(watcher, 'room:created', (room) => room.name === marker);
      expect(aboutBob(offlineEvents)).toEqual([]);
      expect(await node1.onlineOf(carol.token, bob.user)).toBe(true);

      const offline = nextEvent(watcher, 'user:offline', (event) => event.userId === bob.user.id);
      laptop.disconnect();
      await offline;
      await node1.app.realtime.presence.settled();
      await node2.app.realtime.presence.settled();
      await drain(watcher);

      expect(aboutBob(onlineEvents)).toEqual([{ userId: bob.user.id }]);
      expect(aboutBob(offlineEvents)).toEqual([{ userId: bob.user.id }]);
      expect(await node1.onlineOf(carol.token, bob.user)).toBe(false);
      expect(await node2.onlineOf(carol.token, bob.user)).toBe(false);
    });

    it('announces offline once when many devices leave at once', async () => {
      const carol = await node1.signUp('carol');
      const bob = await node2.signUp('bob');
      const watcher = await node1.connect(carol.token);
      expectOk(await call(watcher, 'presence:watch', { userIds: [bob.user.id] }));
      const onlineEvents = record(watcher, 'user:online');
      const offlineEvents = record(watcher, 'user:offline');
      const aboutBob = (events: { userId: number }[]) => events.filter((event) => event.userId === bob.user.id);
      const devices: ClientSocket[] = [];
      for (let i = 0; i < 5; i += 1) devices.push(await node2.connect(bob.token));
      await node2.app.realtime.presence.settled();

      // Logging out drops all five on node 2 in one go.
      const offline = nextEvent(watcher, 'user:offline', (event) => event.userId === bob.user.id);
      expect((await node1.http('POST', '/api/auth/logout', bob.token)).status).toBe(204);
      await offline;
      await node2.app.realtime.presence.settled();
      const marker = await node2.broadcastMarker();
      await nextEvent(watcher, 'room:created', (room) => room.name === marker);

      expect(aboutBob(onlineEvents)).toEqual([{ userId: bob.user.id }]);
      expect(aboutBob(offlineEvents)).toEqual([{ userId: bob.user.id }]);
    });

    it('lists someone online on node 1 while their only socket is on node 2', async () => {
      const alice = await node1.signUp('alice');
      const bob = await node2.signUp('bob');
      expect(await node1.onlineOf(alice.token, bob.user)).toBe(false);
      const bobSocket = await node2.connect(bob.token);
      expect(await node1.onlineOf(alice.token, bob.user)).toBe(true);
      expect(await node1.onlineOf(alice.token, alice.user)).toBe(false);

      const gone = node2.sawDisconnect(bobSocket);
      bobSocket.disconnect();
      await gone;
      expect(await node1.onlineOf(alice.token, bob.user)).toBe(false);
    });

    it('disconnects, on node 2, the sockets of a session logged out through node 1', async () => {
      const bob = await node2.signUp('bob');
      const otherSession = (await node1.http<AuthResponse>('POST', '/api/auth/login', undefined, { username: bob.user.username, password: 'correct horse battery' })).body;
      const onNode2 = await node2.connect(bob.token);
      const otherDevice = await node2.connect(otherSession.token);
      const reason = new Promise<string>((resolve) => onNode2.once('disconnect', (why) => resolve(why)));

      expect((await node1.http('POST', '/api/auth/logout', bob.token)).status).toBe(204);

      // Deliberate: the session is gone, so the client is told not to reconnect with it.
      expect(await reason).toBe('io server disconnect');
      expect(otherDevice.connected).toBe(true);
      expectOk(await call(otherDevice, 'rooms:list', {}));
    });

    it('counts a user’s sockets on both nodes: one too many on node 2 closes the oldest, on node 1, telling it why', async () => {
      const dave = await node1.signUp('dave');
      const cap = defaultLimits.socketsPerUser;
      const onNode1: ClientSocket[] = [];
      for (let i = 0; i < cap / 2; i++) onNode1.push(await node1.connect(dave.token));
      for (let i = 0; i < cap / 2; i++) await node2.connect(dave.token);
      const told: SocketClosing[] = [];
      onNode1[0]!.on('socket:closing', (event) => told.push(event));
      const reason = new Promise<string>((resolve) => onNode1[0]!.once('disconnect', (why) => resolve(why)));

      const newest = await node2.connect(dave.token);

      expect(await reason).toBe('io server disconnect');
      expect(told).toEqual([{ reason: 'too_many_sockets', message: expect.any(String) }]);
      expectOk(await call(newest, 'rooms:list', {}));
      expect(onNode1.slice(1).every((socket) => socket.connected)).toBe(true);
    });
  });

  describe('a node that shuts down', () => {
    let pair: Awaited<ReturnType<typeof startPair>> | undefined;
    afterAll(async () => {
      await pair?.close();
    });

    it('closes its transports, so clients reconnect, and the others hear its users go offline once', async () => {
      pair = await startPair();
      const { node1, node2 } = pair;
      const carol = await node1.signUp('carol');
      const bob = await node2.signUp('bob');
      const watcher = await node1.connect(carol.token);
      expectOk(await call(watcher, 'presence:watch', { userIds: [bob.user.id] }));
      const offlineEvents = record(watcher, 'user:offline');
      const devices: ClientSocket[] = [];
      for (let i = 0; i < 3; i += 1) devices.push(await node2.connect(bob.token));
      const reasons = devices.map((device) => new Promise<string>((resolve) => device.once('disconnect', (why) => resolve(why))));

      const offline = nextEvent(watcher, 'user:offline', (event) => event.userId === bob.user.id);
      await node2.app.close();
      expect(await Promise.all(reasons)).toEqual(['transport close', 'transport close', 'transport close']);
      await offline;
      // Node 2 announced before it closed its Redis connections: nothing of it can still be on its way.
      await drain(watcher);
      expect(offlineEvents.filter((event) => event.userId === bob.user.id)).toEqual([{ userId: bob.user.id }]);
      expect(await node1.onlineOf(carol.token, bob.user)).toBe(false);
    });
  });

  describe('a node that dies', () => {
    let pair: Awaited<ReturnType<typeof startPair>> | undefined;
    afterAll(async () => {
      await pair?.close();
    });

    it('is noticed by the others, whose sweep announces its users offline to their own sockets that may see them', async () => {
      pair = await startPair({ presenceSweepMs: 100 });
      const { node1, node2 } = pair;
      const carol = await node1.signUp('carol');
      const bob = await node2.signUp('bob');
      const watcher = await node1.connect(carol.token);
      expectOk(await call(watcher, 'presence:watch', { userIds: [bob.user.id] }));
      const peerPerson = await node1.signUp('peer');
      const peer = await node1.connect(peerPerson.token);
      const stranger = await node1.connect((await node1.signUp('stranger')).token);
      const strangerHeard = record(stranger, 'user:offline');
      const online = nextEvent(watcher, 'user:online', (event) => event.userId === bob.user.id);
      const bobSocket = await node2.connect(bob.token);
      await online;
      // A chat opened after Bob came online: the sweep finds it in the store, since his socket is gone with its node.
      // Its room:new is published after the peer's socket joins it, so once it arrives, node 1 has that join.
      const peerHasRoom = nextEvent(peer, 'room:new');
      expectOk(await call(bobSocket, 'dm:open', { userId: peerPerson.user.id }));
      await peerHasRoom;

      // As in a SIGKILL: node 2's Redis connections drop, its sockets stay as they are, nobody says a word.
      const offline = [watcher, peer].map((socket) => nextEvent(socket, 'user:offline', (event) => event.userId === bob.user.id));
      node2.app.realtime.redis!.destroy();
      expect(await Promise.all(offline)).toEqual([{ userId: bob.user.id }, { userId: bob.user.id }]);
      await drain(stranger);
      expect(strangerHeard).toEqual([]);

      expect(bobSocket.connected).toBe(true);
      expect(await node1.onlineOf(carol.token, bob.user)).toBe(false);
      expect(await node1.onlineOf(carol.token, carol.user)).toBe(true);
    });
  });
}
