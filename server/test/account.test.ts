import type { AuthResponse, PublicUser, SessionsResponse } from '@parley/protocol';
import { httpRoutes, serverEvents } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, drain, expectOk, nextEvent, record, type ClientSocket, type Person, type TestServer } from './support/harness.js';
import { serverDrivers, type DriverServer } from './support/server-drivers.js';

const disconnected = (socket: ClientSocket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

describe.each(serverDrivers)('your account: $name', (driver) => {
  let started: DriverServer;
  let server: TestServer;
  beforeEach(async (context) => {
    if (driver.unavailable) context.skip(driver.unavailable);
    started = await driver.start({ limits: { socketEventsPerSecond: 10_000 } });
    server = started.server;
  });
  afterEach(async () => {
    await started?.close();
  });

  async function logIn(person: Person, password = person.password, userAgent = 'second device'): Promise<AuthResponse> {
    const response = await server.http<AuthResponse>('POST', '/api/auth/login', {
      body: { username: person.user.username, password },
      headers: { 'user-agent': userAgent },
    });
    expect(response.status).toBe(200);
    return response.body;
  }

  const me = (token: string) => server.http('GET', '/api/me', { token });

  it('a new name reaches every connected socket at once, and history, the directory and direct chats show it', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const stranger = await server.signUpAndConnect();
    const direct = expectOk(await call(bob.socket, 'dm:open', { userId: alice.user.id })).room;
    expectOk(await call(alice.socket, 'message:send', { roomId: direct.id, clientId: 'hi', body: 'hi' }));
    const heard = [alice, bob, stranger].map((person) => nextEvent(person.socket, 'user:updated'));

    const response = await server.http('PATCH', '/api/me', { token: alice.token, body: { firstName: '  Alicia ', lastName: 'Keys' } });

    const renamed: PublicUser = { ...alice.user, firstName: 'Alicia', lastName: 'Keys' };
    expect(response.status).toBe(200);
    expect(httpRoutes['PATCH /api/me'].response.parse(response.body)).toEqual({ user: renamed });
    for (const event of await Promise.all(heard)) {
      expect(event).toEqual({ user: renamed });
      expect(serverEvents['user:updated'].safeParse(event).success).toBe(true);
    }
    expect((await me(alice.token)).body.user).toEqual(renamed);
    expect(expectOk(await call(bob.socket, 'room:history', { roomId: direct.id })).messages[0]!.author).toEqual(renamed);
    expect(expectOk(await call(bob.socket, 'rooms:list', {})).rooms[0]!.peer).toEqual(renamed);
    const found = await server.http('GET', '/api/users?query=alicia%20k', { token: bob.token });
    expect(found.body.users.map((user: PublicUser) => user.id)).toEqual([alice.user.id]);
    // A socket opened before the rename speaks with the new name too.
    const general = expectOk(await call(bob.socket, 'room:create', { name: 'General' })).room;
    const joined = expectOk(await call(alice.socket, 'room:join', { roomId: general.id }));
    expect(joined.messages.at(-1)!.notice).toEqual({ change: 'joined', user: renamed });
  });

  it('refuses a name that sign-up would refuse, and anyone without a session', async () => {
    const alice = await server.signUp();
    const empty = await server.http('PATCH', '/api/me', { token: alice.token, body: { firstName: ' ', lastName: 'Keys' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields).toEqual({ firstName: 'must not be empty' });
    const partial = await server.http('PATCH', '/api/me', { token: alice.token, body: { firstName: 'Alicia' } });
    expect(partial.status).toBe(400);
    expect(partial.body.error.fields).toHaveProperty('lastName');
    const hidden = await server.http('PATCH', '/api/me', { token: alice.token, body: { firstName: 'Ali\u202ece', lastName: 'Keys' } });
    expect(hidden.status).toBe(400);
    expect((await server.http('PATCH', '/api/me', { body: { firstName: 'A', lastName: 'B' } })).status).toBe(401);
    expect((await me(alice.token)).body.user).toEqual(alice.user);
  });

  it('a password change, the current one required, revokes the other sessions and disconnects their sockets', async () => {
    const alice = await server.signUpAndConnect();
    const phone = await logIn(alice);
    const phoneSocket = await server.connect(phone.token);
    const phoneGone = disconnected(phoneSocket);

    const wrong = await server.http('POST', '/api/me/password', {
      token: alice.token,
      body: { currentPassword: 'not my password', newPassword: 'staple gun orbit lamp' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'bad_password', fields: { currentPassword: 'is wrong' } });
    const weak = await server.http('POST', '/api/me/password', {
      token: alice.token,
      body: { currentPassword: alice.password, newPassword: 'password' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error.fields).toHaveProperty('newPassword');
    // Neither changed anything.
    expect((await me(phone.token)).status).toBe(200);
    await drain(phoneSocket);

    const changed = await server.http('POST', '/api/me/password', {
      token: alice.token,
      body: { currentPassword: alice.password, newPassword: 'staple gun orbit lamp' },
    });

    expect(changed.status).toBe(204);
    expect(await phoneGone).toBe('io server disconnect');
    expect((await me(phone.token)).status).toBe(401);
    await expect(server.connect(phone.token)).rejects.toThrow();
    // This session and its socket stay.
    expect((await me(alice.token)).status).toBe(200);
    await drain(alice.socket);
    const old = await server.http('POST', '/api/auth/login', { body: { username: alice.user.username, password: alice.password } });
    expect(old.status).toBe(401);
    await logIn(alice, 'staple gun orbit lamp');
  });

  it('counts checks of the current password per user, even when they all come at once', async () => {
    const alice = await server.signUp();
    const attempts = await Promise.all(
      Array.from({ length: 14 }, () =>
        server.http('POST', '/api/me/password', {
          token: alice.token,
          body: { currentPassword: 'a wrong guess', newPassword: 'staple gun orbit lamp' },
        }),
      ),
    );
    const statuses = attempts.map((attempt) => attempt.status).sort();
    expect(statuses).toEqual([...Array(10).fill(403), ...Array(4).fill(429)]);
    // Another user is not affected.
    const bob = await server.signUp();
    const bobs = await server.http('POST', '/api/me/password', {
      token: bob.token,
      body: { currentPassword: bob.password, newPassword: 'staple gun orbit lamp' },
    });
    expect(bobs.status).toBe(204);
  });

  it('lists my sessions, newest first, and revokes one of them, never someone else’s', async () => {
    const alice = await server.signUp();
    const phone = await logIn(alice, alice.password, 'Mozilla/5.0 (iPhone)');
    const phoneSocket = await server.connect(phone.token);
    const bob = await server.signUp();

    const listed = await server.http<SessionsResponse>('GET', '/api/me/sessions', { token: alice.token });
    expect(listed.status).toBe(200);
    httpRoutes['GET /api/me/sessions'].response.parse(listed.body);
    expect(listed.body.sessions).toHaveLength(2);
    const [newest, first] = listed.body.sessions;
    expect(newest).toMatchObject({ userAgent: 'Mozilla/5.0 (iPhone)', current: false, address: expect.any(String) });
    expect(first).toMatchObject({ current: true });

    const bobsSessions = await server.http<SessionsResponse>('GET', '/api/me/sessions', { token: bob.token });
    const bobsOnly = bobsSessions.body.sessions[0]!.id;
    expect((await server.http('DELETE', `/api/me/sessions/${bobsOnly}`, { token: alice.token })).status).toBe(404);
    expect((await me(bob.token)).status).toBe(200);
    expect((await server.http('DELETE', '/api/me/sessions/abc', { token: alice.token })).status).toBe(400);

    const phoneGone = disconnected(phoneSocket);
    expect((await server.http('DELETE', `/api/me/sessions/${newest!.id}`, { token: alice.token })).status).toBe(204);
    await phoneGone;
    expect((await me(phone.token)).status).toBe(401);

    // Revoking the current one is a log-out.
    const current = await server.http('DELETE', `/api/me/sessions/${first!.id}`, { token: alice.token });
    expect(current.status).toBe(204);
    expect(current.headers.getSetCookie().join()).toMatch(/parley_session=;/);
    expect((await me(alice.token)).status).toBe(401);
  });

  it('deleting an account ends its sessions, passes its rooms on, closes its direct chats, and shows its messages as "Deleted user"', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const general = expectOk(await call(alice.socket, 'room:create', { name: 'General' })).room;
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    const direct = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    expectOk(await call(alice.socket, 'message:send', { roomId: direct.id, clientId: 'bye', body: 'bye' }));

    const wrong = await server.http('DELETE', '/api/me', { token: alice.token, body: { password: 'not it' } });
    expect(wrong.status).toBe(403);
    expect((await me(alice.token)).status).toBe(200);

    const aliceGone = disconnected(alice.socket);
    const bobHearsRole = nextEvent(bob.socket, 'room:role', (event) => event.roomId === general.id);
    const bobHearsLeft = nextEvent(bob.socket, 'room:member', (event) => event.roomId === general.id);
    const bobHearsName = nextEvent(bob.socket, 'user:updated');
    const deleted = await server.http('DELETE', '/api/me', { token: alice.token, body: { password: alice.password } });

    expect(deleted.status).toBe(204);
    expect(deleted.headers.getSetCookie().join()).toMatch(/parley_session=;/);
    await aliceGone;
    expect((await me(alice.token)).status).toBe(401);
    expect(await bobHearsRole).toEqual({ roomId: general.id, userId: bob.user.id, role: 'owner' });
    expect(await bobHearsLeft).toMatchObject({ userId: alice.user.id, change: 'left', memberCount: 1 });
    const gone: PublicUser = { ...alice.user, firstName: 'Deleted', lastName: 'user' };
    expect(await bobHearsName).toEqual({ user: gone });

    const history = expectOk(await call(bob.socket, 'room:history', { roomId: direct.id })).messages;
    expect(history.map((m) => [m.body, m.author])).toEqual([['bye', gone]]);
    const send = await call(bob.socket, 'message:send', { roomId: direct.id, clientId: 'hello', body: 'hello?' });
    expect(send).toEqual({ ok: false, error: { code: 'forbidden', message: "You can't message this person." } });
    expect(await call(bob.socket, 'dm:open', { userId: alice.user.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const directory = await server.http('GET', '/api/users', { token: bob.token });
    expect(directory.body.users.map((user: PublicUser) => user.id)).toEqual([bob.user.id]);
    const login = await server.http('POST', '/api/auth/login', { body: { username: alice.user.username, password: alice.password } });
    expect(login.status).toBe(401);
    // The username stays taken for now.
    const again = await server.http('POST', '/api/auth/register', {
      body: { username: alice.user.username, firstName: 'New', lastName: 'Alice', password: 'correct horse battery' },
    });
    expect(again.status).toBe(409);
  });
});
