import { LIMITS, type SocketClosing } from '@parley/protocol';
import { io as connectSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { largestValidPacketBytes, loadConfig } from '../src/config.js';
import { TestServer, call, callRaw, drain, expectOk, nextEvent, record, type ClientSocket, type StartOptions } from './support/harness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: StartOptions = {}): Promise<TestServer> {
  server = await TestServer.start(options);
  return server;
}

/** Resolves with the reason of the socket's disconnect, at once if it is already disconnected. */
function disconnected(socket: ClientSocket): Promise<string> {
  if (socket.disconnected) return Promise.resolve('(already disconnected)');
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

/** What a socket is told, in order: `socket:closing` events and its disconnect. */
function closing(socket: ClientSocket): Promise<{ told: SocketClosing[]; reason: string }> {
  const told: SocketClosing[] = [];
  socket.on('socket:closing', (event) => told.push(event));
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve({ told: [...told], reason })));
}

/** An Engine.IO long-polling handshake, as anything that speaks HTTP can open one. */
async function pollingHandshake(server: TestServer, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers });
  const text = await response.text();
  const sid = text.startsWith('0') ? (JSON.parse(text.slice(1)) as { sid: string }).sid : undefined;
  return { status: response.status, text, sid };
}

describe('events per user', () => {
  it('bounds the events one user gets served over all their sockets at once, however many sockets', async () => {
    const server = await start();
    const { socketsPerUser, userEventsPerSecond, socketEventsPerSecond } = server.config.limits;
    const alice = await server.signUp();
    const sockets = await Promise.all(Array.from({ length: socketsPerUser }, () => server.connect(alice.token)));
    const roomId = expectOk(await call(sockets[0]!, 'room:create', { name: 'Flood' })).room.id;
    const perSocket = Math.floor(socketEventsPerSecond / 2);

    const acks = await Promise.all(
      sockets.flatMap((socket, s) =>
        Array.from({ length: perSocket }, (_, i) => call(socket, 'message:send', { roomId, clientId: `s${s}-${i}`, body: 'spam' })),
      ),
    );

    const served = acks.filter((ack) => ack.ok);
    const refused = acks.filter((ack) => !ack.ok && ack.error.code === 'rate_limited');
    // Each socket stayed within its own budget; the user's budget (less the room:create) is what ran out.
    expect(acks.length).toBeGreaterThan(userEventsPerSecond);
    expect(served.length).toBeLessThanOrEqual(userEventsPerSecond - 1);
    expect(served.length + refused.length).toBe(acks.length);
    expect(await server.store.listMessages(roomId, { limit: LIMITS.historyMax })).toHaveLength(served.length);
  });

  it('charges expensive events more than one point', async () => {
    const server = await start();
    const { socketEventsPerSecond } = server.config.limits;
    const alice = await server.signUpAndConnect();
    const roomId = expectOk(await call(alice.socket, 'room:create', { name: 'Costly' })).room.id;
    const syncs = await Promise.all(Array.from({ length: 10 }, () => call(alice.socket, 'sync', { rooms: { [roomId]: 0 } })));
    // sync costs 10 points: with 50 a second, 4 fit after the room:create (1 point).
    expect(syncs.filter((ack) => ack.ok)).toHaveLength(Math.floor((socketEventsPerSecond - 1) / 10));

    const bob = await server.signUpAndConnect();
    const lists = await Promise.all(Array.from({ length: 40 }, () => call(bob.socket, 'rooms:list', {})));
    // A page of rooms costs 2 points.
    expect(lists.filter((ack) => ack.ok)).toHaveLength(socketEventsPerSecond / 2);
  });
});

describe('sockets per user', () => {
  it('closes the oldest socket when one more than allowed connects, telling it why', async () => {
    const server = await start();
    const { socketsPerUser } = server.config.limits;
    const alice = await server.signUp();
    const sockets: ClientSocket[] = [];
    // One at a time, so that which is the oldest is known.
    for (let i = 0; i < socketsPerUser; i++) sockets.push(await server.connect(alice.token));
    const oldest = closing(sockets[0]!);

    const newest = await server.connect(alice.token);

    expect(await oldest).toEqual({
      told: [{ reason: 'too_many_sockets', message: expect.any(String) }],
      reason: 'io server disconnect',
    });
    expectOk(await call(newest, 'rooms:list', {}));
    expect(sockets.slice(1).every((socket) => socket.connected)).toBe(true);
    expect(server.app.realtime.io.of('/').sockets.size).toBe(socketsPerUser);
  });

  it('keeps the cap when many sockets of one user connect at once', async () => {
    const server = await start();
    const { socketsPerUser } = server.config.limits;
    const alice = await server.signUp();
    const sockets = await Promise.all(Array.from({ length: socketsPerUser + 10 }, () => server.connect(alice.token)));
    const closed = sockets.map((socket) => (socket.connected ? disconnected(socket) : Promise.resolve('closed')));
    // Ten of them are closed, whichever finished connecting first.
    await new Promise<void>((resolve) => {
      let count = 0;
      for (const done of closed) void done.then(() => ++count === 10 && resolve());
    });
    expect(sockets.filter((socket) => socket.connected)).toHaveLength(socketsPerUser);
  });
});

