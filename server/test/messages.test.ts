import { LIMITS } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestServer, call, callRaw, drain, expectOk, nextEvent, record, type ClientSocket, type Person } from './support/harness.js';

let server: TestServer;
let alice: Person & { socket: ClientSocket };
let bob: Person & { socket: ClientSocket };
let eve: Person & { socket: ClientSocket };
let roomId: number;

beforeEach(async () => {
  server = await TestServer.start();
  alice = await server.signUpAndConnect();
  bob = await server.signUpAndConnect();
  eve = await server.signUpAndConnect();
  roomId = expectOk(await call(alice.socket, 'room:create', { name: 'Team' })).room.id;
  expectOk(await call(bob.socket, 'room:join', { roomId }));
  // Bob's joining is the room's seq 1 (a notice), heard by both before a test begins.
  await Promise.all([drain(alice.socket), drain(bob.socket)]);
});
afterEach(async () => {
  await server.close();
});

const send = (socket: ClientSocket, clientId: string, body = `body of ${clientId}`) =>
  call(socket, 'message:send', { roomId, clientId, body });

/** The room's text messages as stored: what people sent, without the notice of Bob's joining. */
const storedTexts = async () => (await server.store.listMessages(roomId, { limit: 100 })).filter((m) => m.kind === 'text');

describe('sending a message', () => {
  it('is stored before it is acknowledged or delivered', async () => {
    const stored: unknown[] = [];
    const delivered = nextEvent(bob.socket, 'message:new').then(async (message) => {
      stored.push(...(await storedTexts()).filter((m) => m.id === message.id));
    });
    const { message } = expectOk(await send(alice.socket, 'durable'));
    expect(await storedTexts()).toEqual([message]);
    await delivered;
    expect(stored).toEqual([message]);
  });

  it('numbers messages 2, 3, 4… per room after the notice of Bob’s joining, even when sent at once by several people', async () => {
    const acks = await Promise.all(
      Array.from({ length: 30 }, (_, i) => send(i % 2 ? alice.socket : bob.socket, `burst-${i}`)),
    );
    const seqs = acks.map((ack) => expectOk(ack).message.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));

    const other = expectOk(await call(alice.socket, 'room:create', { name: 'Other' })).room.id;
    const first = expectOk(await call(alice.socket, 'message:send', { roomId: other, clientId: 'o1', body: 'x' }));
    expect(first.message.seq).toBe(1);
  });

  it('a retry with the same clientId returns the original and delivers nothing new', async () => {
    const original = expectOk(await send(alice.socket, 'retry-me', 'only once')).message;
    await drain(bob.socket);
    const bobSees = record(bob.socket, 'message:new');

    const retried = expectOk(await send(alice.socket, 'retry-me', 'only once'));
    expect(retried.message).toEqual(original);
    await drain(bob.socket);
    expect(bobSees).toEqual([]);

    const next = expectOk(await send(alice.socket, 'after-retry')).message;
    expect(next.seq).toBe(original.seq + 1);
    expect(await storedTexts()).toHaveLength(2);
  });

  it('the same clientId from another author is another message', async () => {
    const a = expectOk(await send(alice.socket, 'shared-id')).message;
    const b = expectOk(await send(bob.socket, 'shared-id')).message;
    expect(b.id).not.toBe(a.id);
    expect(b.seq).toBe(a.seq + 1);
  });

  it('a clientId reused for another room is a conflict, not a silent success', async () => {
    expectOk(await send(alice.socket, 'used-once'));
    const other = expectOk(await call(alice.socket, 'room:create', { name: 'Elsewhere' })).room.id;
    const reused = await call(alice.socket, 'message:send', { roomId: other, clientId: 'used-once', body: 'x' });
    expect(reused).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('a forged authorId is refused, and the author is always the session’s user', async () => {
    const forged = await callRaw(alice.socket, 'message:send', { roomId, clientId: 'forge', body: 'I am Bob', authorId: bob.user.id });
    expect(forged).toMatchObject({ ok: false, error: { code: 'invalid', fields: { authorId: 'is not a known field' } } });
    const { message } = expectOk(await send(alice.socket, 'honest'));
    expect(message.authorId).toBe(alice.user.id);
    expect(message.author).toEqual(alice.user);
  });

  it('refuses a body that is empty, blank, or over the limit, and stores nothing', async () => {
    for (const body of ['', '   \n\t ', 'x'.repeat(LIMITS.bodyMax + 1)]) {
      const ack = await call(alice.socket, 'message:send', { roomId, clientId: `bad-${body.length}`, body });
      expect(ack).toMatchObject({ ok: false, error: { code: 'invalid', fields: { body: expect.any(String) } } });
    }
    expectOk(await send(alice.socket, 'max', 'y'.repeat(LIMITS.bodyMax)));
    expect((await storedTexts()).map((m) => m.clientId)).toEqual(['max']);
  });

  it('keeps the text exactly as typed', async () => {
    const body = '<img src=x onerror=alert(1)> \u{1F600} line one\nline two';
    expect(expectOk(await send(alice.socket, 'verbatim', body)).message.body).toBe(body);
  });
});

describe('what a non-member cannot do', () => {
  it('cannot send to a room, read its history, or receive its messages', async () => {
    const eveSees = record(eve.socket, 'message:new');

    const sent = await send(eve.socket, 'intrude');
    expect(sent).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const history = await call(eve.socket, 'room:history', { roomId });
    expect(history).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    expectOk(await send(alice.socket, 'private'));
    await drain(eve.socket);
    expect(eveSees).toEqual([]);
    expect(await storedTexts()).toHaveLength(1);
  });

  it('cannot touch someone else’s direct chat, and learns nothing about it', async () => {
    const dm = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    for (const ack of [
      await call(eve.socket, 'message:send', { roomId: dm.id, clientId: 'x', body: 'hi' }),
      await call(eve.socket, 'room:history', { roomId: dm.id }),
      await call(eve.socket, 'room:join', { roomId: dm.id }),
    ]) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
  });

  it('gets not_found for a room that does not exist', async () => {
    expect(await call(eve.socket, 'message:send', { roomId: 999_999, clientId: 'x', body: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
