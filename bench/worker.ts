/**
 * A load-generator process: simulated users over socket.io-client, driven by `bench/run.ts` through
 * IPC. Several of these run at once, each with its share of the users and of the offered load.
 *
 * Every message body starts with a header `B<step>|<phase>|<send time>|`: the send time is
 * `performance.timeOrigin + performance.now()` at the sender's emit, so any process on this machine
 * can compute the latency of a delivery. Only phase `m` (measured, after the warm-up) is counted.
 */
import { io, type Socket } from 'socket.io-client';
import { serve } from './lib/rpc.js';
import { now, Samples, sleep } from './lib/stats.js';
import type { ChatUser, IdleUser, PageWalks, SendReport, StepCollect, StepSpec, StepStatus, Target } from './lib/types.js';

const workerId = Number(process.env.BENCH_WORKER_ID ?? '0');
const CONNECT_TIMEOUT_MS = 30_000;
const ACK_TIMEOUT_MS = 60_000;

interface Conn {
  user: ChatUser;
  socket: Socket;
}

/** What the receivers of this process saw for one step, and what its senders sent and got acked. */
class StepState {
  readonly latencies = new Samples(1 << 14);
  readonly ackLatencies = new Samples(1 << 12);
  received = 0;
  acksOk = 0;
  acksFailed = 0;
  readonly errors: Record<string, number> = {};
  closed = false;
}

const steps = new Map<number, StepState>();
const stepState = (step: number) => {
  let s = steps.get(step);
  if (!s) steps.set(step, (s = new StepState()));
  return s;
};

let chat: Conn[] = [];
let idle: Socket[] = [];
let outstanding = 0;
let late = 0;
let sendCounter = 0;

function connectOne(url: string, auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    auth,
    reconnection: false,
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('connect timed out'));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
}

/** Runs `work` over `items` with at most `concurrency` at once. */
async function pool<T, R>(items: T[], concurrency: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}

function onMessage(payload: { body?: unknown }): void {
  const body = payload?.body;
  if (typeof body !== 'string' || body.charCodeAt(0) !== 66 /* B */) return;
  const arrived = now();
  const a = body.indexOf('|');
  const b = body.indexOf('|', a + 1);
  const c = body.indexOf('|', b + 1);
  if (body.slice(a + 1, b) !== 'm') return;
  const s = stepState(Number(body.slice(1, a)));
  if (s.closed) {
    late++;
    return;
  }
  s.received++;
  s.latencies.push(arrived - Number(body.slice(b + 1, c)));
}

type Ack = { ok: true } | { ok: false; error: { code: string } };

async function runStep(spec: StepSpec): Promise<SendReport> {
  if (chat.length === 0) throw new Error('no chat sockets');
  const s = stepState(spec.step);
  const pad = ' lorem ipsum dolor sit amet'.repeat(Math.ceil(spec.padding / 27)).slice(0, spec.padding);
  const total = spec.warmupMs + spec.measureMs;
  const cpu0 = process.cpuUsage();
  const start = now();
  let sentTotal = 0;
  let sent = 0;
  let expected = 0;
  let next = Math.floor(Math.random() * chat.length);
  for (;;) {
    const elapsed = now() - start;
    if (elapsed >= total) break;
    const due = Math.floor((elapsed * spec.rate) / 1000);
    while (sentTotal < due) {
      const conn = chat[next]!;
      next = (next + 1) % chat.length;
      const measured = now() - start >= spec.warmupMs;
      const room = Math.random() < spec.dmShare ? conn.user.dm : conn.user.group;
      const t = now();
      const body = `B${spec.step}|${measured ? 'm' : 'w'}|${t.toFixed(3)}|${pad}`;
      outstanding++;
      conn.socket.emit(
        'message:send',
        { roomId: room.roomId, clientId: `w${workerId}n${sendCounter++}`, body },
        (ack: Ack) => {
          outstanding--;
          if (!measured) return;
          if (ack?.ok) {
            s.acksOk++;
            s.ackLatencies.push(now() - t);
          } else {
            s.acksFailed++;
            const code = ack?.ok === false ? ack.error.code : 'bad ack';
            s.errors[code] = (s.errors[code] ?? 0) + 1;
          }
        },
      );
      sentTotal++;
      if (measured) {
        sent++;
        expected += room.members;
      }
    }
    await sleep(1);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    sent,
    expected,
    sentTotal,
    perSocketRate: spec.rate / chat.length,
    cpu,
    elapsedMs: now() - start,
  };
}

