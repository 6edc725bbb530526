import { LIMITS, type AckOf, type Message } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer, call, expectOk, type ClientSocket, type Person } from './support/harness.js';

const ROOMS = 50;
const MESSAGES_PER_ROOM = 200;
const BODY_CHARS = LIMITS.bodyMax;

/** The size of an ack as the server sends it: the JSON of the ack object. */
const ackBytes = (ack: unknown) => Buffer.byteLength(JSON.stringify(ack));

let server: TestServer;
let alice: Person;
let roomIds: number[];

/**
 * The reported attack: a user in 50 rooms of 200 messages of 4000 characters (40 MB in all) asks for
 * every room from seq 0 at once. Seeded straight into the store: the messages are not what is tested.
 */
beforeAll(async () => {
  // Lifted, so that the paging below is limited by the answer's size only.
  server = await TestServer.start({ limits: { socketEventsPerSecond: 10_000 } });
  alice = await server.signUp();
  roomIds = [];
  for (let r = 0; r < ROOMS; r++) {
    const room = await server.store.createGroupRoom({
      name: `Backlog ${r}`,
      nameKey: `backlog ${r}`,
      nameFold: `backlog ${r}`,
      passwordHash: null,
      creatorId: alice.user.id,
      createdAt: new Date(),
    });
    roomIds.push(room.id);
    await Promise.all(
      Array.from({ length: MESSAGES_PER_ROOM }, (_, i) =>
        server.store.appendMessage({
          roomId: room.id,
          authorId: alice.user.id,
          clientId: `r${r}-m${i}`,
          body: String.fromCharCode(97 + (i % 26)).repeat(BODY_CHARS),
          createdAt: new Date(),
        }),
      ),
    );
  }
}, 120_000);
afterAll(async () => {
  await server.close();
});

const everyRoomFromZero = () => Object.fromEntries(roomIds.map((id) => [id, 0]));

describe('sync under a huge backlog', () => {
  it('answers within the byte and message caps, naming every room, those it did not reach as incomplete and empty', async () => {
    const socket = await server.connect(alice.token);
    const ack = expectOk(await call(socket, 'sync', { rooms: everyRoomFromZero() }, 15_000));

    expect(ackBytes(ack)).toBeLessThanOrEqual(LIMITS.syncBytesMax);
    const messages = ack.rooms.flatMap((room) => room.messages);
    expect(messages.length).toBeLessThanOrEqual(LIMITS.syncMessagesMax);
    expect(messages.length).toBeGreaterThan(0);
    expect(ack.rooms.map((room) => room.roomId).sort((a, b) => a - b)).toEqual([...roomIds].sort((a, b) => a - b));
    // Only a room answered in full is complete.
    expect(ack.rooms.every((room) => room.complete === (room.messages.length === MESSAGES_PER_ROOM))).toBe(true);
    const unreached = ack.rooms.filter((room) => room.messages.length === 0);
    expect(unreached.length).toBeGreaterThan(0);
    expect(unreached.every((room) => !room.complete)).toBe(true);
  });

  it('lets a client that asks again, naming every room, until every room is complete get every message once, in order', async () => {
    const socket = await server.connect(alice.token);
    const received = new Map<number, Message[]>(roomIds.map((id) => [id, []]));
    const held: Record<string, number> = everyRoomFromZero();
    let answers = 0;
    for (let done = false; !done; ) {
      const ack = expectOk(await call(socket, 'sync', { rooms: held }, 15_000));
      answers += 1;
      expect(ackBytes(ack)).toBeLessThanOrEqual(LIMITS.syncBytesMax);
      expect(ack.joined).toEqual([]);
      done = ack.rooms.every((room) => room.complete);
      // Every answer that is not the last makes progress, so the loop ends.
      expect(done || ack.rooms.some((room) => room.messages.length > 0)).toBe(true);
      for (const room of ack.rooms) {
        received.get(room.roomId)!.push(...room.messages);
        held[room.roomId] = room.messages.at(-1)?.seq ?? held[room.roomId]!;
      }
    }

    for (const id of roomIds) {
      expect(received.get(id)!.map((m) => m.seq)).toEqual(Array.from({ length: MESSAGES_PER_ROOM }, (_, i) => i + 1));
    }
    const total = ROOMS * MESSAGES_PER_ROOM * BODY_CHARS;
    expect(answers).toBeGreaterThanOrEqual(Math.ceil(total / LIMITS.syncBytesMax));
  }, 90_000);

  it('stays bounded when ten such requests come at once', async () => {
    const sockets: ClientSocket[] = await Promise.all(Array.from({ length: 10 }, () => server.connect(alice.token)));
    // Ten answers of up to 1 MiB each, read at once: this is about their bounds, and they may be slow to come.
    const acks: AckOf<'sync'>[] = await Promise.all(sockets.map((socket) => call(socket, 'sync', { rooms: everyRoomFromZero() }, 25_000)));

    for (const ack of acks) {
      expect(ack.ok).toBe(true);
      expect(ackBytes(ack)).toBeLessThanOrEqual(LIMITS.syncBytesMax);
    }
    expect(acks.reduce((sum, ack) => sum + ackBytes(ack), 0)).toBeLessThanOrEqual(10 * LIMITS.syncBytesMax);
  }, 30_000);
});
