/**
 * A load-generator process for the presence scenario (`npm run bench -- --presence`, see `lib/presence.ts`):
 * sockets of many users over socket.io-client, driven by `bench/run.ts` through IPC. It counts the presence
 * announcements its sockets receive, and makes them watch people when told to.
 */
import { io, type Socket } from 'socket.io-client';
import { serve } from './lib/rpc.js';
import { now } from './lib/stats.js';

const CONNECT_TIMEOUT_MS = 30_000;
const ACK_TIMEOUT_MS = 60_000;

let sockets: Socket[] = [];
/** Presence announcements received by all of this process's sockets. */
const heard = { online: 0, offline: 0 };

function connectOne(url: string, token: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true, timeout: CONNECT_TIMEOUT_MS });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.on('user:online', () => heard.online++);
      socket.on('user:offline', () => heard.offline++);
      resolve(socket);
    });
    socket.once('connect_error', (error: Error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Runs `work` over `items` with at most `concurrency` at once. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

serve({
  /** Connects one socket per token, `concurrency` at a time; resolves once every one is connected or refused. */
  async connect(payload: { url: string; tokens: string[]; concurrency: number }) {
    const started = now();
    const errors: Record<string, number> = {};
    let failed = 0;
    await pool(payload.tokens, payload.concurrency, async (token) => {
      try {
        sockets.push(await connectOne(payload.url, token));
      } catch (error) {
        failed++;
        const key = (error as Error).message;
        errors[key] = (errors[key] ?? 0) + 1;
      }
    });
    return { connected: payload.tokens.length - failed, failed, errors, ms: now() - started, open: sockets.length };
  },

  /** Each socket, in the order connected, watches the list of the same index (`presence:watch`), `concurrency` at a time. */
  async watch(payload: { lists: number[][]; concurrency: number }) {
    const started = now();
    const errors: Record<string, number> = {};
    let ok = 0;
    const jobs = payload.lists.slice(0, sockets.length).map((userIds, i) => ({ socket: sockets[i]!, userIds }));
    await pool(jobs, payload.concurrency, async ({ socket, userIds }) => {
      const ack = await new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
        socket.timeout(ACK_TIMEOUT_MS).emit('presence:watch', { userIds }, (err: Error | null, res: { ok: boolean; error?: { code: string } }) =>
          resolve(err ? { ok: false, error: { code: 'timeout' } } : res),
        ),
      );
      if (ack.ok) ok++;
      else errors[ack.error?.code ?? 'bad ack'] = (errors[ack.error?.code ?? 'bad ack'] ?? 0) + 1;
    });
    return { ok, failed: jobs.length - ok, errors, ms: now() - started };
  },

  heard: () => ({ ...heard, connected: sockets.filter((socket) => socket.connected).length }),

  /** This load process's own CPU so far, µs: the bench reports what the load took beside the server's figures. */
  cpu: () => process.cpuUsage(),

  disconnect() {
    for (const socket of sockets) socket.close();
    sockets = [];
    return {};
  },

  stop() {
    for (const socket of sockets) socket.close();
    setTimeout(() => process.exit(0), 20);
    return {};
  },
}).ready({ pid: process.pid });
