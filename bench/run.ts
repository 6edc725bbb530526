/**
 * One run of Parley's load benchmark and its baseline, on one driver (DATABASE_URL picks it). `npm run bench`
 * runs the whole suite through `bench/all.ts`, which calls this once per scenario and driver; with options it
 * calls this once with them:
 *
 *   npm run bench -- --only=relay,chat   a subset of the chat, idle, history and login scenarios
 *   npm run bench -- --quick      a sanity check (under two minutes)
 *   npm run bench -- --profile    a CPU profile of the server under chat load (see bench/README.md)
 *   npm run bench -- --presence   presence and the directory at 100,000 people (see lib/presence.ts)
 *   npm run bench -- --two-nodes  two nodes on PostgreSQL and Redis beside one (see lib/two-nodes.ts)
 *
 * Options: --generator=ws|sio (the chat load: raw frames on ws, the default, or socket.io-client),
 * --workers=N (load-generator processes, default 3), --users=N (chat users),
 * --only=relay,idle,history,chat,logins (a subset, for working on the bench itself),
 * --relay-from=FILE (Parley against the relay of an earlier results file, instead of measuring it again:
 * `bench/all.ts` measures the relay once and compares every driver with it),
 * --sync-delay=MS (SQLite: every commit slowed by MS, a slow disk; results go to latest-slowdisk.*).
 * With DATABASE_URL=postgres://…, Parley runs on PostgreSQL (a fresh schema, dropped afterwards).
 *
 * Everything runs on 127.0.0.1: a fresh database in a temporary folder, seeded directly; the server
 * (`bench/server-host.ts` around the built app) and the relay (`bench/relay-server.ts`) in their own
 * processes; the simulated users in `bench/worker.ts` processes. Results go to `bench/results/`. The disk
 * under the temporary folder is timed (fsync) first, since SQLite's commits wait for it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatRunner, type OverloadResult, type SearchResult, type StepResult } from './lib/chat.js';
import { measureFsync, type FsyncProbe } from './lib/disk.js';
import { parleyHostEnv } from './lib/host-env.js';
import { gitCommit, machine, type RunRecord } from './lib/machine.js';
import { params as parseParams, type Params } from './lib/params.js';
import { presenceRun } from './lib/presence.js';
import { fsyncLine, renderMarkdown, renderText, targetsOf } from './lib/report.js';
import { Child } from './lib/rpc.js';
import { seedRoomsList, type RoomsListPlan } from './lib/rooms-list-seed.js';
import { createPostgresSchema, dropPostgresSchema, postgresVersion, seed, type DbTarget, type Seeded } from './lib/seed.js';
import { merge, round, sleep, summarize, type Summary } from './lib/stats.js';
import { renderChart } from './lib/svg.js';
import { checkTwoNodes, twoNodesRun } from './lib/two-nodes.js';
import type { IdleUser, PageWalks, Usage } from './lib/types.js';
import { summarizeProfile } from './profile-summary.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const RESULTS = path.join(BENCH_DIR, 'results');
const startedAt = new Date();
const t0 = performance.now();

const log = (line: string) => console.log(line);
const elapsed = () => `${Math.round((performance.now() - t0) / 1000)} s`;

const { params, flags } = parseParams(process.argv.slice(2));
const only = typeof flags.only === 'string' ? new Set(flags.only.split(',')) : null;
const wants = (s: string) => (only ? only.has(s) : true);
const profiling = flags.profile !== undefined;
/** `--profile` profiles Parley's host; `--profile=relay` the relay, for comparison. */
const profileTarget: 'parley' | 'relay' = flags.profile === 'relay' ? 'relay' : 'parley';
if (profiling && flags.profile !== true && flags.profile !== 'relay') throw new Error('--profile takes no value, or "relay"');

// ---------------------------------------------------------------------------------------------------
// Processes, and their cleanup whatever happens.

const children: Child[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
let cleanedUp = false;
async function cleanup(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const c of children) c.kill();
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      console.error('cleanup:', error);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function startWorkers(n: number): Promise<Child[]> {
  const started = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      Child.start(`worker ${i}`, path.join(BENCH_DIR, 'worker.ts'), { env: { ...process.env, BENCH_WORKER_ID: String(i) } }),
    ),
  );
  const workers = started.map((s) => s.child);
  children.push(...workers);
  return workers;
}

interface Host {
  child: Child;
  url: string;
  logFile: string;
}

