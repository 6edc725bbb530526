import { afterEach, describe, expect, it } from 'vitest';
import type { Message, MessageSendInput } from '@parley/protocol';
import type { Store } from '../src/store/store.js';
import { call, drain, expectOk, record, type ClientSocket, type Person, type TestServer } from './support/harness.js';
import { serverDrivers, type DriverServer } from './support/server-drivers.js';
import { LoopDelay } from '../src/overload/loop-delay.js';
import { SendAdmission } from '../src/overload/send-admission.js';

/**
 * Holds every message the store is asked to append until `open`, then lets them through to the real store:
 * sends pile up in front of the database as they do when it falls behind, for as long as the test says.
 */
class CommitGate {
  private readonly waiting: (() => void)[] = [];
  private opened = false;
  private onHeld: (() => void) | null = null;
  private heldWanted = 0;

  wrap(store: Store): Store {
    const gated: Store = Object.create(store);
    gated.appendMessage = async (message) => {
      if (!this.opened) {
        await new Promise<void>((resolve) => {
          this.waiting.push(resolve);
          if (this.waiting.length === this.heldWanted) this.onHeld?.();
        });
      }
      return store.appendMessage(message);
    };
    return gated;
  }

  /** Resolves once `count` appends are held. */
  held(count: number): Promise<void> {
    if (this.waiting.length >= count) return Promise.resolve();
    this.heldWanted = count;
    return new Promise((resolve) => (this.onHeld = resolve));
  }

