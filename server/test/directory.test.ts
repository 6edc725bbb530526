import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, httpRoutes, type UsersResponse } from '@parley/protocol';
import type { Person, TestServer } from './support/harness.js';
import { serverDrivers, type DriverServer } from './support/server-drivers.js';

describe.each(serverDrivers)('the people directory, GET /api/users: $name', (driver) => {
  let started: DriverServer;
  let server: TestServer;
  let viewer: Person;
  beforeEach(async (context) => {
    if (driver.unavailable) context.skip(driver.unavailable);
    started = await driver.start();
    server = started.server;
    viewer = await server.signUp({ username: 'viewer', firstName: 'Vera', lastName: 'Viewer' });
  });
  afterEach(async () => {
    await started?.close();
  });

  /** One page, its body checked against the protocol's schema. */
  async function page(query: Record<string, string | number> = {}): Promise<UsersResponse> {
    const search = new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]));
    const response = await server.http<UsersResponse>('GET', `/api/users${search.size ? `?${search}` : ''}`, { token: viewer.token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return httpRoutes['GET /api/users'].response.parse(response.body);
  }

  /** Every page of a search, following `nextCursor`: the usernames, in order. */
  async function walk(query: Record<string, string | number>): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const next: UsersResponse = await page({ ...query, ...(cursor !== null && { cursor }) });
      seen.push(...next.users.map((user) => user.username));
      cursor = next.nextCursor;
    } while (cursor !== null);
    return seen;
  }

  it('is closed to anyone without a session, whatever the query', async () => {
    for (const url of ['/api/users', '/api/users?cursor=%%%', '/api/users?limit=0']) {
      const response = await server.http('GET', url);
      expect(response.status, url).toBe(401);
      expect(response.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
    expect((await server.http('GET', '/api/users', { token: 'not-a-real-token' })).status).toBe(401);
  });

  it('answers a page of people with exactly id, username, names and whether they are online, never a password', async () => {
    const alice = await server.signUp({ username: 'alice', firstName: 'Alice', lastName: 'Archer' });
    const { users, nextCursor } = await page();
    expect(users).toEqual([
      { ...alice.user, online: false },
      { ...viewer.user, online: false },
    ]);
    expect(nextCursor).toBeNull();
    expect(JSON.stringify(users)).not.toMatch(/password|hash|\$2[aby]\$/i);
  });

  it(`pages everyone by username, case ignored, ${LIMITS.usersPageDefault} a page unless asked, up to ${LIMITS.usersPageMax}`, async () => {
    const names = Array.from({ length: 120 }, (_, i) => `p${String(i).padStart(3, '0')}`);
    // Signed up out of order and in mixed case: the order is the username's, case ignored, not the sign-up's.
    for (const name of [...names].reverse()) await server.signUp({ username: name.replace('p0', 'P0') });
    const everyone = [...names.map((name) => name.replace('p0', 'P0')), 'viewer'];

    const first = await page();
    expect(first.users.map((user) => user.username)).toEqual(everyone.slice(0, LIMITS.usersPageDefault));
    expect(first.nextCursor).toEqual(expect.any(String));
    expect((await page({ limit: LIMITS.usersPageMax })).users).toHaveLength(LIMITS.usersPageMax);
    expect(await walk({ limit: 7 })).toEqual(everyone);
    // Someone who signs up while another pages comes in their place, and nobody is repeated or skipped.
    const second = await page({ cursor: first.nextCursor!, limit: 1 });
    await server.signUp({ username: 'P0505' });
    expect((await page({ cursor: second.nextCursor!, limit: 1 })).users.map((user) => user.username)).toEqual(['P0505']);
  });

  it('finds people by the start of their username, first name, whole name or last name, ignoring case and accents', async () => {
    const people = [
      ['ada', 'Ada', 'Lovelace'],
      ['countess', 'Ada', 'King'],
      ['adamsmith', 'Adam', 'Smith'],
      ['ezola', 'Émile', 'Zola'],
      ['mara', 'Mara', 'Adams'],
      ['zed', 'Zed', 'Zebra'],
    ] as const;
    for (const [username, firstName, lastName] of people) await server.signUp({ username, firstName, lastName });
    const found = async (query: string) => (await walk({ query, limit: 2 })).join(' ');

    expect(await found('ada')).toBe('ada adamsmith countess mara');
    expect(await found('ADA K')).toBe('countess');
    expect(await found('ada lovelace')).toBe('ada');
    expect(await found('  emile')).toBe('ezola');
    expect(await found('ÉMI')).toBe('ezola');
    expect(await found('zola')).toBe('ezola');
    expect(await found('ze')).toBe('zed');
    expect(await found('lovelace ada')).toBe('');
    expect(await found('')).toBe('ada adamsmith countess ezola mara viewer zed');
  });

  it('says for each person whether they are online now', async () => {
    const bob = await server.signUp({ username: 'bob' });
    const carol = await server.signUp({ username: 'carol' });
    const onlineOf = async () => Object.fromEntries((await page()).users.map((user) => [user.username, user.online]));
    const bobSocket = await server.connect(bob.token);
    const carolSocket = await server.connect(carol.token);
    expect(await onlineOf()).toEqual({ bob: true, carol: true, viewer: false });

    const gone = new Promise((resolve) => server.app.realtime.io.of('/').sockets.get(bobSocket.id!)!.once('disconnect', resolve));
    bobSocket.disconnect();
    await gone;
    expect(await onlineOf()).toEqual({ bob: false, carol: true, viewer: false });
    carolSocket.disconnect();
  });

  it('refuses a cursor it did not give, a limit out of range and an unknown parameter, each with a clear error', async () => {
    const refused = async (query: string) => {
      const response = await server.http('GET', `/api/users?${query}`, { token: viewer.token });
      expect(response.status, query).toBe(400);
      return response.body.error;
    };
    const notOurs = { code: 'invalid', message: 'The cursor is not one this server gave.', fields: { cursor: 'is not a cursor this server gave' } };
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of ['garbage', forged({ key: 'a' }), forged(['A']), forged([1]), forged(['a', 'b']), forged(['x'.repeat(33)])]) {
      expect(await refused(`cursor=${encodeURIComponent(cursor)}`), cursor).toEqual(notOurs);
    }
    expect(await refused('cursor=%2B%2F')).toMatchObject({ code: 'invalid', fields: { cursor: 'is not a cursor this server gave' } });
    expect(await refused('limit=0')).toMatchObject({ code: 'invalid', fields: { limit: expect.any(String) } });
    expect(await refused(`limit=${LIMITS.usersPageMax + 1}`)).toMatchObject({ code: 'invalid', fields: { limit: expect.any(String) } });
    expect(await refused('limit=ten')).toMatchObject({ code: 'invalid', fields: { limit: expect.any(String) } });
    expect(await refused(`query=${'a'.repeat(LIMITS.usersQueryMax + 1)}`)).toMatchObject({ code: 'invalid', fields: { query: expect.any(String) } });
    expect(await refused('everyone=true')).toMatchObject({ code: 'invalid', fields: { everyone: 'is not a known field' } });
  });
});
