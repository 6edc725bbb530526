import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, ackShape, serverEvents, type Room } from '@parley/protocol';
import { TestServer, call, callRaw, drain, expectOk, nextEvent, record, type ClientSocket, type Person } from './support/harness.js';

let server: TestServer;
beforeEach(async () => {
  server = await TestServer.start();
});
afterEach(async () => {
  await server.close();
});

/** My rooms as `rooms:list` answers them (one page holds them all here), checked against the protocol's response schema. */
async function myRooms(socket: ClientSocket): Promise<Room[]> {
  const ack = await call(socket, 'rooms:list', { limit: LIMITS.roomsPageMax });
  ackShape('rooms:list').parse(ack);
  const { rooms, nextCursor } = expectOk(ack);
  expect(nextCursor).toBeNull();
  return rooms;
}

async function myRoom(socket: ClientSocket, roomId: number): Promise<Room> {
  const room = (await myRooms(socket)).find((r) => r.id === roomId);
  expect(room, `room ${roomId} in rooms:list`).toBeDefined();
  return room!;
}

let clientIds = 0;
async function send(socket: ClientSocket, roomId: number, body: string) {
  return expectOk(await call(socket, 'message:send', { roomId, clientId: `c-${++clientIds}`, body })).message;
}

async function directChat(a: Person & { socket: ClientSocket }, b: Person) {
  return expectOk(await call(a.socket, 'dm:open', { userId: b.user.id })).room;
}

async function groupOf(creator: Person & { socket: ClientSocket }, ...others: (Person & { socket: ClientSocket })[]) {
  const { room } = expectOk(await call(creator.socket, 'room:create', { name: `Room ${Math.random().toString(36).slice(2, 8)}` }));
  for (const other of others) expectOk(await call(other.socket, 'room:join', { roomId: room.id }));
  return room;
}

describe('unread counts', () => {
  it('are right after being offline: the list shows what came meanwhile, and its last message', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const room = await directChat(alice, bob);
    bob.socket.disconnect();

    for (const body of ['one', 'two', 'three']) await send(alice.socket, room.id, body);

    const bobAgain = await server.connect(bob.token);
    const seenByBob = await myRoom(bobAgain, room.id);
    expect(seenByBob).toMatchObject({ lastSeq: 3, lastReadSeq: 0, unread: 3, muted: false, peerLastReadSeq: 3 });
    expect(seenByBob.lastMessage).toMatchObject({ seq: 3, body: 'three', author: alice.user });
    // Her own messages are never unread for Alice.
    expect(await myRoom(alice.socket, room.id)).toMatchObject({ lastReadSeq: 3, unread: 0, peerLastReadSeq: 0 });
  });

  it('never count your own messages: sending moves your marker, and tells your devices nothing more', async () => {
    const alice = await server.signUpAndConnect();
    const alicePhone = await server.connect(alice.token);
    const bob = await server.signUpAndConnect();
    const room = await groupOf(alice, bob);
    await send(bob.socket, room.id, 'from Bob 1');
    await send(bob.socket, room.id, 'from Bob 2');
    // Bob's joining (a notice, seq 1) and his two messages.
    expect(await myRoom(alice.socket, room.id)).toMatchObject({ lastReadSeq: 0, unread: 3 });
    const phoneReads = record(alicePhone, 'room:read');
    const bobReads = record(bob.socket, 'room:read');

    const mine = await send(alice.socket, room.id, 'from Alice');

    expect(await myRoom(alicePhone, room.id)).toMatchObject({ lastReadSeq: mine.seq, unread: 0, lastMessage: mine });
    expect(await myRoom(bob.socket, room.id)).toMatchObject({ lastReadSeq: 3, unread: 1, lastMessage: mine });
    await Promise.all([drain(alicePhone), drain(bob.socket)]);
    expect(phoneReads).toEqual([]);
    expect(bobReads).toEqual([]);
  });

  it('start a new member of a group with what was said before them read', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const room = await groupOf(alice);
    await send(alice.socket, room.id, 'before Bob');

    const joined = expectOk(await call(bob.socket, 'room:join', { roomId: room.id }));

    // Seq 2 is the notice of his joining: read too.
    expect(joined.room).toMatchObject({ lastSeq: 2, lastReadSeq: 2, unread: 0 });
    await send(alice.socket, room.id, 'after Bob');
    expect(await myRoom(bob.socket, room.id)).toMatchObject({ lastReadSeq: 2, unread: 1 });
  });

  it('come on every room the server sends, in the shape the protocol says', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobLearns = nextEvent(bob.socket, 'room:new');
    const opened = await call(alice.socket, 'dm:open', { userId: bob.user.id });
    ackShape('dm:open').parse(opened);
    expect(expectOk(opened).room).toMatchObject({ lastReadSeq: 0, unread: 0, lastMessage: null, muted: false, peerLastReadSeq: 0 });
    expect(serverEvents['room:new'].parse(await bobLearns)).toMatchObject({ unread: 0, peerLastReadSeq: 0 });

    const group = await groupOf(alice);
    await send(alice.socket, group.id, 'members only');
    const listed = expectOk(await call(bob.socket, 'rooms:browse', {}));
    ackShape('rooms:browse').parse(listed);
    expect(listed.rooms.find((r) => r.id === group.id)).toMatchObject({
      joined: false, lastSeq: 1, lastReadSeq: 0, unread: 0, lastMessage: null, muted: false, peerLastReadSeq: null,
    });
  });
});

