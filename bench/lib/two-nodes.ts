/**
 * `npm run bench -- --two-nodes` (with `DATABASE_URL=postgres://…`): Parley as two nodes on one PostgreSQL schema
 * and one Redis (the Socket.IO Redis adapter), beside one node alone, in the same run and at the same rates.
 *
 * 1. The chat users of the main scenario are seeded (1,000 in 100 group rooms of 10, each also in a direct pair).
 * 2. One node alone, as deployed without Redis: every user connects to it; the chat search of the main scenario
 *    (the rate doubles until a step fails, two bisections, half the saturation).
 * 3. Two nodes (two `server-host.ts`, ports of their own, `REDIS_URL` and a `REDIS_PREFIX` of this run): user i
 *    connects to node i mod 2, so every group room has five members on each node and every direct pair one on
 *    each; the same search.
 *
 * Each step reads both nodes' CPU and event loop, Redis's CPU (`INFO cpu`), and what every socket saw of each
 * room's seqs: out of order or twice (lib/room-order.ts). The figure to compare is the servers' CPU per delivery:
 * on 2 cores two nodes cannot be faster than one, and this says what the second node and Redis cost.
 * Results: `results/two-nodes.{json,md}` (quick: `results/quick/`) and a dated copy in `results/runs/`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { ChatRunner, type ChatParams, type SearchResult, type StepLabel, type StepResult } from './chat.js';
import { parleyHostEnv } from './host-env.js';
import { gitCommit, machine, type RunRecord } from './machine.js';
import type { Params } from './params.js';
import type { PresenceRunContext } from './presence.js';
import { fmt } from './report.js';
import { combineOrderCounts, noOrderCounts, type OrderCounts } from './room-order.js';
import type { Child } from './rpc.js';
import { seed, type DbTarget, type Seeded } from './seed.js';
import { round, sleep } from './stats.js';
import type { Usage } from './types.js';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const CONNECT_CONCURRENCY = 50;
/** How long the nodes' idle CPU is measured, every socket connected, before the steps. */
const IDLE_MS = 3000;

/** What run.ts gives a run of its own, as it gives `--presence`'s, with the bench's parameters and its load workers. */
export interface TwoNodesContext
  extends Pick<PresenceRunContext, 'tmp' | 'target' | 'dbVersion' | 'buildSec' | 'root' | 'startedAt' | 'log' | 'quiet' | 'startHost'> {
  params: Params;
  /** Forks the load workers; the run stops them at the end, whatever happens. */
  startWorkers: (n: number) => Promise<Child[]>;
}

/** What one step cost, beyond what `ChatRunner` measures: every node, Redis, the rest of the machine, the order. */
export interface Metering {
  /** Each node's CPU and event-loop busy share over the measured window, % of one core. */
  nodes: { cpu: number; loop: number }[];
  /** The nodes' CPU together, % of one core. */
  nodesCpu: number;
  /** Redis's CPU over the same window (INFO cpu; all its clients'), % of one core. */
  redisCpu: number;
  /** The machine's busy CPU less the nodes', the generators' and Redis's: PostgreSQL and anything else, % of one core. */
  otherCpu: number;
  /** The nodes' CPU per delivery, µs: (sum of the nodes' CPU) ÷ deliveries. */
  cpuUsPerDelivery: number;
  /** The same less the nodes' idle CPU (pings, the presence sweep, Redis's keep-alive): what the deliveries added. */
  marginalUsPerDelivery: number;
  /** What the sockets saw of each room's seqs during the step. */
  order: OrderCounts;
  /**
   * PostgreSQL's backends of this database over the measured window, sampled every 100 ms: on average how many
   * were running a statement, and how many of them waited for a lock (a room's row, whose `last_seq` every append
   * raises: two nodes' append batches take turns on it).
   */
  postgres: { active: number; waitingOnLock: number };
}

export type MeteredStep = StepResult & Metering;

