import { afterEach, describe, expect, it } from 'vitest';
import { TestServer, call, expectOk, nextEvent } from './support/harness.js';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

describe('who may open a socket', () => {
  it('refuses a socket without a session, saying why', async () => {
    server = await TestServer.start();
    await expect(server.connect(null)).rejects.toThrow('No session: log in first.');
    await expect(server.connect('not-a-real-token')).rejects.toThrow('Session expired or revoked');
  });

  it('accepts the session cookie as well as auth.token', async () => {
    server = await TestServer.start();
    const alice = await server.signUp();
    const socket = await server.connect(null, { headers: { cookie: `parley_session=${alice.token}` } });
    expect(socket.connected).toBe(true);
    expectOk(await call(socket, 'rooms:list', {}));
  });

  it('refuses an expired session at the handshake, and on the next event of a socket that outlived it', async () => {
    server = await TestServer.start({ env: { SESSION_TTL: '1h' } });
    const alice = await server.signUp();
    const socket = await server.connect(alice.token);
    const disconnected = nextEvent(socket, 'disconnect' as any);

    server.clock.advance(60 * 60_000 + 1);

    const ack = await call(socket, 'rooms:list', {});
    expect(ack).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    await disconnected;
    await expect(server.connect(alice.token)).rejects.toThrow('Session expired or revoked');
  });

  it('logging out disconnects every socket opened with that session, and only those', async () => {
    server = await TestServer.start();
    const alice = await server.signUp();
    const phone = await server.connect(alice.token);
    const laptop = await server.connect(alice.token);
    const otherLogin = await server.http('POST', '/api/auth/login', { body: { username: alice.user.username, password: alice.password } });
    const tablet = await server.connect(otherLogin.body.token);

    const gone = [phone, laptop].map((socket) => nextEvent(socket, 'disconnect' as any));
    const logout = await server.http('POST', '/api/auth/logout', { token: alice.token });
    expect(logout.status).toBe(204);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);

    expect(tablet.connected).toBe(true);
    expectOk(await call(tablet, 'rooms:list', {}));
    await expect(server.connect(alice.token)).rejects.toThrow('Session expired or revoked');
  });

  it('refuses a cross-origin handshake, and accepts its own origin and listed ones', async () => {
    server = await TestServer.start({ env: { ALLOWED_ORIGINS: 'https://chat.example.com' } });
    const alice = await server.signUp();
    // Refused by the transport (HTTP 403 to the WebSocket upgrade), so the client sees only that it failed.
    await expect(server.connect(alice.token, { headers: { origin: 'https://evil.example' } })).rejects.toThrow('websocket error');
    const own = await server.connect(alice.token, { headers: { origin: server.url } });
    expect(own.connected).toBe(true);
    const listed = await server.connect(alice.token, { headers: { origin: 'https://chat.example.com' } });
    expect(listed.connected).toBe(true);
  });

  it('by default allows only the server’s own origin', async () => {
    server = await TestServer.start();
    const alice = await server.signUp();
    await expect(server.connect(alice.token, { headers: { origin: 'http://localhost:9999' } })).rejects.toThrow('websocket error');
  });
});
