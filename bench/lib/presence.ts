/**
 * `npm run bench -- --presence`: presence and the directory at 100,000 people (issue 10). A run of its own:
 *
 * 1. 100,000 people seeded (`presence-seed.ts`), each in a group room of 10 and in direct chats with 4 neighbours;
 * 2. 10,000 sockets connect (of 10,000 people; `--presence-devices=N` makes them N devices of 10,000 / N people),
 *    50 at a time per load process: the time they take, the server's CPU, and its memory per idle socket;
 * 3. 100 more people come online one at a time, each sharing rooms with 13 of those online: the server's CPU for
 *    one more, its idle CPU over the same time taken out, and how many announcements reached the sockets;
 * 4. every online socket watches 25 people (`presence:watch`), as the web client's New chat list does: memory again;
 * 5. `GET /api/users` one request at a time, for searches as people type them: latency and server CPU.
 *
 * It measures what happens when people connect, so it runs against servers from before `presence:watch` and the
 * paged directory too (steps 4 and 5 then say what they could not do): that is the "before" of the README.
 * Results: `results/presence[-label][-postgres].{json,md}` and a dated copy in `results/runs/`. With `--profile`,
 * step 3 is profiled into `results/profiles/`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from '../profile-summary.js';
import { gitCommit, machine, type RunRecord } from './machine.js';
import { seedPresence, type PresencePlan } from './presence-seed.js';
import { random } from './rooms-list-seed.js';
import type { Child } from './rpc.js';
import type { DbTarget } from './seed.js';
import { round, sleep, summarize, type Summary } from './stats.js';
import type { Usage } from './types.js';

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const PLANS: Record<'quick' | 'full', Omit<PresencePlan, 'devices'> & { watchEach: number; queryWarmup: number; querySamples: number }> = {
  full: {
    users: 100_000,
    online: 10_000,
    groupSize: 10,
    directAhead: 2,
    probes: 100,
    probeGroupOthers: 9,
    probeDirectPeers: 4,
    watchEach: 25,
    queryWarmup: 100,
    querySamples: 1000,
  },
  quick: {
    users: 10_000,
    online: 1_000,
    groupSize: 10,
    directAhead: 2,
    probes: 20,
    probeGroupOthers: 9,
    probeDirectPeers: 4,
    watchEach: 25,
    queryWarmup: 20,
    querySamples: 200,
  },
};
const WORKERS = 3;
/** Sockets connecting at once per load process, as in the idle scenario. */
const CONNECT_CONCURRENCY = 50;
/** How long the idle server's own CPU (pings, the presence sweep) is measured, to take it out of the probes'. */
const IDLE_MS = 5000;
const TARGETS = { cpuMsPerUserOnline: 2, usersQueryP99Ms: 10 };
/**
 * With `--profile`: step 3 is profiled, this often, until this long after the last person connected (its CPU figure
 * then includes the profiler's, which samples from a thread of its own).
 */
const PROFILE_INTERVAL_US = 100;
const PROFILE_SETTLE_MS = 300;
/** The web client's page of people. */
const QUERY_LIMIT = 25;

export interface PresenceRunContext {
  mode: 'quick' | 'full';
  flags: Record<string, string | boolean>;
  tmp: string;
  target: DbTarget;
  dbVersion: string | null;
  buildSec: number;
  root: string;
  startedAt: Date;
  log: (line: string) => void;
  /** Starts Parley's host process (`server-host.ts`) with this environment; the run stops it at the end. */
  startHost: (env: NodeJS.ProcessEnv) => Promise<{ child: Child; url: string; logFile: string }>;
  /** Forks a bench script as a child that the run kills at the end, whatever happens. */
  fork: (name: string, script: string) => Promise<Child>;
  /** Waits until the server's CPU stays under 5% of a core for half a second (bounded). */
  quiet: (server: Child, maxMs?: number) => Promise<number>;
}