/** Sequential requests, round-robin over one socket per token (a user each), each socket paced to `perSocketRate`. */
async function requests(payload: {
  url: string;
  tokens: string[];
  perSocketRate: number;
  requests: { event: string; payload: unknown }[];
}): Promise<{ latencies: Float64Array; failed: number; errors: Record<string, number>; ms: number; cpu: NodeJS.CpuUsage; firstAckBytes: number }> {
  const sockets = await Promise.all(payload.tokens.map((token) => connectOne(payload.url, { token })));
  let firstAckBytes = 0;
  const lastSent = new Array<number>(sockets.length).fill(0);
  const interval = 1000 / payload.perSocketRate;
  const latencies = new Samples(payload.requests.length);
  const errors: Record<string, number> = {};
  let failed = 0;
  const started = now();
  const cpu0 = process.cpuUsage();
  try {
    for (let i = 0; i < payload.requests.length; i++) {
      const k = i % sockets.length;
      const wait = lastSent[k]! + interval - now();
      if (wait > 0) await sleep(wait);
      const { event, payload: body } = payload.requests[i]!;
      const t = now();
      lastSent[k] = t;
      const ack = await new Promise<Ack>((resolve) => {
        sockets[k]!.timeout(ACK_TIMEOUT_MS).emit(event, body, (err: Error | null, res: Ack) =>
          resolve(err ? { ok: false, error: { code: 'timeout' } } : res),
        );
      });
      if (ack?.ok) {
        latencies.push(now() - t);
        // The size of one answer, measured once: it is what the server serializes and the client parses each time.
        if (firstAckBytes === 0) firstAckBytes = Buffer.byteLength(JSON.stringify(ack));
      } else {
        failed++;
        const code = ack?.ok === false ? ack.error.code : 'bad ack';
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  } finally {
    for (const s of sockets) s.close();
  }
  return { latencies: latencies.toArray(), failed, errors, ms: now() - started, cpu: process.cpuUsage(cpu0), firstAckBytes };
}

/**
 * Walks a paged list to its end `walks` times, as a client loading it does: page after page, each asked as
 * soon as the one before is answered, on one socket. Between walks it pauses for `pauseMs`, long enough for
 * the server's per-socket event budget to refill, so that no page is refused for the rate.
 */
async function pageWalks(payload: {
  url: string;
  token: string;
  event: string;
  limit: number;
  walks: number;
  pauseMs: number;
}): Promise<PageWalks> {
  const socket = await connectOne(payload.url, { token: payload.token });
  const walkMs = new Samples(payload.walks);
  const pageMs: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  let pagesPerWalk = 0;
  let itemsPerWalk = 0;
  let maxPageBytes = 0;
  const cpu0 = process.cpuUsage();
  try {
    for (let walk = 0; walk < payload.walks; walk++) {
      if (walk > 0) await sleep(payload.pauseMs);
      const started = now();
      let cursor: string | null = null;
      let pages = 0;
      let items = 0;
      let complete = true;
      do {
        const t = now();
        const ack = await new Promise<Ack>((resolve) => {
          socket.timeout(ACK_TIMEOUT_MS).emit(
            payload.event,
            { limit: payload.limit, ...(cursor !== null && { cursor }) },
            (err: Error | null, res: Ack) => resolve(err ? { ok: false, error: { code: 'timeout' } } : res),
          );
        });
        if (!ack?.ok) {
          failed++;
          const code = ack?.ok === false ? ack.error.code : 'bad ack';
          errors[code] = (errors[code] ?? 0) + 1;
          complete = false;
          break;
        }
        pageMs.push(now() - t);
        pages++;
        const page = ack as unknown as { rooms: unknown[]; nextCursor: string | null };
        items += page.rooms.length;
        // Measured on the first walk: later walks read the same pages.
        if (walk === 0) maxPageBytes = Math.max(maxPageBytes, Buffer.byteLength(JSON.stringify(ack)));
        cursor = page.nextCursor;
      } while (cursor !== null);
      if (!complete) continue;
      walkMs.push(now() - started);
      pagesPerWalk = pages;
      itemsPerWalk = items;
    }
  } finally {
    socket.close();
  }
  return {
    walkMs: walkMs.toArray(),
    pageMs: Float64Array.from(pageMs),
    pagesPerWalk,
    itemsPerWalk,
    maxPageBytes,
    failed,
    errors,
    cpu: process.cpuUsage(cpu0),
  };
}

/**
 * Logs in over HTTP with `concurrency` requests in flight, until `durationMs` or `maxCount`. Each account
 * logs in from an address of its own, as people do, told to the server (which trusts the loopback proxy
 * here) in X-Forwarded-For; from one address they would soon meet the per-address log-in limit.
 */
async function logins(payload: {
  url: string;
  accounts: { username: string; password: string }[];
  concurrency: number;
  durationMs: number;
  maxCount: number;
}): Promise<{ ok: number; failed: number; statuses: Record<string, number>; latencies: Float64Array; ms: number }> {
  const latencies = new Samples(1024);
  const statuses: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let issued = 0;
  const started = now();
  const deadline = started + payload.durationMs;
  await Promise.all(
    Array.from({ length: payload.concurrency }, async () => {
      while (now() < deadline && issued < payload.maxCount) {
        const index = issued++ % payload.accounts.length;
        const account = payload.accounts[index]!;
        const t = now();
        try {
          const res = await fetch(`${payload.url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}` },
            body: JSON.stringify(account),
            signal: AbortSignal.timeout(30_000),
          });
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 200) {
            ok++;
            latencies.push(now() - t);
          } else failed++;
        } catch (error) {
          failed++;
          const key = error instanceof Error ? error.name : 'error';
          statuses[key] = (statuses[key] ?? 0) + 1;
        }
      }
    }),
  );
  return { ok, failed, statuses, latencies: latencies.toArray(), ms: now() - started };
}

