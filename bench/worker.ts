/**
 * A load-generator process: simulated users, driven by `bench/run.ts` through IPC. Several of these run at
 * once, each with its share of the users and of the offered load.
 *
 * The chat users speak through one of two generators, chosen per run:
 * - `ws` (the default): the light one, raw Socket.IO framing on a bare WebSocket (lib/raw-socket.ts), which
 *   reads only a body's header and an ack's outcome;
 * - `sio`: socket.io-client, as the web client does, a check that the light one's figures are realistic.
 * Everything else (idle sockets, requests, page walks) uses socket.io-client; logins use fetch.
 *
 * Every message body starts with a header (lib/body.ts) that carries the sender's emit time, so any process
 * on this machine can compute the latency of a delivery, and names the message, so that the bench can tell
 * which acknowledged messages reached every member in time.
 */
import { io, type Socket } from 'socket.io-client';
import { bodyHeader, HEADER_MAX_CHARS, padding, parseBodyHeader, type BodyHeader } from './lib/body.js';
import { bodyOffset, RawSocket, readRoomSeq, type RawHandlers } from './lib/raw-socket.js';
import { noOrderCounts, RoomOrder, type OrderCounts } from './lib/room-order.js';
import { serve } from './lib/rpc.js';
import { now, Samples, sleep } from './lib/stats.js';
import {
  ACK_OK,
  ACK_REFUSED,
  DELIVERY_DEADLINE_MS,
  type ChatUser,
  type Generator,
  type IdleUser,
  type PageWalks,
  type SendReport,
  type StepCollect,
  type StepSpec,
  type StepStatus,
  type Target,
} from './lib/types.js';

const workerId = Number(process.env.BENCH_WORKER_ID ?? '0');
const CONNECT_TIMEOUT_MS = 30_000;
const ACK_TIMEOUT_MS = 60_000;

/** Per-message counters indexed by a message's number, growing as numbers come. */
class Tally {
  private data = new Uint16Array(1024);
  length = 0;

  private reach(i: number): void {
    if (i >= this.data.length) {
      const bigger = new Uint16Array(Math.max(this.data.length * 2, i + 1));
      bigger.set(this.data);
      this.data = bigger;
    }
    if (i >= this.length) this.length = i + 1;
  }

  set(i: number, value: number): void {
    this.reach(i);
    this.data[i] = value;
  }

  add(i: number): void {
    this.reach(i);
    this.data[i]!++;
  }

  toArray(): Uint16Array {
    return this.data.slice(0, this.length);
  }
}

/** What the receivers of this process saw for one step, and what its senders sent and got acked. */
class StepState {
  readonly latencies = new Samples(1 << 14);
  readonly ackLatencies = new Samples(1 << 12);
  received = 0;
  acksOk = 0;
  acksFailed = 0;
  /** Deliveries that refused messages would have owed. */
  owedRefused = 0;
  readonly errors: Record<string, number> = {};
  /** By the number of each measured message this process sent: its room's members, and its ack's outcome. */
  readonly members = new Tally();
  readonly outcomes = new Tally();
  /** By sending process, then by message number: deliveries received within the deadline. */
  readonly onTime: Tally[] = [];
  closed = false;
}

const steps = new Map<number, StepState>();
const stepState = (step: number) => {
  let s = steps.get(step);
  if (!s) steps.set(step, (s = new StepState()));
  return s;
};

/** A message sent and not yet answered. `n` is its number among the step's measured messages, -1 in the warm-up. */
interface Pending {
  s: StepState;
  t: number;
  n: number;
  members: number;
}

/** One simulated chat user's connection, whichever generator speaks for it. */
interface ChatConn {
  user: ChatUser;
  send(roomId: number, clientId: string, body: string, pending: Pending): void;
  close(): void;
}

let chat: ChatConn[] = [];
let idle: Socket[] = [];
let outstanding = 0;
let late = 0;
let sendCounter = 0;
/** Chat sockets the server closed during the run. */
let chatClosed = 0;
/** With `--two-nodes`: each chat socket's view of its rooms' seqs, and what their checks counted. */
let orders: RoomOrder[] = [];
let orderCounts = noOrderCounts();

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

/** A delivery, read from a `message:new` body's header when it arrived at `arrived`. */
function delivered(header: BodyHeader | null, arrived: number): void {
  if (!header?.measured) return;
  const s = stepState(header.step);
  if (s.closed) {
    late++;
    return;
  }
  s.received++;
  const latency = arrived - header.sentAt;
  s.latencies.push(latency);
  if (latency <= DELIVERY_DEADLINE_MS) (s.onTime[header.worker] ??= new Tally()).add(header.n);
}