type QueryKind = 'empty' | 'one letter' | 'two letters' | 'a name' | 'first and last name';
const QUERY_KINDS: QueryKind[] = ['empty', 'one letter', 'two letters', 'a name', 'first and last name'];

export interface PresenceResults extends RunRecord {
  version: 1;
  scenario: 'presence';
  label: string | null;
  plan: PresencePlan & { watchEach: number; workers: number; connectConcurrency: number };
  seeded: { timingsMs: Record<string, number>; databaseMiB: number | null; searchColumns: boolean };
  /** The machine's 1-minute load average as the sockets began to connect. */
  loadAverage: number;
  connect: {
    sockets: number;
    failed: number;
    errors: Record<string, number>;
    /** Wall time until every socket was connected, and until the server was quiet again. */
    ms: number;
    settleMs: number;
    serverCpuMs: number;
    serverCpuMsPerSocket: number;
    /** The load processes' own CPU meanwhile, all together. */
    generatorCpuMs: number;
    /** Announcements (`user:online`) the connected sockets received while they connected. */
    announcementsHeard: number;
  };
  memory: {
    baselineRssMiB: number;
    rssMiB: number;
    heapUsedMiB: number;
    rssPerSocketKB: number;
    heapPerSocketKB: number;
    /** After every socket watches `watchEach` people; null when the server has no `presence:watch`. */
    watching: { rssMiB: number; rssPerSocketKB: number; heapPerSocketKB: number; watchMs: number; failed: number; errors: Record<string, number> } | null;
  };
  /** The server's own CPU while idle with every socket connected (pings, the presence sweep), ms per second. */
  idleCpuMsPerSec: number;
  probe: {
    users: number;
    /** Online people each probe shares a room with. */
    contacts: number;
    failed: number;
    ms: number;
    serverCpuMs: number;
    /** The server's CPU per person coming online, its idle CPU over the same time taken out. */
    cpuMsPerUser: number;
    /** The load process's own CPU meanwhile. */
    generatorCpuMs: number;
    /** Announcements the online sockets received, per person coming online. */
    announcementsPerUser: number;
  };
  usersQuery: {
    /** False for a server that answers everyone at once (no `nextCursor`): then a few samples only. */
    paged: boolean;
    limit: number;
    latency: Summary & { failed: number };
    byKind: Record<string, Summary>;
    /** The first answer's JSON, bytes. */
    firstAnswerBytes: number;
    serverCpuMsPerRequest: number;
    /** The bench process's own CPU per request (it asks, and reads the answer). */
    clientCpuMsPerRequest: number;
  };
  targets: { cpuMsPerUserOnline: { goal: number; met: boolean }; usersQueryP99Ms: { goal: number; met: boolean } };
}

const MiB = (bytes: number) => round(bytes / 2 ** 20, 1);
const cpuMsBetween = (a: Usage, b: Usage) => (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000;

function split<T>(items: T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => parts[i % n]!.push(item));
  return parts;
}

interface Heard {
  online: number;
  offline: number;
  connected: number;
}

