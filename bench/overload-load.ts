/**
 * The load of `bench/overload.ts`: chat users on raw WebSocket connections (`ws`), speaking Engine.IO 4 and
 * Socket.IO 5 frames by hand. No socket.io-client: a frame in is a byte check and, for `message:new`, the
 * message's number read from its body, so that this one process can offer far more than the server takes.
 *
 * Each message body starts `O<run>|<n>|`, where n numbers the run's messages; this process both sends and
 * receives, so it knows for every message when it went out, how it was answered, and every delivery.
 */
import WebSocket from 'ws';
import { serve } from './lib/rpc.js';
import { Samples, sleep, summarize, type Summary } from './lib/stats.js';
import type { ChatUser } from './lib/types.js';

const CONNECT_TIMEOUT_MS = 30_000;
/** "Every acknowledged message is delivered within 5 s": a delivery later than this counts as late. */
const DELIVERY_DEADLINE_MS = 5_000;
/** How long a run waits for answers once it stops sending. */
const ANSWER_WAIT_MS = 15_000;

interface Conn {
  user: ChatUser;
  ws: WebSocket;
  nextAckId: number;
  /** Ack id → message number. */
  waiting: Map<number, number>;
}

const enum Answer {
  None = 0,
  Ok = 1,
  Overloaded = 2,
  Other = 3,
}

/** One run's book of messages, indexed by message number. */
class Run {
  readonly sentAt: Float64Array;
  readonly answer: Uint8Array;
  readonly deliveries: Uint16Array;
  readonly owed: Uint16Array;
  readonly ackOk = new Samples(1 << 16);
  readonly ackShed = new Samples(1 << 16);
  readonly delivery = new Samples(1 << 18);
  readonly errors: Record<string, number> = {};
  sent = 0;
  answered = 0;
  late = 0;
  /** Deliveries of a message that was refused: there must be none. */
  refusedButDelivered = 0;
  lastSentAt = 0;

  constructor(
    readonly id: number,
    capacity: number,
  ) {
    this.sentAt = new Float64Array(capacity);
    this.answer = new Uint8Array(capacity);
    this.deliveries = new Uint16Array(capacity);
    this.owed = new Uint16Array(capacity);
  }
}

let conns: Conn[] = [];
let run: Run | null = null;

const OK = Buffer.from('[{"ok":true');
const BODY = Buffer.from('"body":"O');
const MESSAGE_NEW = Buffer.from('42["message:new"');

function onFrame(conn: Conn, data: Buffer): void {
  // Engine.IO ping: answer pong.
  if (data.length === 1 && data[0] === 0x32) {
    conn.ws.send('3');
    return;
  }
  if (data[0] !== 0x34) return;
  if (data[1] === 0x33) onAck(conn, data);
  else if (data[1] === 0x32 && data.subarray(0, MESSAGE_NEW.length).equals(MESSAGE_NEW)) onDelivery(data);
}

function onAck(conn: Conn, data: Buffer): void {
  let i = 2;
  let ackId = 0;
  while (data[i]! >= 0x30 && data[i]! <= 0x39) ackId = ackId * 10 + data[i++]! - 0x30;
  const n = conn.waiting.get(ackId);
  const r = run;
  if (n === undefined || r === null) return;
  conn.waiting.delete(ackId);
  const latency = performance.now() - r.sentAt[n]!;
  r.answered++;
  if (data.subarray(i, i + OK.length).equals(OK)) {
    r.answer[n] = Answer.Ok;
    r.ackOk.push(latency);
    return;
  }
  const code = /"code":"([a-z_]+)"/.exec(data.toString('latin1', i, i + 200))?.[1] ?? 'unknown';
  r.errors[code] = (r.errors[code] ?? 0) + 1;
  if (code === 'overloaded') {
    r.answer[n] = Answer.Overloaded;
    r.ackShed.push(latency);
  } else {
    r.answer[n] = Answer.Other;
  }
}

function onDelivery(data: Buffer): void {
  const r = run;
  const at = data.indexOf(BODY);
  if (r === null || at < 0) return;
  let i = at + BODY.length;
  let runId = 0;
  while (data[i] !== 0x7c /* | */) runId = runId * 10 + data[i++]! - 0x30;
  if (runId !== r.id) return;
  let n = 0;
  for (i++; data[i] !== 0x7c; i++) n = n * 10 + data[i]! - 0x30;
  const latency = performance.now() - r.sentAt[n]!;
  r.deliveries[n]!++;
  if (r.answer[n] === Answer.Overloaded) r.refusedButDelivered++;
  if (latency > DELIVERY_DEADLINE_MS) r.late++;
  else r.delivery.push(latency);
}

