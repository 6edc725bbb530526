import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { CoalescingWebSocketServer } from '../src/realtime/coalescing-ws.js';

let closeAll: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeAll?.();
  closeAll = undefined;
});

/** A Socket.IO server on `wsEngine`, one client connected to it, and the server's side of that client. */
async function connected(wsEngine: typeof WebSocketServer | typeof CoalescingWebSocketServer) {
  const httpServer = http.createServer();
  const server = new Server(httpServer, { wsEngine });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const arrived = new Promise<ServerSocket>((resolve) => server.once('connection', resolve));
  const client: ClientSocket = connect(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, { transports: ['websocket'] });
  const socket = await arrived;
  closeAll = async () => {
    client.disconnect();
    await server.close();
  };
  return { client, socket };
}

/** Counts the system-call-level writes (`_write` or `_writev`) to the TCP socket under a Socket.IO socket. */
function countWrites(socket: ServerSocket): () => number {
  const tcp = (socket.conn as unknown as { transport: { socket: { _socket: Duplex } } }).transport.socket._socket as Duplex & {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = tcp[method].bind(tcp);
    tcp[method] = (...args: unknown[]) => {
      writes += 1;
      original(...args);
    };
  }
  return () => writes;
}

function receive(client: ClientSocket, count: number): Promise<unknown[]> {
  const got: unknown[] = [];
  return new Promise((resolve) => {
    client.on('note', (n: unknown) => {
      got.push(n);
      if (got.length === count) resolve(got);
    });
  });
}

describe('frames to one socket in one turn of the event loop', () => {
  it('go out in one write, in order, and later ones in writes of their own', async () => {
    const { client, socket } = await connected(CoalescingWebSocketServer);
    const writes = countWrites(socket);
    const received = receive(client, 5);
    // A broadcast (pre-encoded by the adapter) and direct emits, as a message and its ack are.
    socket.nsp.to(socket.id).emit('note', 1);
    socket.emit('note', 2);
    socket.emit('note', 3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes()).toBe(1);
    socket.emit('note', 4);
    await new Promise((resolve) => setTimeout(resolve, 5));
    socket.emit('note', 5);
    expect(await received).toEqual([1, 2, 3, 4, 5]);
    expect(writes()).toBe(3);
  });

  it('take a write each with ws as it is', async () => {
    const { client, socket } = await connected(WebSocketServer);
    const writes = countWrites(socket);
    const received = receive(client, 3);
    socket.emit('note', 1);
    socket.emit('note', 2);
    socket.emit('note', 3);
    expect(await received).toEqual([1, 2, 3]);
    expect(writes()).toBe(3);
  });
});