  open(): void {
    this.opened = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

const PENDING_SENDS_MAX = 4;
const FIRED_AT_ONCE = 12;

describe.each(serverDrivers)('overload: $name', (driver) => {
  let started: DriverServer | undefined;
  afterEach(async () => {
    await started?.close();
    started = undefined;
  });

  async function startWithGate(gate: CommitGate): Promise<TestServer> {
    started = await driver.start({ limits: { pendingSendsMax: PENDING_SENDS_MAX }, wrapStore: (store) => gate.wrap(store) });
    return started.server;
  }

  /** In a room of two, the seq of the notice of the second's joining: the messages come after it. */
  const JOIN_NOTICE_SEQ = 1;

  async function roomOfTwo(server: TestServer): Promise<{ ann: Person & { socket: ClientSocket }; ben: Person & { socket: ClientSocket }; roomId: number }> {
    const ann = await server.signUpAndConnect();
    const ben = await server.signUpAndConnect();
    const room = expectOk(await call(ann.socket, 'room:create', { name: 'Rush hour' })).room;
    expectOk(await call(ben.socket, 'room:join', { roomId: room.id }));
    // Ben's joining, the room's seq 1, has reached both before the rush.
    await Promise.all([drain(ann.socket), drain(ben.socket)]);
    return { ann, ben, roomId: room.id };
  }

  it(
    'refuses sends past its bound with `overloaded`, stores none of them, delivers every accepted one, ' +
      'stores a retry once, and answers /healthz meanwhile',
    async (context) => {
      if (driver.unavailable) context.skip(driver.unavailable);
      const gate = new CommitGate();
      const server = await startWithGate(gate);
      const { ann, ben, roomId } = await roomOfTwo(server);
      const delivered = record(ben.socket, 'message:new');

      // All emitted in one go: the server reads them in a burst, not one after another's ack.
      const inputs: MessageSendInput[] = Array.from({ length: FIRED_AT_ONCE }, (_, i) => ({ roomId, clientId: `rush-${i}`, body: `message ${i}` }));
      const acks = inputs.map((input) => call(ann.socket, 'message:send', input));

      // The first PENDING_SENDS_MAX wait at the gate; every other one is refused meanwhile, at once.
      await gate.held(PENDING_SENDS_MAX);
      const refused = inputs.filter((_, i) => i >= PENDING_SENDS_MAX);
      for (const ack of acks.slice(PENDING_SENDS_MAX)) {
        expect(await ack).toEqual({ ok: false, error: { code: 'overloaded', message: expect.any(String) } });
      }

      // The health check does not wait for the sends held: it answers, and says the node is overloaded.
      const health = await server.http('GET', '/healthz');
      expect(health).toMatchObject({ status: 200, body: { status: 'ok', overloaded: true } });

      gate.open();
      const accepted: Message[] = [];
      for (const ack of acks.slice(0, PENDING_SENDS_MAX)) accepted.push(expectOk(await ack).message);
      expect(accepted.map((m) => m.clientId)).toEqual(inputs.slice(0, PENDING_SENDS_MAX).map((i) => i.clientId));

      await drain(ben.socket);
      expect(delivered.map((m) => m.clientId).sort()).toEqual(accepted.map((m) => m.clientId).sort());
      const storedFirst = await server.store.listMessagesAfter(roomId, JOIN_NOTICE_SEQ, 100);
      expect(storedFirst.map((m) => m.clientId).sort(), 'only the accepted sends are stored').toEqual(accepted.map((m) => m.clientId).sort());

      // Retried under the same clientIds once the node has room again: each refused one is stored once, and
      // one accepted already is answered with the message stored before.
      expect((await server.http('GET', '/healthz')).body).toEqual({ status: 'ok', overloaded: false });
      for (const input of [...refused, inputs[0]!]) expectOk(await call(ann.socket, 'message:send', input));
      await drain(ben.socket);

      const stored = await server.store.listMessagesAfter(roomId, JOIN_NOTICE_SEQ, 100);
      expect(stored.map((m) => m.seq)).toEqual(inputs.map((_, i) => JOIN_NOTICE_SEQ + i + 1));
      expect(stored.map((m) => m.clientId).sort()).toEqual(inputs.map((i) => i.clientId).sort());
      expect(delivered.map((m) => m.seq).sort((a, b) => a - b), 'every message delivered once').toEqual(stored.map((m) => m.seq));
    },
  );
});

describe('overload: the wait of the sends being stored', () => {
  let started: DriverServer | undefined;
  afterEach(async () => {
    await started?.close();
    started = undefined;
  });

  it('refuses new sends while the oldest being stored has waited too long, however few they are, and takes them once it is answered', async () => {
    const gate = new CommitGate();
    started = await serverDrivers[0]!.start({ limits: { pendingSendsMax: 100, sendWaitMaxMs: 100 }, wrapStore: (store) => gate.wrap(store) });
    const server = started.server;
    const ann = await server.signUpAndConnect();
    const room = expectOk(await call(ann.socket, 'room:create', { name: 'Slow disk' })).room;

    // One send, held in front of the store: far under the count, so only its wait can refuse the next.
    const first = call(ann.socket, 'message:send', { roomId: room.id, clientId: 'held', body: 'waiting for the disk' });
    await gate.held(1);
    const second = { roomId: room.id, clientId: 'next', body: 'behind it' };
    await new Promise((resolve) => setTimeout(resolve, 150)); // the wait under test is a time
    expect(await call(ann.socket, 'message:send', second)).toMatchObject({ ok: false, error: { code: 'overloaded' } });
    expect((await server.http('GET', '/healthz')).body).toEqual({ status: 'ok', overloaded: true });

    gate.open();
    expect(expectOk(await first).message.seq).toBe(1);
    expect((await server.http('GET', '/healthz')).body).toEqual({ status: 'ok', overloaded: false });
    expect(expectOk(await call(ann.socket, 'message:send', second)).message.seq).toBe(2);
  });
});

describe('overload: the event loop', () => {
  let started: DriverServer | undefined;
  afterEach(async () => {
    await started?.close();
    started = undefined;
  });

  /** Keeps the loop busy for `ms`: the server shares this process, so this is what a long synchronous call does to it. */
  const block = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  /** Lets the timers that came due while the loop was blocked run (the loop-delay tick among them). */
  const yieldToTimers = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('takes a send read after one stall of the event loop', async () => {
    started = await serverDrivers[0]!.start({ limits: { loopDelayMaxMs: 50 } });
    const server = started.server;
    const ann = await server.signUpAndConnect();
    const room = expectOk(await call(ann.socket, 'room:create', { name: 'Stalled once' })).room;

    const ack = call(ann.socket, 'message:send', { roomId: room.id, clientId: 'after-stall', body: 'one long pause' });
    block(200);
    expect(expectOk(await ack).message.clientId).toBe('after-stall');
  });

  it('refuses sends read while the event loop keeps running late, and takes them again once it keeps up', async () => {
    started = await serverDrivers[0]!.start({ limits: { loopDelayMaxMs: 50 } });
    const server = started.server;
    const ann = await server.signUpAndConnect();
    const room = expectOk(await call(ann.socket, 'room:create', { name: 'Busy' })).room;
    const input = { roomId: room.id, clientId: 'late-1', body: 'while the loop is blocked' };

    // Late by 150 ms at tick after tick, as a node short of CPU is: the send is read after the loop's timer has
    // seen it.
    for (let i = 0; i < 10; i += 1) {
      block(150);
      await yieldToTimers();
    }
    expect((await server.http('GET', '/healthz')).body.overloaded).toBe(true);
    const ack = call(ann.socket, 'message:send', input);
    block(150);
    expect(await ack).toMatchObject({ ok: false, error: { code: 'overloaded' } });

    // Once the loop keeps up again (as the health check reports), the same send is taken, and stored once.
    while ((await server.http('GET', '/healthz')).body.overloaded);
    expect(expectOk(await call(ann.socket, 'message:send', input)).message.clientId).toBe('late-1');
    expect(await server.store.listMessagesAfter(room.id, 0, 10)).toHaveLength(1);
  });
});

describe('overload: a loop that works most of its time', () => {
  const quietLog = { warn: () => {} } as unknown as ConstructorParameters<typeof SendAdmission>[2];
  const limits = { pendingSendsMax: 1024, loopDelayMaxMs: 100, sendWaitMaxMs: 200 };

  it('counts chat busy while the loop works more than half its time, though no tick is late', async () => {
    const loop = new LoopDelay();
    loop.start();
    try {
      const sends = new SendAdmission(limits, loop, quietLog);
      expect(sends.busy).toBe(false);
      // 15 ms of work in every 20 ms: each timer fires on time, but the loop has a quarter of its time left.
      for (let i = 0; i < 40 && !sends.busy; i += 1) {
        const until = performance.now() + 15;
        while (performance.now() < until);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(loop.utilization).toBeGreaterThan(0.5);
      expect(loop.ms, 'the lateness alone would not say busy').toBeLessThan(limits.loopDelayMaxMs / 2);
      expect(sends.busy).toBe(true);
      expect(sends.overloaded, 'busy holds password hashes back; it refuses no send').toBe(false);

      // Idle again, the share falls and chat is no longer busy.
      for (let i = 0; i < 100 && sends.busy; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sends.busy).toBe(false);
    } finally {
      loop.stop();
    }
  });

  it('never counts chat busy by the loop where the loop check is off', () => {
    const working = { ms: 0, utilization: 0.9 };
    expect(new SendAdmission(limits, working, quietLog).busy).toBe(true);
    expect(new SendAdmission({ ...limits, loopDelayMaxMs: 0 }, working, quietLog).busy).toBe(false);
  });
});