export interface PhaseResult {
  nodes: number;
  redis: boolean;
  /** The machine's 1-minute load average as the phase began: other work on the machine shows here. */
  loadAverage: number;
  /** The nodes' CPU together with every socket connected and no message sent, % of one core. */
  idleCpu: number;
  steps: MeteredStep[];
  saturation: MeteredStep | null;
  firstFailingRate: number | null;
  half: MeteredStep | null;
  /** The whole phase: what the order check counted, and seqs some member's socket never received. */
  order: OrderCounts & { missing: number };
  /** Error lines (level 50 or 60) in the nodes' logs. */
  serverErrors: number;
}

export interface TwoNodesResults extends RunRecord {
  version: 1;
  scenario: 'two-nodes';
  redis: { address: string; version: string; prefix: string };
  plan: {
    users: number;
    groupSize: number;
    groupRooms: number;
    directRooms: number;
    /** Rooms with members on both nodes in the two-node phase. */
    crossNodeGroupRooms: number;
    crossNodeDirectRooms: number;
    /** Chat sockets on each node in the two-node phase. */
    socketsPerNode: number[];
    generator: Params['generator'];
    workers: number;
    chat: ChatParams;
  };
  seedTimingsMs: Record<string, number>;
  one: PhaseResult;
  two: PhaseResult;
  /** Every rate both phases ran: the servers' CPU per delivery of each, and two ÷ one. */
  comparison: { offered: number; one: MeteredStep; two: MeteredStep; costRatio: number }[];
}

const redisUrl = () => process.env.REDIS_URL?.trim() || DEFAULT_REDIS_URL;

/** Where Redis is, for the log and the results: never the credentials a URL may carry. */
function redisAddress(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}`;
  } catch {
    return 'Redis';
  }
}

const newClient = (url: string) => createClient({ url, socket: { connectTimeout: 3000, reconnectStrategy: false } });

/** Redis's own CPU (INFO cpu), and its version. */
class RedisProbe {
  private constructor(private readonly client: ReturnType<typeof newClient>) {}

  static async connect(url: string): Promise<RedisProbe> {
    const client = newClient(url);
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`--two-nodes: cannot reach Redis at ${redisAddress(url)} (${(error as Error).message}); set REDIS_URL`);
    }
    return new RedisProbe(client);
  }

  private async info(section: string): Promise<Map<string, string>> {
    const text = await this.client.info(section);
    return new Map(text.split('\r\n').flatMap((line) => (line.includes(':') ? [line.split(':', 2) as [string, string]] : [])));
  }

  /** CPU time Redis has used since it started, ms. */
  async cpuMs(): Promise<number> {
    const info = await this.info('cpu');
    return (Number(info.get('used_cpu_user')) + Number(info.get('used_cpu_sys'))) * 1000;
  }

  async version(): Promise<string> {
    return (await this.info('server')).get('redis_version') ?? 'unknown';
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.destroy());
  }
}

/**
 * Refuses at once, before anything is built, what `--two-nodes` cannot run on: nodes share one database (SQLite
 * is one process's file) and reach each other through Redis.
 */
export async function checkTwoNodes(): Promise<void> {
  if (!/^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '')) {
    throw new Error('--two-nodes needs DATABASE_URL=postgres://… : two nodes share one PostgreSQL database (an SQLite file belongs to one process)');
  }
  await (await RedisProbe.connect(redisUrl())).close();
}

/** Each room's `last_seq` now: where every socket's order check starts, or, at the end, what it must have seen. */
async function roomSeqs(target: DbTarget & { driver: 'postgres' }): Promise<Record<number, number>> {
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; last_seq: string }>('SELECT id, last_seq FROM rooms');
    return Object.fromEntries(rows.map((r) => [Number(r.id), Number(r.last_seq)]));
  } finally {
    await client.end();
  }
}

const cpuMs = (u: Usage) => (u.cpu.user + u.cpu.system) / 1000;

/** CPU at `cpu`% of one core, per delivery at `perSec` deliveries a second, µs. */
const usPerDelivery = (cpu: number, perSec: number) => round(perSec > 0 ? ((cpu / 100) * 1e6) / perSec : Number.NaN, 2);

const PG_SAMPLE_MS = 100;

/** Samples PostgreSQL's backends of the run's database until `until` (performance.now()): see `Metering.postgres`. */
async function samplePostgres(client: pg.Client, until: number): Promise<Metering['postgres']> {
  let active = 0;
  let waiting = 0;
  let samples = 0;
  while (performance.now() < until) {
    const { rows } = await client.query<{ active: string; lock: string }>(
      `SELECT count(*) FILTER (WHERE state = 'active') AS active, count(*) FILTER (WHERE wait_event_type = 'Lock') AS lock
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    active += Number(rows[0]!.active);
    waiting += Number(rows[0]!.lock);
    samples++;
    await sleep(PG_SAMPLE_MS);
  }
  return { active: round(active / (samples || 1), 2), waitingOnLock: round(waiting / (samples || 1), 2) };
}