function connectOne(url: string, user: ChatUser): Promise<Conn> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
  const conn: Conn = { user, ws, nextAckId: 0, waiting: new Map() };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('connect timed out')), CONNECT_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    ws.on('error', fail);
    ws.on('message', function handshake(data: Buffer) {
      const text = data.toString();
      // Engine.IO open, then the Socket.IO connect to "/" with the session token.
      if (text.startsWith('0{')) ws.send(`40${JSON.stringify({ token: user.token })}`);
      else if (text.startsWith('40')) {
        clearTimeout(timer);
        ws.off('message', handshake);
        ws.off('error', fail);
        ws.on('error', () => {});
        ws.on('message', (frame: Buffer) => onFrame(conn, frame));
        resolve(conn);
      } else if (text.startsWith('44')) fail(new Error(`refused: ${text}`));
      else if (text === '2') ws.send('3');
    });
  });
}

async function connect({ url, users, concurrency }: { url: string; users: ChatUser[]; concurrency: number }): Promise<number> {
  const queue = [...users];
  const lanes = Array.from({ length: concurrency }, async () => {
    for (let user = queue.shift(); user; user = queue.shift()) conns.push(await connectOne(url, user));
  });
  await Promise.all(lanes);
  return conns.length;
}

export interface RunSpec {
  run: number;
  rate: number;
  seconds: number;
  padding: number;
}

export interface RunReport {
  offered: number;
  sent: number;
  sentPerSec: number;
  answered: number;
  accepted: number;
  shed: number;
  errors: Record<string, number>;
  unanswered: number;
  /** Deliveries owed for accepted messages (their room's members, the sender included). */
  owed: number;
  deliveredInTime: number;
  late: number;
  missing: number;
  refusedButDelivered: number;
  ackOk: Summary;
  ackShed: Summary;
  delivery: Summary;
  cpuMs: number;
  waitedMs: number;
}

/**
 * Sends open-loop at `rate` for `seconds`, round-robin over the users, each to its group room; then waits
 * (bounded) for every answer and for the deliveries owed.
 */
async function send(spec: RunSpec): Promise<RunReport> {
  const total = Math.ceil(spec.rate * spec.seconds);
  const r = new Run(spec.run, total);
  run = r;
  const pad = ' lorem ipsum dolor sit amet'.repeat(Math.ceil(spec.padding / 27)).slice(0, spec.padding);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  while (r.sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * spec.rate) / 1000));
    while (r.sent < due) {
      const n = r.sent++;
      const conn = conns[next]!;
      next = (next + 1) % conns.length;
      const ackId = conn.nextAckId++;
      conn.waiting.set(ackId, n);
      r.owed[n] = conn.user.group.members;
      r.sentAt[n] = performance.now();
      conn.ws.send(
        `42${ackId}["message:send",{"roomId":${conn.user.group.roomId},"clientId":"o${spec.run}-${n}","body":"O${spec.run}|${n}|${pad}"}]`,
      );
    }
    await sleep(1);
  }
  r.lastSentAt = performance.now();
  const sendSeconds = (r.lastSentAt - start) / 1000;

  const owedNow = () => {
    let owed = 0;
    let got = 0;
    for (let n = 0; n < total; n++) {
      if (r.answer[n] !== Answer.Ok) continue;
      owed += r.owed[n]!;
      got += Math.min(r.deliveries[n]!, r.owed[n]!);
    }
    return { owed, got };
  };
  for (;;) {
    const waited = performance.now() - r.lastSentAt;
    const { owed, got } = owedNow();
    if ((r.answered === total && got === owed) || waited > ANSWER_WAIT_MS) break;
    await sleep(100);
  }
  const waitedMs = Math.round(performance.now() - r.lastSentAt);
  run = null;
  const cpu = process.cpuUsage(cpu0);
  const { owed, got } = owedNow();
  const accepted = r.ackOk.length;
  const shed = r.ackShed.length;
  for (const conn of conns) conn.waiting.clear();
  return {
    offered: spec.rate,
    sent: total,
    sentPerSec: Math.round(total / sendSeconds),
    answered: r.answered,
    accepted,
    shed,
    errors: r.errors,
    unanswered: total - r.answered,
    owed,
    deliveredInTime: r.delivery.length,
    late: r.late,
    missing: owed - got,
    refusedButDelivered: r.refusedButDelivered,
    ackOk: summarize(r.ackOk.toArray()),
    ackShed: summarize(r.ackShed.toArray()),
    delivery: summarize(r.delivery.toArray()),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    waitedMs,
  };
}

const { ready } = serve({
  connect: (payload: { url: string; users: ChatUser[]; concurrency: number }) => connect(payload),
  send: (spec: RunSpec) => send(spec),
  stop: () => {
    for (const conn of conns) conn.ws.terminate();
    conns = [];
    setTimeout(() => process.exit(0), 50);
  },
});
ready();
