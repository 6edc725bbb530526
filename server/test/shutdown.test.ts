import { afterEach, describe, expect, it } from 'vitest';
import { io as connectSocket } from 'socket.io-client';
import { call, expectOk, TestServer, type ClientSocket } from './support/harness.js';

let server: TestServer | undefined;
let closed = false;
const clients: ClientSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  if (server && closed) {
    // The test closed the app itself: what is left is the store and the folder.
    await server.store.close();
  } else {
    await server?.close();
  }
  server = undefined;
  closed = false;
});

async function closeApp(target: TestServer): Promise<void> {
  closed = true;
  await target.app.close();
}

/** A client as the web app opens it: reconnecting by itself. */
function reconnectingClient(url: string, token: string, transport: 'websocket' | 'polling'): Promise<ClientSocket> {
  const socket: ClientSocket = connectSocket(url, {
    transports: [transport],
    reconnection: true,
    reconnectionDelay: 50,
    forceNew: true,
    auth: { token },
  });
  clients.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('graceful shutdown', () => {
  for (const transport of ['websocket', 'polling'] as const) {
    it(`closes ${transport} transports, so that clients see a transport close and try to reconnect`, async () => {
      server = await TestServer.start();
      const alice = await server.signUp();
      const socket = await reconnectingClient(server.url, alice.token, transport);
      const reason = new Promise<string>((resolve) => socket.once('disconnect', (why) => resolve(why)));
      const retrying = new Promise<void>((resolve) => socket.io.once('reconnect_attempt', () => resolve()));

      await closeApp(server);

      // Not "io server disconnect", after which a client would stay disconnected.
      expect(await reason).toBe('transport close');
      await retrying;
    });
  }

  it('acknowledges and stores a message that is being handled when the close begins', async () => {
    server = await TestServer.start();
    const alice = await server.signUpAndConnect();
    const room = expectOk(await call(alice.socket, 'room:create', { name: 'Last orders' })).room;
    const disconnected = new Promise<string>((resolve) => alice.socket.once('disconnect', (why) => resolve(why)));

    // Start closing the moment the server begins handling the message, not before it has it.
    const serverSocket = server.app.realtime.io.of('/').sockets.get(alice.socket.id!);
    expect(serverSocket).toBeDefined();
    let closing: Promise<void> | undefined;
    const target = server;
    serverSocket!.onAny((event: string) => {
      if (event === 'message:send') closing = closeApp(target);
    });

    const ack = await call(alice.socket, 'message:send', { roomId: room.id, clientId: 'last-one', body: 'just before closing' });

    expect(closing).toBeDefined();
    const { message } = expectOk(ack);
    expect(message).toMatchObject({ roomId: room.id, clientId: 'last-one', body: 'just before closing', seq: 1 });
    await closing;
    expect(await disconnected).toBe('transport close');
    const stored = await server.store.listMessages(room.id, { limit: 10 });
    expect(stored).toEqual([message]);
  });
});