/** The nodes' CPU together over `ms` with nothing sent, % of one core. */
async function idleCpuOf(nodes: Child[], ms: number): Promise<number> {
  const before = await Promise.all(nodes.map((n) => n.call<Usage>('usage')));
  await sleep(ms);
  const after = await Promise.all(nodes.map((n) => n.call<Usage>('usage')));
  return round(after.reduce((sum, a, i) => sum + (cpuMs(a) - cpuMs(before[i]!)) / 10 / ((a.at - before[i]!.at) / 1000), 0), 1);
}

async function orderTotals(workers: Child[]): Promise<OrderCounts> {
  const all = await Promise.all(workers.map((w) => w.call<OrderCounts>('orderCounts')));
  return all.reduce((sum, c) => combineOrderCounts(sum, c), noOrderCounts());
}

/**
 * The chat steps of `ChatRunner`, each also metering every node, Redis and the order of deliveries over the same
 * measured window (read alongside the step, on the same timers).
 */
class MeteredRunner extends ChatRunner {
  readonly metered = new Map<number, Metering>();
  private readonly cores = os.cpus().length;

  constructor(
    private readonly nodes: Child[],
    private readonly loadWorkers: Child[],
    private readonly chat: ChatParams,
    private readonly redis: RedisProbe,
    private readonly idleCpu: number,
    private readonly postgres: pg.Client,
    private readonly say: (line: string) => void,
  ) {
    super('parley', loadWorkers, nodes[0]!, chat, say);
  }

  override async step(offered: number, label: StepLabel, during?: () => Promise<unknown>): Promise<StepResult> {
    const orderBefore = await orderTotals(this.loadWorkers);
    let window: { before: Usage[]; after: Usage[]; redis: number; postgres: Metering['postgres'] } | undefined;
    const meter = async () => {
      const start = performance.now();
      await sleep(this.chat.warmupMs);
      const [before, redisBefore] = await Promise.all([Promise.all(this.nodes.map((n) => n.call<Usage>('usage'))), this.redis.cpuMs()]);
      const end = start + this.chat.warmupMs + this.chat.measureMs;
      const postgres = await samplePostgres(this.postgres, end - PG_SAMPLE_MS);
      await sleep(end - performance.now());
      const [after, redisAfter] = await Promise.all([Promise.all(this.nodes.map((n) => n.call<Usage>('usage'))), this.redis.cpuMs()]);
      window = { before, after, redis: redisAfter - redisBefore, postgres };
    };
    const result = await super.step(offered, label, () => Promise.all([meter(), during?.()]));
    const order = combineOrderCounts(await orderTotals(this.loadWorkers), orderBefore, -1);
    const { before, after, redis, postgres } = window!;
    const seconds = (after[0]!.at - before[0]!.at) / 1000;
    const nodes = before.map((b, i) => {
      const a = after[i]!;
      const active = a.elu.active - b.elu.active;
      const idle = a.elu.idle - b.elu.idle;
      return { cpu: round((cpuMs(a) - cpuMs(b)) / 10 / seconds, 1), loop: round((active / (active + idle || 1)) * 100, 1) };
    });
    const nodesCpu = round(nodes.reduce((n, x) => n + x.cpu, 0), 1);
    const redisCpu = round(redis / 10 / seconds, 1);
    const m: Metering = {
      nodes,
      nodesCpu,
      redisCpu,
      otherCpu: round(result.machineCpu * this.cores - nodesCpu - result.generatorCpu - redisCpu, 1),
      cpuUsPerDelivery: usPerDelivery(nodesCpu, result.deliveriesPerSec),
      marginalUsPerDelivery: usPerDelivery(nodesCpu - this.idleCpu, result.deliveriesPerSec),
      order,
      postgres,
    };
    this.metered.set(result.step, m);
    this.say(
      `${' '.repeat(20)}nodes CPU ${nodes.map((n) => `${n.cpu}%`).join(' + ')} = ${nodesCpu}% (loops ${nodes.map((n) => `${n.loop}%`).join(', ')}), ` +
        `Redis ${redisCpu}%, PostgreSQL and the rest ${m.otherCpu}% (backends active ${postgres.active}, waiting on a lock ${postgres.waitingOnLock}): ` +
        `${m.cpuUsPerDelivery} µs of server CPU per delivery; ` +
        `${order.checked} deliveries checked, ${order.outOfOrder} out of order, ${order.duplicates} duplicated` +
        `${order.unreadable ? `, ${order.unreadable} UNREADABLE` : ''}`,
    );
    return result;
  }