/** The answer to a message: `error` null for ok, else its code. */
function settle(p: Pending, error: string | null): void {
  outstanding--;
  if (p.n < 0) return;
  const s = p.s;
  if (error === null) {
    s.acksOk++;
    s.ackLatencies.push(now() - p.t);
    s.outcomes.set(p.n, ACK_OK);
  } else {
    s.acksFailed++;
    s.owedRefused += p.members;
    s.errors[error] = (s.errors[error] ?? 0) + 1;
    s.outcomes.set(p.n, ACK_REFUSED);
  }
}

type Ack = { ok: true } | { ok: false; error: { code: string } };

/** The light generator's user: raw frames, acks matched by id. */
const pendingByAck = new Map<number, Pending>();
let nextAckId = 0;
const rawHandlers = {
  onMessageNew(frame: Buffer) {
    const arrived = now();
    const at = bodyOffset(frame);
    if (at >= 0) delivered(parseBodyHeader(frame.toString('latin1', at, Math.min(frame.length, at + HEADER_MAX_CHARS))), arrived);
  },
  onAck(id: number, error: string | null) {
    const p = pendingByAck.get(id);
    if (!p) return;
    pendingByAck.delete(id);
    settle(p, error);
  },
  onClose() {
    chatClosed++;
  },
};

/** The shared handlers, plus the order check of this socket's deliveries when the run asks for it. */
function orderChecking(order: RoomOrder | null): RawHandlers {
  if (!order) return rawHandlers;
  return {
    ...rawHandlers,
    onMessageNew(frame) {
      rawHandlers.onMessageNew(frame);
      const m = readRoomSeq(frame);
      if (m) order.see(m.roomId, m.seq);
      else orderCounts.unreadable++;
    },
  };
}

async function rawConn(url: string, user: ChatUser, auth: unknown, order: RoomOrder | null): Promise<ChatConn> {
  const socket = await RawSocket.connect(url, auth, orderChecking(order), CONNECT_TIMEOUT_MS);
  return {
    user,
    send(roomId, clientId, body, pending) {
      if (!socket.open) return settle(pending, 'socket closed');
      const id = nextAckId++;
      pendingByAck.set(id, pending);
      // clientId and body hold no character that JSON escapes (see lib/body.ts).
      socket.sendMessage(id, `{"roomId":${roomId},"clientId":"${clientId}","body":"${body}"}`);
    },
    close: () => socket.close(),
  };
}

/** The check of realism: socket.io-client, as the web client. */
async function sioConn(url: string, user: ChatUser, auth: Record<string, unknown>, order: RoomOrder | null): Promise<ChatConn> {
  const socket = await connectOne(url, auth);
  socket.on('message:new', (payload: { body?: unknown; roomId?: unknown; seq?: unknown }) => {
    const arrived = now();
    if (typeof payload?.body === 'string') delivered(parseBodyHeader(payload.body), arrived);
    if (!order) return;
    if (typeof payload?.roomId === 'number' && typeof payload.seq === 'number') order.see(payload.roomId, payload.seq);
    else orderCounts.unreadable++;
  });
  socket.on('disconnect', () => chatClosed++);
  return {
    user,
    send(roomId, clientId, body, pending) {
      if (!socket.connected) return settle(pending, 'socket closed');
      socket.emit('message:send', { roomId, clientId, body }, (ack: Ack) =>
        settle(pending, ack?.ok ? null : ack?.ok === false ? ack.error.code : 'bad ack'),
      );
    },
    close: () => socket.close(),
  };
}

