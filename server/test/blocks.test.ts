import type { PublicUser } from '@parley/protocol';
import { ackShape, httpRoutes } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, callRaw, drain, expectOk, nextEvent, record, type ClientSocket, type Person, type TestServer } from './support/harness.js';
import { serverDrivers, type DriverServer } from './support/server-drivers.js';

type Connected = Person & { socket: ClientSocket };

const CANNOT = { ok: false, error: { code: 'forbidden', message: "You can't message this person." } };

describe.each(serverDrivers)('blocking: $name', (driver) => {
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

  const block = (who: Connected, whom: Person, blocked = true) => call(who.socket, 'user:block', { userId: whom.user.id, blocked });
  let clientIds = 0;
  const send = (who: Connected, roomId: number, body: string) => call(who.socket, 'message:send', { roomId, clientId: `c-${++clientIds}`, body });

  it('a blocked person’s direct message is refused, and so is the blocker’s, alike, until the block is lifted', async () => {
    const alice = await server.signUpAndConnect();
    const alicesPhone = await server.connect(alice.token);
    const bob = await server.signUpAndConnect();
    const direct = expectOk(await call(bob.socket, 'dm:open', { userId: alice.user.id })).room;
    expectOk(await send(bob, direct.id, 'hi'));
    await drain(alice.socket);
    const bobHears = record(bob.socket, 'user:blocked');
    const aliceHearsMessages = record(alice.socket, 'message:new');
    const phoneHears = nextEvent(alicesPhone, 'user:blocked');

    const blocked = await block(alice, bob);

    expect(blocked).toEqual({ ok: true });
    expect(ackShape('user:block').safeParse(blocked).success).toBe(true);
    expect(await phoneHears).toEqual({ userId: bob.user.id, blocked: true });
    expect(await send(bob, direct.id, 'are you there?')).toEqual(CANNOT);
    expect(await send(alice, direct.id, 'go away')).toEqual(CANNOT);
    expect(await call(bob.socket, 'dm:open', { userId: alice.user.id })).toEqual(CANNOT);
    // Whoever blocked can still open the chat and read it.
    const reopened = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id }));
    expect(reopened.messages.map((m) => m.body)).toEqual(['hi']);
    await drain(bob.socket);
    await drain(alice.socket);
    expect(bobHears).toEqual([]);
    expect(aliceHearsMessages).toEqual([]);
    const listed = await server.http('GET', '/api/me/blocks', { token: alice.token });
    expect(httpRoutes['GET /api/me/blocks'].response.parse(listed.body)).toEqual({ users: [bob.user] });

    expect(await block(alice, bob, false)).toEqual({ ok: true });
    expect(expectOk(await send(bob, direct.id, 'sorry')).message.body).toBe('sorry');
    expect((await server.http('GET', '/api/me/blocks', { token: alice.token })).body).toEqual({ users: [] });
  });

  it('a direct chat that did not exist is started by neither while a block stands, and the one blocked hears of nothing', async () => {
    const carol = await server.signUpAndConnect();
    const dave = await server.signUpAndConnect();
    expectOk(await block(carol, dave));
    const daveHearsRooms = record(dave.socket, 'room:new');
    expect(await call(dave.socket, 'dm:open', { userId: carol.user.id })).toEqual(CANNOT);
    expect(await call(carol.socket, 'dm:open', { userId: dave.user.id })).toEqual(CANNOT);
    await drain(dave.socket);
    expect(daveHearsRooms).toEqual([]);
    for (const person of [carol, dave]) expect(expectOk(await call(person.socket, 'rooms:list', {})).rooms).toEqual([]);
    expectOk(await block(carol, dave, false));
    expectOk(await call(carol.socket, 'dm:open', { userId: dave.user.id }));
  });

  it('each is told the other went offline when a block is set, and back online when it is lifted', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const general = expectOk(await call(alice.socket, 'room:create', { name: 'General' })).room;
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));

    const aliceHearsOffline = nextEvent(alice.socket, 'user:offline');
    const bobHearsOffline = nextEvent(bob.socket, 'user:offline');
    expectOk(await block(alice, bob));
    expect(await aliceHearsOffline).toEqual({ userId: bob.user.id });
    expect(await bobHearsOffline).toEqual({ userId: alice.user.id });

    const aliceHearsOnline = nextEvent(alice.socket, 'user:online');
    const bobHearsOnline = nextEvent(bob.socket, 'user:online');
    expectOk(await block(alice, bob, false));
    expect(await aliceHearsOnline).toEqual({ userId: bob.user.id });
    expect(await bobHearsOnline).toEqual({ userId: alice.user.id });
  });

  it('counts blocks and unblocks per user, even when they all come at once', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const acks = await Promise.all(Array.from({ length: 64 }, (_, i) => block(alice, bob, i % 2 === 0)));
    const codes = acks.map((ack) => (ack.ok ? 'ok' : ack.error.code));
    expect(codes.filter((code) => code === 'ok')).toHaveLength(60);
    expect(codes.filter((code) => code === 'rate_limited')).toHaveLength(4);
  });

  it('blocks fired at once from two devices, either way, leave the chat closed until both are lifted', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const direct = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    await Promise.all([block(alice, bob), block(bob, alice), block(alice, bob)]);
    expect(await send(alice, direct.id, 'a')).toEqual(CANNOT);
    await Promise.all([block(alice, bob, false), block(alice, bob, false)]);
    expect(await send(alice, direct.id, 'b')).toEqual(CANNOT);
    expectOk(await block(bob, alice, false));
    expectOk(await send(alice, direct.id, 'c'));
  });

  it('neither hears the other’s typing or coming and going; others still do; group rooms stay open to both', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const general = expectOk(await call(alice.socket, 'room:create', { name: 'General' })).room;
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    expectOk(await call(carol.socket, 'room:join', { roomId: general.id }));
    expectOk(await block(alice, bob));
    const aliceHearsTyping = record(alice.socket, 'typing');
    const aliceHearsOnline = record(alice.socket, 'user:online');

    const carolHearsTyping = nextEvent(carol.socket, 'typing');
    expectOk(await call(bob.socket, 'typing', { roomId: general.id }));
    expect(await carolHearsTyping).toEqual({ roomId: general.id, userId: bob.user.id });

    const aliceHearsOffline = record(alice.socket, 'user:offline');
    const carolHearsOffline = nextEvent(carol.socket, 'user:offline', (event) => event.userId === bob.user.id);
    bob.socket.disconnect();
    await carolHearsOffline;
    const carolHearsOnline = nextEvent(carol.socket, 'user:online', (event) => event.userId === bob.user.id);
    const bobAgain = await server.connect(bob.token);
    await carolHearsOnline;

    // Bob's own typing towards Alice, in the same room, after his return.
    const carolHearsMore = nextEvent(carol.socket, 'typing');
    expectOk(await call(bobAgain, 'typing', { roomId: general.id }));
    await carolHearsMore;
    await drain(alice.socket);
    expect(aliceHearsTyping).toEqual([]);
    expect(aliceHearsOnline).toEqual([]);
    expect(aliceHearsOffline).toEqual([]);

    // Watching shows Bob offline to Alice, and Alice offline to Bob.
    expect(expectOk(await call(alice.socket, 'presence:watch', { userIds: [bob.user.id, carol.user.id] })).online).toEqual([carol.user.id]);
    expect(expectOk(await call(bobAgain, 'presence:watch', { userIds: [alice.user.id] })).online).toEqual([]);
    const members = expectOk(await call(alice.socket, 'room:members', { roomId: general.id })).members;
    expect(members.map((m) => [m.user.id, m.online])).toEqual([
      [alice.user.id, true],
      [bob.user.id, false],
      [carol.user.id, true],
    ]);

    // The group room itself is not affected.
    const aliceHearsMessage = nextEvent(alice.socket, 'message:new');
    expectOk(await call(bobAgain, 'message:send', { roomId: general.id, clientId: 'g', body: 'still here' }));
    expect((await aliceHearsMessage).body).toBe('still here');
  });

  it('the directory leaves out those who blocked me, and shows those I blocked as offline', async () => {
    const alice = await server.signUpAndConnect({ username: 'alice_b' });
    const bob = await server.signUpAndConnect({ username: 'bob_b' });
    expectOk(await block(alice, bob));
    const names = (users: (PublicUser & { online: boolean })[]) => users.map((user) => [user.username, user.online]);

    const bobSees = await server.http('GET', '/api/users', { token: bob.token });
    expect(names(bobSees.body.users)).toEqual([['bob_b', true]]);
    const bobSearches = await server.http('GET', '/api/users?query=alice', { token: bob.token });
    expect(bobSearches.body.users).toEqual([]);
    const aliceSees = await server.http('GET', '/api/users', { token: alice.token });
    expect(names(aliceSees.body.users)).toEqual([
      ['alice_b', true],
      ['bob_b', false],
    ]);
  });

  it('refuses blocking oneself, nobody, and anything but the payload', async () => {
    const alice = await server.signUpAndConnect();
    expect(await call(alice.socket, 'user:block', { userId: alice.user.id, blocked: true })).toMatchObject({
      ok: false,
      error: { code: 'invalid', fields: { userId: 'is you' } },
    });
    expect(await call(alice.socket, 'user:block', { userId: alice.user.id + 1000, blocked: true })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await callRaw(alice.socket, 'user:block', { userId: 'x', blocked: 1 })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await callRaw(alice.socket, 'user:block', { userId: 2, blocked: true, extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });
});
