import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { io as connectSocket } from 'socket.io-client';
import { SESSION_COOKIE } from '@parley/protocol';
import { PasswordLanes } from '../src/auth/passwords.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { AppError } from '../src/errors.js';
import { clientAddress } from '../src/http/client-address.js';
import { call, expectOk, serversClosedAfterEachTest, type ClientSocket, type TestServer } from './support/harness.js';

const start = serversClosedAfterEachTest();

describe('slow requests time out', () => {
  /**
   * Sends `start` of a request, then `trickle` over and over; resolves with what came
   * back once the server closed the connection, or with closed: false if it had not after `stopAfterMs`.
   */
  function slowRequest(
    server: TestServer,
    start: string,
    trickle: string,
    stopAfterMs: number,
  ): Promise<{ answer: string; closed: boolean }> {
    const { port } = new URL(server.url);
    return new Promise((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let answer = '';
      let dripping: NodeJS.Timeout | undefined;
      const giveUp = setTimeout(() => {
        clearInterval(dripping);
        socket.destroy();
        resolve({ answer, closed: false });
      }, stopAfterMs);
      socket.on('connect', () => {
        socket.write(start);
        // The attack: a byte now and then, so the connection is never idle and the request never complete.
        dripping = setInterval(() => socket.write(trickle), 50);
      });
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(dripping);
        clearTimeout(giveUp);
        resolve({ answer, closed: true });
      });
    });
  }

  it('a body sent a byte at a time gets 408 and its connection closed once the request timeout passes', async () => {
    const server = await start({ limits: { httpRequestTimeoutMs: 300 } });
    const headers = 'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{';
    const { answer, closed } = await slowRequest(server, headers, ' ', 5000);
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('headers sent a byte at a time get 408 and the connection closed too', async () => {
    const server = await start({ limits: { httpRequestTimeoutMs: 300 } });
    const { answer, closed } = await slowRequest(server, 'POST /api/auth/login HTTP/1.1\r\nX-Padding: ', 'a', 5000);
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('long-polling still works with a request timeout far shorter than a held poll', async () => {
    const server = await start({ limits: { httpRequestTimeoutMs: 200 } });
    const alice = await server.signUp();
    const bob = await server.signUpAndConnect();
    const polling: ClientSocket = connectSocket(server.url, {
      transports: ['polling'],
      reconnection: false,
      forceNew: true,
      auth: { token: alice.token },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        polling.once('connect', resolve);
        polling.once('connect_error', reject);
      });
      let disconnected = false;
      polling.on('disconnect', () => (disconnected = true));
      const { room } = expectOk(await call(polling, 'room:create', { name: 'Polled' }));
      expectOk(await call(bob.socket, 'room:join', { roomId: room.id }));
      // Waiting is the point here: the poll now held open outlives the request timeout many times over.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const received = new Promise((resolve) => polling.once('message:new', resolve));
      expectOk(await call(bob.socket, 'message:send', { roomId: room.id, clientId: 'c1', body: 'still there?' }));
      expect(await received).toMatchObject({ body: 'still there?' });
      expect(disconnected).toBe(false);
    } finally {
      polling.disconnect();
    }
  });
});

describe('cross-site requests with the session cookie are refused', () => {
  const foreign = 'https://evil.example.net';

  async function loggedIn(server: TestServer) {
    const person = await server.signUp();
    return { person, cookie: `${SESSION_COOKIE}=${person.token}` };
  }

  async function stillLoggedIn(server: TestServer, token: string): Promise<boolean> {
    return (await server.http('GET', '/api/me', { token })).status === 200;
  }

  it('a body-less log-out from a foreign Origin gets 403 forbidden, and the session lives on', async () => {
    const server = await start();
    const { person, cookie } = await loggedIn(server);
    const response = await server.http('POST', '/api/auth/logout', { headers: { cookie, origin: foreign } });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
    expect(await stillLoggedIn(server, person.token)).toBe(true);
  });

  it('Origin: null (a sandboxed frame, a redirect) is foreign too', async () => {
    const server = await start();
    const { person, cookie } = await loggedIn(server);
    expect((await server.http('POST', '/api/auth/logout', { headers: { cookie, origin: 'null' } })).status).toBe(403);
    expect(await stillLoggedIn(server, person.token)).toBe(true);
  });

  it('Sec-Fetch-Site: cross-site is refused even without an Origin', async () => {
    const server = await start();
    const { person, cookie } = await loggedIn(server);
    const response = await server.http('POST', '/api/auth/logout', { headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(response.status).toBe(403);
    expect(await stillLoggedIn(server, person.token)).toBe(true);
  });

  it('Sec-Fetch-Site: same-site (a sibling subdomain, which gets the Lax cookie) is refused unless its origin is listed', async () => {
    const sibling = 'https://app.example.com';
    const server = await start({ env: { ALLOWED_ORIGINS: sibling } });
    const { person, cookie } = await loggedIn(server);
    const unlisted = await server.http('POST', '/api/auth/logout', {
      headers: { cookie, origin: 'https://forum.example.com', 'sec-fetch-site': 'same-site' },
    });
    expect(unlisted.status).toBe(403);
    const noOrigin = await server.http('POST', '/api/auth/logout', { headers: { cookie, 'sec-fetch-site': 'same-site' } });
    expect(noOrigin.status).toBe(403);
    expect(await stillLoggedIn(server, person.token)).toBe(true);

    const listed = await server.http('POST', '/api/auth/logout', { headers: { cookie, origin: sibling, 'sec-fetch-site': 'same-site' } });
    expect(listed.status).toBe(204);
  });

  it('log-in and sign-up from a foreign page are refused too (no signing a visitor into the attacker’s account)', async () => {
    const server = await start();
    const person = await server.signUp();
    const login = await server.http('POST', '/api/auth/login', {
      body: { username: person.user.username, password: person.password },
      headers: { origin: foreign, 'sec-fetch-site': 'cross-site' },
    });
    expect(login.status).toBe(403);
    const signUp = await server.http('POST', '/api/auth/register', {
      body: { firstName: 'Eve', lastName: 'Il', username: 'eve_il', password: 'planted account' },
      headers: { origin: foreign },
    });
    expect(signUp.status).toBe(403);
  });

  it('the server’s own pages, and clients that send no Origin (curl, apps), are let through', async () => {
    const server = await start();
    const own = await loggedIn(server);
    const fromOwnPage = await server.http('POST', '/api/auth/logout', {
      headers: { cookie: own.cookie, origin: server.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(fromOwnPage.status).toBe(204);

    const plain = await loggedIn(server);
    expect((await server.http('POST', '/api/auth/logout', { headers: { cookie: plain.cookie } })).status).toBe(204);
  });

  it('a bearer token is not forgeable across sites, so it is let through from any Origin', async () => {
    const server = await start();
    const person = await server.signUp();
    const response = await server.http('POST', '/api/auth/logout', {
      token: person.token,
      headers: { origin: foreign, 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(204);
  });

  it('reading is not refused: GET /api/me from a foreign Origin still answers (CORS keeps the answer from the page)', async () => {
    const server = await start();
    const { cookie } = await loggedIn(server);
    expect((await server.http('GET', '/api/me', { headers: { cookie, origin: foreign } })).status).toBe(200);
  });
});

describe('TRUST_PROXY configuration', () => {
  function problemsOf(value: string): string {
    try {
      loadConfig({ TRUST_PROXY: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    throw new Error(`TRUST_PROXY=${value} was accepted`);
  }

  it('is off by default, and takes a hop count or a list of proxy addresses and CIDRs', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
  });

  it('refuses "true", which would let every client choose its own address, naming what to use instead', () => {
    const message = problemsOf('true');
    expect(message).toContain('TRUST_PROXY');
    expect(message).toContain('TRUST_PROXY=1');
    expect(message).toContain('TRUST_PROXY=127.0.0.1,10.0.0.0/8');
  });

  it('refuses an address that is not one', () => {
    expect(problemsOf('10.0.0.300')).toContain('10.0.0.300');
    expect(problemsOf('127.0.0.1,proxy.internal')).toContain('proxy.internal');
  });

  describe('clientAddress(), for the socket handshake, follows the same rules', () => {
    const request = (peer: string, forwardedFor?: string) =>
      ({ socket: { remoteAddress: peer }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

    it('without trust, the peer itself', () => {
      expect(clientAddress(false)(request('127.0.0.1', '10.0.0.1'))).toBe('127.0.0.1');
    });

    it('with one hop, the address the proxy appended, whatever the client claimed before it', () => {
      const address = clientAddress(1);
      expect(address(request('127.0.0.1', '10.0.0.1, 198.51.100.7'))).toBe('198.51.100.7');
      expect(address(request('127.0.0.1'))).toBe('127.0.0.1');
    });

    it('with a list, only a listed peer is believed', () => {
      const address = clientAddress(['127.0.0.1', '10.0.0.0/8']);
      expect(address(request('127.0.0.1', '203.0.113.9, 10.1.2.3'))).toBe('203.0.113.9');
      expect(address(request('198.51.100.7', '203.0.113.9'))).toBe('198.51.100.7');
    });
  });
});

describe('the bcrypt lanes', () => {
  it('a waiting log-in goes before every waiting room password, and a full lane refuses at once', async () => {
    const lanes = new PasswordLanes(4, { accountsQueue: 2, roomsQueue: 3 }, 1);
    const finished: string[] = [];
    const track = (name: string, work: Promise<unknown>) => work.then(() => finished.push(name));

    const rooms = ['room 1', 'room 2', 'room 3', 'room 4'].map((name) => track(name, lanes.rooms.hash(name)));
    const overflow = lanes.rooms.hash('room 5');
    const login = track('log-in', lanes.accounts.hash('account'));
    const secondLogin = track('log-in 2', lanes.accounts.hash('account 2'));
    const accountsOverflow = lanes.accounts.hash('account 3');

    await expect(overflow).rejects.toEqual(expect.objectContaining({ code: 'rate_limited' }));
    await expect(accountsOverflow).rejects.toBeInstanceOf(AppError);
    await Promise.all([...rooms, login, secondLogin]);
    // One slot: room 1 was running; both log-ins went next, ahead of the rooms that were waiting.
    expect(finished).toEqual(['room 1', 'log-in', 'log-in 2', 'room 2', 'room 3', 'room 4']);
  });
});

describe('the bcrypt lanes while chat is busy', () => {
  it('hold a hash back until chat catches up, and for at most two seconds', async () => {
    const chat = { busy: true };
    const lanes = new PasswordLanes(4, { accountsQueue: 2, roomsQueue: 2 }, 1, chat);
    let held = true;
    const first = lanes.accounts.hash('first').then(() => (held = false));
    // Lets the lanes look again several times (they do every 25 ms) while chat stays busy.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(held, 'the hash waits while chat is busy').toBe(true);
    chat.busy = false;
    await first;

    // Busy for good: the hash still runs, once it has waited its most.
    chat.busy = true;
    const startedAt = performance.now();
    await lanes.accounts.hash('second');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(1900);
  });
});
