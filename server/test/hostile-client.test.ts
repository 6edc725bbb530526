import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestServer, call, callRaw, expectOk, nextEvent, type ClientSocket } from './support/harness.js';

let server: TestServer;
let socket: ClientSocket;
let roomId: number;

beforeEach(async () => {
  server = await TestServer.start({ limits: { socketEventsPerSecond: 1000 } });
  socket = (await server.signUpAndConnect()).socket;
  roomId = expectOk(await call(socket, 'room:create', { name: 'Target' })).room.id;
});
afterEach(async () => {
  await server.close();
});

/** The server still answers this socket and stored nothing unexpected. */
async function stillServing(): Promise<void> {
  expectOk(await call(socket, 'rooms:list', {}));
}

describe('a hostile client', () => {
  it('gets `invalid` for an unknown event', async () => {
    const ack = await callRaw(socket, 'admin:drop-tables', {});
    expect(ack).toEqual({ ok: false, error: { code: 'invalid', message: 'Unknown event "admin:drop-tables".' } });
    await stillServing();
  });

  it.each([
    ['no payload at all', []],
    ['null', [null]],
    ['a string', ['hello']],
    ['a number', [42]],
    ['an array', [[roomId, 'c', 'body']]],
    ['two payloads', [{ roomId, clientId: 'c', body: 'x' }, { more: true }]],
    ['a string id', [{ roomId: String(roomId), clientId: 'c', body: 'x' }]],
    ['a fractional id', [{ roomId: 1.5, clientId: 'c', body: 'x' }]],
    ['a negative id', [{ roomId: -1, clientId: 'c', body: 'x' }]],
    ['an object for the body', [{ roomId, clientId: 'c', body: { $ne: null } }]],
    ['a missing clientId', [{ roomId, body: 'x' }]],
    ['a clientId with odd characters', [{ roomId, clientId: '../../etc', body: 'x' }]],
    ['a prototype-pollution key', [JSON.parse('{"roomId":1,"clientId":"c","body":"x","__proto__":{"admin":true}}')]],
  ])('gets `invalid` for a malformed payload: %s', async (_name, args) => {
    const ack = await callRaw(socket, 'message:send', ...args);
    expect(ack).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.any(String) } });
    await stillServing();
    expect(await server.store.listMessages(roomId, { limit: 10 })).toEqual([]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it.each([
    ['dm:open', [{}, { userId: 'me' }, { userId: 1, extra: true }]],
    ['room:create', [{}, { name: '' }, { name: 'x'.repeat(65) }, { name: 'ok', password: 'p'.repeat(73) }, { name: ['a'] }]],
    ['room:join', [{}, { roomId: 0 }, { roomId: 1, password: { $ne: null } }]],
    ['room:leave', [{}, { roomId: null }]],
    ['rooms:list', [null, { all: true }]],
    ['room:history', [{ roomId: 1, beforeSeq: 0 }, { roomId: 1, limit: 0 }, { roomId: 1, limit: 1.5 }]],
    ['sync', [{ rooms: null }, { rooms: { 1: 1.5 } }]],
  ] as const)('gets `invalid`, naming the field, for each bad %s payload', async (event, payloads) => {
    for (const payload of payloads) {
      const ack = await callRaw(socket, event, payload);
      expect(ack, JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'invalid' } });
      if (payload && typeof payload === 'object' && Object.keys(payload).length > 0) {
        expect(Object.keys(ack.error.fields ?? {}).length, JSON.stringify(payload)).toBeGreaterThan(0);
      }
    }
    await stillServing();
  });

  it('cannot stall the server by leaving out the callback', async () => {
    socket.emit('message:send' as any, { roomId, clientId: 'no-ack', body: 'fire and forget' });
    (socket as any).emit('rooms:list');
    (socket as any).emit('unknown:event', { x: 1 });
    await stillServing();
  });

  it('is cut off for a packet over the size limit, while everyone else carries on', async () => {
    const bystander = await server.signUpAndConnect();
    const cutOff = nextEvent(socket, 'disconnect' as any);
    socket.emit('message:send', { roomId, clientId: 'huge', body: 'x'.repeat(server.config.limits.socketPacketBytes + 1) }, () => {});
    expect(await cutOff).toBe('transport close');
    expectOk(await call(bystander.socket, 'rooms:list', {}));
    expect(await server.store.listMessages(roomId, { limit: 10 })).toEqual([]);
  });

  it('is rate-limited when it floods events', async () => {
    await server.close();
    server = await TestServer.start({ limits: { socketEventsPerSecond: 5 } });
    const flooder = (await server.signUpAndConnect()).socket;
    const acks = await Promise.all(Array.from({ length: 20 }, () => call(flooder, 'rooms:list', {})));
    const limited = acks.filter((ack) => !ack.ok && ack.error.code === 'rate_limited');
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(acks.filter((ack) => ack.ok).length).toBeLessThanOrEqual(5);
  });
});