export async function presenceRun(ctx: PresenceRunContext): Promise<void> {
  const t0 = performance.now();
  const { log } = ctx;
  const size = PLANS[ctx.mode];
  const devices = typeof ctx.flags['presence-devices'] === 'string' ? Number(ctx.flags['presence-devices']) : 1;
  if (!Number.isInteger(devices) || devices < 1) throw new Error('--presence-devices takes a whole number of devices per person');
  const label = typeof ctx.flags['presence-label'] === 'string' ? ctx.flags['presence-label'] : null;
  const plan: PresencePlan = { ...size, devices };
  log(
    `seeding ${ctx.target.driver}: ${plan.users.toLocaleString('en')} people, ${plan.online.toLocaleString('en')} sockets to connect ` +
      `(${Math.ceil(plan.online / devices).toLocaleString('en')} people × ${devices}), ${plan.probes} to come online after them`,
  );
  const seeded = await seedPresence(ctx.target, plan, log);
  const databaseMiB = ctx.target.driver === 'sqlite' ? MiB(fs.statSync(ctx.target.file).size) : null;

  const host = await ctx.startHost({
    ...process.env,
    DATABASE_URL: ctx.target.driver === 'sqlite' ? ctx.target.file : ctx.target.url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    // Every simulated device connects from 127.0.0.1: thousands of sockets a minute from one address.
    SOCKET_HANDSHAKES_PER_MINUTE: '10000000',
  });
  const workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => ctx.fork(`presence worker ${i}`, path.join(BENCH_DIR, 'presence-worker.ts'))));
  const usage = () => host.child.call<Usage>('usage');
  /** The load processes' CPU so far, ms, all together. */
  const generatorCpu = async () =>
    (await Promise.all(workers.map((w) => w.call<NodeJS.CpuUsage>('cpu')))).reduce((ms, u) => ms + (u.user + u.system) / 1000, 0);
  const heard = async (): Promise<Heard> => {
    const all = await Promise.all(workers.map((w) => w.call<Heard>('heard')));
    return all.reduce((sum, h) => ({ online: sum.online + h.online, offline: sum.offline + h.offline, connected: sum.connected + h.connected }));
  };
  const connect = async (tokens: string[], concurrency: number, on: Child[]) => {
    const results = await Promise.all(
      split(tokens, on.length).map((part, i) =>
        on[i]!.call<{ failed: number; errors: Record<string, number> }>('connect', { url: host.url, tokens: part, concurrency }, 1_800_000),
      ),
    );
    const errors: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return { failed: results.reduce((n, r) => n + r.failed, 0), errors };
  };

  try {
    await ctx.quiet(host.child);
    const base = (await host.child.call<Usage>('memory')).memory;
    log(`  no sockets: RSS ${MiB(base.rss)} MiB, heap used ${MiB(base.heapUsed)} MiB`);

    // 2. Everyone online connects.
    const loadAverage = round(os.loadavg()[0]!, 2);
    let before = await usage();
    let generatorFrom = await generatorCpu();
    let started = performance.now();
    const connected = await connect(seeded.onlineTokens, CONNECT_CONCURRENCY, workers);
    const connectMs = Math.round(performance.now() - started);
    const settleMs = await ctx.quiet(host.child, 1_800_000);
    let after = await usage();
    const connectGeneratorCpu = (await generatorCpu()) - generatorFrom;
    const afterConnect = await heard();
    const connectCpu = cpuMsBetween(before, after);
    const open = afterConnect.connected;
    log(
      `  ${open} sockets connected in ${connectMs} ms (${connected.failed} failed), quiet ${settleMs} ms later; ` +
        `server CPU ${Math.round(connectCpu)} ms (${round(connectCpu / seeded.onlineTokens.length)} ms per socket); ${afterConnect.online} announcements heard`,
    );
    const m = (await host.child.call<Usage>('memory')).memory;
    const perSocket = (bytes: number) => round(bytes / Math.max(1, open) / 1024, 1);
    log(`  RSS ${MiB(m.rss)} MiB: ${perSocket(m.rss - base.rss)} KB per socket; heap ${perSocket(m.heapUsed - base.heapUsed)} KB per socket`);

    // The server's own work while idle, to take out of the probes' CPU.
    await ctx.quiet(host.child);
    const idleFrom = await usage();
    await sleep(IDLE_MS);
    const idleTo = await usage();
    const idleCpuMsPerSec = cpuMsBetween(idleFrom, idleTo) / ((idleTo.at - idleFrom.at) / 1000);

    // 3. One more person at a time comes online.
    const heardBefore = await heard();
    const profile = ctx.flags.profile === true ? profileFile(ctx) : null;
    if (profile) await host.child.call('profileStart', { intervalUs: PROFILE_INTERVAL_US });
    before = await usage();
    generatorFrom = await generatorCpu();
    started = performance.now();
    const probed = await connect(seeded.probeTokens, 1, [workers[0]!]);
    const probeMs = Math.round(performance.now() - started);
    if (profile) {
      // Stopped before waiting for quiet: the profiler's own thread keeps the process busy.
      await sleep(PROFILE_SETTLE_MS);
      await host.child.call('profileStop', { file: profile });
      const summary = summarizeProfile(profile, 40);
      fs.writeFileSync(
        profile.replace(/\.cpuprofile$/, '.txt'),
        `CPU profile of the server while ${seeded.probeTokens.length} people came online one at a time, ${seeded.onlineTokens.length} sockets connected ` +
          `(bench/lib/presence.ts, step 3; sampled every ${PROFILE_INTERVAL_US} µs, the profiler's own cost included).\n\n${summary}`,
      );
      log(`  profile of step 3: ${path.relative(ctx.root, profile)}\n${summary}`);
    }
    await ctx.quiet(host.child, 600_000);
    after = await usage();
    const probeGeneratorCpu = (await generatorCpu()) - generatorFrom;
    const heardAfter = await heard();
    const probeCpu = cpuMsBetween(before, after);
    const cpuMsPerUser = round((probeCpu - (idleCpuMsPerSec * (after.at - before.at)) / 1000) / seeded.probeTokens.length, 3);
    const announcementsPerUser = round((heardAfter.online - heardBefore.online) / seeded.probeTokens.length, 1);
    log(
      `  ${seeded.probeTokens.length} more people coming online one at a time, each with ${seeded.probeContacts} contacts online: ` +
        `server CPU ${cpuMsPerUser} ms per person (idle ${round(idleCpuMsPerSec, 1)} ms/s taken out), ${announcementsPerUser} announcements each`,
    );

    // 4. Every online socket watches a page of people.
    let watching: PresenceResults['memory']['watching'] = null;
    const next = random(11);
    const lists = Array.from({ length: seeded.onlineTokens.length }, () =>
      Array.from({ length: size.watchEach }, () => seeded.userIds[Math.floor(next() * seeded.userIds.length)]!),
    );
    started = performance.now();
    const watched = await Promise.all(
      workers.map((w, i) =>
        w.call<{ ok: number; failed: number; errors: Record<string, number> }>('watch', { lists: split(lists, WORKERS)[i], concurrency: CONNECT_CONCURRENCY }, 1_800_000),
      ),
    );
    const watchMs = Math.round(performance.now() - started);
    const watchedOk = watched.reduce((n, r) => n + r.ok, 0);
    const watchErrors: Record<string, number> = {};
    for (const r of watched) for (const [k, v] of Object.entries(r.errors)) watchErrors[k] = (watchErrors[k] ?? 0) + v;
    if (watchedOk > 0) {
      await ctx.quiet(host.child);
      const w = (await host.child.call<Usage>('memory')).memory;
      watching = {
        rssMiB: MiB(w.rss),
        rssPerSocketKB: perSocket(w.rss - base.rss),
        heapPerSocketKB: perSocket(w.heapUsed - base.heapUsed),
        watchMs,
        failed: watched.reduce((n, r) => n + r.failed, 0),
        errors: watchErrors,
      };
      log(`  every socket watching ${size.watchEach} people (${watchMs} ms): RSS ${watching.rssPerSocketKB} KB per socket, heap ${watching.heapPerSocketKB} KB`);
    } else {
      log(`  presence:watch refused: ${JSON.stringify(watchErrors)}`);
    }

    // 5. The directory, searched.
    const usersQuery = await queryDirectory(host.url, seeded.onlineTokens[0]!, seeded, size, usage, log);

    const results: PresenceResults = {
      version: 1,
      scenario: 'presence',
      mode: ctx.mode,
      label,
      startedAt: ctx.startedAt.toISOString(),
      durationSec: round((performance.now() - t0) / 1000, 1),
      buildSec: ctx.buildSec,
      machine: machine(ctx.tmp),
      database: { driver: ctx.target.driver, version: ctx.dbVersion },
      git: gitCommit(ctx.root),
      plan: { ...plan, watchEach: size.watchEach, workers: WORKERS, connectConcurrency: CONNECT_CONCURRENCY },
      seeded: { timingsMs: seeded.timings, databaseMiB, searchColumns: seeded.searchColumns },
      loadAverage,
      connect: {
        sockets: open,
        failed: connected.failed,
        errors: connected.errors,
        ms: connectMs,
        settleMs,
        serverCpuMs: Math.round(connectCpu),
        serverCpuMsPerSocket: round(connectCpu / seeded.onlineTokens.length, 3),
        generatorCpuMs: Math.round(connectGeneratorCpu),
        announcementsHeard: afterConnect.online,
      },
      memory: {
        baselineRssMiB: MiB(base.rss),
        rssMiB: MiB(m.rss),
        heapUsedMiB: MiB(m.heapUsed),
        rssPerSocketKB: perSocket(m.rss - base.rss),
        heapPerSocketKB: perSocket(m.heapUsed - base.heapUsed),
        watching,
      },
      idleCpuMsPerSec: round(idleCpuMsPerSec, 2),
      probe: {
        users: seeded.probeTokens.length,
        contacts: seeded.probeContacts,
        failed: probed.failed,
        ms: probeMs,
        serverCpuMs: Math.round(probeCpu),
        cpuMsPerUser,
        generatorCpuMs: Math.round(probeGeneratorCpu),
        announcementsPerUser,
      },
      usersQuery,
      targets: {
        cpuMsPerUserOnline: { goal: TARGETS.cpuMsPerUserOnline, met: cpuMsPerUser <= TARGETS.cpuMsPerUserOnline && probed.failed === 0 },
        usersQueryP99Ms: { goal: TARGETS.usersQueryP99Ms, met: usersQuery.paged && usersQuery.latency.p99 <= TARGETS.usersQueryP99Ms && usersQuery.latency.failed === 0 },
      },
    };
    writeResults(ctx, results);
  } finally {
    await Promise.all(workers.map((w) => w.stop(5000)));
    await host.child.stop();
    const errors = fs.existsSync(host.logFile)
      ? fs.readFileSync(host.logFile, 'utf8').split('\n').filter((l) => /"level":(50|60)/.test(l))
      : [];
    if (errors.length) log(`  server logged ${errors.length} errors, e.g. ${errors[0]}`);
  }
}

