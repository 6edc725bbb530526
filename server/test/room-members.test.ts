import type { Message, Room, RoomMemberEvent } from '@parley/protocol';
import { ackShape, messageShape, serverEvents } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, callRaw, drain, expectOk, nextEvent, record, type ClientSocket, type Person, type TestServer } from './support/harness.js';
import { serverDrivers, type DriverServer } from './support/server-drivers.js';

type Connected = Person & { socket: ClientSocket };

describe.each(serverDrivers)('room members: $name', (driver) => {
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

  async function group(creator: Connected, name: string): Promise<Room> {
    return expectOk(await call(creator.socket, 'room:create', { name })).room;
  }

  /** The next `room:member` event of this room on `socket`. */
  const nextMemberEvent = (socket: ClientSocket, roomId: number) => nextEvent(socket, 'room:member', (event) => event.roomId === roomId);

  it('every member hears who joins, with the count after it, and the notice takes its place in the history', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    const events = record(alice.socket, 'room:member');
    const notices = record(alice.socket, 'message:new');

    const bobJoined = expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    expect(bobJoined.room.memberCount).toBe(2);
    const carolJoined = expectOk(await call(carol.socket, 'room:join', { roomId: general.id }));
    expect(carolJoined.room.memberCount).toBe(3);
    await drain(alice.socket);

    expect(events).toEqual<RoomMemberEvent[]>([
      { roomId: general.id, userId: bob.user.id, change: 'joined', memberCount: 2, seq: 1 },
      { roomId: general.id, userId: carol.user.id, change: 'joined', memberCount: 3, seq: 2 },
    ]);
    for (const event of events) expect(serverEvents['room:member'].safeParse(event).success).toBe(true);
    expect(notices).toMatchObject([
      { roomId: general.id, seq: 1, kind: 'system', body: '', authorId: bob.user.id, notice: { change: 'joined', user: bob.user } },
      { roomId: general.id, seq: 2, kind: 'system', body: '', authorId: carol.user.id, notice: { change: 'joined', user: carol.user } },
    ]);
    for (const notice of notices) expect(messageShape.safeParse(notice).success).toBe(true);

    // The joiner's own history holds the notice, and it is not unread to them.
    expect(carolJoined.messages.map((m) => [m.seq, m.notice?.change, m.notice?.user.id])).toEqual([
      [1, 'joined', bob.user.id],
      [2, 'joined', carol.user.id],
    ]);
    expect(carolJoined.room).toMatchObject({ lastSeq: 2, lastReadSeq: 2, unread: 0 });
    const history = expectOk(await call(alice.socket, 'room:history', { roomId: general.id }));
    expect(history.messages).toEqual(notices);

    // A text message takes the next seq, and says it is one.
    const sent = expectOk(await call(bob.socket, 'message:send', { roomId: general.id, clientId: 'hi', body: 'hi all' }));
    expect(sent.message).toMatchObject({ seq: 3, kind: 'text', body: 'hi all', notice: null });
  });

  it('the joiner’s other devices hear that they joined; joining again, even from two devices at once, changes nothing', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobsPhone = await server.connect(bob.token);
    const general = await group(alice, 'General');
    const aliceHears = record(alice.socket, 'room:member');
    const phoneHears = nextMemberEvent(bobsPhone, general.id);

    const [first, second] = await Promise.all([
      call(bob.socket, 'room:join', { roomId: general.id }),
      call(bobsPhone, 'room:join', { roomId: general.id }),
    ]);
    expect(expectOk(first).room.memberCount).toBe(2);
    expect(expectOk(second).room.memberCount).toBe(2);
    expect(await phoneHears).toEqual({ roomId: general.id, userId: bob.user.id, change: 'joined', memberCount: 2, seq: 1 });

    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    await drain(alice.socket);
    expect(aliceHears).toHaveLength(1);
    const history = expectOk(await call(alice.socket, 'room:history', { roomId: general.id }));
    expect(history.messages.map((m) => m.notice?.change)).toEqual(['joined']);
  });

  it('who leaves is announced to the members and to their own other devices, and hears nothing more of the room', async () => {
    const alice = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const carolsPhone = await server.connect(carol.token);
    const general = await group(alice, 'General');
    expectOk(await call(carol.socket, 'room:join', { roomId: general.id }));
    // The phone has heard of the join before it listens for what follows.
    await Promise.all([drain(alice.socket), drain(carolsPhone)]);

    const aliceHears = nextMemberEvent(alice.socket, general.id);
    const aliceNotice = nextEvent(alice.socket, 'message:new', (m) => m.roomId === general.id);
    const phoneHears = nextMemberEvent(carolsPhone, general.id);
    expectOk(await call(carol.socket, 'room:leave', { roomId: general.id }));

    const left = { roomId: general.id, userId: carol.user.id, change: 'left', memberCount: 1, seq: 2 } as const;
    expect(await aliceHears).toEqual(left);
    expect(await phoneHears).toEqual(left);
    expect(await aliceNotice).toMatchObject({ seq: 2, kind: 'system', authorId: carol.user.id, notice: { change: 'left', user: carol.user } });

    const carolGets = record(carolsPhone, 'message:new');
    expectOk(await call(alice.socket, 'message:send', { roomId: general.id, clientId: 'after', body: 'after Carol left' }));
    await drain(carolsPhone);
    expect(carolGets).toEqual([]);
    expect(await call(carol.socket, 'room:history', { roomId: general.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Leaving again: she is not in it.
    expect(await call(carol.socket, 'room:leave', { roomId: general.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a client that was away catches the notices up through sync, in seq order with the messages', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    alice.socket.disconnect();

    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    expectOk(await call(bob.socket, 'message:send', { roomId: general.id, clientId: 'hello', body: 'hello' }));
    expectOk(await call(bob.socket, 'room:leave', { roomId: general.id }));

    const back = await server.connect(alice.token);
    const answer = expectOk(await call(back, 'sync', { rooms: { [general.id]: 0 } }));
    const messages: Message[] = answer.rooms[0]!.messages;
    expect(messages.map((m) => [m.seq, m.kind, m.notice?.change ?? m.body])).toEqual([
      [1, 'system', 'joined'],
      [2, 'text', 'hello'],
      [3, 'system', 'left'],
    ]);
    // The Chats list shows the notice as the room's last message, and counts it unread as any other.
    const [listed] = expectOk(await call(back, 'rooms:list', {})).rooms;
    expect(listed).toMatchObject({ id: general.id, memberCount: 1, lastSeq: 3, unread: 3, lastMessage: messages[2] });
  });

  it('room:members pages the members, longest-standing first, the creator its owner, each with whether they are online', async () => {
    const alice = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    const others = [];
    for (let i = 0; i < 4; i++) {
      const person = await server.signUpAndConnect();
      expectOk(await call(person.socket, 'room:join', { roomId: general.id }));
      others.push(person);
    }
    others[3]!.socket.disconnect();
    await server.app.realtime.presence.settled();

    const first = expectOk(await call(others[0]!.socket, 'room:members', { roomId: general.id, limit: 2 }));
    expect(ackShape('room:members').safeParse(first).success).toBe(true);
    expect(first.members.map((m) => [m.user.id, m.role, m.online])).toEqual([
      [alice.user.id, 'owner', true],
      [others[0]!.user.id, 'member', true],
    ]);
    expect(first.members[0]!.user).toEqual(alice.user);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = expectOk(await call(others[0]!.socket, 'room:members', { roomId: general.id, cursor: first.nextCursor!, limit: 2 }));
    expect(second.members.map((m) => m.user.id)).toEqual([others[1]!.user.id, others[2]!.user.id]);
    const last = expectOk(await call(others[0]!.socket, 'room:members', { roomId: general.id, cursor: second.nextCursor!, limit: 2 }));
    expect(last.members.map((m) => [m.user.id, m.online])).toEqual([[others[3]!.user.id, false]]);
    expect(last.nextCursor).toBeNull();
    const all = expectOk(await call(alice.socket, 'room:members', { roomId: general.id }));
    expect(all.members).toHaveLength(5);
  });

  it('room:members is refused to whoever is not a member, one who left included, and to a cursor or limit the server never gave', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const eve = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    const direct = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    expectOk(await call(bob.socket, 'room:leave', { roomId: general.id }));

    expect(await call(eve.socket, 'room:members', { roomId: general.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(bob.socket, 'room:members', { roomId: general.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Someone else's direct chat does not exist, as far as Eve can tell.
    expect(await call(eve.socket, 'room:members', { roomId: direct.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(expectOk(await call(bob.socket, 'room:members', { roomId: direct.id })).members.map((m) => m.role)).toEqual(['member', 'member']);

    const forged = Buffer.from(JSON.stringify(['x', 1])).toString('base64url');
    expect(await call(alice.socket, 'room:members', { roomId: general.id, cursor: forged })).toMatchObject({
      ok: false,
      error: { code: 'invalid', fields: { cursor: expect.any(String) } },
    });
    expect(await callRaw(alice.socket, 'room:members', { roomId: general.id, limit: 101 })).toMatchObject({
      ok: false,
      error: { code: 'invalid', fields: { limit: expect.any(String) } },
    });
  });

  it('the owner removes a member: everyone hears it, the removed person’s devices too, then nothing more of the room', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const carolsPhone = await server.connect(carol.token);
    const general = await group(alice, 'General');
    for (const person of [bob, carol]) expectOk(await call(person.socket, 'room:join', { roomId: general.id }));
    await Promise.all([alice.socket, bob.socket, carol.socket, carolsPhone].map(drain));

    const heard = [bob.socket, carol.socket, carolsPhone].map((socket) => nextMemberEvent(socket, general.id));
    const notice = nextEvent(bob.socket, 'message:new', (m) => m.roomId === general.id);
    expectOk(await call(alice.socket, 'room:remove', { roomId: general.id, userId: carol.user.id }));
    const removed = { roomId: general.id, userId: carol.user.id, change: 'removed', memberCount: 2, seq: 3 } as const;
    for (const event of await Promise.all(heard)) expect(event).toEqual(removed);
    expect(await notice).toMatchObject({ seq: 3, kind: 'system', authorId: alice.user.id, notice: { change: 'removed', user: carol.user } });

    const carolGets = [record(carol.socket, 'message:new'), record(carolsPhone, 'message:new')];
    expectOk(await call(bob.socket, 'message:send', { roomId: general.id, clientId: 'after', body: 'Carol is gone' }));
    await Promise.all([drain(carol.socket), drain(carolsPhone)]);
    expect(carolGets.flat()).toEqual([]);
    for (const [event, payload] of [
      ['room:history', { roomId: general.id }],
      ['message:send', { roomId: general.id, clientId: 'still-here', body: 'hello?' }],
      ['room:members', { roomId: general.id }],
    ] as const) {
      expect(await callRaw(carol.socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(expectOk(await call(carol.socket, 'sync', { rooms: { [general.id]: 2 } })).left).toEqual([general.id]);
    // Without a time, the ban lasts until it is lifted.
    expect(await call(carol.socket, 'room:join', { roomId: general.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'You were removed from this room.' },
    });
    expectOk(await call(alice.socket, 'room:unban', { roomId: general.id, userId: carol.user.id }));
    expect(expectOk(await call(carol.socket, 'room:join', { roomId: general.id })).room.memberCount).toBe(3);
  });

  it('a ban of some minutes ends by itself', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    expectOk(await call(alice.socket, 'room:remove', { roomId: general.id, userId: bob.user.id, banMinutes: 10 }));
    const refused = await call(bob.socket, 'room:join', { roomId: general.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('you can join again after') } });
    server.clock.advance(10 * 60_000 + 1);
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    // 0 minutes: out, and free to come back at once.
    expectOk(await call(alice.socket, 'room:remove', { roomId: general.id, userId: bob.user.id, banMinutes: 0 }));
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
  });

  it('only the owner and moderators may remove or unban; nobody removes the owner, themself, a non-member, or in a direct chat', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const eve = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    for (const person of [bob, carol]) expectOk(await call(person.socket, 'room:join', { roomId: general.id }));
    const direct = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    const refusal = (code: string) => ({ ok: false, error: { code } });

    // A plain member, a stranger, and someone removed.
    expect(await call(bob.socket, 'room:remove', { roomId: general.id, userId: carol.user.id })).toMatchObject(refusal('forbidden'));
    expect(await call(bob.socket, 'room:unban', { roomId: general.id, userId: carol.user.id })).toMatchObject(refusal('forbidden'));
    expect(await call(eve.socket, 'room:remove', { roomId: general.id, userId: carol.user.id })).toMatchObject(refusal('forbidden'));
    expect(await call(eve.socket, 'room:remove', { roomId: direct.id, userId: bob.user.id })).toMatchObject(refusal('not_found'));
    expectOk(await call(alice.socket, 'room:remove', { roomId: general.id, userId: carol.user.id }));
    expect(await call(carol.socket, 'room:remove', { roomId: general.id, userId: bob.user.id })).toMatchObject(refusal('forbidden'));
    // The owner, too, has limits.
    expect(await call(bob.socket, 'room:remove', { roomId: general.id, userId: alice.user.id })).toMatchObject(refusal('forbidden'));
    expect(await call(alice.socket, 'room:remove', { roomId: general.id, userId: alice.user.id })).toMatchObject(refusal('invalid'));
    expect(await call(alice.socket, 'room:remove', { roomId: general.id, userId: eve.user.id })).toMatchObject(refusal('not_found'));
    expect(await call(alice.socket, 'room:remove', { roomId: direct.id, userId: bob.user.id })).toMatchObject(refusal('forbidden'));
    expect(await callRaw(alice.socket, 'room:remove', { roomId: general.id, userId: bob.user.id, banMinutes: 525_601 })).toMatchObject(refusal('invalid'));
    expect(expectOk(await call(alice.socket, 'room:members', { roomId: general.id })).members.map((m) => m.user.id)).toEqual([
      alice.user.id,
      bob.user.id,
    ]);
  });

  it('removals fired at once by two devices remove once, with one notice', async () => {
    const alice = await server.signUpAndConnect();
    const alicesPhone = await server.connect(alice.token);
    const bob = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    const acks = await Promise.all(
      [alice.socket, alicesPhone, alice.socket].map((socket) => call(socket, 'room:remove', { roomId: general.id, userId: bob.user.id })),
    );
    // The first removes; the others find him gone already, or not in the room.
    expect(acks.filter((ack) => ack.ok).length).toBeGreaterThanOrEqual(1);
    for (const ack of acks) if (!ack.ok) expect(ack.error.code).toBe('not_found');
    const history = expectOk(await call(alice.socket, 'room:history', { roomId: general.id }));
    expect(history.messages.map((m) => m.notice?.change)).toEqual(['joined', 'removed']);
  });

  it('an owner who leaves hands the room to the longest-standing member, who can then run it', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    for (const person of [bob, carol]) expectOk(await call(person.socket, 'room:join', { roomId: general.id }));
    await Promise.all([bob.socket, carol.socket].map(drain));

    const roleHeard = [bob.socket, carol.socket].map((socket) => nextEvent(socket, 'room:role'));
    expectOk(await call(alice.socket, 'room:leave', { roomId: general.id }));
    for (const event of await Promise.all(roleHeard)) expect(event).toEqual({ roomId: general.id, userId: bob.user.id, role: 'owner' });
    const [asBob] = expectOk(await call(bob.socket, 'rooms:list', {})).rooms;
    expect(asBob).toMatchObject({ id: general.id, role: 'owner', memberCount: 2 });
    expect(expectOk(await call(carol.socket, 'room:members', { roomId: general.id })).members.map((m) => [m.user.id, m.role])).toEqual([
      [bob.user.id, 'owner'],
      [carol.user.id, 'member'],
    ]);
    expectOk(await call(bob.socket, 'room:remove', { roomId: general.id, userId: carol.user.id }));
    // Once everyone has left, the first to come back owns the room.
    expectOk(await call(bob.socket, 'room:leave', { roomId: general.id }));
    const joined = expectOk(await call(alice.socket, 'room:join', { roomId: general.id }));
    expect(joined.room).toMatchObject({ role: 'owner', memberCount: 1 });
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    expect(expectOk(await call(bob.socket, 'room:members', { roomId: general.id })).members.map((m) => m.role)).toEqual(['owner', 'member']);
  });

  it('the owner names a moderator, who may then remove plain members but not other moderators, nor the owner', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const dave = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    for (const person of [bob, carol, dave]) expectOk(await call(person.socket, 'room:join', { roomId: general.id }));
    await Promise.all([carol.socket, bob.socket].map(drain));

    expect(await call(bob.socket, 'room:role', { roomId: general.id, userId: carol.user.id, role: 'moderator' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const heard = nextEvent(carol.socket, 'room:role');
    expectOk(await call(alice.socket, 'room:role', { roomId: general.id, userId: bob.user.id, role: 'moderator' }));
    expect(await heard).toEqual({ roomId: general.id, userId: bob.user.id, role: 'moderator' });
    expectOk(await call(alice.socket, 'room:role', { roomId: general.id, userId: carol.user.id, role: 'moderator' }));

    // A moderator: plain members yes; moderators, the owner, and naming moderators no.
    expect(await call(bob.socket, 'room:remove', { roomId: general.id, userId: carol.user.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(bob.socket, 'room:remove', { roomId: general.id, userId: alice.user.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(bob.socket, 'room:role', { roomId: general.id, userId: dave.user.id, role: 'moderator' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expectOk(await call(bob.socket, 'room:remove', { roomId: general.id, userId: dave.user.id }));
    expectOk(await call(bob.socket, 'room:unban', { roomId: general.id, userId: dave.user.id }));
    // The owner: a moderator back to member, but not themself, nor someone not in the room.
    expectOk(await call(alice.socket, 'room:role', { roomId: general.id, userId: carol.user.id, role: 'member' }));
    expect(await call(alice.socket, 'room:role', { roomId: general.id, userId: alice.user.id, role: 'member' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await call(alice.socket, 'room:role', { roomId: general.id, userId: dave.user.id, role: 'moderator' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(expectOk(await call(alice.socket, 'room:members', { roomId: general.id })).members.map((m) => [m.user.id, m.role])).toEqual([
      [alice.user.id, 'owner'],
      [bob.user.id, 'moderator'],
      [carol.user.id, 'member'],
    ]);
    // An owner who leaves hands the room to a moderator before any member, even one who came earlier.
    expectOk(await call(alice.socket, 'room:role', { roomId: general.id, userId: bob.user.id, role: 'member' }));
    expectOk(await call(alice.socket, 'room:role', { roomId: general.id, userId: carol.user.id, role: 'moderator' }));
    expectOk(await call(alice.socket, 'room:leave', { roomId: general.id }));
    expect(expectOk(await call(carol.socket, 'room:members', { roomId: general.id })).members.map((m) => [m.user.id, m.role])).toEqual([
      [bob.user.id, 'member'],
      [carol.user.id, 'owner'],
    ]);
  });

  it('the owner renames the room and sets, changes or removes its password: members stay in, new joins use the new one', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const eve = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    await call(alice.socket, 'room:create', { name: 'Taken' });

    expect(await call(bob.socket, 'room:update', { roomId: general.id, name: 'Mine now' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(eve.socket, 'room:update', { roomId: general.id, name: 'Mine now' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(alice.socket, 'room:update', { roomId: general.id, name: 'TAKEN' })).toMatchObject({
      ok: false,
      error: { code: 'conflict', fields: { name: 'is taken' } },
    });

    const everyoneHears = [bob.socket, eve.socket].map((socket) => nextEvent(socket, 'room:updated'));
    const renamed = expectOk(await call(alice.socket, 'room:update', { roomId: general.id, name: 'Lounge', password: 'a new secret' }));
    expect(renamed.room).toMatchObject({ id: general.id, name: 'Lounge', protected: true, role: 'owner' });
    for (const event of await Promise.all(everyoneHears)) expect(event).toEqual({ roomId: general.id, name: 'Lounge', protected: true });
    // Bob stays in and talks; Eve needs the new password.
    expectOk(await call(bob.socket, 'message:send', { roomId: general.id, clientId: 'still', body: 'still here' }));
    expect(await call(eve.socket, 'room:join', { roomId: general.id })).toMatchObject({ ok: false, error: { code: 'bad_password' } });
    expectOk(await call(eve.socket, 'room:join', { roomId: general.id, password: 'a new secret' }));
    // An empty password removes it; a case change of its own name is no conflict.
    const open = expectOk(await call(alice.socket, 'room:update', { roomId: general.id, name: 'LOUNGE', password: '' }));
    expect(open.room).toMatchObject({ name: 'LOUNGE', protected: false });
    // Nothing to change: answered as it is, and nobody is told.
    await drain(eve.socket);
    const quiet = record(eve.socket, 'room:updated');
    expect(expectOk(await call(alice.socket, 'room:update', { roomId: general.id })).room).toMatchObject({ name: 'LOUNGE' });
    await drain(eve.socket);
    expect(quiet).toEqual([]);
  });

  it('the owner deletes the room: its members hear it, nothing of it can be read or sent, on any device', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobsPhone = await server.connect(bob.token);
    const general = await group(alice, 'General');
    expectOk(await call(bob.socket, 'room:join', { roomId: general.id }));
    expectOk(await call(alice.socket, 'message:send', { roomId: general.id, clientId: 'secret', body: 'soon gone' }));
    expect(await call(bob.socket, 'room:delete', { roomId: general.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const heard = [bob.socket, bobsPhone].map((socket) => nextEvent(socket, 'room:deleted'));
    expectOk(await call(alice.socket, 'room:delete', { roomId: general.id }));
    for (const event of await Promise.all(heard)) expect(event).toEqual({ roomId: general.id });
    for (const socket of [alice.socket, bob.socket]) {
      expect(await call(socket, 'room:history', { roomId: general.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await call(socket, 'message:send', { roomId: general.id, clientId: 'late', body: 'anyone?' })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    }
    expect(expectOk(await call(bob.socket, 'sync', { rooms: { [general.id]: 0 } })).left).toEqual([general.id]);
    expect(await server.store.listMessages(general.id, { limit: 10 })).toEqual([]);
    expect(expectOk(await call(bob.socket, 'rooms:browse', {})).rooms).toEqual([]);
    expect(await call(bob.socket, 'room:join', { roomId: general.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // Its id is never another room's: a client that missed room:deleted cannot take one for the other.
    const next = await group(alice, 'General');
    expect(next.id).toBeGreaterThan(general.id);
  });

  it('no client can send something that reads as a notice', async () => {
    const alice = await server.signUpAndConnect();
    const general = await group(alice, 'General');
    const forged = await callRaw(alice.socket, 'message:send', { roomId: general.id, clientId: `notice.${general.id}.1`, body: '{"change":"left"}' });
    expect(forged).toMatchObject({ ok: false, error: { code: 'invalid', fields: { clientId: expect.any(String) } } });
    const sent = expectOk(await call(alice.socket, 'message:send', { roomId: general.id, clientId: 'notice-1', body: '{"change":"left","user":{}}' }));
    expect(sent.message).toMatchObject({ kind: 'text', notice: null, body: '{"change":"left","user":{}}' });
  });
});
