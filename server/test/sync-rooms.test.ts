import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, ackShape, type Message, type Room, type SyncAnswer } from '@parley/protocol';
import { call, expectOk, type ClientSocket, type Person, type TestServer } from './support/harness.js';
import { serverDrivers, type DriverServer } from './support/server-drivers.js';

/** The size of an ack as the server sends it: the JSON of the ack object. */
const ackBytes = (ack: unknown) => Buffer.byteLength(JSON.stringify(ack));

/** `sync`, its ack checked against the protocol's schema and its size against the limit. */
async function sync(socket: ClientSocket, rooms: Record<string, number>): Promise<SyncAnswer> {
  const ack = await call(socket, 'sync', { rooms });
  ackShape('sync').parse(ack);
  expect(ackBytes(ack)).toBeLessThanOrEqual(LIMITS.syncBytesMax);
  const { ok: _ok, ...answer } = expectOk(ack);
  return answer;
}

/**
 * A client that catches up the way docs/protocol.md says: it names every room it holds, each with the
 * highest seq it holds (for a room it learned of from `joined`, and holds no message of, the room's
 * `lastReadSeq`), and asks again until every room is complete and `joined` is empty.
 */
class CatchingUpClient {
  readonly rooms = new Map<number, Room>();
  readonly messages = new Map<number, Message[]>();
  private readonly held = new Map<number, number>();
  answers = 0;

  constructor(private readonly socket: ClientSocket) {}

  hold(roomId: number, seq: number): void {
    this.held.set(roomId, seq);
  }

  async catchUp(maxAnswers: number): Promise<void> {
    for (;;) {
      if (this.answers === maxAnswers) throw new Error(`not caught up after ${maxAnswers} answers`);
      const answer = await sync(this.socket, Object.fromEntries(this.held));
      this.answers += 1;
      // Every answer that leaves something out carries something.
      const carried = answer.joined.length + answer.rooms.reduce((n, room) => n + room.messages.length, 0);
      const done = answer.joined.length === 0 && answer.rooms.every((room) => room.complete);
      expect(done || carried > 0, 'an answer that leaves something out carries nothing').toBe(true);
      const byActivity = [...answer.joined].sort(
        (a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id - a.id,
      );
      expect(answer.joined, 'joined, most recently active first').toEqual(byActivity);
      for (const id of answer.left) {
        this.held.delete(id);
        this.rooms.delete(id);
      }
      for (const room of answer.joined) {
        expect(this.held.has(room.id), `room ${room.id} came in joined though it was named`).toBe(false);
        this.rooms.set(room.id, room);
        this.held.set(room.id, room.lastReadSeq);
      }
      for (const { roomId, messages } of answer.rooms) {
        expect(this.held.has(roomId), `room ${roomId} answered but neither named nor joined`).toBe(true);
        const got = this.messages.get(roomId) ?? [];
        got.push(...messages);
        this.messages.set(roomId, got);
        if (messages.length > 0) this.held.set(roomId, messages.at(-1)!.seq);
      }
      if (done) return;
    }
  }
}

describe.each(serverDrivers)('sync after a reconnect: $name', (driver) => {
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

  let clientIds = 0;
  async function send(socket: ClientSocket, roomId: number, body: string): Promise<Message> {
    return expectOk(await call(socket, 'message:send', { roomId, clientId: `c-${++clientIds}`, body })).message;
  }

  async function group(creator: Person & { socket: ClientSocket }, name: string): Promise<Room> {
    return expectOk(await call(creator.socket, 'room:create', { name })).room;
  }

  it('returns a direct chat opened with Bob while he was offline in `joined`, with its unread messages', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const crew = await group(alice, 'Crew');
    expectOk(await call(bob.socket, 'room:join', { roomId: crew.id }));
    bob.socket.disconnect();

    const dm = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    const sent = [];
    for (const body of ['one', 'two', 'three']) sent.push(await send(alice.socket, dm.id, body));

    const back = await server.connect(bob.token);
    // Bob holds the Crew up to the notice of his joining, its seq 1.
    const answer = await sync(back, { [crew.id]: 1 });

    expect(answer.left).toEqual([]);
    expect(answer.joined).toHaveLength(1);
    expect(answer.joined[0]).toMatchObject({
      id: dm.id,
      kind: 'direct',
      joined: true,
      peer: alice.user,
      lastSeq: 3,
      lastReadSeq: 0,
      unread: 3,
      muted: false,
      peerLastReadSeq: 3,
      lastMessage: sent[2],
    });
    // The room Bob named first, then the one he did not, with what he has not read.
    expect(answer.rooms).toEqual([
      { roomId: crew.id, messages: [], changed: [], changeSeq: 0, complete: true },
      { roomId: dm.id, messages: sent, changed: [], changeSeq: 0, complete: true },
    ]);

    // Named from now on, it is no longer news.
    const again = await sync(back, { [crew.id]: 1, [dm.id]: 3 });
    expect(again).toEqual({
      rooms: [
        { roomId: crew.id, messages: [], changed: [], changeSeq: 0, complete: true },
        { roomId: dm.id, messages: [], changed: [], changeSeq: 0, complete: true },
      ],
      joined: [],
      left: [],
    });
  });

  it('returns a room joined on another device, with what was said in it since', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const laptop = bob.socket;
    const crew = await group(alice, 'Crew');
    await send(alice.socket, crew.id, 'before Bob came');
    laptop.disconnect();

    const phone = await server.connect(bob.token);
    expectOk(await call(phone, 'room:join', { roomId: crew.id }));
    const after = await send(alice.socket, crew.id, 'after Bob came');

    const back = await server.connect(bob.token);
    const answer = await sync(back, {});
    expect(answer.joined.map((room) => room.id)).toEqual([crew.id]);
    // Seq 2 is the notice of his joining, read by joining.
    expect(answer.joined[0]).toMatchObject({ joined: true, lastSeq: 3, lastReadSeq: 2, unread: 1, lastMessage: after });
    expect(answer.rooms).toEqual([{ roomId: crew.id, messages: [after], changed: [], changeSeq: 0, complete: true }]);
  });