/**
 * Searches as people type them, one request at a time over HTTP with a session: the first page, one letter, two
 * letters of a name, a name's first letters, a first name and the start of a last name. A server that answers
 * everyone at once (no `nextCursor`) gets a few requests only: each is the whole directory.
 */
async function queryDirectory(
  url: string,
  token: string,
  seeded: Awaited<ReturnType<typeof seedPresence>>,
  size: (typeof PLANS)['full'],
  usage: () => Promise<Usage>,
  log: (line: string) => void,
): Promise<PresenceResults['usersQuery']> {
  const next = random(23);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const name = () => pick([...seeded.names.first, ...seeded.names.last]).toLowerCase();
  const queryOf = (kind: QueryKind): string => {
    switch (kind) {
      case 'empty':
        return '';
      case 'one letter':
        return pick('abcdefghijklmnopqrstuvwxyz'.split(''));
      case 'two letters':
        return name().slice(0, 2);
      case 'a name':
        return name().slice(0, 3 + Math.floor(next() * 4));
      case 'first and last name':
        return `${pick(seeded.names.first)} ${pick(seeded.names.last).slice(0, 2)}`.toLowerCase();
    }
  };
  const ask = async (query: string) => {
    const t = performance.now();
    const response = await fetch(`${url}/api/users?query=${encodeURIComponent(query)}&limit=${QUERY_LIMIT}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await response.text();
    return { ms: performance.now() - t, ok: response.status === 200, text };
  };
  const first = await ask('');
  const paged = first.ok && 'nextCursor' in (JSON.parse(first.text) as object);
  const warmup = paged ? size.queryWarmup : 1;
  const samples = paged ? size.querySamples : 5;
  for (let i = 0; i < warmup; i++) await ask(queryOf(QUERY_KINDS[i % QUERY_KINDS.length]!));
  const latencies: number[] = [];
  const byKind = new Map<QueryKind, number[]>(QUERY_KINDS.map((kind) => [kind, []]));
  let failed = 0;
  const before = await usage();
  const clientFrom = process.cpuUsage();
  for (let i = 0; i < samples; i++) {
    const kind = QUERY_KINDS[i % QUERY_KINDS.length]!;
    const answer = await ask(queryOf(kind));
    if (!answer.ok) {
      failed++;
      continue;
    }
    latencies.push(answer.ms);
    byKind.get(kind)!.push(answer.ms);
  }
  const after = await usage();
  const client = process.cpuUsage(clientFrom);
  const latency = { ...summarize(latencies), failed };
  log(
    `  GET /api/users?query=…&limit=${QUERY_LIMIT}${paged ? '' : ' (answered everyone, unpaged)'}: p50 ${latency.p50} ms, p99 ${latency.p99} ms, ` +
      `max ${latency.max} ms (${latency.count} requests, ${failed} failed), ${Math.round(Buffer.byteLength(first.text) / 1024)} KiB for the first`,
  );
  return {
    paged,
    limit: QUERY_LIMIT,
    latency,
    byKind: Object.fromEntries([...byKind].map(([kind, values]) => [kind, summarize(values)])),
    firstAnswerBytes: Buffer.byteLength(first.text),
    serverCpuMsPerRequest: round(cpuMsBetween(before, after) / Math.max(1, samples), 3),
    clientCpuMsPerRequest: round((client.user + client.system) / 1000 / Math.max(1, samples), 3),
  };
}

function profileFile(ctx: PresenceRunContext): string {
  const dir = path.join(BENCH_DIR, 'results', 'profiles');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = ctx.startedAt.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  return path.join(dir, `presence-${stamp}-${ctx.target.driver}.cpuprofile`);
}

function writeResults(ctx: PresenceRunContext, results: PresenceResults): void {
  const dir = path.join(BENCH_DIR, 'results', ctx.mode === 'quick' ? 'quick' : '');
  fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
  const name = ['presence', results.label, results.database.driver === 'sqlite' ? null : results.database.driver].filter(Boolean).join('-');
  const stamp = results.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const json = JSON.stringify(results, null, 2) + '\n';
  const text = renderPresence(results);
  const files = { [`${name}.json`]: json, [`${name}.md`]: text, [`runs/${stamp}-${name}-${results.mode}.json`]: json };
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), content);
  ctx.log('');
  ctx.log(text);
  ctx.log(`Results: ${Object.keys(files).map((f) => path.relative(ctx.root, path.join(dir, f))).join(', ')}`);
}

export function renderPresence(r: PresenceResults): string {
  const c = r.connect;
  const q = r.usersQuery;
  const verdict = (met: boolean) => (met ? '**met**' : '**missed**');
  const people = Math.ceil(r.plan.online / r.plan.devices);
  return [
    `# Presence and the directory: ${r.plan.users.toLocaleString('en')} people, ${c.sockets.toLocaleString('en')} sockets online (${r.mode}${r.label ? `, ${r.label}` : ''})`,
    '',
    `${r.database.driver} ${r.database.version ?? ''} on ${r.machine.cores} cores (${r.machine.cpuModel}), Node ${r.machine.node}, ` +
      `commit ${r.git.commit?.slice(0, 12) ?? 'unknown'}${r.git.dirty ? ' (uncommitted changes)' : ''}, ${r.startedAt}; ` +
      `load average ${r.loadAverage} as the sockets began to connect.`,
    '',
    `Online: ${people.toLocaleString('en')} people × ${r.plan.devices} device${r.plan.devices > 1 ? 's' : ''}, each person in a group room of ` +
      `${r.plan.groupSize} and in direct chats with ${r.plan.directAhead * 2} neighbours; ${r.plan.workers} load processes, ` +
      `${r.plan.connectConcurrency} sockets connecting at once in each.`,
    '',
    '| measure | result | target |',
    '| --- | ---: | --- |',
    `| server CPU for one more person coming online (${r.probe.users} in turn, each with ${r.probe.contacts} contacts online; idle CPU taken out) | ` +
      `${r.probe.cpuMsPerUser} ms (load process: ${r.probe.generatorCpuMs ?? '—'} ms in all) | ≤ ${r.targets.cpuMsPerUserOnline.goal} ms: ${verdict(r.targets.cpuMsPerUserOnline.met)} |`,
    `| announcements delivered per person coming online | ${r.probe.announcementsPerUser} | |`,
    `| time for all ${c.sockets.toLocaleString('en')} to connect (then quiet after) | ${(c.ms / 1000).toFixed(1)} s (+${(c.settleMs / 1000).toFixed(1)} s) | |`,
    `| server CPU while they connect, per socket | ${c.serverCpuMsPerSocket} ms (${(c.serverCpuMs / 1000).toFixed(1)} s in all, ` +
      `${c.announcementsHeard.toLocaleString('en')} announcements delivered; load processes ${((c.generatorCpuMs ?? NaN) / 1000).toFixed(1)} s of CPU) | |`,
    `| \`GET /api/users?query=…&limit=${q.limit}\` p50 / p99 / max${q.paged ? '' : ' (answers everyone, unpaged)'} | ` +
      `${q.latency.p50} / **${q.latency.p99}** / ${q.latency.max} ms (${q.latency.count} requests, ${q.latency.failed} failed) | ` +
      `p99 ≤ ${r.targets.usersQueryP99Ms.goal} ms: ${verdict(r.targets.usersQueryP99Ms.met)} |`,
    `| server CPU per \`GET /api/users\` | ${q.serverCpuMsPerRequest} ms (the asking client: ${q.clientCpuMsPerRequest ?? '—'} ms) | |`,
    `| RSS per idle socket | ${r.memory.rssPerSocketKB} KB (heap ${r.memory.heapPerSocketKB} KB) | |`,
    `| RSS per idle socket watching ${r.plan.watchEach} people | ` +
      (r.memory.watching ? `${r.memory.watching.rssPerSocketKB} KB (heap ${r.memory.watching.heapPerSocketKB} KB)` : 'no `presence:watch` on this server') +
      ' | |',
    `| the idle server's own CPU with every socket connected | ${r.idleCpuMsPerSec} ms/s | |`,
    '',
    q.paged
      ? `\`GET /api/users\` by kind of search (p50 / p99 ms): ${Object.entries(q.byKind)
          .map(([kind, s]) => `${kind} ${s.p50} / ${s.p99}`)
          .join('; ')}. The first answer (the empty search) is ${Math.round(q.firstAnswerBytes / 1024)} KiB.`
      : `\`GET /api/users\` answered all ${r.plan.users.toLocaleString('en')} people at once: ${Math.round(q.firstAnswerBytes / 1024)} KiB.`,
    '',
    `Seeded in ${Math.round(Object.values(r.seeded.timingsMs).reduce((a, b) => a + b, 0) / 1000)} s` +
      `${r.seeded.databaseMiB !== null ? `; the database file is ${r.seeded.databaseMiB} MiB` : ''}.`,
    '',
  ].join('\n');
}
