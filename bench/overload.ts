/**
 * Parley past its saturation: does it shed load, or queue without bound? Offers open-loop chat load at the
 * rates given, one after the other, on a fresh database, and reports for each:
 * - what was accepted and what was refused with `overloaded` (shed);
 * - the deliveries owed for accepted messages: in time (≤ 5 s), late, missing;
 * - the ack latency of accepted messages (their p99 is the target: ≤ 500 ms at twice saturation);
 * - `GET /healthz` latency, asked every 100 ms on a new connection by this process (target: ≤ 100 ms);
 * - the CPU of the server, of the load process and of the whole machine (% of one core): the machine's, less
 *   the other two, is what else ran meanwhile.
 *
 *   flock /tmp/parley-bench.lock npx tsx bench/overload.ts --rates=4000,8000
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/overload.ts --rates=1000,2000
 *
 * Options: --rates=a,b,… (messages per second; default 2000,4000,8000), --seconds=N (each rate's sending
 * window, default 10), --users=N (sockets, one user each, in group rooms of 10; default 800, so that each
 * sends 20 a second at 16,000 msgs/s, well under the server's 50 events per second per socket even when the
 * server reads them in bursts), --padding=N (body bytes, default 60), --skip-build, --profile=DIR (the
 * server's CPU profile goes to DIR; see `bench/profile-summary.ts`).
 *
 * Everything runs on 127.0.0.1, with the server built as `npm run bench` builds it (`bench/server-host.ts`)
 * and the load in one process of raw WebSocket frames (`bench/overload-load.ts`). Every run is bounded in
 * count and time, and every process is stopped at the end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from './overload-load.js';
import { parleyHostEnv } from './lib/host-env.js';
import { Child } from './lib/rpc.js';
import { createPostgresSchema, dropPostgresSchema, seed, type DbTarget } from './lib/seed.js';
import { machine } from './lib/machine.js';
import { round, Samples, sleep, summarize } from './lib/stats.js';
import type { Usage } from './lib/types.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const HEALTH_EVERY_MS = 100;
const HEALTH_TIMEOUT_MS = 2_000;
const MAX_RATE = 50_000;
const MAX_SECONDS = 60;

const flags = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key!, value ?? true] as const;
  }),
);
const numbers = (value: unknown, fallback: number[]) =>
  typeof value === 'string' ? value.split(',').map((v) => Number.parseInt(v, 10)) : fallback;
const rates = numbers(flags.rates, [2000, 4000, 8000]);
const [seconds] = numbers(flags.seconds, [10]);
const [users] = numbers(flags.users, [800]);
const [padding] = numbers(flags.padding, [60]);
if (rates.some((r) => !(r > 0 && r <= MAX_RATE)) || !(seconds! > 0 && seconds! <= MAX_SECONDS) || !(users! >= 10 && users! <= 5_000)) {
  throw new Error(`--rates must be 1–${MAX_RATE}, --seconds 1–${MAX_SECONDS}, --users 10–5000`);
}

const log = (line: string) => console.log(line);
const children: Child[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
async function cleanup(): Promise<void> {
  for (const child of children.splice(0).reverse()) await child.stop().catch(() => child.kill());
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch((error: unknown) => console.error('cleanup:', error));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

/** The whole machine's CPU time so far, busy and in all, in clock ticks (/proc/stat's first line). */
function machineTicks(): { busy: number; total: number } {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/** One GET /healthz on a connection of its own, as a load balancer's probe; its latency in ms, or null on failure. */
function probeHealth(url: string): Promise<number | null> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.get(`${url}/healthz`, { agent: false, timeout: HEALTH_TIMEOUT_MS }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200 ? performance.now() - started : null));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });
}

/** Probes /healthz every 100 ms until `stop` is called; the latencies and the failures. */
function watchHealth(url: string): () => Promise<{ latencies: Samples; failed: number }> {
  const latencies = new Samples();
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const next = sleep(HEALTH_EVERY_MS);
      const ms = await probeHealth(url);
      if (ms === null) failed++;
      else latencies.push(ms);
      await next;
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { latencies, failed };
  };
}