async function runStep(spec: StepSpec): Promise<SendReport> {
  if (chat.length === 0) throw new Error('no chat sockets');
  const s = stepState(spec.step);
  const pad = padding(spec.padding);
  const total = spec.warmupMs + spec.measureMs;
  const start = now();
  // The generator's own CPU is read over the measured window, as the server's is.
  let windowCpu = process.cpuUsage();
  let windowStart = start;
  let inWindow = false;
  let sentTotal = 0;
  let sent = 0;
  let expected = 0;
  let next = Math.floor(Math.random() * chat.length);
  for (;;) {
    const elapsed = now() - start;
    if (elapsed >= total) break;
    if (!inWindow && elapsed >= spec.warmupMs) {
      inWindow = true;
      windowCpu = process.cpuUsage();
      windowStart = now();
    }
    const due = Math.floor((elapsed * spec.rate) / 1000);
    while (sentTotal < due) {
      const conn = chat[next]!;
      next = (next + 1) % chat.length;
      const measured = now() - start >= spec.warmupMs;
      const room = Math.random() < spec.dmShare ? conn.user.dm : conn.user.group;
      const n = measured ? sent : -1;
      const t = now();
      outstanding++;
      conn.send(room.roomId, `w${workerId}n${sendCounter++}`, bodyHeader(spec.step, measured, t, workerId, Math.max(n, 0)) + pad, {
        s,
        t,
        n,
        members: room.members,
      });
      sentTotal++;
      if (measured) {
        s.members.set(n, room.members);
        sent++;
        expected += room.members;
      }
    }
    await sleep(1);
  }
  return {
    sent,
    expected,
    sentTotal,
    perSocketRate: spec.rate / chat.length,
    cpu: process.cpuUsage(windowCpu),
    elapsedMs: now() - windowStart,
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
  /**
   * `nodes` (several Parley nodes): user i connects to `nodes[i % nodes.length]` instead of `url`. `roomSeqs`
   * (each room's `last_seq` now) turns on the order check of every delivery (see lib/room-order.ts).
   */
  async connectChat(payload: {
    url: string;
    target: Target;
    generator: Generator;
    users: ChatUser[];
    concurrency: number;
    nodes?: string[];
    roomSeqs?: Record<number, number>;
  }) {
    const started = now();
    const { nodes, roomSeqs } = payload;
    orders = [];
    orderCounts = noOrderCounts();
    chat = await pool(payload.users, payload.concurrency, async (user) => {
      const url = nodes ? nodes[user.index % nodes.length]! : payload.url;
      const rooms = [user.group.roomId, user.dm.roomId];
      const order = roomSeqs ? new RoomOrder(rooms.map((r): [number, number] => [r, roomSeqs[r] ?? 0]), orderCounts) : null;
      if (order) orders.push(order);
      const auth =
        payload.target === 'parley'
          ? { token: user.token }
          : {
              rooms: [user.group.roomId, user.dm.roomId],
              user: { id: user.userId, username: user.username, firstName: user.firstName, lastName: user.lastName },
            };
      return payload.generator === 'ws' ? rawConn(url, user, auth, order) : sioConn(url, user, auth, order);
    });
    chatClosed = 0;
    return { connected: chat.length, ms: now() - started };
  },

  disconnectChat() {
    for (const c of chat) c.close();
    chat = [];
    outstanding = 0;
    pendingByAck.clear();
    return {};
  },

  runStep: (spec: StepSpec) => runStep(spec),

  stepStatus({ step }: { step: number }): StepStatus {
    const s = stepState(step);
    return { received: s.received, acksOk: s.acksOk, acksFailed: s.acksFailed, owedRefused: s.owedRefused, outstanding, socketsClosed: chatClosed };
  },

  collect({ step }: { step: number }): StepCollect {
    const s = stepState(step);
    s.closed = true;
    const onTime: Uint16Array[] = [];
    for (let w = 0; w < s.onTime.length; w++) onTime.push(s.onTime[w]?.toArray() ?? new Uint16Array(0));
    const result: StepCollect = {
      worker: workerId,
      latencies: s.latencies.toArray(),
      ackLatencies: s.ackLatencies.toArray(),
      received: s.received,
      acksOk: s.acksOk,
      acksFailed: s.acksFailed,
      owedRefused: s.owedRefused,
      errors: s.errors,
      members: s.members.toArray(),
      outcomes: s.outcomes.toArray(),
      onTime,
    };
    // Keep only the closed flag and counters: late deliveries are counted, not kept.
    steps.set(step, Object.assign(new StepState(), { closed: true }));
    return result;
  },

  lateCount: () => late,

  /** What the order check has counted since the chat sockets connected. */
  orderCounts: (): OrderCounts => orderCounts,

  /** Seqs up to each room's final `last_seq` that some checked socket never received. */
  orderMissing: ({ lastSeq }: { lastSeq: Record<number, number> }) => {
    const final = new Map(Object.entries(lastSeq).map(([roomId, seq]) => [Number(roomId), seq]));
    return orders.reduce((n, order) => n + order.missing(final), 0);
  },

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
    for (const c of chat) c.close();
    for (const s of idle) s.close();
    setTimeout(() => process.exit(0), 20);
    return {};
  },
}).ready({ pid: process.pid, workerId });
