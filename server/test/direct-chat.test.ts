import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestServer, call, drain, expectOk, nextEvent, record } from './support/harness.js';

let server: TestServer;
beforeEach(async () => {
  server = await TestServer.start();
});
afterEach(async () => {
  await server.close();
});

describe('direct chats', () => {
  it('opening a chat with someone creates the one room for the pair, and tells the other side', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobLearns = nextEvent(bob.socket, 'room:new');

    const opened = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id }));

    expect(opened.room).toMatchObject({ kind: 'direct', name: null, protected: false, joined: true, memberCount: 2, lastSeq: 0 });
    expect(opened.room.peer).toEqual(bob.user);
    expect(opened.messages).toEqual([]);
    const seenByBob = await bobLearns;
    expect(seenByBob.id).toBe(opened.room.id);
    expect(seenByBob.peer).toEqual(alice.user);

    const reopenedByBob = expectOk(await call(bob.socket, 'dm:open', { userId: alice.user.id }));
    expect(reopenedByBob.room.id).toBe(opened.room.id);
  });

  it('both people opening at the same moment still get one room', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const acks = await Promise.all([
      call(alice.socket, 'dm:open', { userId: bob.user.id }),
      call(bob.socket, 'dm:open', { userId: alice.user.id }),
      call(alice.socket, 'dm:open', { userId: bob.user.id }),
      call(bob.socket, 'dm:open', { userId: alice.user.id }),
    ]);
    const ids = new Set(acks.map((ack) => expectOk(ack).room.id));
    expect(ids.size).toBe(1);
  });

  it('a message reaches every device of both people, the sender’s other devices included', async () => {
    const alice = await server.signUpAndConnect();
    const aliceLaptop = await server.connect(alice.token);
    const bob = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id }));

    const arrivals = [alice.socket, aliceLaptop, bob.socket].map((socket) => nextEvent(socket, 'message:new'));
    const { message } = expectOk(
      await call(alice.socket, 'message:send', { roomId: room.id, clientId: 'c-1', body: 'Hi Bob!' }),
    );

    expect(message).toMatchObject({ roomId: room.id, seq: 1, authorId: alice.user.id, author: alice.user, body: 'Hi Bob!', clientId: 'c-1' });
    expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);
    for (const arrival of await Promise.all(arrivals)) expect(arrival).toEqual(message);
  });

  it('the first message of a chat pops it open on the other side, even before they opened it', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const bobsMessages = record(bob.socket, 'message:new');
    const { room } = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id }));
    expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: 'first', body: 'knock knock' }));
    await drain(bob.socket);
    expect(bobsMessages.map((m) => m.body)).toEqual(['knock knock']);
  });

  it('a device that connects later is subscribed to the chats that already exist', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id }));
    const bobPhone = await server.connect(bob.token);
    const arrival = nextEvent(bobPhone, 'message:new');
    expectOk(await call(alice.socket, 'message:send', { roomId: room.id, clientId: 'x', body: 'hello phone' }));
    expect((await arrival).body).toBe('hello phone');
  });

  it('opening comes with the latest 10 messages, oldest first', async () => {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id }));
    for (let i = 1; i <= 12; i++) {
      expectOk(await call(i % 2 ? alice.socket : bob.socket, 'message:send', { roomId: room.id, clientId: `m${i}`, body: `message ${i}` }));
    }
    const reopened = expectOk(await call(bob.socket, 'dm:open', { userId: alice.user.id }));
    expect(reopened.messages.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(reopened.room.lastSeq).toBe(12);
  });

  it('refuses a chat with yourself or with nobody', async () => {
    const alice = await server.signUpAndConnect();
    const self = await call(alice.socket, 'dm:open', { userId: alice.user.id });
    expect(self).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const nobody = await call(alice.socket, 'dm:open', { userId: 987_654 });
    expect(nobody).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
