import { describe, expect, it, vi } from 'vitest';
import { hashToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { call, expectOk, serversClosedAfterEachTest, type ClientSocket, type Person, type TestServer } from './support/harness.js';

const start = serversClosedAfterEachTest();

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** How many of each status (or ack error code) there were, e.g. { 401: 10, 429: 20 }. */
function tally(values: (number | string)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** A log-in, as a client at `address` behind the proxy would send it (the proxy appends the address). */
function logIn(server: TestServer, username: string, password: string, address?: string) {
  return server.http('POST', '/api/auth/login', {
    body: { username, password },
    headers: address ? { 'x-forwarded-for': address } : {},
  });
}

const codeOf = (ack: { ok: boolean; error?: { code: string } }) => (ack.ok ? 'ok' : ack.error!.code);

describe('throttles hold when the attempts arrive at once', () => {
  it('30 concurrent wrong passwords for one account get exactly 10 tries; the right one afterwards is refused', async () => {
    const server = await start();
    const victim = await server.signUp();

    const guesses = await Promise.all(range(30).map((i) => logIn(server, victim.user.username, `wrong guess ${i}`)));

    expect(tally(guesses.map((r) => r.status))).toEqual({ 401: 10, 429: 20 });
    const right = await logIn(server, victim.user.username, victim.password);
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('rate_limited');
  });

  it('100 concurrent failures from one address get exactly 50 tries', async () => {
    const server = await start();
    const honest = await server.signUp();

    const guesses = await Promise.all(range(100).map((i) => logIn(server, `ghost_${i}`, 'spray and pray')));

    expect(tally(guesses.map((r) => r.status))).toEqual({ 401: 50, 429: 50 });
    expect((await logIn(server, honest.user.username, honest.password)).status).toBe(429);
  });

  describe('room passwords', () => {
    async function protectedRoom(server: TestServer) {
      const owner = await server.signUpAndConnect();
      const { room } = expectOk(await call(owner.socket, 'room:create', { name: 'Vault', password: 'the real one' }));
      return room;
    }

    it('40 concurrent guesses on one socket get exactly 5 tries; the right password afterwards is refused', async () => {
      const server = await start();
      const room = await protectedRoom(server);
      const mallory = await server.signUpAndConnect();

      const acks = await Promise.all(
        range(40).map((i) => call(mallory.socket, 'room:join', { roomId: room.id, password: `guess ${i}` })),
      );

      expect(tally(acks.map(codeOf))).toEqual({ bad_password: 5, rate_limited: 35 });
      const right = await call(mallory.socket, 'room:join', { roomId: room.id, password: 'the real one' });
      expect(codeOf(right)).toBe('rate_limited');
    });

    it('guesses spread over several sockets of one user share the same 5 tries', async () => {
      const server = await start();
      const room = await protectedRoom(server);
      const mallory = await server.signUp();
      const sockets = await Promise.all(range(4).map(() => server.connect(mallory.token)));

      const acks = await Promise.all(
        sockets.flatMap((socket, s) =>
          range(10).map((i) => call(socket, 'room:join', { roomId: room.id, password: `guess ${s}-${i}` })),
        ),
      );

      expect(tally(acks.map(codeOf))).toEqual({ bad_password: 5, rate_limited: 35 });
    });

    it('a right password gives its try back, so members who know it are never slowed', async () => {
      const server = await start({ limits: { roomPasswordFailures: 2 } });
      const room = await protectedRoom(server);
      const bob = await server.signUpAndConnect();
      expect(codeOf(await call(bob.socket, 'room:join', { roomId: room.id, password: 'typo' }))).toBe('bad_password');
      for (let i = 0; i < 3; i++) {
        expectOk(await call(bob.socket, 'room:join', { roomId: room.id, password: 'the real one' }));
        expectOk(await call(bob.socket, 'room:leave', { roomId: room.id }));
      }
      expect(codeOf(await call(bob.socket, 'room:join', { roomId: room.id, password: 'typo' }))).toBe('bad_password');
    });
  });
});

describe('wrong passwords from elsewhere do not lock the owner out', () => {
  const attacker = '198.51.100.7';
  const owner = '203.0.113.9';

  it('an attacker who spends the account’s tries from their address is blocked, while the owner still logs in', async () => {
    const server = await start({ env: { TRUST_PROXY: '1' } });
    const victim = await server.signUp();

    const guesses = await Promise.all(range(15).map((i) => logIn(server, victim.user.username, `guess ${i}`, attacker)));
    expect(tally(guesses.map((r) => r.status))).toEqual({ 401: 10, 429: 5 });
    // Even the right password is refused from the attacker's address...
    expect((await logIn(server, victim.user.username, victim.password, attacker)).status).toBe(429);

    // ...but the owner, elsewhere, logs in.
    const login = await logIn(server, victim.user.username, victim.password, owner);
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual(victim.user);
  });

  it('the per-address limit still holds across accounts', async () => {
    const server = await start({ env: { TRUST_PROXY: '1' } });
    const people = await Promise.all(range(6).map(() => server.signUp()));

    // Ten tries at each of six accounts: 60 failures, over the address's 50.
    const guesses = await Promise.all(
      people.flatMap((person) => range(10).map((i) => logIn(server, person.user.username, `guess ${i}`, attacker))),
    );
    expect(tally(guesses.map((r) => r.status))).toEqual({ 401: 50, 429: 10 });
    expect((await logIn(server, people[0]!.user.username, people[0]!.password, owner)).status).toBe(200);
  });
});

describe('passwords longer than bcrypt reads', () => {
  it('the stored password plus any suffix is refused at log-in, and counts as a failure', async () => {
    const server = await start({ limits: { loginFailuresPerAccountAddress: 2 } });
    const password = 'p'.repeat(72);
    const person = await server.signUp({ password });

    for (const suffix of ['x', ' and anything else']) {
      const login = await logIn(server, person.user.username, password + suffix);
      expect(login.status, suffix).toBe(401);
      expect(login.body.error).toEqual({ code: 'unauthorized', message: 'Wrong username or password.' });
    }
    // Both counted: the budget of 2 is spent.
    expect((await logIn(server, person.user.username, password)).status).toBe(429);
  });
});

describe('password hashing is bounded, and room passwords cannot starve log-ins', () => {
  it('a flood of room passwords from many users is refused with rate_limited, and a log-in meanwhile succeeds', async () => {
    // A real cost, so that hashes queue up; a small room lane, so that the test needs few sockets.
    const server = await start({ env: { BCRYPT_COST: '8' }, limits: { bcryptQueueRooms: 2 } });
    const owner = await server.signUpAndConnect();
    const { room } = expectOk(await call(owner.socket, 'room:create', { name: 'Vault', password: 'the real one' }));
    const bystander = await server.signUp();
    const flooders: (Person & { socket: ClientSocket })[] = [];
    for (let i = 0; i < 8; i++) flooders.push(await server.signUpAndConnect());

    let firstRefusal!: () => void;
    const refused = new Promise<void>((resolve) => (firstRefusal = resolve));
    const flood = Promise.all(
      flooders.flatMap((flooder, f) => [
        ...range(5).map((i) => call(flooder.socket, 'room:join', { roomId: room.id, password: `guess ${f}-${i}` })),
        call(flooder.socket, 'room:create', { name: `Flood ${f}`, password: 'flood password' }),
      ].map(async (pending) => {
        const ack = await pending;
        if (codeOf(ack) === 'rate_limited') firstRefusal();
        return ack;
      })),
    );

    // Once the room lane is full, a log-in still gets its hash.
    await Promise.race([refused, flood]);
    const login = await logIn(server, bystander.user.username, bystander.password);
    expect(login.status).toBe(200);

    const codes = tally((await flood).map(codeOf));
    expect(codes.rate_limited).toBeGreaterThan(0);
    expect(Object.keys(codes).every((code) => ['ok', 'bad_password', 'rate_limited'].includes(code))).toBe(true);
  });
});

describe('TRUST_PROXY', () => {
  /** What nginx forwards for a client at `real` that sent its own X-Forwarded-For: it appends `real`. */
  const spoofed = (n: number, real = '198.51.100.7') => `10.0.0.${n}, ${real}`;

  it('with TRUST_PROXY=1, a client naming its own X-Forwarded-For addresses cannot escape the sign-up limit', async () => {
    const server = await start({ env: { TRUST_PROXY: '1' }, limits: { registrationsPerMinute: 20 } });

    const signUps = await Promise.all(
      range(30).map((n) =>
        server.http('POST', '/api/auth/register', {
          body: { firstName: 'Spam', lastName: 'Bot', username: `spam_${n}`, password: 'spam spam spam' },
          headers: { 'x-forwarded-for': spoofed(n) },
        }),
      ),
    );

    expect(tally(signUps.map((r) => r.status))).toEqual({ 201: 20, 429: 10 });
    // Another client behind the same proxy is not affected.
    const other = await server.http('POST', '/api/auth/register', {
      body: { firstName: 'Real', lastName: 'Person', username: 'real_person', password: 'not a spammer' },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(other.status).toBe(201);
  });

  it('takes the sign-ups per address and minute from SIGNUPS_PER_MINUTE, and refuses a value that is not a count', () => {
    expect(loadConfig({}).limits.registrationsPerMinute).toBe(20);
    expect(loadConfig({ SIGNUPS_PER_MINUTE: '500' }).limits.registrationsPerMinute).toBe(500);
    for (const bad of ['0', '-1', 'many', '2.5']) {
      expect(() => loadConfig({ SIGNUPS_PER_MINUTE: bad }), bad).toThrow(/SIGNUPS_PER_MINUTE/);
    }
  });

  it('with TRUST_PROXY=1, spoofed addresses still reach 429 on failed log-ins', async () => {
    const server = await start({ env: { TRUST_PROXY: '1' } });
    const guesses = await Promise.all(range(60).map((n) => logIn(server, `ghost_${n}`, 'whatever it is', spoofed(n))));
    expect(tally(guesses.map((r) => r.status))).toEqual({ 401: 50, 429: 10 });
  });

  it('with a list of proxies, X-Forwarded-For is read only from those proxies', async () => {
    // The test client (127.0.0.1) is not the listed proxy, so what it claims is ignored.
    const server = await start({ env: { TRUST_PROXY: '10.9.9.9,192.168.0.0/16' } });
    const guesses = await Promise.all(range(60).map((n) => logIn(server, `ghost_${n}`, 'whatever it is', `10.0.0.${n}`)));
    expect(tally(guesses.map((r) => r.status))).toEqual({ 401: 50, 429: 10 });
  });

  it('with the proxy listed, each client behind it has its own budget', async () => {
    const server = await start({ env: { TRUST_PROXY: '127.0.0.1' }, limits: { loginFailuresPerAddress: 3 } });
    for (let i = 0; i < 3; i++) expect((await logIn(server, 'ghost', `guess ${i}`, spoofed(1, '198.51.100.7'))).status).toBe(401);
    expect((await logIn(server, 'ghost', 'one more', spoofed(2, '198.51.100.7'))).status).toBe(429);
    expect((await logIn(server, 'ghost', 'elsewhere', '203.0.113.9')).status).toBe(401);
  });
});

describe('sessions are bounded', () => {
  it('successful log-ins are limited per account, whatever the address', async () => {
    const server = await start({ env: { TRUST_PROXY: '1' }, limits: { loginsPerAccount: 3 } });
    const person = await server.signUp();
    const other = await server.signUp();
    for (let i = 0; i < 3; i++) expect((await logIn(server, person.user.username, person.password, `203.0.113.${i}`)).status).toBe(200);
    const fourth = await logIn(server, person.user.username, person.password, '203.0.113.99');
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('rate_limited');
    expect((await logIn(server, other.user.username, other.password)).status).toBe(200);
  });

  it('concurrent right log-ins get no more than the limit either', async () => {
    const server = await start({ limits: { loginsPerAccount: 3 } });
    const person = await server.signUp();
    const logins = await Promise.all(range(10).map(() => logIn(server, person.user.username, person.password)));
    expect(tally(logins.map((r) => r.status))).toEqual({ 200: 3, 429: 7 });
  });

  it('log-in requests are limited per address, right or wrong', async () => {
    const server = await start({ limits: { loginAttemptsPerAddress: 5 } });
    const person = await server.signUp();
    const logins = await Promise.all(range(8).map(() => logIn(server, person.user.username, person.password)));
    expect(tally(logins.map((r) => r.status))).toEqual({ 200: 5, 429: 3 });
  });

  it('a user keeps at most the newest N sessions; the oldest ends, and its sockets are disconnected', async () => {
    const server = await start({ limits: { sessionsPerUser: 3 } });
    const person = await server.signUp(); // session 1
    const oldSocket = await server.connect(person.token);
    const disconnected = new Promise<string>((resolve) => oldSocket.once('disconnect', resolve));

    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push((await logIn(server, person.user.username, person.password)).body.token);

    expect(await disconnected).toBe('io server disconnect');
    expect((await server.http('GET', '/api/me', { token: person.token })).status).toBe(401);
    for (const token of tokens) expect((await server.http('GET', '/api/me', { token })).status).toBe(200);
  });

  it('expired sessions are deleted by the sweep', async () => {
    const server = await start({ env: { SESSION_TTL: '1h' }, limits: { expiredSessionSweepMs: 20 } });
    const expiring = await server.signUp();
    server.clock.advance(30 * 60_000);
    const live = await server.signUp();
    server.clock.advance(31 * 60_000);

    // Looked up "at the epoch", a session row is found for as long as it exists, expired or not.
    const row = (person: Person) => server.store.findSession(hashToken(person.token), new Date(0));
    await vi.waitFor(async () => expect(await row(expiring)).toBeNull(), { timeout: 5000, interval: 20 });
    expect(await row(live)).not.toBeNull();
  });
});
