import { LIMITS, type Message } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestServer, call, callRaw, expectOk } from './support/harness.js';

let server: TestServer;
beforeEach(async () => {
  server = await TestServer.start({ limits: { socketEventsPerSecond: 10_000 } });
});
afterEach(async () => {
  await server.close();
});

describe('catching up after being offline', () => {
  it('a client that was offline while 100 messages were sent to its rooms gets all 100, in order', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const dm = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    const group = expectOk(await call(alice.socket, 'room:create', { name: 'Crew' })).room;
    expectOk(await call(bob.socket, 'room:join', { roomId: group.id }));
    expectOk(await call(alice.socket, 'message:send', { roomId: dm.id, clientId: 'before', body: 'before the tunnel' }));
    // Bob holds what came before: the DM's first message, and the group's seq 1, the notice of his joining.
    const held = { [dm.id]: 1, [group.id]: 1 };
    bob.socket.disconnect();

    for (let i = 1; i <= 100; i++) {
      const roomId = i % 2 ? dm.id : group.id;
      expectOk(await call(alice.socket, 'message:send', { roomId, clientId: `offline-${i}`, body: `while away ${i}` }));
    }

    const back = await server.connect(bob.token);
    const { rooms } = expectOk(await call(back, 'sync', { rooms: held }));

    const missed = rooms.flatMap((room) => room.messages);
    expect(missed).toHaveLength(100);
    expect(rooms.every((room) => room.complete)).toBe(true);
    const dmMissed = rooms.find((room) => room.roomId === dm.id)!.messages;
    const groupMissed = rooms.find((room) => room.roomId === group.id)!.messages;
    expect(dmMissed.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(groupMissed.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const inOrder = [...dmMissed, ...groupMissed].sort((a, b) => Number(a.clientId.split('-')[1]) - Number(b.clientId.split('-')[1]));
    expect(inOrder.map((m) => m.body)).toEqual(Array.from({ length: 100 }, (_, i) => `while away ${i + 1}`));
  });

  it('pages a long absence: an incomplete room is asked again from the last seq received', async () => {
    const alice = await server.signUpAndConnect();
    const room = expectOk(await call(alice.socket, 'room:create', { name: 'Busy' })).room;
    const total = LIMITS.syncMessagesPerRoom + 30;
    for (let i = 1; i <= total; i++) {
      expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: `m${i}`, body: `n${i}` }));
    }

    const received: Message[] = [];
    let held = 0;
    for (let round = 0; round < 5; round++) {
      const [page] = expectOk(await call(alice.socket, 'sync', { rooms: { [room.id]: held } })).rooms;
      received.push(...page!.messages);
      held = page!.messages.at(-1)?.seq ?? held;
      if (page!.complete) break;
    }
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('answers rooms the caller is not in as `left`, with nothing of them, whatever ids it names', async () => {
    const alice = await server.signUpAndConnect();
    const eve = await server.signUpAndConnect();
    const secret = expectOk(await call(alice.socket, 'room:create', { name: 'Secret' })).room;
    expectOk(await call(alice.socket, 'message:send', { roomId: secret.id, clientId: 's', body: 'for members' }));
    const ack = expectOk(await call(eve.socket, 'sync', { rooms: { [secret.id]: 0, 424242: 0 } }));
    expect(ack).toEqual({ ok: true, rooms: [], joined: [], left: [secret.id, 424242] });
  });

  it('refuses a malformed request', async () => {
    const alice = await server.signUpAndConnect();
    for (const payload of [{}, { rooms: [] }, { rooms: { abc: 1 } }, { rooms: { 1: -1 } }, { rooms: { 1: 'x' } }, { rooms: { '01': 0 } }, { rooms: { '9999999999999999': 0 } }]) {
      expect(await callRaw(alice.socket, 'sync', payload), JSON.stringify(payload)).toMatchObject({
        ok: false,
        error: { code: 'invalid' },
      });
    }
    const tooMany = Object.fromEntries(Array.from({ length: LIMITS.syncRoomsMax + 1 }, (_, i) => [String(i + 1), 0]));
    expect(await callRaw(alice.socket, 'sync', { rooms: tooMany })).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });
});
