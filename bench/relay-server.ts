/**
 * The baseline: a bare Socket.IO server (the same socket.io version as Parley) that relays
 * `message:send` to the room and acks it. No auth, no validation, no database, no presence: each socket
 * joins the rooms listed in its handshake (`auth.rooms`), and the author is taken from `auth.user`.
 * It sends a message of the same shape as Parley's `message:new`, so that both move the same bytes.
 *
 * Bench-only; started by `bench/run.ts` with the same node flags as the Parley host.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serve } from './lib/rpc.js';
import type { Usage } from './lib/types.js';

interface Author {
  id: number;
  username: string;
  firstName: string;
  lastName: string;
}

const httpServer = http.createServer((_req, res) => {
  res.writeHead(404).end();
});
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 32 * 1024 });

const seqs = new Map<number, number>();
let nextId = 1;

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { rooms?: number[]; user?: Author };
  const author: Author = auth.user ?? { id: 0, username: 'anonymous', firstName: '', lastName: '' };
  void socket.join((auth.rooms ?? []).map((id) => `room:${id}`));
  socket.on('message:send', (payload: { roomId: number; clientId: string; body: string }, ack: unknown) => {
    if (typeof ack !== 'function') return;
    const seq = (seqs.get(payload.roomId) ?? 0) + 1;
    seqs.set(payload.roomId, seq);
    const message = {
      id: nextId++,
      roomId: payload.roomId,
      seq,
      authorId: author.id,
      author,
      body: payload.body,
      clientId: payload.clientId,
      createdAt: new Date().toISOString(),
    };
    io.to(`room:${payload.roomId}`).emit('message:new', message);
    ack({ ok: true, message });
  });
});

/** Busy (including time blocked in synchronous calls, such as SQLite's fsync) and idle time of the event loop. */
const loop = () => {
  const { active, idle } = performance.eventLoopUtilization();
  return { active, idle };
};

const gc = (globalThis as { gc?: () => void }).gc;
const usage = (): Usage => ({ cpu: process.cpuUsage(), elu: loop(), memory: process.memoryUsage(), at: performance.timeOrigin + performance.now() });

let stopping: Promise<void> | undefined;
const { ready } = serve({
  usage: () => usage(),
  memory: () => {
    gc?.();
    return usage();
  },
  stop: () => {
    stopping ??= new Promise<void>((resolve) => {
      io.close(() => resolve());
    }).then(() => {
      setTimeout(() => process.exit(0), 50);
    });
    return stopping;
  },
});

await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
ready({ port: (httpServer.address() as AddressInfo).port, pid: process.pid });