  /** The search's steps with their metering. */
  withMetering(search: SearchResult): Pick<PhaseResult, 'steps' | 'saturation' | 'firstFailingRate' | 'half'> {
    const join = (s: StepResult): MeteredStep => ({ ...s, ...this.metered.get(s.step)! });
    const steps = search.steps.map(join);
    const byStep = (s: StepResult | null) => (s ? (steps.find((x) => x.step === s.step) ?? null) : null);
    return { steps, saturation: byStep(search.saturation), firstFailingRate: search.firstFailingRate, half: byStep(search.half) };
  }
}

/** One phase: `hostEnvs.length` nodes, every chat user connected to node (index mod nodes), the chat search. */
async function phase(ctx: TwoNodesContext, workers: Child[], seeded: Seeded, hostEnvs: NodeJS.ProcessEnv[], redis: RedisProbe): Promise<PhaseResult> {
  const { log, params } = ctx;
  const target = ctx.target as DbTarget & { driver: 'postgres' };
  const hosts = await Promise.all(hostEnvs.map((env) => ctx.startHost(env)));
  const nodes = hosts.map((h) => h.child);
  let result: Omit<PhaseResult, 'serverErrors'>;
  try {
    const started = performance.now();
    const from = await roomSeqs(target);
    await Promise.all(
      workers.map((w, i) =>
        w.call('connectChat', {
          url: hosts[0]!.url,
          nodes: hosts.map((h) => h.url),
          target: 'parley',
          generator: params.generator,
          users: seeded.chat.filter((_, k) => k % workers.length === i),
          concurrency: CONNECT_CONCURRENCY,
          roomSeqs: from,
        }),
      ),
    );
    log(`  ${seeded.chat.length} chat sockets (${params.generator}) connected to ${hosts.map((h) => h.url).join(' and ')} in ${Math.round(performance.now() - started)} ms`);
    for (const n of nodes) await ctx.quiet(n);
    const loadAverage = round(os.loadavg()[0]!, 2);
    const idleCpu = await idleCpuOf(nodes, IDLE_MS);
    log(`  idle with every socket connected: the nodes use ${idleCpu}% of a core; load average ${loadAverage}`);
    const postgres = new pg.Client({ connectionString: target.url });
    await postgres.connect();
    const runner = new MeteredRunner(nodes, workers, params.chat, redis, idleCpu, postgres, log);
    const search = await runner.search().finally(() => postgres.end());
    const lastSeq = await roomSeqs(target);
    const missing = (await Promise.all(workers.map((w) => w.call<number>('orderMissing', { lastSeq })))).reduce((a, b) => a + b, 0);
    const order = { ...(await orderTotals(workers)), missing };
    log(
      `  order over the phase: ${order.checked} deliveries checked, ${order.outOfOrder} out of order, ${order.duplicates} duplicated, ` +
        `${missing} seqs never received${order.unreadable ? `, ${order.unreadable} frames UNREADABLE` : ''}`,
    );
    await Promise.all(workers.map((w) => w.call('disconnectChat')));
    for (const n of nodes) await ctx.quiet(n);
    result = { nodes: hosts.length, redis: hostEnvs.some((e) => e.REDIS_URL), loadAverage, idleCpu, ...runner.withMetering(search), order };
  } finally {
    // One after the other: a node closing while the other still asks it things through Redis logs its closed client.
    for (const n of nodes) await n.stop();
  }
  const errors = hosts.flatMap((h) => serverErrors(h.logFile));
  if (errors.length) log(`  the nodes logged ${errors.length} errors, e.g. ${errors[0]}`);
  return { ...result, serverErrors: errors.length };
}