describe('read markers', () => {
  it('a read on one device clears the count on another', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobLaptop = await server.connect(bob.token);
    const room = await directChat(alice, bob);
    await send(alice.socket, room.id, 'one');
    await send(alice.socket, room.id, 'two');
    expect(await myRoom(bobLaptop, room.id)).toMatchObject({ unread: 2 });
    const laptopHears = nextEvent(bobLaptop, 'room:read');

    expect(await call(bob.socket, 'room:read', { roomId: room.id, seq: 2 })).toEqual({ ok: true, lastReadSeq: 2 });

    expect(await laptopHears).toEqual({ roomId: room.id, userId: bob.user.id, seq: 2 });
    expect(await myRoom(bobLaptop, room.id)).toMatchObject({ lastReadSeq: 2, unread: 0 });
  });

  it('the other person of a direct chat gets the receipt, and sees it in the room', async () => {
    const alice = await server.signUpAndConnect();
    const aliceLaptop = await server.connect(alice.token);
    const bob = await server.signUpAndConnect();
    const room = await directChat(alice, bob);
    await send(alice.socket, room.id, 'did you see this?');
    const receipts = [alice.socket, aliceLaptop].map((socket) => nextEvent(socket, 'room:read'));

    expectOk(await call(bob.socket, 'room:read', { roomId: room.id, seq: 1 }));

    for (const receipt of await Promise.all(receipts)) expect(receipt).toEqual({ roomId: room.id, userId: bob.user.id, seq: 1 });
    expect(await myRoom(alice.socket, room.id)).toMatchObject({ peerLastReadSeq: 1, lastReadSeq: 1, unread: 0 });
  });

  it('in a group, only the reader’s own devices hear of a read, never the other members', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobPhone = await server.connect(bob.token);
    const carol = await server.signUpAndConnect();
    const room = await groupOf(alice, bob, carol);
    const { seq } = await send(alice.socket, room.id, 'hello all');
    const othersHear = [alice.socket, carol.socket].map((socket) => record(socket, 'room:read'));
    const phoneHears = nextEvent(bobPhone, 'room:read');

    expectOk(await call(bob.socket, 'room:read', { roomId: room.id, seq }));

    expect(await phoneHears).toEqual({ roomId: room.id, userId: bob.user.id, seq });
    await Promise.all([drain(alice.socket), drain(carol.socket)]);
    expect(othersHear).toEqual([[], []]);
    expect((await myRoom(alice.socket, room.id)).peerLastReadSeq).toBeNull();
  });

  it('never move back, and say nothing when they do not move', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobPhone = await server.connect(bob.token);
    const room = await directChat(alice, bob);
    for (const body of ['1', '2', '3']) await send(alice.socket, room.id, body);
    expectOk(await call(bob.socket, 'room:read', { roomId: room.id, seq: 3 }));
    await drain(bobPhone);
    const phoneHears = record(bobPhone, 'room:read');
    const aliceHears = record(alice.socket, 'room:read');

    expect(await call(bob.socket, 'room:read', { roomId: room.id, seq: 1 })).toEqual({ ok: true, lastReadSeq: 3 });
    expect(await call(bob.socket, 'room:read', { roomId: room.id, seq: 3 })).toEqual({ ok: true, lastReadSeq: 3 });

    expect(await myRoom(bob.socket, room.id)).toMatchObject({ lastReadSeq: 3, unread: 0 });
    await Promise.all([drain(bobPhone), drain(alice.socket)]);
    expect(phoneHears).toEqual([]);
    expect(aliceHears).toEqual([]);
  });

  it('never move past the last seq: such a read is refused and changes nothing', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const room = await directChat(alice, bob);
    await send(alice.socket, room.id, 'only one');

    const ack = await call(bob.socket, 'room:read', { roomId: room.id, seq: 2 });

    expect(ack).toMatchObject({ ok: false, error: { code: 'invalid', fields: { seq: "must be at most 1, the room's last seq" } } });
    expect(await myRoom(bob.socket, room.id)).toMatchObject({ lastReadSeq: 0, unread: 1 });
  });

  it('refuse malformed input as invalid, naming the field', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const room = await directChat(alice, bob);
    await send(alice.socket, room.id, 'hi');

    for (const [payload, field] of [
      [{ roomId: room.id, seq: 0 }, 'seq'],
      [{ roomId: room.id, seq: 1.5 }, 'seq'],
      [{ roomId: room.id, seq: '1' }, 'seq'],
      [{ roomId: room.id }, 'seq'],
      [{ roomId: -1, seq: 1 }, 'roomId'],
      [{ roomId: room.id, seq: 1, userId: alice.user.id }, 'userId'],
    ] as const) {
      const ack = await callRaw(bob.socket, 'room:read', payload);
      expect(ack, JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'invalid', fields: { [field]: expect.any(String) } } });
    }
    for (const payload of [{ roomId: room.id, muted: 'yes' }, { roomId: room.id }]) {
      expect(await callRaw(bob.socket, 'room:mute', payload)).toMatchObject({ ok: false, error: { code: 'invalid', fields: { muted: expect.any(String) } } });
    }
    expect(await callRaw(bob.socket, 'typing', { roomId: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid', fields: { roomId: expect.any(String) } } });
    expect(await myRoom(bob.socket, room.id)).toMatchObject({ lastReadSeq: 0, unread: 1, muted: false });
  });

  it('refuse anyone outside the room: forbidden for a group, not_found for a direct chat of others or no room', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const mallory = await server.signUpAndConnect();
    const group = await groupOf(alice);
    const direct = await directChat(alice, bob);
    await send(alice.socket, group.id, 'members only');
    await send(alice.socket, direct.id, 'just us');
    const aliceHears = record(alice.socket, 'room:read');

    const cases = [
      ['room:read', { roomId: group.id, seq: 1 }, 'forbidden'],
      ['room:read', { roomId: direct.id, seq: 1 }, 'not_found'],
      ['room:read', { roomId: 987_654, seq: 1 }, 'not_found'],
      ['room:mute', { roomId: group.id, muted: true }, 'forbidden'],
      ['room:mute', { roomId: direct.id, muted: true }, 'not_found'],
      ['room:mute', { roomId: 987_654, muted: true }, 'not_found'],
    ] as const;
    for (const [event, payload, code] of cases) {
      expect(await callRaw(mallory.socket, event, payload), `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code } });
    }
    await drain(alice.socket);
    expect(aliceHears).toEqual([]);
    expect(await myRoom(bob.socket, direct.id)).toMatchObject({ lastReadSeq: 0, unread: 1, peerLastReadSeq: 1, muted: false });
  });
});

describe('typing', () => {
  it("reaches the room's other members, never the typist's own devices, never anyone outside", async () => {
    const alice = await server.signUpAndConnect();
    const alicePhone = await server.connect(alice.token);
    const bob = await server.signUpAndConnect();
    const bobPhone = await server.connect(bob.token);
    const carol = await server.signUpAndConnect();
    const room = await groupOf(alice, bob);
    const elsewhere = await directChat(alice, carol);
    const bobHears = [bob.socket, bobPhone].map((socket) => nextEvent(socket, 'typing'));
    const notHeard = [alice.socket, alicePhone, carol.socket].map((socket) => record(socket, 'typing'));

    expect(await call(alice.socket, 'typing', { roomId: room.id })).toEqual({ ok: true });

    for (const heard of await Promise.all(bobHears)) expect(heard).toEqual({ roomId: room.id, userId: alice.user.id });
    await Promise.all([alice.socket, alicePhone, carol.socket].map(drain));
    expect(notHeard).toEqual([[], [], []]);
    expect(elsewhere.id).not.toBe(room.id);
  });

  it('in a direct chat reaches the other person only', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const room = await directChat(alice, bob);
    const aliceHears = record(alice.socket, 'typing');
    const bobHears = nextEvent(bob.socket, 'typing');

    expectOk(await call(alice.socket, 'typing', { roomId: room.id }));

    expect(await bobHears).toEqual({ roomId: room.id, userId: alice.user.id });
    await drain(alice.socket);
    expect(aliceHears).toEqual([]);
  });

  it('is refused from outside the room, and relayed to nobody', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const mallory = await server.signUpAndConnect();
    const group = await groupOf(alice);
    const direct = await directChat(alice, bob);
    const heard = [alice.socket, bob.socket].map((socket) => record(socket, 'typing'));

    expect(await call(mallory.socket, 'typing', { roomId: group.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(mallory.socket, 'typing', { roomId: direct.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await call(mallory.socket, 'typing', { roomId: 987_654 })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    await Promise.all([drain(alice.socket), drain(bob.socket)]);
    expect(heard).toEqual([[], []]);
  });
});

describe('mute', () => {
  it('is shared with the other devices, kept per person, and kept across a restart', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobLaptop = await server.connect(bob.token);
    const room = await groupOf(alice, bob);
    const laptopHears = nextEvent(bobLaptop, 'room:mute');
    const aliceHears = record(alice.socket, 'room:mute');

    expect(await call(bob.socket, 'room:mute', { roomId: room.id, muted: true })).toEqual({ ok: true });

    expect(await laptopHears).toEqual({ roomId: room.id, muted: true });
    expect((await myRoom(bobLaptop, room.id)).muted).toBe(true);
    expect((await myRoom(alice.socket, room.id)).muted).toBe(false);
    await drain(alice.socket);
    expect(aliceHears).toEqual([]);

    server = await server.restart();
    const bobAfter = await server.connect(bob.token);
    expect((await myRoom(bobAfter, room.id)).muted).toBe(true);
    const unmuted = nextEvent(bobAfter, 'room:mute');
    expectOk(await call(await server.connect(bob.token), 'room:mute', { roomId: room.id, muted: false }));
    expect(await unmuted).toEqual({ roomId: room.id, muted: false });
    expect((await myRoom(bobAfter, room.id)).muted).toBe(false);
  });

  it('says nothing to the other devices when it changes nothing', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobLaptop = await server.connect(bob.token);
    const room = await directChat(alice, bob);
    const laptopHears = record(bobLaptop, 'room:mute');

    expectOk(await call(bob.socket, 'room:mute', { roomId: room.id, muted: false }));

    await drain(bobLaptop);
    expect(laptopHears).toEqual([]);
  });
});

describe('rooms:list', () => {
  it('holds its order, counts and last messages after a restart', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const withAlice = await directChat(alice, bob);
    const club = await groupOf(carol, bob);
    const withCarol = await directChat(carol, bob);
    server.clock.advance(1000);
    await send(alice.socket, withAlice.id, 'a1');
    server.clock.advance(1000);
    await send(carol.socket, club.id, 'c1');
    server.clock.advance(1000);
    await send(alice.socket, withAlice.id, 'a2');
    server.clock.advance(1000);
    await send(bob.socket, withCarol.id, 'b1');
    expectOk(await call(bob.socket, 'room:read', { roomId: withAlice.id, seq: 1 }));

    const before = await myRooms(bob.socket);
    const summary = (rooms: Room[]) => rooms.map((r) => [r.id, r.unread, r.lastReadSeq, r.lastMessage?.body, r.peerLastReadSeq]);
    expect(summary(before)).toEqual([
      [withCarol.id, 0, 1, 'b1', 0],
      [withAlice.id, 1, 1, 'a2', 2],
      // Bob's marker is at the notice of his joining (seq 1).
      [club.id, 1, 1, 'c1', null],
    ]);

    server = await server.restart();
    expect(await myRooms(await server.connect(bob.token))).toEqual(before);
  });
});

describe('room:created', () => {
  it('reaches everyone but its creator, whose devices get it as a member in room:new', async () => {
    const alice = await server.signUpAndConnect();
    const alicePhone = await server.connect(alice.token);
    const bob = await server.signUpAndConnect();
    const creatorHears = [alice.socket, alicePhone].map((socket) => record(socket, 'room:created'));
    const phoneGetsRoom = nextEvent(alicePhone, 'room:new');
    const bobHears = nextEvent(bob.socket, 'room:created');

    const { room } = expectOk(await call(alice.socket, 'room:create', { name: 'Announcements' }));

    expect(await bobHears).toEqual({ ...room, joined: false, role: null });
    expect(await phoneGetsRoom).toEqual(room);
    await Promise.all([drain(alice.socket), drain(alicePhone)]);
    expect(creatorHears).toEqual([[], []]);
  });
});
