import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestServer, call, expectOk, record, drain } from './support/harness.js';

/** Every bcrypt hash the server computes, counted where it is computed, whatever the code that asks for it. */
const bcryptHashes = vi.hoisted(() => ({ count: 0 }));
vi.mock('bcrypt', async (importOriginal) => {
  const bcrypt = (await importOriginal<{ default: typeof import('bcrypt') }>()).default;
  const counted = {
    ...bcrypt,
    hash: (...args: Parameters<typeof bcrypt.hash>) => {
      bcryptHashes.count += 1;
      return bcrypt.hash(...args);
    },
  };
  return { ...counted, default: counted };
});

let server: TestServer;
afterEach(async () => {
  await server.close();
});

describe('creating rooms', () => {
  it('refuses a taken name before hashing its password: a flood of conflicts costs no bcrypt, and log-ins go on', async () => {
    server = await TestServer.start({ limits: { socketEventsPerSecond: 10_000 } });
    const alice = await server.signUpAndConnect();
    const mallory = await server.signUpAndConnect();
    expectOk(await call(alice.socket, 'room:create', { name: 'Taken', password: 'first come' }));
    const hashesBefore = bcryptHashes.count;

    const [conflicts, login] = await Promise.all([
      Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          call(mallory.socket, 'room:create', { name: i % 2 ? 'taken' : 'ＴＡＫＥＮ', password: `guess ${i}` }),
        ),
      ),
      server.http('POST', '/api/auth/login', { body: { username: alice.user.username, password: alice.password } }),
    ]);

    for (const ack of conflicts) expect(ack).toMatchObject({ ok: false, error: { code: 'conflict', fields: { name: 'is taken' } } });
    expect(login.status).toBe(200);
    expect(bcryptHashes.count - hashesBefore).toBe(0);
  });

  it('lets one person create a few rooms in a window and refuses the rest, even when asked at once from many sockets', async () => {
    server = await TestServer.start({ limits: { roomCreationsPerWindow: 3 } });
    const bob = await server.signUpAndConnect();
    const mallory = await server.signUp();
    const sockets = await Promise.all(Array.from({ length: 10 }, () => server.connect(mallory.token)));
    const announced = record(bob.socket, 'room:created');

    const acks = await Promise.all(sockets.map((socket, i) => call(socket, 'room:create', { name: `Spam ${i}` })));

    expect(acks.filter((ack) => ack.ok)).toHaveLength(3);
    for (const ack of acks.filter((ack) => !ack.ok)) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'rate_limited', message: expect.stringContaining('at most 3 rooms') } });
    }
    await drain(bob.socket);
    expect(announced).toHaveLength(3);
    // Someone else's budget is their own.
    expectOk(await call(bob.socket, 'room:create', { name: 'Bob’s room' }));
  });

  it('does not count a refused creation against the rate', async () => {
    server = await TestServer.start({ limits: { roomCreationsPerWindow: 2 } });
    const alice = await server.signUpAndConnect();
    expectOk(await call(alice.socket, 'room:create', { name: 'Taken' }));
    for (let i = 0; i < 5; i++) {
      expect(await call(alice.socket, 'room:create', { name: 'taken' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    }
    expectOk(await call(alice.socket, 'room:create', { name: 'Second' }));
    expect(await call(alice.socket, 'room:create', { name: 'Third' })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  });

  it('refuses a room beyond the quota of rooms one person may have created, even when asked at once', async () => {
    server = await TestServer.start({ limits: { roomsPerCreator: 2, roomCreationsPerWindow: 100 } });
    const mallory = await server.signUp();
    const sockets = await Promise.all(Array.from({ length: 6 }, () => server.connect(mallory.token)));

    const acks = await Promise.all(sockets.map((socket, i) => call(socket, 'room:create', { name: `Mine ${i}` })));

    expect(acks.filter((ack) => ack.ok)).toHaveLength(2);
    for (const ack of acks.filter((ack) => !ack.ok)) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('2 rooms') } });
    }
    expect(await server.store.countGroupRoomsCreatedBy(mallory.user.id)).toBe(2);
    // The quota is checked before the password is hashed, too.
    const hashesBefore = bcryptHashes.count;
    expect(await call(sockets[0]!, 'room:create', { name: 'One more', password: 'never hashed' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(bcryptHashes.count).toBe(hashesBefore);
  });
});