/** Error lines (level 50 or 60) in a node's log. */
function serverErrors(logFile: string): string[] {
  try {
    return fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => /"level":(50|60)/.test(l));
  } catch {
    return [];
  }
}

/** Group and direct rooms whose members are on more than one node when user i is on node i mod `nodes`. */
function crossNodeRooms(seeded: Seeded, nodes: number): { group: number; direct: number; groups: number; directs: number } {
  const nodesOf = new Map<number, { direct: boolean; nodes: Set<number> }>();
  for (const u of seeded.chat) {
    for (const [room, direct] of [
      [u.group.roomId, false],
      [u.dm.roomId, u.dm.roomId !== u.group.roomId],
    ] as const) {
      const entry = nodesOf.get(room) ?? { direct, nodes: new Set<number>() };
      entry.nodes.add(u.index % nodes);
      nodesOf.set(room, entry);
    }
  }
  const rooms = [...nodesOf.values()];
  const cross = (direct: boolean) => rooms.filter((r) => r.direct === direct && r.nodes.size > 1).length;
  return { group: cross(false), direct: cross(true), groups: rooms.filter((r) => !r.direct).length, directs: rooms.filter((r) => r.direct).length };
}

export async function twoNodesRun(ctx: TwoNodesContext): Promise<void> {
  const { log, params, target } = ctx;
  if (target.driver !== 'postgres') throw new Error('--two-nodes needs DATABASE_URL=postgres://…');
  const url = redisUrl();
  const redis = await RedisProbe.connect(url);
  try {
    const prefix = `parley-bench-${Date.now().toString(36)}-${process.pid}`;
    const redisVersion = await redis.version();
    log(`[two nodes] seeding ${target.driver}: ${params.chatUsers} chat users; Redis ${redisVersion} at ${redisAddress(url)}, prefix ${prefix}`);
    const seeded = await seed(
      target,
      { chatUsers: params.chatUsers, groupSize: params.groupSize, idleUsers: 0, idleDevices: 1, idleGroupSize: params.groupSize, probeUsers: 0, historyMessages: 0, historyAuthors: 1 },
      log,
    );
    const workers = await ctx.startWorkers(params.workers);
    const alone = parleyHostEnv(target);
    const clustered = { ...alone, REDIS_URL: url, REDIS_PREFIX: prefix };

    log(`[two nodes] one node alone (no Redis), every user on it`);
    const one = await phase(ctx, workers, seeded, [alone], redis);
    log(`[two nodes] two nodes on Redis, user i on node i mod 2`);
    const two = await phase(ctx, workers, seeded, [clustered, clustered], redis);
    await Promise.all(workers.map((w) => w.stop(5000)));

    const cross = crossNodeRooms(seeded, 2);
    // Each rate once: its first step in each phase (a search step rather than a later half step at the same rate).
    const rates = [...new Set(one.steps.map((s) => s.offered))].filter((rate) => two.steps.some((s) => s.offered === rate)).sort((a, b) => a - b);
    const comparison = rates.map((offered) => {
      const a = one.steps.find((s) => s.offered === offered)!;
      const b = two.steps.find((s) => s.offered === offered)!;
      return { offered, one: a, two: b, costRatio: round(b.cpuUsPerDelivery / a.cpuUsPerDelivery, 2) };
    });
    const results: TwoNodesResults = {
      version: 1,
      scenario: 'two-nodes',
      mode: params.mode,
      startedAt: ctx.startedAt.toISOString(),
      durationSec: round((Date.now() - ctx.startedAt.getTime()) / 1000, 1),
      buildSec: ctx.buildSec,
      machine: machine(ctx.tmp),
      database: { driver: target.driver, version: ctx.dbVersion },
      git: gitCommit(ctx.root),
      redis: { address: redisAddress(url), version: redisVersion, prefix },
      plan: {
        users: params.chatUsers,
        groupSize: params.groupSize,
        groupRooms: cross.groups,
        directRooms: cross.directs,
        crossNodeGroupRooms: cross.group,
        crossNodeDirectRooms: cross.direct,
        socketsPerNode: [0, 1].map((n) => seeded.chat.filter((u) => u.index % 2 === n).length),
        generator: params.generator,
        workers: params.workers,
        chat: params.chat,
      },
      seedTimingsMs: seeded.timings,
      one,
      two,
      comparison,
    };
    writeTwoNodes(ctx, results);
  } finally {
    await redis.close();
  }
}

