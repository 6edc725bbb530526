/**
 * `npm run bench`: the whole benchmark in one run, for both drivers, against one relay.
 *
 *   npm run bench                  every scenario below (about 25 minutes here)
 *   npm run bench -- --quick       the same, each scenario in its quick form (a sanity check)
 *   npm run bench -- --sqlite-only the SQLite scenarios alone (no PostgreSQL or Redis needed)
 *   npm run bench -- --summary-only the summary (and the README's table) again from the results files there;
 *                                  runs nothing (after a scenario was run again on its own)
 *
 * With any other option (`--only`, `--presence`, `--rooms-list`, `--profile`, `--render`, `--two-nodes`,
 * `--sync-delay`, …) it runs `bench/run.ts` once with those options, as before: one scenario, one driver
 * (DATABASE_URL picks it).
 *
 * The suite runs each scenario as its own `bench/run.ts` process, one after another, so that none inherits
 * another's backlog or memory:
 *  1. SQLite: the relay's chat steps, then Parley's idle connections, history, chat, logins and the step at
 *     twice its saturation (results/latest.*);
 *  2. PostgreSQL: the same but the relay, compared with the relay of 1 (results/latest-postgres.*);
 *  3. SQLite with every commit slowed by a test-only hook, as on a slow disk (results/latest-slowdisk.*);
 *  4. presence and the directory at 100,000 people, on each driver (results/presence[-postgres].*);
 *  5. two Parley nodes on PostgreSQL and Redis beside one (results/two-nodes.*);
 * then writes results/summary.{md,json}: one table of every target for both drivers, and (a full run) puts it in
 * the README between its `bench:summary` markers.
 * PostgreSQL is BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test, a fresh schema is made
 * and dropped), Redis is BENCH_REDIS_URL (default redis://127.0.0.1:6379). Where either is not reachable,
 * its scenarios are skipped and the summary says so.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSummary, summarize, type Summary, type SuiteRun } from './lib/summary.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const argv = process.argv.slice(2);
const SUITE_FLAGS = new Set(['--quick', '--skip-build', '--sqlite-only', '--summary-only']);
const SLOW_SYNC_MS = 10;

function runBench(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'run.ts'), ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}

if (argv.some((a) => !SUITE_FLAGS.has(a))) process.exit(runBench(argv));

const quick = argv.includes('--quick');
const sqliteOnly = argv.includes('--sqlite-only');
const dir = path.join(BENCH_DIR, 'results', quick ? 'quick' : '');
const common = ['--skip-build', ...(quick ? ['--quick'] : [])];
const pgUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const t0 = performance.now();
const startedAt = new Date();

/** Whether something listens at the URL's host and port (a refusal within 2 s says no). */
function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const summaryOnly = argv.includes('--summary-only');
if (!argv.includes('--skip-build') && !summaryOnly) {
  console.log('npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const postgres = !sqliteOnly && (await reachable(pgUrl, 5432));
const redis = !sqliteOnly && (await reachable(redisUrl, 6379));
const skipped: string[] = [];
if (sqliteOnly) skipped.push('PostgreSQL and two nodes: --sqlite-only');
else {
  if (!postgres) skipped.push(`PostgreSQL: nothing answers at ${new URL(pgUrl).host} (BENCH_POSTGRES_URL)`);
  if (postgres && !redis) skipped.push(`two nodes: Redis does not answer at ${new URL(redisUrl).host} (BENCH_REDIS_URL)`);
}
const pg = { DATABASE_URL: pgUrl };
const sqlite = { DATABASE_URL: '' };
const relayFile = path.join(dir, 'latest.json');

const plan: { name: string; args: string[]; env: NodeJS.ProcessEnv; file: string; when: boolean }[] = [
  { name: 'SQLite, with the relay', args: [], env: sqlite, file: 'latest.json', when: true },
  {
    name: 'PostgreSQL',
    args: ['--only=idle,history,chat,logins', `--relay-from=${relayFile}`],
    env: pg,
    file: 'latest-postgres.json',
    when: postgres,
  },
  {
    name: `SQLite, every commit slowed by ${SLOW_SYNC_MS} ms`,
    args: ['--only=chat', `--sync-delay=${SLOW_SYNC_MS}`, `--relay-from=${relayFile}`],
    env: sqlite,
    file: 'latest-slowdisk.json',
    when: true,
  },
  { name: 'presence, SQLite', args: ['--presence'], env: sqlite, file: 'presence.json', when: true },
  { name: 'presence, PostgreSQL', args: ['--presence'], env: pg, file: 'presence-postgres.json', when: postgres },
  {
    name: 'two nodes, PostgreSQL and Redis',
    args: ['--two-nodes'],
    env: { ...pg, REDIS_URL: redisUrl },
    file: 'two-nodes.json',
    when: postgres && redis,
  },
];

const runs: SuiteRun[] = [];
/** The summary before this one: with --summary-only, each run's time is taken from it. */
const summaryFile = path.join(dir, 'summary.json');
const earlier = fs.existsSync(summaryFile) ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as Summary) : null;
for (const step of plan) {
  if (!step.when) continue;
  if (summaryOnly) {
    const before = earlier?.runs.find((r) => r.file === step.file);
    runs.push({ name: step.name, file: step.file, status: 0, wrote: fs.existsSync(path.join(dir, step.file)), seconds: before?.seconds ?? 0 });
    continue;
  }
  const began = performance.now();
  console.log(`\n=== ${step.name} ===`);
  const file = path.join(dir, step.file);
  const before = fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
  const status = runBench([...common, ...step.args], step.env);
  // A scenario that failed may leave an older file behind: only a file this run wrote counts.
  const wrote = fs.existsSync(file) && fs.statSync(file).mtimeMs > before;
  runs.push({ name: step.name, file: step.file, status, wrote, seconds: Math.round((performance.now() - began) / 1000) });
}

const timing =
  summaryOnly && earlier
    ? { startedAt: earlier.startedAt, durationSec: earlier.durationSec }
    : { startedAt: startedAt.toISOString(), durationSec: Math.round((performance.now() - t0) / 1000) };
const summary = summarize(dir, runs, skipped, { ...timing, quick });
fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
const md = renderSummary(summary);
fs.writeFileSync(path.join(dir, 'summary.md'), md);
console.log(`\n${md}\nWrote ${path.relative(ROOT, path.join(dir, 'summary.md'))} and summary.json`);
// A full run's table is the README's: it is replaced between its markers, so the README shows the latest run.
if (!quick) {
  const readme = path.join(ROOT, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const updated = text.replace(/(<!-- bench:summary -->\n)[\s\S]*?(<!-- \/bench:summary -->)/, `$1${md}$2`);
  if (updated !== text) {
    fs.writeFileSync(readme, updated);
    console.log('Updated the table in README.md');
  }
}
process.exit(runs.every((r) => r.status === 0 && r.wrote) ? 0 : 1);