serve({
  async connectChat(payload: { url: string; target: Target; users: ChatUser[]; concurrency: number }) {
    const started = now();
    chat = await pool(payload.users, payload.concurrency, async (user) => {
      const auth =
        payload.target === 'parley'
          ? { token: user.token }
          : {
              rooms: [user.group.roomId, user.dm.roomId],
              user: { id: user.userId, username: user.username, firstName: user.firstName, lastName: user.lastName },
            };
      const socket = await connectOne(payload.url, auth);
      socket.on('message:new', onMessage);
      return { user, socket };
    });
    return { connected: chat.length, ms: now() - started };
  },

  disconnectChat() {
    for (const c of chat) c.socket.close();
    chat = [];
    outstanding = 0;
    return {};
  },

  runStep: (spec: StepSpec) => runStep(spec),

  stepStatus({ step }: { step: number }): StepStatus {
    const s = stepState(step);
    return { received: s.received, acksOk: s.acksOk, acksFailed: s.acksFailed, outstanding };
  },

  collect({ step }: { step: number }): StepCollect {
    const s = stepState(step);
    s.closed = true;
    const result: StepCollect = {
      latencies: s.latencies.toArray(),
      ackLatencies: s.ackLatencies.toArray(),
      received: s.received,
      acksOk: s.acksOk,
      acksFailed: s.acksFailed,
      errors: s.errors,
    };
    // Keep only the closed flag and counters: late deliveries are counted, not kept.
    steps.set(step, Object.assign(new StepState(), { closed: true }));
    return result;
  },

  lateCount: () => late,

  async connectIdle(payload: { url: string; users: IdleUser[]; concurrency: number }) {
    const started = now();
    const errors: Record<string, number> = {};
    const sockets = await pool(payload.users, payload.concurrency, (user) =>
      connectOne(payload.url, { token: user.token }).catch((error: Error) => {
        errors[error.message] = (errors[error.message] ?? 0) + 1;
        return null;
      }),
    );
    const ok = sockets.filter((s): s is Socket => s !== null);
    idle.push(...ok);
    return { connected: ok.length, failed: payload.users.length - ok.length, errors, ms: now() - started, open: idle.length };
  },

  /** How many idle sockets are still connected (a server may drop some). */
  idleStatus: () => ({ open: idle.length, connected: idle.filter((s) => s.connected).length }),

  disconnectIdle() {
    for (const s of idle) s.close();
    idle = [];
    return {};
  },

  requests: (payload: Parameters<typeof requests>[0]) => requests(payload),
  pageWalks: (payload: Parameters<typeof pageWalks>[0]) => pageWalks(payload),
  logins: (payload: Parameters<typeof logins>[0]) => logins(payload),

  stop() {
    for (const c of chat) c.socket.close();
    for (const s of idle) s.close();
    setTimeout(() => process.exit(0), 20);
    return {};
  },
}).ready({ pid: process.pid, workerId });