function writeTwoNodes(ctx: TwoNodesContext, results: TwoNodesResults): void {
  const resultsDir = path.join(ctx.root, 'bench', 'results');
  const dir = results.mode === 'quick' ? path.join(resultsDir, 'quick') : resultsDir;
  fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
  const stamp = results.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = JSON.stringify(results, null, 2) + '\n';
  const md = renderTwoNodes(results);
  const files = { 'two-nodes.json': json, 'two-nodes.md': md, [`runs/${stamp}-two-nodes-${results.mode}-postgres.json`]: json };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  ctx.log('');
  ctx.log(md);
  ctx.log(`Results: ${Object.keys(files).map((f) => path.relative(ctx.root, path.join(dir, f))).join(', ')}`);
}

const verdict = (s: StepResult, p99LimitMs: number) =>
  s.pass ? 'ok' : s.generatorBound ? 'generators' : s.lost > 0 ? 'lost' : s.acksFailed > 0 ? 'refused' : `p99 > ${p99LimitMs} ms`;

function stepRow(phaseName: string, s: MeteredStep, p99LimitMs: number): string {
  const order = s.order.outOfOrder + s.order.duplicates === 0 ? '0 / 0' : `**${s.order.outOfOrder} / ${s.order.duplicates}**`;
  return (
    `| ${phaseName} | ${s.label} | ${fmt(s.offered)} | ${fmt(s.sentPerSec)} | ${fmt(s.deliveriesPerSec, 0)} | ${fmt(s.latency.p50, 2)} | ${fmt(s.latency.p99, 2)} | ` +
    `${fmt(s.lost, 0)} | ${order} | ${s.nodes.map((n) => `${fmt(n.cpu, 0)}%`).join(' + ')} | ${fmt(s.nodesCpu, 0)}% | ${fmt(s.redisCpu, 0)}% | ` +
    `${fmt(s.generatorCpu, 0)}% | ${fmt(s.otherCpu, 0)}% | ${fmt(s.machineCpu, 0)}% | **${fmt(s.cpuUsPerDelivery, 2)}** | ${fmt(s.postgres.active, 1)} / ${fmt(s.postgres.waitingOnLock, 1)} | ${verdict(s, p99LimitMs)} |`
  );
}

const saturationLine = (name: string, p: PhaseResult) =>
  p.saturation
    ? `${name}: saturation ${fmt(p.saturation.offered)} msgs/s (${fmt(p.saturation.deliveriesPerSec, 0)} deliveries/s, p99 ${fmt(p.saturation.latency.p99, 2)} ms, ` +
      `${fmt(p.saturation.cpuUsPerDelivery, 2)} µs of server CPU per delivery)` +
      `${p.firstFailingRate !== null ? `; first failing rate ${fmt(p.firstFailingRate)} msgs/s` : '; the search reached its highest rate'}`
    : `${name}: no step passed`;

