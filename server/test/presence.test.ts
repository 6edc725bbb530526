import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, ackShape } from '@parley/protocol';
import { call, callRaw, drain, expectOk, nextEvent, record, type ClientSocket, type Person, type TestServer } from './support/harness.js';
import { serverDrivers, type DriverServer } from './support/server-drivers.js';

type Connected = Person & { socket: ClientSocket };

/** What a socket hears about one user's coming and going, in order, from now on. */
function presenceOf(socket: ClientSocket, userId: number): string[] {
  const heard: string[] = [];
  socket.on('user:online', (event) => event.userId === userId && heard.push('online'));
  socket.on('user:offline', (event) => event.userId === userId && heard.push('offline'));
  return heard;
}

async function watch(socket: ClientSocket, userIds: number[]): Promise<number[]> {
  const ack = await call(socket, 'presence:watch', { userIds });
  ackShape('presence:watch').parse(ack);
  return expectOk(ack).online;
}

describe.each(serverDrivers)('presence: $name', (driver) => {
  let started: DriverServer;
  let server: TestServer;
  beforeEach(async (context) => {
    if (driver.unavailable) context.skip(driver.unavailable);
    started = await driver.start({ limits: { presenceWatchesPerUser: 600 } });
    server = started.server;
  });
  afterEach(async () => {
    await started?.close();
  });

  /** Alice's peer in a direct chat, a member of a group room with her, someone watching her, and a stranger. */
  async function aliceAndOthers() {
    const alice = await server.signUp({ firstName: 'Alice' });
    const peer = await server.signUpAndConnect({ firstName: 'Peer' });
    const member = await server.signUpAndConnect({ firstName: 'Member' });
    const watcher = await server.signUpAndConnect({ firstName: 'Watcher' });
    const stranger = await server.signUpAndConnect({ firstName: 'Stranger' });
    expectOk(await call(peer.socket, 'dm:open', { userId: alice.user.id }));
    const { room } = expectOk(await call(member.socket, 'room:create', { name: `Team ${Math.random().toString(36).slice(2, 8)}` }));
    const aliceFirst = await server.connect(alice.token);
    expectOk(await call(aliceFirst, 'room:join', { roomId: room.id }));
    aliceFirst.disconnect();
    await server.app.realtime.presence.settled();
    // Her coming and going so far has reached them: what they hear from here on is the test's.
    for (const other of [peer, member, watcher, stranger]) await drain(other.socket);
    return { alice, peer, member, watcher, stranger, room };
  }

  it('tells those who share a room with someone, and those who watch them, when they come and go; never strangers, nor their own devices', async () => {
    const { alice, peer, member, watcher, stranger } = await aliceAndOthers();
    expect(await watch(watcher.socket, [alice.user.id])).toEqual([]);
    const heard = Object.fromEntries([peer, member, watcher, stranger].map((p) => [p.user.firstName, presenceOf(p.socket, alice.user.id)]));

    const told = [peer, member, watcher].map((p) => nextEvent(p.socket, 'user:online', (event) => event.userId === alice.user.id));
    const phone = await server.connect(alice.token);
    const ownDevice = presenceOf(phone, alice.user.id);
    await Promise.all(told);
    const laptop = await server.connect(alice.token);
    await server.app.realtime.presence.settled();

    const toldOffline = [peer, member, watcher].map((p) => nextEvent(p.socket, 'user:offline', (event) => event.userId === alice.user.id));
    phone.disconnect();
    laptop.disconnect();
    await Promise.all(toldOffline);
    for (const socket of [peer, member, watcher, stranger].map((p) => p.socket)) await drain(socket);

    expect(heard).toEqual({ Peer: ['online', 'offline'], Member: ['online', 'offline'], Watcher: ['online', 'offline'], Stranger: [] });
    expect(ownDevice).toEqual([]);
  });

  it('follows the rooms as they change: a room joined since connecting is told, one left is not', async () => {
    const alice = await server.signUpAndConnect({ firstName: 'Alice' });
    const joiner = await server.signUpAndConnect({ firstName: 'Joiner' });
    const leaver = await server.signUpAndConnect({ firstName: 'Leaver' });
    const { room: joined } = expectOk(await call(joiner.socket, 'room:create', { name: `Joined ${Math.random().toString(36).slice(2, 8)}` }));
    const { room: left } = expectOk(await call(alice.socket, 'room:create', { name: `Left ${Math.random().toString(36).slice(2, 8)}` }));
    expectOk(await call(leaver.socket, 'room:join', { roomId: left.id }));
    // While Alice is connected: her socket joins the one and leaves the other.
    expectOk(await call(alice.socket, 'room:join', { roomId: joined.id }));
    expectOk(await call(alice.socket, 'room:leave', { roomId: left.id }));
    const joinerHears = presenceOf(joiner.socket, alice.user.id);
    const leaverHears = presenceOf(leaver.socket, alice.user.id);

    const offline = nextEvent(joiner.socket, 'user:offline', (event) => event.userId === alice.user.id);
    alice.socket.disconnect();
    await offline;
    await drain(leaver.socket);
    expect(joinerHears).toEqual(['offline']);
    expect(leaverHears).toEqual([]);
  });

  it('answers a watch with those of its people who are online now, and tells of changes from then on', async () => {
    const online = await server.signUpAndConnect();
    const offline = await server.signUp();
    const watcher = await server.signUpAndConnect();
    await server.app.realtime.presence.settled();

    expect(await watch(watcher.socket, [offline.user.id, online.user.id, online.user.id, 999_999])).toEqual([online.user.id]);

    const comes = nextEvent(watcher.socket, 'user:online', (event) => event.userId === offline.user.id);
    await server.connect(offline.token);
    expect(await comes).toEqual({ userId: offline.user.id });
    expect(await watch(watcher.socket, [offline.user.id, online.user.id])).toEqual([offline.user.id, online.user.id]);
  });

  it('watches only the latest list: a new one replaces it, an empty one ends it', async () => {
    const first = await server.signUp();
    const second = await server.signUp();
    const watcher = await server.signUpAndConnect();
    const aboutFirst = presenceOf(watcher.socket, first.user.id);
    const aboutSecond = presenceOf(watcher.socket, second.user.id);

    await watch(watcher.socket, [first.user.id]);
    await watch(watcher.socket, [second.user.id]);
    const secondComes = nextEvent(watcher.socket, 'user:online', (event) => event.userId === second.user.id);
    await server.connect(first.token);
    const secondSocket = await server.connect(second.token);
    await secondComes;
    await drain(watcher.socket);
    expect(aboutFirst).toEqual([]);

    await watch(watcher.socket, []);
    secondSocket.disconnect();
    await server.app.realtime.presence.settled();
    await drain(watcher.socket);
    expect(aboutSecond).toEqual(['online']);
    expect([...server.app.realtime.io.of('/').adapter.rooms.keys()].filter((channel) => channel.startsWith('watch:'))).toEqual([]);
  });

  it('ends a watch with its socket: the user’s other sockets hear nothing, and the server keeps nothing of it', async () => {
    const watched = await server.signUp();
    const watcher = await server.signUpAndConnect();
    const otherTab = await server.connect(watcher.token);
    const heard = presenceOf(otherTab, watched.user.id);
    const others = (from: number) => Array.from({ length: LIMITS.presenceWatchMax - 1 }, (_, i) => from + i);
    await watch(watcher.socket, [watched.user.id, ...others(100_000)]);
    const channels = () => [...server.app.realtime.io.of('/').adapter.rooms.keys()];
    expect(channels()).toContain(`watch:${watched.user.id}`);

    const gone = new Promise((resolve) => server.app.realtime.io.of('/').sockets.get(watcher.socket.id!)!.once('disconnect', resolve));
    watcher.socket.disconnect();
    await gone;
    expect(channels()).not.toContain(`watch:${watched.user.id}`);
    await server.connect(watched.token);
    await server.app.realtime.presence.settled();
    await drain(otherTab);
    expect(heard).toEqual([]);
    // What it watched no longer counts against its user: another full list fits, which with it would pass the bound.
    expect(LIMITS.presenceWatchMax * 2).toBeGreaterThan(server.config.limits.presenceWatchesPerUser);
    expect(await watch(otherTab, [watched.user.id, ...others(200_000)])).toEqual([watched.user.id]);
  });

  it(`watches at most ${LIMITS.presenceWatchMax} people per socket, and refuses more with a clear error, keeping the list it had`, async () => {
    const watched = await server.signUp();
    const watcher = await server.signUpAndConnect();
    await watch(watcher.socket, [watched.user.id]);
    const ids = Array.from({ length: LIMITS.presenceWatchMax + 1 }, (_, i) => 100_000 + i);

    expect(await callRaw(watcher.socket, 'presence:watch', { userIds: ids })).toEqual({
      ok: false,
      error: { code: 'invalid', message: 'The payload is not valid.', fields: { userIds: `must name at most ${LIMITS.presenceWatchMax} people` } },
    });
    expect(await callRaw(watcher.socket, 'presence:watch', { userIds: [0] })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const comes = nextEvent(watcher.socket, 'user:online', (event) => event.userId === watched.user.id);
    await server.connect(watched.token);
    await comes;
    expect(await watch(watcher.socket, ids.slice(1))).toEqual([]);
  });

  it('bounds what one user’s sockets watch together, refusing the list that would pass it and keeping the one before', async () => {
    const watched = await server.signUp();
    const watcher = await server.signUpAndConnect();
    const otherTab = await server.connect(watcher.token);
    const { presenceWatchesPerUser } = server.config.limits;
    const ids = (count: number, from: number) => Array.from({ length: count }, (_, i) => from + i);
    await watch(watcher.socket, ids(LIMITS.presenceWatchMax, 100_000));
    const room = presenceWatchesPerUser - LIMITS.presenceWatchMax;
    await watch(otherTab, [watched.user.id, ...ids(room - 1, 200_000)]);

    expect(await call(otherTab, 'presence:watch', { userIds: [watched.user.id, ...ids(room, 200_000)] })).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: expect.stringContaining(`${presenceWatchesPerUser} people at most`),
        fields: { userIds: `would make ${presenceWatchesPerUser + 1} watched by your connections, over ${presenceWatchesPerUser}` },
      },
    });
    const comes = nextEvent(otherTab, 'user:online', (event) => event.userId === watched.user.id);
    await server.connect(watched.token);
    await comes;
    // A shorter list on the first socket leaves room for the longer one.
    await watch(watcher.socket, ids(LIMITS.presenceWatchMax - 1, 100_000));
    expect(await watch(otherTab, [watched.user.id, ...ids(room, 200_000)])).toEqual([watched.user.id]);
  });

  it('costs 2 event points', async () => {
    const watcher = await server.signUpAndConnect();
    const { socketEventsPerSecond } = server.config.limits;
    const acks = await Promise.all(Array.from({ length: socketEventsPerSecond }, () => call(watcher.socket, 'presence:watch', { userIds: [1] })));
    expect(acks.filter((ack) => ack.ok)).toHaveLength(socketEventsPerSecond / 2);
  });
});