  it('sends no messages with a joined room that has nothing unread', async () => {
    const alice = await server.signUpAndConnect();
    const laptop = await server.connect(alice.token);
    const crew = await group(alice, 'Quiet');
    const mine = await send(alice.socket, crew.id, 'my own words');

    const answer = await sync(laptop, {});
    expect(answer.joined).toMatchObject([{ id: crew.id, unread: 0, lastReadSeq: mine.seq, lastMessage: mine }]);
    expect(answer.rooms).toEqual([{ roomId: crew.id, messages: [], changed: [], changeSeq: 0, complete: true }]);
  });

  it('returns a room named and left on another device in `left`', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const crew = await group(alice, 'Crew');
    expectOk(await call(bob.socket, 'room:join', { roomId: crew.id }));
    const stays = await group(bob, 'Stays');
    bob.socket.disconnect();

    const phone = await server.connect(bob.token);
    expectOk(await call(phone, 'room:leave', { roomId: crew.id }));
    await send(alice.socket, crew.id, 'after Bob left');

    const back = await server.connect(bob.token);
    const answer = await sync(back, { [crew.id]: 0, [stays.id]: 0 });
    expect(answer).toEqual({ rooms: [{ roomId: stays.id, messages: [], changed: [], changeSeq: 0, complete: true }], joined: [], left: [crew.id] });
  });

  it("answers someone else's room exactly as a room that does not exist: not yours", async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const eve = await server.signUpAndConnect();
    const secret = await group(alice, 'Secret');
    await send(alice.socket, secret.id, 'for members only');
    const dm = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    await send(alice.socket, dm.id, 'between us');
    const missing = dm.id + 1000;

    const answer = await sync(eve.socket, { [secret.id]: 0, [missing]: 0, [dm.id]: 0 });
    expect(answer).toEqual({ rooms: [], joined: [], left: [secret.id, dm.id, missing].sort((a, b) => a - b) });
    // Eve learns nothing of what is in them, nor even which of them exist.
    expect(JSON.stringify(answer)).not.toContain('members only');
    expect(JSON.stringify(answer)).not.toContain('between us');
  });

  it('pages a joined room with more unread messages than one answer holds, like a named room', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    bob.socket.disconnect();
    const dm = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    const total = LIMITS.syncMessagesPerRoom + 20;
    for (let i = 1; i <= total; i++) await send(alice.socket, dm.id, `n${i}`);

    const client = new CatchingUpClient(await server.connect(bob.token));
    await client.catchUp(5);

    expect(client.answers).toBe(2);
    expect(client.rooms.get(dm.id)).toMatchObject({ unread: total });
    expect(client.messages.get(dm.id)!.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('returns no more rooms than a client can name: one in more rooms than that follows its most active ones', async () => {
    const bob = await server.signUp();
    const start = Date.now();
    const roomIds: number[] = [];
    for (let r = 0; r <= LIMITS.syncRoomsMax; r++) {
      const room = await server.store.createGroupRoom({
        name: `Many ${r}`,
        nameKey: `many ${r}`,
        nameFold: `many ${r}`,
        passwordHash: null,
        creatorId: bob.user.id,
        // The first room created is the least recently active.
        createdAt: new Date(start + r * 1000),
      });
      roomIds.push(room.id);
    }

    const client = new CatchingUpClient(await server.connect(bob.token));
    await client.catchUp(10);

    expect(client.rooms.size).toBe(LIMITS.syncRoomsMax);
    expect([...client.rooms.keys()].sort((a, b) => a - b)).toEqual(roomIds.slice(1));
  }, 120_000);

  it('stays within its bounds for a user in many rooms with large last messages, and repeating it gets everything once', async () => {
    const ROOMS = 120;
    const UNREAD = 4;
    const alice = await server.signUp();
    const bob = await server.signUp();
    // Bodies that JSON escapes to 6 bytes a character: the largest a message can be in an answer.
    const body = (room: number, i: number) => `${room}:${i}:` + '\u0001'.repeat(LIMITS.bodyMax - 12);
    const roomIds: number[] = [];
    for (let r = 0; r < ROOMS; r++) {
      const room = await server.store.createGroupRoom({
        name: `Big ${r}`,
        nameKey: `big ${r}`,
        nameFold: `big ${r}`,
        passwordHash: null,
        creatorId: alice.user.id,
        createdAt: new Date(),
      });
      await server.store.addMember(room.id, bob.user.id, new Date());
      roomIds.push(room.id);
      for (let i = 1; i <= UNREAD; i++) {
        await server.store.appendMessage({ roomId: room.id, authorId: alice.user.id, clientId: `r${r}-${i}`, body: body(r, i), createdAt: new Date() });
      }
    }
    const socket = await server.connect(bob.token);

    // A hostile request too: as many ids as may be named, none of them Bob's, so that every room comes unnamed.
    const bogus = Object.fromEntries(Array.from({ length: LIMITS.syncRoomsMax }, (_, i) => [String(10_000_000 + i), 0]));
    const hostile = await sync(socket, bogus);
    expect(hostile.left).toHaveLength(LIMITS.syncRoomsMax);
    expect(hostile.joined.length).toBeGreaterThan(0);
    expect(hostile.joined.length).toBeLessThan(ROOMS);

    const client = new CatchingUpClient(socket);
    await client.catchUp(100);

    const roomBytes = ROOMS * ackBytes(client.rooms.get(roomIds[0]!));
    const messageBytes = ROOMS * UNREAD * ackBytes(client.messages.get(roomIds[0]!)![0]);
    expect(client.answers).toBeGreaterThanOrEqual(Math.ceil((roomBytes + messageBytes) / LIMITS.syncBytesMax));
    expect([...client.rooms.keys()].sort((a, b) => a - b)).toEqual(roomIds);
    for (const [index, roomId] of roomIds.entries()) {
      expect(client.rooms.get(roomId)).toMatchObject({ unread: UNREAD, lastReadSeq: 0 });
      expect(client.messages.get(roomId)!.map((m) => m.body)).toEqual(Array.from({ length: UNREAD }, (_, i) => body(index, i + 1)));
    }
  }, 120_000);
});