export function renderTwoNodes(r: TwoNodesResults): string {
  const p = r.plan;
  const orderRow = (name: string, x: PhaseResult) =>
    `| ${name} | ${fmt(x.order.checked, 0)} | ${x.order.outOfOrder} | ${x.order.duplicates} | ${x.order.missing} | ${x.order.unreadable} | ` +
    `${x.steps.reduce((n, s) => n + s.lost, 0)} |`;
  return [
    `# Two Parley nodes on PostgreSQL and Redis, beside one node (${r.mode})`,
    '',
    `PostgreSQL ${r.database.version ?? ''}, Redis ${r.redis.version} (${r.redis.address}, prefix \`${r.redis.prefix}\`) on ${r.machine.cores} cores ` +
      `(${r.machine.cpuModel}), Node ${r.machine.node}, commit ${r.git.commit?.slice(0, 12) ?? 'unknown'}${r.git.dirty ? ' (uncommitted changes)' : ''}, ` +
      `${r.startedAt}, ${r.durationSec} s.`,
    '',
    `${p.users} chat users in ${p.groupRooms} group rooms of ${p.groupSize} and ${p.directRooms} direct pairs; ` +
      `${Math.round(p.chat.dmShare * 100)}% of messages direct; steps of ${p.chat.warmupMs / 1000} s warm-up + ${p.chat.measureMs / 1000} s measured; ` +
      `${p.workers} load-generator processes (${p.generator}) on the same machine. ` +
      `One node: every user on it, no Redis. Two nodes: user i on node i mod 2 (${p.socketsPerNode.join(' and ')} sockets), so ` +
      `${p.crossNodeGroupRooms} of ${p.groupRooms} group rooms and ${p.crossNodeDirectRooms} of ${p.directRooms} direct rooms have members on both nodes.`,
    '',
    `- ${saturationLine('One node', r.one)}`,
    `- ${saturationLine('Two nodes', r.two)}`,
    `- Idle, every socket connected: one node ${fmt(r.one.idleCpu)}% of a core, two nodes ${fmt(r.two.idleCpu)}% together ` +
      `(load average ${r.one.loadAverage} and ${r.two.loadAverage} as the phases began).`,
    '',
    '**Server CPU per delivery at the same rates** (the nodes’ CPU together ÷ deliveries):',
    '',
    '| offered/s | step | one node: deliveries/s | p99 ms | µs/delivery | less idle µs | two nodes: deliveries/s | p99 ms | µs/delivery | less idle µs | two ÷ one |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.comparison.map(
      (c) =>
        `| ${fmt(c.offered)} | ${c.one.label === c.two.label ? c.one.label : `${c.one.label} / ${c.two.label}`} | ${fmt(c.one.deliveriesPerSec, 0)} | ${fmt(c.one.latency.p99, 2)} | ${fmt(c.one.cpuUsPerDelivery, 2)} | ` +
        `${fmt(c.one.marginalUsPerDelivery, 2)} | ${fmt(c.two.deliveriesPerSec, 0)} | ${fmt(c.two.latency.p99, 2)} | ${fmt(c.two.cpuUsPerDelivery, 2)} | ` +
        `${fmt(c.two.marginalUsPerDelivery, 2)} | ${fmt(c.costRatio, 2)}× |`,
    ),
    '',
    '**Nothing lost, order kept** (every member’s socket, each room’s seqs; target 0 everywhere but "checked"):',
    '',
    '| nodes | deliveries checked | out of order | duplicated | seqs never received | unreadable frames | lost (steps) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    orderRow('one', r.one),
    orderRow('two', r.two),
    '',
    '**Every step.** CPU in % of one core; machine in % of all cores; "rest" is the machine less the nodes, the generators and Redis ' +
      '(PostgreSQL, mostly); order is out of order / duplicated deliveries; PG is the mean number of PostgreSQL backends running a ' +
      'statement, and of those waiting for a lock.',
    '',
    '| nodes | step | offered/s | sent/s | deliveries/s | p50 ms | p99 ms | lost | order | node CPU | nodes | Redis | generators | rest | machine | µs/delivery | PG active / on lock | verdict |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...r.one.steps.map((s) => stepRow('one', s, p.chat.p99LimitMs)),
    ...r.two.steps.map((s) => stepRow('two', s, p.chat.p99LimitMs)),
    '',
  ].join('\n');
}