describe('a socket that keeps sending after being refused', () => {
  it('is closed once refused too often, with the reason; one refused a few times is not', async () => {
    const server = await start({ limits: { socketEventsPerSecond: 5 } });
    const { refusedEventsBeforeClose } = server.config.limits;
    const patient = await server.signUpAndConnect();
    const patientAcks = await Promise.all(Array.from({ length: 10 }, () => callRaw(patient.socket, 'rooms:list', {})));
    // A page of rooms costs 2 of the 5 points a second.
    expect(patientAcks.filter((ack) => ack.error?.code === 'rate_limited')).toHaveLength(10 - 2);

    const hammering = (await server.signUpAndConnect()).socket;
    const closed = closing(hammering);
    for (let i = 0; i < refusedEventsBeforeClose + 10; i++) hammering.emit('message:send', { roomId: 1, clientId: `h${i}`, body: 'x' }, () => {});
    expect(await closed).toEqual({ told: [{ reason: 'rate_limited', message: expect.any(String) }], reason: 'io server disconnect' });

    expect(patient.socket.connected).toBe(true);
  });

  it('is closed too when its flood carries no callbacks', async () => {
    const server = await start({ limits: { socketEventsPerSecond: 5 } });
    const { refusedEventsBeforeClose } = server.config.limits;
    const flooder = (await server.signUpAndConnect()).socket;
    const closed = closing(flooder);
    for (let i = 0; i < refusedEventsBeforeClose + 10; i++) (flooder as any).emit('rooms:list', {});
    expect((await closed).told.map((event) => event.reason)).toEqual(['rate_limited']);
  });
});