/** The Parley host or the relay, in its own process, with `--expose-gc` (and `--cpu-prof` when profiling). */
async function startHost(kind: 'parley' | 'relay', env: NodeJS.ProcessEnv, tmp: string, extraArgs: string[] = []): Promise<Host> {
  const logFile = path.join(tmp, `${kind}-${Date.now()}.log`);
  const fd = fs.openSync(logFile, 'a');
  const script = path.join(BENCH_DIR, kind === 'parley' ? 'server-host.ts' : 'relay-server.ts');
  try {
    const { child, ready } = await Child.start(kind, script, {
      execArgv: ['--expose-gc', ...extraArgs],
      env,
      stdio: ['ignore', fd, fd, 'ipc'],
    });
    children.push(child);
    return { child, url: `http://127.0.0.1:${ready.port}`, logFile };
  } catch (error) {
    console.error(tail(logFile));
    throw error;
  } finally {
    fs.closeSync(fd);
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Splits `items` over `n` workers, round-robin. */
function split<T>(items: T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => parts[i % n]!.push(item));
  return parts;
}

async function connectChat(workers: Child[], seeded: Seeded, target: 'parley' | 'relay', url: string): Promise<void> {
  const started = performance.now();
  const parts = split(seeded.chat, workers.length);
  await Promise.all(
    workers.map((w, i) => w.call('connectChat', { url, target, generator: params.generator, users: parts[i], concurrency: 50 })),
  );
  log(`  ${seeded.chat.length} chat sockets (${params.generator}) connected to ${target} in ${Math.round(performance.now() - started)} ms`);
}

async function disconnectChat(workers: Child[]): Promise<void> {
  await Promise.all(workers.map((w) => w.call('disconnectChat')));
}

/** Waits until the server's CPU stays under 5% of a core for half a second (bounded). */
async function quiet(server: Child, maxMs = 30_000): Promise<number> {
  const start = performance.now();
  let prev = await server.call<Usage>('usage');
  while (performance.now() - start < maxMs) {
    await sleep(500);
    const cur = await server.call<Usage>('usage');
    const busy = (cur.cpu.user + cur.cpu.system - prev.cpu.user - prev.cpu.system) / 1000 / (cur.at - prev.at);
    prev = cur;
    if (busy < 0.05) break;
  }
  return Math.round(performance.now() - start);
}

// ---------------------------------------------------------------------------------------------------
// Scenarios.

interface IdleLevel {
  sockets: number;
  /** Distinct users among them, and devices (sessions, sockets) per user. */
  users: number;
  connected: number;
  failed: number;
  connectMs: number;
  settleMs: number;
  /** Server CPU spent connecting this level's new sockets (until quiet), ms, and per new socket. */
  serverCpuMs: number;
  cpuMsPerNewSocket: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  /** (this level - no sockets) / sockets, KB (1 KB = 1024 bytes). */
  rssPerConnKB: number;
  heapPerConnKB: number;
  /** (this level - previous level) / (sockets added): what one more socket costs, without the fixed costs of the first. */
  rssMarginalKB: number;
}

interface IdleResult {
  baseline: { rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number };
  levels: IdleLevel[];
  /** More distinct users coming online with every idle socket connected: each is announced to all of them. */
  probe: { users: number; onlineSockets: number; connectMs: number; serverCpuMs: number; cpuMsPerUser: number; failed: number } | null;
  errors: Record<string, number>;
}

const MiB = (bytes: number) => round(bytes / 2 ** 20, 1);
const cpuMsBetween = (a: Usage, b: Usage) => (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000;

async function idleScenario(workers: Child[], host: Host, seeded: Seeded): Promise<IdleResult> {
  const users = seeded.idle;
  const distinct = seeded.idleUserIds.length;
  await quiet(host.child);
  const base = (await host.child.call<Usage>('memory')).memory;
  log(`  no sockets: RSS ${MiB(base.rss)} MiB, heap used ${MiB(base.heapUsed)} MiB`);
  const levels: IdleLevel[] = [];
  const errors: Record<string, number> = {};
  const connect = async (batch: IdleUser[]) => {
    const parts = split(batch, workers.length);
    const results = await Promise.all(
      workers.map((w, i) =>
        w.call<{ connected: number; failed: number; errors: Record<string, number> }>('connectIdle', {
          url: host.url,
          users: parts[i],
          concurrency: params.idleConcurrency,
        }),
      ),
    );
    for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return results.reduce((n, r) => n + r.failed, 0);
  };
  const openSockets = async () =>
    (await Promise.all(workers.map((w) => w.call<{ connected: number }>('idleStatus')))).reduce((n, s) => n + s.connected, 0);

  let connected = 0;
  let previous = base;
  for (const level of params.idleLevels) {
    const before = await host.child.call<Usage>('usage');
    const started = performance.now();
    const failed = await connect(users.slice(connected, level));
    const connectMs = Math.round(performance.now() - started);
    const settleMs = await quiet(host.child, 300_000);
    const after = await host.child.call<Usage>('usage');
    const newSockets = level - connected;
    connected = level;
    const open = await openSockets();
    const m = (await host.child.call<Usage>('memory')).memory;
    const serverCpuMs = Math.round(cpuMsBetween(before, after));
    const entry: IdleLevel = {
      sockets: level,
      users: Math.min(level, distinct),
      connected: open,
      failed,
      connectMs,
      settleMs,
      serverCpuMs,
      cpuMsPerNewSocket: round(serverCpuMs / newSockets, 2),
      rssMiB: MiB(m.rss),
      heapUsedMiB: MiB(m.heapUsed),
      heapTotalMiB: MiB(m.heapTotal),
      externalMiB: MiB(m.external),
      rssPerConnKB: round((m.rss - base.rss) / open / 1024, 1),
      heapPerConnKB: round((m.heapUsed - base.heapUsed) / open / 1024, 1),
      rssMarginalKB: round((m.rss - previous.rss) / newSockets / 1024, 1),
    };
    previous = m;
    levels.push(entry);
    log(
      `  ${String(level).padStart(6)} sockets of ${entry.users} users (${open} open, ${failed} failed): connected in ${connectMs} ms, quiet after ${settleMs} ms more, ` +
        `server CPU ${entry.cpuMsPerNewSocket} ms per new socket; RSS ${entry.rssMiB} MiB (${entry.rssPerConnKB} KB/conn), heap ${entry.heapUsedMiB} MiB (${entry.heapPerConnKB} KB/conn)`,
    );
  }

  let probe: IdleResult['probe'] = null;
  if (seeded.probe.length > 0) {
    const onlineSockets = await openSockets();
    const before = await host.child.call<Usage>('usage');
    const started = performance.now();
    const failed = await connect(seeded.probe);
    const connectMs = Math.round(performance.now() - started);
    await quiet(host.child, 300_000);
    const after = await host.child.call<Usage>('usage');
    const serverCpuMs = Math.round(cpuMsBetween(before, after));
    probe = { users: seeded.probe.length, onlineSockets, connectMs, serverCpuMs, cpuMsPerUser: round(serverCpuMs / seeded.probe.length, 2), failed };
    log(
      `  ${probe.users} more users coming online with ${onlineSockets} sockets connected: ${connectMs} ms, server CPU ${probe.cpuMsPerUser} ms per user`,
    );
  }
  return {
    baseline: { rssMiB: MiB(base.rss), heapUsedMiB: MiB(base.heapUsed), heapTotalMiB: MiB(base.heapTotal), externalMiB: MiB(base.external) },
    levels,
    probe,
    errors,
  };
}

interface RequestsResult {
  latencies: Float64Array;
  failed: number;
  errors: Record<string, number>;
  ms: number;
}

interface HistoryResult {
  messages: number;
  limit: number;
  history: Summary & { failed: number; errors: Record<string, number>; perSec: number };
  dmOpenNew: Summary & { failed: number; errors: Record<string, number> };
  dmOpenExisting: Summary & { failed: number; errors: Record<string, number> };
}

async function historyScenario(worker: Child, host: Host, seeded: Seeded): Promise<HistoryResult> {
  const { roomId, readers, messages } = seeded.history;
  const limit = params.historyLimit;
  const call = (requests: { event: string; payload: unknown }[]) =>
    worker.call<RequestsResult>('requests', {
      url: host.url,
      tokens: readers.slice(0, params.requestSockets).map((reader) => reader.token),
      perSocketRate: params.requestsPerSocketPerSec,
      requests,
    });
  // Random cursors, each a full page: beforeSeq in [limit + 1, messages + 1].
  const randomPages = (n: number) =>
    Array.from({ length: n }, () => ({
      event: 'room:history',
      payload: { roomId, beforeSeq: limit + 1 + Math.floor(Math.random() * (messages - limit + 1)), limit },
    }));
  await call(randomPages(params.historyWarmup));
  const h = await call(randomPages(params.historySamples));
  const hs = { ...summarize(h.latencies), failed: h.failed, errors: h.errors, perSec: round(h.latencies.length / (h.ms / 1000), 1) };
  log(`  room:history (limit ${limit}) at random cursors in ${messages} messages: p50 ${hs.p50} ms, p99 ${hs.p99} ms, max ${hs.max} ms (${hs.count} samples, ${h.failed} failed)`);

  // dm:open with people the readers have no direct room with yet (it is created), then again (it exists).
  const peers = seeded.idleUserIds.slice(0, params.dmSamples);
  const dms = peers.map((userId) => ({ event: 'dm:open', payload: { userId } }));
  const created = await call(dms);
  const existing = await call(dms);
  const dn = { ...summarize(created.latencies), failed: created.failed, errors: created.errors };
  const de = { ...summarize(existing.latencies), failed: existing.failed, errors: existing.errors };
  log(`  dm:open, new room: p50 ${dn.p50} ms, p99 ${dn.p99} ms; existing room: p50 ${de.p50} ms, p99 ${de.p99} ms (${de.count} samples each)`);
  return { messages, limit, history: hs, dmOpenNew: dn, dmOpenExisting: de };
}

interface LoginResult {
  concurrency: number;
  throughput: { perSec: number; ok: number; failed: number; statuses: Record<string, number>; latency: Summary; serverCpu: number };
  chatRate: number | null;
  chatWithout: StepResult | null;
  chatWith: StepResult | null;
  duringChat: { perSec: number; ok: number; failed: number; statuses: Record<string, number>; latency: Summary } | null;
}

interface LoginRun {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  latencies: Float64Array;
  ms: number;
}

async function loginScenario(workers: Child[], host: Host, seeded: Seeded, runner: ChatRunner, chatRate: number | null): Promise<LoginResult> {
  const loginWorker = workers[workers.length - 1]!;
  const burst = (durationMs: number) =>
    loginWorker.call<LoginRun>('logins', {
      url: host.url,
      accounts: seeded.logins,
      concurrency: params.loginConcurrency,
      durationMs,
      maxCount: 100_000,
    });
  const before = await host.child.call<Usage>('usage');
  const alone = await burst(params.loginMs);
  const after = await host.child.call<Usage>('usage');
  const serverCpu = round(((after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000 / (after.at - before.at)) * 100, 1);
  const throughput = {
    perSec: round(alone.ok / (alone.ms / 1000), 1),
    ok: alone.ok,
    failed: alone.failed,
    statuses: alone.statuses,
    latency: summarize(alone.latencies),
    serverCpu,
  };
  log(
    `  logins alone (${params.loginConcurrency} at once): ${throughput.perSec}/s, p50 ${throughput.latency.p50} ms, p99 ${throughput.latency.p99} ms, ` +
      `${alone.failed} failed ${JSON.stringify(alone.statuses)}, server CPU ${serverCpu}%`,
  );
  if (chatRate === null) return { concurrency: params.loginConcurrency, throughput, chatRate, chatWithout: null, chatWith: null, duringChat: null };

  await quiet(host.child);
  const chatWithout = await runner.step(chatRate, 'logins-off');
  await quiet(host.child);
  let during: LoginRun | undefined;
  const chatWith = await runner.step(chatRate, 'logins-on', async () => {
    during = await burst(params.chat.warmupMs + params.chat.measureMs);
  });
  const duringChat = during
    ? { perSec: round(during.ok / (during.ms / 1000), 1), ok: during.ok, failed: during.failed, statuses: during.statuses, latency: summarize(during.latencies) }
    : null;
  log(`  chat p99 at ${chatRate}/s: ${chatWithout.latency.p99} ms without logins, ${chatWith.latency.p99} ms during ${duringChat?.perSec ?? '?'} logins/s`);
  return { concurrency: params.loginConcurrency, throughput, chatRate, chatWithout, chatWith, duringChat };
}

// ---------------------------------------------------------------------------------------------------
// The run.

export interface Results {
  version: 1;
  mode: 'quick' | 'full';
  startedAt: string;
  finishedAt: string;
  /** The whole run, the build included. */
  durationSec: number;
  buildSec: number;
  machine: ReturnType<typeof machine>;
  /** A write and its fsync in the folder of the SQLite file (with PostgreSQL, the same temporary folder). */
  disk: FsyncProbe;
  database: { driver: 'sqlite' | 'postgres'; version: string | null; file?: string; schema?: string };
  git: ReturnType<typeof gitCommit>;
  parameters: Params & { only: string[] | null };
  notes: string[];
  seedTimingsMs: Record<string, number>;
  /** `overload`: Parley at twice its saturation rate, once the search has found it. */
  chat: { parley: SearchResult | null; relay: SearchResult | null; ratio: number | null; overload: OverloadResult | null };
  idle: IdleResult | null;
  history: HistoryResult | null;
  logins: LoginResult | null;
  targets: ReturnType<typeof targetsOf>;
}

/** `npm run build` (protocol, server, web), as the brief of the bench asks: the server runs from server/dist. */
function build(): number {
  if (flags['skip-build']) return 0;
  const started = performance.now();
  log(`[${elapsed()}] npm run build`);
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    console.error(`${result.stdout}\n${result.stderr}`);
    throw new Error(`npm run build failed (${result.status ?? result.signal})`);
  }
  return round((performance.now() - started) / 1000, 1);
}

async function main(): Promise<void> {
  if (flags['two-nodes']) await checkTwoNodes();
  const buildSec = build();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const m = machine(tmp);
  const git = gitCommit(ROOT);
  const pgUrl = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;

  if (pgUrl && params.syncDelayMs) throw new Error('--sync-delay slows SQLite commits; it has no meaning with PostgreSQL');
  let target: DbTarget;
  let dbVersion: string | null = null;
  if (pgUrl) {
    dbVersion = await postgresVersion(pgUrl);
    const pgTarget = await createPostgresSchema(pgUrl);
    cleanups.push(() => dropPostgresSchema(pgTarget));
    target = pgTarget;
  } else {
    const Database = (await import('better-sqlite3')).default;
    dbVersion = (new Database(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v;
    target = { driver: 'sqlite', file: path.join(tmp, 'parley.db') };
  }

  log(
    `Parley bench (${params.mode}${profiling ? ', profile' : ''}) on ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}; ` +
      `${target.driver} ${dbVersion}${target.driver === 'sqlite' ? ` on ${m.tmpFilesystem}` : ''}; commit ${git.commit?.slice(0, 12) ?? 'unknown'}${git.dirty ? ' (uncommitted changes)' : ''}`,
  );
  const disk: FsyncProbe = { ...measureFsync(tmp), ...(params.syncDelayMs ? { injectedSyncDelayMs: params.syncDelayMs } : {}) };
  log(`  ${fsyncLine(disk, m.tmpFilesystem)}`);
  if (!flags['rooms-list']) log(`  ${params.workers} load-generator processes (${params.generator}) share this machine with the server.`);

  if (flags['rooms-list']) {
    await roomsListRun(tmp, target, dbVersion, buildSec);
    return;
  }
  if (flags.presence) {
    await presenceRun({
      mode: params.mode,
      flags,
      tmp,
      target,
      dbVersion,
      buildSec,
      root: ROOT,
      startedAt,
      log,
      quiet,
      startHost: (env) => startHost('parley', env, tmp),
      fork: async (name, script) => {
        const { child } = await Child.start(name, script);
        children.push(child);
        return child;
      },
    });
    return;
  }
  if (flags['two-nodes']) {
    await twoNodesRun({ params, tmp, target, dbVersion, buildSec, root: ROOT, startedAt, log, quiet, startHost: (env) => startHost('parley', env, tmp), startWorkers });
    return;
  }

  const idleMax = wants('idle') && !profiling ? Math.max(...params.idleLevels) : 0;
  const idleDevices = Math.max(1, Math.ceil(idleMax / params.idleUsers));
  const historyMessages = wants('history') && !profiling ? params.historyMessages : 100;
  log(
    `[${elapsed()}] seeding ${target.driver}: ${params.chatUsers} chat users, ${params.idleUsers} idle users × ${idleDevices} sessions, ` +
      `${historyMessages} history messages`,
  );
  const seeded = await seed(
    target,
    {
      chatUsers: params.chatUsers,
      groupSize: params.groupSize,
      idleUsers: params.idleUsers,
      idleDevices,
      idleGroupSize: 10,
      probeUsers: wants('idle') && !profiling ? params.probeUsers : 0,
      historyMessages,
      historyAuthors: params.requestSockets,
    },
    log,
  );

  const workers = await startWorkers(params.workers);
  const hostEnv = parleyHostEnv(target, { syncDelayMs: params.syncDelayMs });

  if (profiling) {
    await profileRun(workers, hostEnv, tmp, seeded, target);
    return;
  }

  const notes: string[] = [
    `Load generators (${params.workers} processes) run on the same ${m.cores}-core machine as the server, for Parley and the relay alike: at high rates they compete with the server for CPU. ` +
      (params.generator === 'ws'
        ? 'Chat users speak raw Socket.IO frames on a bare WebSocket (the ws package), reading only a body\'s header and an ack\'s outcome, so that they take little of the machine.'
        : 'Chat users run socket.io-client (--generator=sio), which decodes every frame in full: a check of realism, heavier on the machine than the default generator.'),
    `Chat users: ${params.chatUsers} in ${Math.ceil(params.chatUsers / params.groupSize)} group rooms of ${params.groupSize}, each also in one direct room (pairs); ` +
      `${Math.round(params.chat.dmShare * 100)}% of messages go to the direct room. A delivery is one message:new on one member's socket, the sender's own included.`,
    `Latency runs from the sender's emit to each recipient's message:new (performance.timeOrigin + performance.now(), across processes).`,
    `The idle-connection scenario runs on its own server process (same host program), so that its memory baseline is a fresh server; history, chat and logins share a second one.`,
    `Idle sockets belong to ${params.idleUsers} distinct users; above ${params.idleUsers} sockets each user has several devices (each its own session), connected device-major. ` +
      `Every distinct user coming online is announced (user:online) to every connected socket, so ${Math.max(...params.idleLevels)} distinct users would cost about N²/2 deliveries ` +
      `(a first attempt ran for over 10 minutes at 100% server CPU); the "more users coming online" line measures that cost per user.`,
  ];

  // 1 and 2. The relay first: the same workers, users and steps, no database.
  let relay: SearchResult | null = null;
  if (typeof flags['relay-from'] === 'string') {
    const earlier = JSON.parse(fs.readFileSync(flags['relay-from'], 'utf8')) as Results;
    relay = earlier.chat.relay;
    notes.push(`The relay's figures are those measured at ${earlier.startedAt} in the same suite (${path.basename(flags['relay-from'])}), with the same workers, users and steps.`);
  } else if (wants('relay')) {
    log(`[${elapsed()}] relay: bare Socket.IO baseline`);
    const host = await startHost('relay', hostEnv, tmp);
    await connectChat(workers, seeded, 'relay', host.url);
    await sleep(500);
    relay = await new ChatRunner('relay', workers, host.child, params.chat, log).search();
    await disconnectChat(workers);
    await host.child.stop();
  }

  // 3. Idle connections, on a fresh server.
  let idle: IdleResult | null = null;
  if (wants('idle')) {
    log(`[${elapsed()}] idle connections: ${params.idleLevels.join(', ')}`);
    const host = await startHost('parley', hostEnv, tmp);
    try {
      idle = await idleScenario(workers, host, seeded);
    } finally {
      await host.child.stop();
      await Promise.all(workers.map((w) => w.call('disconnectIdle')));
      const errors = tail(host.logFile, 2000).split('\n').filter((l) => /"level":(50|60)/.test(l));
      if (errors.length) log(`  server logged ${errors.length} errors, e.g. ${errors[0]}`);
    }
  }

  // 4, then 1 and 5, on a second server.
  let history: HistoryResult | null = null;
  let parley: SearchResult | null = null;
  let overload: OverloadResult | null = null;
  let logins: LoginResult | null = null;
  if (wants('history') || wants('chat') || wants('logins')) {
    const host = await startHost('parley', hostEnv, tmp);
    try {
      if (wants('history')) {
        log(`[${elapsed()}] history: ${params.historyMessages} messages in one room`);
        history = await historyScenario(workers[0]!, host, seeded);
      }
      if (wants('chat') || wants('logins')) {
        await connectChat(workers, seeded, 'parley', host.url);
        await quiet(host.child);
        const runner = new ChatRunner('parley', workers, host.child, params.chat, log);
        if (wants('chat')) {
          log(`[${elapsed()}] live chat on Parley`);
          parley = await runner.search();
        }
        if (wants('logins')) {
          log(`[${elapsed()}] logins (bcrypt cost 11)`);
          const sat = parley?.saturation?.offered;
          const chatRate = sat ? Math.round(sat / 2) : wants('chat') ? null : Math.round(params.chat.startRate);
          logins = await loginScenario(workers, host, seeded, runner, chatRate);
        }
        // Last on this server, so that its backlog cannot touch another scenario.
        if (parley?.saturation) {
          await quiet(host.child);
          log(`[${elapsed()}] Parley past saturation: twice ${parley.saturation.offered} msgs/s, /healthz every 100 ms`);
          overload = await runner.overload(parley.saturation, host.url);
          const h = overload.healthz;
          log(`  /healthz during it: p50 ${h.p50} ms, p99 ${h.p99} ms, max ${h.max} ms (${h.count} answered, ${h.failed} failed)`);
        }
        await disconnectChat(workers);
      }
    } finally {
      await host.child.stop();
      const errors = tail(host.logFile, 5000).split('\n').filter((l) => /"level":(50|60)/.test(l));
      if (errors.length) log(`  server logged ${errors.length} errors, e.g. ${errors[0]}`);
    }
  }

  await Promise.all(workers.map((w) => w.stop(5000)));

  const ratio =
    parley?.saturation && relay?.saturation ? round(parley.saturation.sentPerSec / relay.saturation.sentPerSec, 3) : null;
  const finishedAt = new Date();
  const results: Results = {
    version: 1,
    mode: params.mode,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSec: round((performance.now() - t0) / 1000, 1),
    buildSec,
    machine: m,
    disk,
    database: { driver: target.driver, version: dbVersion, ...(target.driver === 'postgres' ? { schema: target.schema } : {}) },
    git,
    parameters: { ...params, only: only ? [...only] : null },
    notes,
    seedTimingsMs: seeded.timings,
    chat: { parley, relay, ratio, overload },
    idle,
    history,
    logins,
    targets: [],
  };
  results.targets = targetsOf(results);
  writeResults(results);
}

function writeResults(results: Results): void {
  const dir = params.mode === 'quick' ? path.join(RESULTS, 'quick') : RESULTS;
  fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
  // A slowed disk's run never stands in for the plain one.
  const slow = results.disk.injectedSyncDelayMs;
  const suffix = (results.database.driver === 'sqlite' ? '' : `-${results.database.driver}`) + (slow ? '-slowdisk' : '');
  const run = `${results.database.driver}${slow ? `-slowdisk${slow}ms` : ''}`;
  const stamp = results.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = JSON.stringify(results, null, 2) + '\n';
  const svg = renderChart(results);
  const md = renderMarkdown(results);
  const files = {
    [`latest${suffix}.json`]: json,
    [`latency${suffix}.svg`]: svg,
    [`latest${suffix}.md`]: md,
    [`runs/${stamp}-${params.mode}-${run}.json`]: json,
    [`runs/${stamp}-${params.mode}-${run}.svg`]: svg,
  };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  log('');
  log(renderText(results));
  log('');
  log(`Results: ${Object.keys(files).map((f) => path.relative(ROOT, path.join(dir, f))).join(', ')}`);
}

/**
 * `--profile` (or `--profile=relay`): the server host (or the relay) under `node --cpu-prof`, driven at a
 * constant chat rate (--rate, default the full run's Parley saturation rate from results/latest.json)
 * for --seconds (default 20); then a summary of the top self-time functions next to the profile in
 * results/profiles/.
 */
async function profileRun(workers: Child[], hostEnv: NodeJS.ProcessEnv, tmp: string, seeded: Seeded, target: DbTarget): Promise<void> {
  const dir = path.join(RESULTS, 'profiles');
  fs.mkdirSync(dir, { recursive: true });
  let rate = typeof flags.rate === 'string' ? Number(flags.rate) : Number.NaN;
  if (!Number.isFinite(rate)) {
    try {
      const latest = JSON.parse(fs.readFileSync(path.join(RESULTS, 'latest.json'), 'utf8')) as Results;
      rate = latest.chat.parley?.saturation?.offered ?? 1000;
    } catch {
      rate = 1000;
    }
  }
  const seconds = typeof flags.seconds === 'string' ? Number(flags.seconds) : 20;
  const stamp = startedAt.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const storage = profileTarget === 'relay' ? 'nodb' : target.driver === 'sqlite' ? `sqlite-${machine(tmp).tmpFilesystem}` : 'postgres';
  const name = `${profileTarget === 'parley' ? 'server' : 'relay'}-${stamp}-${rate}-${storage}.cpuprofile`;
  // Every thread writes its own profile (tsx's module-loader thread, Parley's SQLite writer thread too), named
  // CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile: keep the main thread's, thread 0.
  const profDir = path.join(tmp, 'cpu-profiles');
  const host = await startHost(profileTarget, hostEnv, tmp, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  await connectChat(workers, seeded, profileTarget, host.url);
  await quiet(host.child);
  log(`[${elapsed()}] profiling ${profileTarget}: chat at ${rate} msgs/s for ${seconds} s`);
  const runner = new ChatRunner(profileTarget, workers, host.child, { ...params.chat, warmupMs: 1000, measureMs: seconds * 1000 }, log);
  const step = await runner.step(rate, 'profile');
  await disconnectChat(workers);
  await host.child.stop();
  await Promise.all(workers.map((w) => w.stop(5000)));
  const file = path.join(dir, name);
  const written = fs.readdirSync(profDir).map((f) => path.join(profDir, f));
  const main = written.find((f) => path.basename(f).split('.')[4] === '0');
  if (!main) throw new Error('the server wrote no CPU profile');
  fs.copyFileSync(main, file);
  const summary = summarizeProfile(file, 30);
  const what =
    profileTarget === 'parley'
      ? `bench/server-host.ts (Parley, ${target.driver === 'sqlite' ? `sqlite on ${machine(tmp).tmpFilesystem}` : 'postgres'})`
      : 'bench/relay-server.ts (the bare Socket.IO relay)';
  const header =
    `CPU profile of ${what}, ${seeded.chat.length} chat users, under chat at ${rate} msgs/s offered for ${seconds} s (+1 s warm-up): ` +
    `${step.sentPerSec} sent/s, ${step.deliveriesPerSec} deliveries/s, p50 ${step.latency.p50} ms, p99 ${step.latency.p99} ms, ` +
    `server CPU ${step.serverCpu}%, loop ${step.serverLoop}%, generator CPU ${step.generatorCpu}% (${params.generator}), machine ${step.machineCpu}%.\n` +
    `The profile also covers the server's start and the users connecting; percentages are of the main thread's busy time.\n` +
    `Profile: ${path.relative(ROOT, file)}\n\n`;
  fs.writeFileSync(file.replace(/\.cpuprofile$/, '.txt'), header + summary);
  log('');
  log(header + summary);
}

/** `--rooms-list`: the viewer's room count and size, and how the latency of `rooms:list` is sampled. */
const ROOMS_LIST = {
  full: { rooms: 1000, messagesPerRoom: 10_000, warmup: 20, samples: 200, walks: 20 },
  quick: { rooms: 100, messagesPerRoom: 1000, warmup: 10, samples: 100, walks: 10 },
} as const;
/** Two sockets of the viewer, each paced under the server's 50 event points per socket per second (rooms:list costs 2). */
const ROOMS_LIST_SOCKETS = 2;
const ROOMS_LIST_PER_SOCKET_RATE = 8;
const ROOMS_LIST_TARGET_P99_MS = 20;
/**
 * The whole list walked page after page, as the web client loads it: pages of the most one may ask for, and a
 * pause between walks that lets the socket's event budget refill (10 pages of 2 points fit in one second's 50).
 */
const ROOMS_WALK_PAGE = 100;
const ROOMS_WALK_PAUSE_MS = 1000;

export interface RoomsListResults extends RunRecord {
  version: 2;
  scenario: 'rooms-list';
  plan: RoomsListPlan & { warmup: number; samples: number; sockets: number; perSocketRate: number; walks: number };
  seeded: { messages: number; unread: number; timingsMs: Record<string, number>; databaseMiB: number | null };
  /** The machine's 1-minute load average as the measured requests began: other work on it shows here. */
  loadAverage: number;
  /** One answer's JSON, ack envelope included: the first page, as the client first asks for it (no limit: 50 rooms). */
  answerBytes: number;
  /** The first page's latency: what the target is about. */
  latency: Summary & { failed: number; errors: Record<string, number> };
  /** The whole list, page after page (`ROOMS_WALK_PAGE` rooms each): each walk's time, and each page's. */
  walk: {
    pageLimit: number;
    pagesPerWalk: number;
    roomsPerWalk: number;
    maxPageBytes: number;
    latency: Summary & { failed: number; errors: Record<string, number> };
    pageLatency: Summary;
  };
  /** CPU time per request, ms, and busy share of one core over the measured requests, %: the server and the client. */
  serverCpuMsPerRequest: number;
  serverCpu: number;
  clientCpuMsPerRequest: number;
  clientCpu: number;
  target: { p99Ms: number; met: boolean };
}

/**
 * `--rooms-list`: `rooms:list` for one user in 1,000 rooms of 10,000 messages each (10 million rows; `--quick`:
 * 100 rooms of 1,000), read markers scattered. The first page (what the Chats list shows first) is sampled one
 * request at a time (no queueing), over two of the viewer's sockets: latency from emit to ack, and the CPU both
 * processes spend on it. Then the whole list is walked page after page, as the web client loads it.
 */
async function roomsListRun(tmp: string, target: DbTarget, dbVersion: string | null, buildSec: number): Promise<void> {
  const size = ROOMS_LIST[params.mode];
  const plan: RoomsListPlan = {
    rooms: size.rooms,
    messagesPerRoom: size.messagesPerRoom,
    directRooms: Math.round(size.rooms * 0.3),
    groupOthers: 4,
    otherUsers: Math.round(size.rooms * 0.3) + 200,
    sessions: ROOMS_LIST_SOCKETS,
  };
  log(`[${elapsed()}] seeding ${target.driver}: one user in ${plan.rooms} rooms of ${plan.messagesPerRoom} messages`);
  const seeded = await seedRoomsList(target, plan, log);
  const databaseMiB = target.driver === 'sqlite' ? MiB(fs.statSync(target.file).size) : null;

  const [worker] = await startWorkers(1);
  const host = await startHost('parley', parleyHostEnv(target), tmp);
  const call = (count: number) =>
    worker!.call<RequestsResult & { cpu: NodeJS.CpuUsage; firstAckBytes: number }>('requests', {
      url: host.url,
      tokens: seeded.tokens,
      perSocketRate: ROOMS_LIST_PER_SOCKET_RATE,
      requests: Array.from({ length: count }, () => ({ event: 'rooms:list', payload: {} })),
    });
  let measured: Awaited<ReturnType<typeof call>>;
  let walked: Awaited<ReturnType<typeof walk>>;
  const walk = () =>
    worker!.call<PageWalks>('pageWalks', {
      url: host.url,
      token: seeded.tokens[0],
      event: 'rooms:list',
      limit: ROOMS_WALK_PAGE,
      walks: size.walks,
      pauseMs: ROOMS_WALK_PAUSE_MS,
    });
  let before: Usage;
  let after: Usage;
  let loadAverage = 0;
  try {
    log(`[${elapsed()}] rooms:list: ${size.warmup} warm-up requests, then ${size.samples} measured`);
    await call(size.warmup);
    await quiet(host.child);
    loadAverage = round(os.loadavg()[0]!, 2);
    before = await host.child.call<Usage>('usage');
    measured = await call(size.samples);
    after = await host.child.call<Usage>('usage');
    log(`[${elapsed()}] rooms:list: the whole list, ${size.walks} times, ${ROOMS_WALK_PAGE} rooms a page`);
    await sleep(ROOMS_WALK_PAUSE_MS);
    walked = await walk();
  } finally {
    await host.child.stop();
    await worker!.stop(5000);
    const errors = tail(host.logFile, 2000).split('\n').filter((l) => /"level":(50|60)/.test(l));
    if (errors.length) log(`  server logged ${errors.length} errors, e.g. ${errors[0]}`);
  }
  const latency = { ...summarize(measured.latencies), failed: measured.failed, errors: measured.errors };
  const serverCpuMs = cpuMsBetween(before, after);
  const clientCpuMs = (measured.cpu.user + measured.cpu.system) / 1000;
  const results: RoomsListResults = {
    version: 2,
    scenario: 'rooms-list',
    mode: params.mode,
    startedAt: startedAt.toISOString(),
    durationSec: round((performance.now() - t0) / 1000, 1),
    buildSec,
    machine: machine(tmp),
    database: { driver: target.driver, version: dbVersion },
    git: gitCommit(ROOT),
    plan: {
      ...plan,
      warmup: size.warmup,
      samples: size.samples,
      sockets: ROOMS_LIST_SOCKETS,
      perSocketRate: ROOMS_LIST_PER_SOCKET_RATE,
      walks: size.walks,
    },
    seeded: { messages: seeded.messages, unread: seeded.unread, timingsMs: seeded.timings, databaseMiB },
    loadAverage,
    answerBytes: measured.firstAckBytes,
    latency,
    walk: {
      pageLimit: ROOMS_WALK_PAGE,
      pagesPerWalk: walked.pagesPerWalk,
      roomsPerWalk: walked.itemsPerWalk,
      maxPageBytes: walked.maxPageBytes,
      latency: { ...summarize(walked.walkMs), failed: walked.failed, errors: walked.errors },
      pageLatency: summarize(walked.pageMs),
    },
    serverCpuMsPerRequest: round(serverCpuMs / Math.max(1, latency.count)),
    serverCpu: round((serverCpuMs / (after.at - before.at)) * 100, 1),
    clientCpuMsPerRequest: round(clientCpuMs / Math.max(1, latency.count)),
    clientCpu: round((clientCpuMs / measured.ms) * 100, 1),
    target: { p99Ms: ROOMS_LIST_TARGET_P99_MS, met: latency.p99 <= ROOMS_LIST_TARGET_P99_MS && latency.failed === 0 },
  };
  const text = renderRoomsList(results);
  const dir = params.mode === 'quick' ? path.join(RESULTS, 'quick') : RESULTS;
  fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
  const suffix = target.driver === 'sqlite' ? '' : `-${target.driver}`;
  const stamp = results.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = JSON.stringify(results, null, 2) + '\n';
  const files = {
    [`rooms-list${suffix}.json`]: json,
    [`rooms-list${suffix}.md`]: text,
    [`runs/${stamp}-rooms-list-${params.mode}-${target.driver}.json`]: json,
  };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  log('');
  log(text);
  log(`Results: ${Object.keys(files).map((f) => path.relative(ROOT, path.join(dir, f))).join(', ')}`);
}

function renderRoomsList(r: RoomsListResults): string {
  const l = r.latency;
  const w = r.walk;
  return [
    `# rooms:list for one user in ${r.plan.rooms.toLocaleString('en')} rooms of ${r.plan.messagesPerRoom.toLocaleString('en')} messages (${r.mode})`,
    '',
    `${r.database.driver} ${r.database.version ?? ''} on ${r.machine.cores} cores (${r.machine.cpuModel}), Node ${r.machine.node}, ` +
      `commit ${r.git.commit?.slice(0, 12) ?? 'unknown'}${r.git.dirty ? ' (uncommitted changes)' : ''}, ${r.startedAt}; ` +
      `load average ${r.loadAverage} as the measured requests began.`,
    '',
    `Seeded ${r.seeded.messages.toLocaleString('en')} messages (${r.seeded.unread.toLocaleString('en')} unread by the viewer) in ` +
      `${Math.round(Object.values(r.seeded.timingsMs).reduce((a, b) => a + b, 0) / 1000)} s` +
      `${r.seeded.databaseMiB !== null ? `; the database file is ${r.seeded.databaseMiB} MiB` : ''}.`,
    '',
    `**The first page** (\`rooms:list {}\`: the 50 most recently active rooms, what the Chats list shows first), ` +
      `${Math.round(r.answerBytes / 1024)} KiB of JSON, one request at a time:`,
    '',
    '| requests | failed | p50 ms | p95 ms | p99 ms | max ms | target p99 | server CPU ms/req | client CPU ms/req |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    `| ${l.count} | ${l.failed} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} | ≤ ${r.target.p99Ms} ms: ${r.target.met ? 'met' : 'missed'} | ` +
      `${r.serverCpuMsPerRequest} | ${r.clientCpuMsPerRequest} |`,
    '',
    `**The whole list**, page after page of ${w.pageLimit} (${w.pagesPerWalk} pages, ${w.roomsPerWalk.toLocaleString('en')} rooms, ` +
      `the largest page ${Math.round(w.maxPageBytes / 1024)} KiB), as the web client loads it after the first page:`,
    '',
    '| walks | failed | p50 ms | p95 ms | p99 ms | max ms | page p50 ms | page p99 ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${w.latency.count} | ${w.latency.failed} | ${w.latency.p50} | ${w.latency.p95} | ${w.latency.p99} | ${w.latency.max} | ` +
      `${w.pageLatency.p50} | ${w.pageLatency.p99} |`,
    '',
  ].join('\n');
}

/**
 * `--render[=file.json]`: writes the chart and the Markdown table again from a results file (default
 * results/latest.json), next to it, and prints the text table; runs nothing.
 */
function render(file: string): void {
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
  results.targets = targetsOf(results);
  const base = path.basename(file, '.json');
  const dir = path.dirname(file);
  const svgName = base.startsWith('latest') ? base.replace(/^latest/, 'latency') : base;
  fs.writeFileSync(path.join(dir, `${svgName}.svg`), renderChart(results));
  fs.writeFileSync(path.join(dir, `${base}.md`), renderMarkdown(results));
  log(renderText(results));
  log(`\nWrote ${path.relative(ROOT, path.join(dir, `${svgName}.svg`))} and ${path.relative(ROOT, path.join(dir, `${base}.md`))}`);
}

if (flags.render) {
  render(typeof flags.render === 'string' ? path.resolve(flags.render) : path.join(RESULTS, 'latest.json'));
  process.exit(0);
}

try {
  await main();
  await cleanup();
  log(`bench finished in ${round((performance.now() - t0) / 1000, 1)} s, the build included`);
  process.exit(0);
} catch (error) {
  console.error(error);
  await cleanup();
  process.exit(1);
}