async function main(): Promise<void> {
  if (!flags['skip-build']) {
    log('npm run build -w protocol -w server');
    const built = spawnSync('npm', ['run', 'build', '-w', 'protocol', '-w', 'server'], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}\n${built.stderr}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-overload-'));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const pgUrl = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;
  let target: DbTarget;
  if (pgUrl) {
    const pgTarget = await createPostgresSchema(pgUrl);
    cleanups.push(() => dropPostgresSchema(pgTarget));
    target = pgTarget;
  } else {
    target = { driver: 'sqlite', file: path.join(tmp, 'parley.db') };
  }
  const m = machine(tmp);
  log(`${m.cores} cores (${m.cpuModel}), Node ${m.node}, ${target.driver}${target.driver === 'sqlite' ? ` on ${m.tmpFilesystem}` : ''}`);

  const seeded = await seed(
    target,
    { chatUsers: users!, groupSize: 10, idleUsers: 0, idleDevices: 1, idleGroupSize: 10, probeUsers: 0, historyMessages: 0, historyAuthors: 1 },
    log,
  );

  const logFile = path.join(tmp, 'parley.log');
  const fd = fs.openSync(logFile, 'a');
  const host = await Child.start('parley', path.join(BENCH_DIR, 'server-host.ts'), {
    execArgv: ['--expose-gc', ...(typeof flags.profile === 'string' ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags.profile)}`] : [])],
    env: parleyHostEnv(target),
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  fs.closeSync(fd);
  children.push(host.child);
  const url = `http://127.0.0.1:${host.ready.port}`;

  const load = await Child.start('load', path.join(BENCH_DIR, 'overload-load.ts'));
  children.push(load.child);
  const connected = await load.child.call<number>('connect', { url, users: seeded.chat, concurrency: 50 });
  log(`${connected} sockets connected to ${url}; ${seconds} s per rate, body padding ${padding} bytes`);
  // Let the presence announcements of the connections settle.
  await sleep(2_000);

  const header =
    'offered/s  sent/s  accepted  shed  other-err  unanswered | deliveries owed  in-time%  late  missing  refused-but-delivered | ' +
    'ack ok p50/p99/max ms | shed ack p99 ms | delivery p99 ms | healthz p50/p99/max ms  >100ms  failed | server CPU%  loop%  load CPU%  machine CPU%';
  log(header);
  for (const [i, rate] of rates.entries()) {
    const before = await host.child.call<Usage>('usage');
    const ticksBefore = machineTicks();
    const stopHealth = watchHealth(url);
    const report = await load.child.call<RunReport>('send', { run: i + 1, rate, seconds, padding }, (seconds! + 60) * 1000);
    const health = await stopHealth();
    const after = await host.child.call<Usage>('usage');
    const ticksAfter = machineTicks();
    const machineCpu = ((ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total)) * m.cores * 100;
    const wall = after.at - before.at;
    const serverCpu = ((after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000 / wall) * 100;
    const active = after.elu.active - before.elu.active;
    const loop = (active / (active + after.elu.idle - before.elu.idle)) * 100;
    const h = summarize(health.latencies.toArray());
    const slow = health.latencies.toArray().filter((ms) => ms > 100).length;
    const other = Object.entries(report.errors).filter(([code]) => code !== 'overloaded');
    log(
      [
        `${rate}`.padStart(9),
        `${report.sentPerSec}`.padStart(7),
        `${report.accepted}`.padStart(9),
        `${report.shed}`.padStart(5),
        `${other.length ? JSON.stringify(Object.fromEntries(other)) : 0}`.padStart(10),
        `${report.unanswered}`.padStart(11),
        '|',
        `${report.owed}`.padStart(15),
        `${report.owed ? round((report.deliveredInTime / report.owed) * 100, 2) : 100}`.padStart(9),
        `${report.late}`.padStart(5),
        `${report.missing}`.padStart(8),
        `${report.refusedButDelivered}`.padStart(22),
        '|',
        `${report.ackOk.p50}/${report.ackOk.p99}/${report.ackOk.max}`.padStart(21),
        '|',
        `${report.ackShed.p99}`.padStart(15),
        '|',
        `${report.delivery.p99}`.padStart(15),
        '|',
        `${h.p50}/${h.p99}/${h.max}`.padStart(22),
        `${slow}`.padStart(7),
        `${health.failed}`.padStart(7),
        '|',
        `${round(serverCpu, 1)}`.padStart(11),
        `${round(loop, 1)}`.padStart(6),
        `${round((report.cpuMs / wall) * 100, 1)}`.padStart(10),
        `${round(machineCpu, 1)}`.padStart(13),
      ].join(' '),
    );
    // The next rate starts on a server that has finished with this one.
    await sleep(3_000);
  }
}

try {
  await main();
} finally {
  await cleanup();
}