describe('a session that expires', () => {
  it('closes an idle socket at expiresAt, telling it why, so it receives nothing more', async () => {
    const server = await start({ env: { SESSION_TTL: '2s' } });
    const signedUpAt = Date.now();
    const alice = await server.signUpAndConnect();
    const roomId = expectOk(await call(alice.socket, 'room:create', { name: 'Expiring' })).room.id;
    const delivered = record(alice.socket, 'message:new');
    const closed = closing(alice.socket);

    expect(await closed).toEqual({ told: [{ reason: 'session_expired', message: expect.any(String) }], reason: 'io server disconnect' });
    expect(Date.now()).toBeGreaterThanOrEqual(signedUpAt + 2000);

    const bob = await server.signUpAndConnect();
    expectOk(await call(bob.socket, 'room:join', { roomId }));
    expectOk(await call(bob.socket, 'message:send', { roomId, clientId: 'after', body: 'after alice expired' }));
    await drain(bob.socket);
    expect(delivered).toEqual([]);
  });

  it('arms no timer beyond what setTimeout can hold, for a session of a month', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const server = await start({ env: { SESSION_TTL: '30d' } });
      const alice = await server.signUpAndConnect();
      await drain(alice.socket);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'TimeoutOverflowWarning')).toEqual([]);
      expect(alice.socket.connected).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('a log-out racing a new socket', () => {
  it('closes a socket whose session was revoked after its handshake read it but before it joined its channels', async () => {
    const server = await start();
    const alice = await server.signUp();
    // A test seam: runs after Parley's handshake (which has read the live session) and before the
    // socket joins its channels. The log-out's broadcast to the session's channel reaches no one.
    server.app.realtime.io.use((_socket, next) => {
      void server.http('POST', '/api/auth/logout', { token: alice.token }).then((response) => {
        expect(response.status).toBe(204);
        next();
      });
    });

    const socket = await server.connect(alice.token).catch(() => null);
    await server.app.realtime.inFlight.settle();

    expect(server.app.realtime.io.of('/').sockets.size).toBe(0);
    if (socket) expect(await disconnected(socket)).toMatch(/io server disconnect|already/);
  });
});

/** Engine sessions opened over bare HTTP never poll again: do not wait long for them to close. */
const briefShutdown = { shutdownGraceMs: 200 };

describe('engine handshakes', () => {
  it('refuses a foreign Origin before issuing a session id', async () => {
    const server = await start({ realtime: briefShutdown });
    const foreign = await pollingHandshake(server, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.sid).toBeUndefined();
    expect(foreign.text).not.toContain('sid');
    expect(server.app.realtime.io.engine.clientsCount).toBe(0);

    const own = await pollingHandshake(server, { origin: server.url });
    expect(own.status).toBe(200);
    expect(own.sid).toEqual(expect.any(String));
  });

  it('refuses handshakes beyond the limit per client address, counted at once', async () => {
    const limit = 5;
    const server = await start({
      limits: { handshakesPerAddress: limit },
      // The address as the app's proxy setting would resolve it; here read from a header, so that the
      // test can play two clients.
      realtime: { ...briefShutdown, addressOf: (request) => String(request.headers['x-test-address']) },
    });
    const results = await Promise.all(
      Array.from({ length: limit + 3 }, () => pollingHandshake(server, { 'x-test-address': '203.0.113.7' })),
    );
    expect(results.filter((result) => result.status === 200)).toHaveLength(limit);
    expect(results.filter((result) => result.status === 403)).toHaveLength(3);
    expect(results.filter((result) => result.status === 403).every((result) => result.sid === undefined)).toBe(true);

    expect((await pollingHandshake(server, { 'x-test-address': '198.51.100.9' })).status).toBe(200);
  });

  it('takes the number per address and minute from SOCKET_HANDSHAKES_PER_MINUTE, for many clients behind one address', () => {
    expect(loadConfig({}).limits).toMatchObject({ handshakesPerAddress: 120, handshakeWindowMs: 60_000 });
    expect(loadConfig({ SOCKET_HANDSHAKES_PER_MINUTE: '5000' }).limits).toMatchObject({ handshakesPerAddress: 5000, handshakeWindowMs: 60_000 });
    for (const bad of ['0', '-1', 'many', '1.5']) {
      expect(() => loadConfig({ SOCKET_HANDSHAKES_PER_MINUTE: bad }), bad).toThrow(/SOCKET_HANDSHAKES_PER_MINUTE/);
    }
  });

  it('refuses a socket.io-client over the limit, which then retries by itself', async () => {
    const server = await start({ limits: { handshakesPerAddress: 1, handshakeWindowMs: 1000 } });
    const alice = await server.signUp();
    await server.connect(alice.token);
    const retrying = connectSocket(server.url, { transports: ['websocket'], forceNew: true, auth: { token: alice.token }, reconnectionDelay: 200 });
    try {
      const error = await new Promise<Error>((resolve) => retrying.once('connect_error', resolve));
      expect(error.message).toBe('websocket error');
      await new Promise<void>((resolve) => retrying.once('connect', () => resolve()));
    } finally {
      retrying.disconnect();
    }
  });
});

describe('packet size', () => {
  it('is above the largest valid message in any JSON encoding', () => {
    expect(largestValidPacketBytes).toBeGreaterThan(LIMITS.bodyMax * 12);
  });

  it('acks a maximal 4000-emoji message written with escaped surrogate pairs, over WebSocket', async () => {
    const server = await start();
    const alice = await server.signUpAndConnect();
    const roomId = expectOk(await call(alice.socket, 'room:create', { name: 'Emoji' })).room.id;
    // socket.io-client writes UTF-8; this packet is what a client that escapes non-ASCII sends.
    const body = '\\uD83D\\uDE00'.repeat(LIMITS.bodyMax);
    const packet = `2900["message:send",{"roomId":${roomId},"clientId":"${'e'.repeat(LIMITS.clientIdMax)}","body":"${body}"}]`;
    expect(Buffer.byteLength(packet)).toBeGreaterThan(LIMITS.bodyMax * 12);

    const engine = alice.socket.io.engine;
    const acked = new Promise<string>((resolve) => {
      const onMessage = (data: unknown) => {
        if (typeof data === 'string' && data.startsWith('3900')) {
          engine.off('message', onMessage);
          resolve(data.slice(4));
        }
      };
      engine.on('message', onMessage);
    });
    const cutOff = disconnected(alice.socket).then((reason) => `disconnected: ${reason}`);
    engine.write(packet);

    const answer = await Promise.race([acked, cutOff]);
    const [ack] = JSON.parse(answer) as [{ ok: boolean; message: { body: string } }];
    expect(ack.ok).toBe(true);
    expect([...ack.message.body]).toHaveLength(LIMITS.bodyMax);
    expect(ack.message.body).toBe('😀'.repeat(LIMITS.bodyMax));
  });

  it('over long-polling, answers an oversized packet with HTTP 413 and keeps the session open', async () => {
    const server = await start({ realtime: briefShutdown });
    const alice = await server.signUp();
    const { sid } = await pollingHandshake(server);
    const url = `${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    const post = (body: string) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
    const poll = async () => (await (await fetch(url)).text()).split('\x1e');

    expect((await post(`40${JSON.stringify({ token: alice.token })}`)).status).toBe(200);
    expect((await poll()).some((packet) => packet.startsWith('40{"sid"'))).toBe(true);

    const oversized = await post(`421["message:send",{"roomId":1,"clientId":"big","body":"${'x'.repeat(server.config.limits.socketPacketBytes)}"}]`);
    expect(oversized.status).toBe(413);

    expect((await post('422["rooms:list",{}]')).status).toBe(200);
    let ack: string | undefined;
    // A poll returns what is queued; presence events may come first.
    for (let polls = 0; polls < 5 && ack === undefined; polls++) ack = (await poll()).find((packet) => packet.startsWith('432'));
    expect(ack).toMatch(/^432\[\{"ok":true/);
  });

  it('over WebSocket, closes the connection on an oversized packet', async () => {
    const server = await start();
    const alice = await server.signUpAndConnect();
    const cutOff = disconnected(alice.socket);
    alice.socket.emit('message:send', { roomId: 1, clientId: 'big', body: 'x'.repeat(server.config.limits.socketPacketBytes) }, () => {});
    expect(await cutOff).toBe('transport close');
  });
});
