/**
 * The suite's summary (`bench/all.ts`): every target of the benchmark, for SQLite and PostgreSQL side by side,
 * read from the results files the suite's runs wrote. Each figure carries what the load generators took of the
 * machine meanwhile, so that a reader can tell a server's limit from the machine's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Results } from '../run.js';
import type { StepResult } from './chat.js';
import type { PresenceResults } from './presence.js';
import type { TwoNodesResults } from './two-nodes.js';

export interface SuiteRun {
  name: string;
  file: string;
  /** The run's exit code. */
  status: number;
  /** Whether it wrote its results file (a failed run may leave an older one, which is then not read). */
  wrote: boolean;
  seconds: number;
}

interface Row {
  what: string;
  sqlite: string;
  postgres: string;
  target: string;
  /** Per driver: true met, false missed, null no target or no figure. */
  met: { sqlite: boolean | null; postgres: boolean | null };
}

export interface Summary {
  startedAt: string;
  durationSec: number;
  quick: boolean;
  runs: SuiteRun[];
  skipped: string[];
  header: string[];
  rows: Row[];
}

/** The commit delay a slow-disk run injected, ms. */
const syncDelayOf = (r: Results | null) => r?.disk.injectedSyncDelayMs ?? null;
const n = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x)}%`);
/** What the load took: the generators' CPU (of one core) and the whole machine's (of all cores). */
const load = (s: StepResult) => `generators ${pct(s.generatorCpu)} of a core, machine ${pct(s.machineCpu)}`;
/** Server CPU per delivery at a step, µs. */
const cpuPerDelivery = (s: StepResult) => (s.deliveriesPerSec > 0 ? ((s.serverCpu / 100) * 1e6) / s.deliveriesPerSec : null);

function read<T>(dir: string, runs: SuiteRun[], file: string): T | null {
  const run = runs.find((r) => r.file === file);
  if (!run?.wrote) return null;
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
}

export function summarize(dir: string, runs: SuiteRun[], skipped: string[], meta: { startedAt: string; durationSec: number; quick: boolean }): Summary {
  const sq = read<Results>(dir, runs, 'latest.json');
  const pg = read<Results>(dir, runs, 'latest-postgres.json');
  const slow = read<Results>(dir, runs, 'latest-slowdisk.json');
  const prSq = read<PresenceResults>(dir, runs, 'presence.json');
  const prPg = read<PresenceResults>(dir, runs, 'presence-postgres.json');
  const two = read<TwoNodesResults>(dir, runs, 'two-nodes.json');
  const rows: Row[] = [];
  const row = (what: string, target: string, sqlite: [string, boolean | null], postgres: [string, boolean | null]) =>
    rows.push({ what, target, sqlite: sqlite[0], postgres: postgres[0], met: { sqlite: sqlite[1], postgres: postgres[1] } });
  const none: [string, null] = ['—', null];
  const per = <T>(r: T | null, f: (r: T) => [string, boolean | null]): [string, boolean | null] => (r ? f(r) : none);

  const relay = sq?.chat.relay?.saturation ?? null;
  row('bare Socket.IO relay: saturation (highest step with p99 ≤ 100 ms, all delivered)', 'the baseline', relay ? [`${n(relay.sentPerSec)} msgs/s (${n(relay.deliveriesPerSec)} deliveries/s); relay ${pct(relay.serverCpu)} of a core, ${load(relay)}`, null] : none, relay ? ['the same relay', null] : none);
  const relayFail = sq?.chat.relay?.steps.find((s) => s.offered === sq.chat.relay?.firstFailingRate);
  if (relayFail) row('relay: its first failing step', '', [`${n(relayFail.offered)} msgs/s: p99 ${n(relayFail.latency.p99, 1)} ms, relay ${pct(relayFail.serverCpu)} of a core, ${load(relayFail)}`, null], ['the same relay', null]);

  const saturation = (goal: number) => (r: Results): [string, boolean | null] => {
    const s = r.chat.parley?.saturation;
    if (!s) return ['no step passed', false];
    const ratio = r.chat.ratio;
    return [
      `${n(s.sentPerSec)} msgs/s (${n(s.deliveriesPerSec)} deliveries/s), **${ratio === null ? '—' : `${n(ratio * 100, 1)}%`} of the relay**; server ${pct(s.serverCpu)} of a core, ${load(s)}`,
      ratio === null ? null : ratio >= goal,
    ];
  };
  rows.push({
    what: 'Parley: saturation, and its share of the relay’s',
    target: 'SQLite ≥ 70%, PostgreSQL ≥ 50%',
    ...(() => {
      const a = per(sq, saturation(0.7));
      const b = per(pg, saturation(0.5));
      return { sqlite: a[0], postgres: b[0], met: { sqlite: a[1], postgres: b[1] } };
    })(),
  });
  row('server CPU per delivery at saturation', '', per(sq, (r) => [r.chat.parley?.saturation ? `${n(cpuPerDelivery(r.chat.parley.saturation), 1)} µs (relay ${relay ? n(cpuPerDelivery(relay), 1) : '—'} µs)` : '—', null]), per(pg, (r) => [r.chat.parley?.saturation ? `${n(cpuPerDelivery(r.chat.parley.saturation), 1)} µs` : '—', null]));
  const half = (r: Results): [string, boolean | null] => {
    const h = r.chat.parley?.half;
    return h ? [`${n(h.latency.p99, 1)} ms at ${n(h.offered)} msgs/s; ${load(h)}`, h.pass && h.latency.p99 <= 50] : none;
  };
  row('p99 at half of Parley’s saturation', '≤ 50 ms', per(sq, half), per(pg, half));
  const over = (r: Results): [string, boolean | null] => {
    const o = r.chat.overload;
    if (!o) return none;
    const s = o.step;
    const ok = s.ackedLate === 0 && s.lost === 0 && s.unanswered === 0 && s.latency.p99 <= 500 && o.healthz.failed === 0 && o.healthz.max <= 100;
    return [
      `${n(s.offered)} msgs/s offered: ${n(s.acked)} acked, ${n(s.shed)} shed (\`overloaded\`), ${n(s.ackedLate)} acked but late, ${n(s.lost)} lost; ` +
        `delivery p99 ${n(s.latency.p99, 1)} ms; /healthz max ${n(o.healthz.max, 1)} ms (${o.healthz.failed} failed); ${load(s)}`,
      ok,
    ];
  };
  row('at twice saturation', 'every acked message delivered within 5 s, acked p99 ≤ 500 ms, /healthz ≤ 100 ms', per(sq, over), per(pg, over));
  const logins = (r: Results): [string, boolean | null] => {
    const l = r.logins;
    if (!l?.chatWith) return none;
    const w = l.chatWith;
    return [
      `chat p99 ${n(w.latency.p99, 1)} ms during ${n(l.duringChat?.perSec, 1)} logins/s (${n(l.chatWithout?.latency.p99, 1)} ms without) at ${n(l.chatRate)} msgs/s; ${load(w)}`,
      w.pass,
    ];
  };
  row('chat during a login burst (8 logins in flight, bcrypt cost 11)', 'p99 ≤ 100 ms, nothing lost', per(sq, logins), per(pg, logins));
  const idle = (r: Results): [string, boolean | null] => {
    const top = r.idle?.levels.at(-1);
    return top ? [`${n(top.rssPerConnKB, 1)} KB at ${n(top.connected)} sockets`, top.rssPerConnKB <= 20] : none;
  };
  row('RSS per idle authenticated socket', '≤ 20 KB', per(sq, idle), per(pg, idle));
  const history = (r: Results): [string, boolean | null] =>
    r.history ? [`${n(r.history.history.p99, 2)} ms at ${n(r.history.messages)} messages`, r.history.history.p99 <= 5] : none;
  row('`room:history` p99', '≤ 5 ms at 1M messages', per(sq, history), per(pg, history));
  row(
    `SQLite with every commit slowed by ${syncDelayOf(slow) ?? '…'} ms (as a slow disk)`,
    '≥ 70% of the relay',
    per(slow, saturation(0.7)),
    ['— (SQLite only)', null],
  );

  const online = (r: PresenceResults): [string, boolean | null] =>
    r.probe ? [`${n(r.probe.cpuMsPerUser, 2)} ms (the load process: ${n(r.probe.generatorCpuMs)} ms for all ${r.probe.users})`, r.targets.cpuMsPerUserOnline.met] : none;
  const scale = prSq ?? prPg;
  const people = scale ? `${n(scale.plan.users)} registered, ${n(scale.connect.sockets)} online` : '';
  row(`server CPU for one more person online (${people})`, '≤ 2 ms', per(prSq, online), per(prPg, online));
  const users = (r: PresenceResults): [string, boolean | null] =>
    r.usersQuery ? [`${n(r.usersQuery.latency.p99, 2)} ms (the asking client: ${n(r.usersQuery.clientCpuMsPerRequest, 2)} ms of CPU per request)`, r.targets.usersQueryP99Ms.met] : none;
  row(`\`GET /api/users?query=\` p99 (${scale ? n(scale.plan.users) : '—'} people)`, '≤ 10 ms', per(prSq, users), per(prPg, users));
  const connected = (r: PresenceResults): [string, null] => [`${n(r.connect.ms / 1000, 1)} s (the load processes: ${n((r.connect.generatorCpuMs ?? NaN) / 1000, 1)} s of CPU)`, null];
  row(`time for ${scale ? n(scale.connect.sockets) : '—'} people to connect`, '', per(prSq, connected), per(prPg, connected));
  row(`RSS per idle socket (${scale ? n(scale.connect.sockets) : '—'} people online)`, '', per(prSq, (r) => [`${n(r.memory.rssPerSocketKB, 1)} KB`, null]), per(prPg, (r) => [`${n(r.memory.rssPerSocketKB, 1)} KB`, null]));

  if (two) {
    const t = two.two;
    const one = two.one;
    // The cost per delivery compared at the highest rate both phases passed: the same load on one node and on two.
    const both = two.comparison.filter((c) => c.one.pass && c.two.pass).at(-1);
    const lost = t.steps.reduce((sum, s) => sum + s.lost, 0);
    const rerun = two.git.commit && two.git.commit !== sq?.git.commit ? ` (run again on its own, commit ${two.git.commit.slice(0, 7)})` : '';
    row(`two nodes (PostgreSQL + Redis), load split, every room across both${rerun}`, 'nothing lost, per-room order kept; cost per delivery reported', none, [
      `saturation ${n(t.saturation?.sentPerSec)} msgs/s (one node: ${n(one.saturation?.sentPerSec)}); ` +
        (both ? `at ${n(both.offered)} msgs/s ${n(both.two.cpuUsPerDelivery, 1)} µs of server CPU per delivery against ${n(both.one.cpuUsPerDelivery, 1)} on one node (${n(both.costRatio, 2)}×); ` : '') +
        `${n(lost)} lost, ${n(t.order.outOfOrder)} of ${n(t.order.checked)} deliveries out of seq order, ${n(t.order.duplicates)} duplicated, ${n(t.order.missing)} never received` +
        (t.saturation ? `; ${load(t.saturation)}` : ''),
      lost === 0 && t.order.outOfOrder === 0 && t.order.duplicates === 0 && t.order.missing === 0,
    ]);
  }

  const disk = (r: Results | null, label: string) =>
    r?.disk ? `${label}: fsync of 4 KiB p50 ${n(r.disk.p50, 3)} ms, p99 ${n(r.disk.p99, 3)} ms (${r.machine.tmpFilesystem})` : null;
  const first = sq ?? pg;
  const header = [
    first
      ? `${first.machine.cores} cores (${first.machine.cpuModel}), ${first.machine.memoryGiB} GiB, Node ${first.machine.node}; commit ${first.git.commit?.slice(0, 12) ?? 'unknown'}${first.git.dirty ? ' (uncommitted changes)' : ''}.`
      : 'No run wrote results.',
    ...[disk(sq, 'Disk under the SQLite file'), syncDelayOf(slow) ? `Slow-disk run: every commit slowed by ${syncDelayOf(slow)} ms on the writer thread (PARLEY_TEST_SYNC_DELAY_MS)` : null].filter(
      (x): x is string => x !== null,
    ),
    `Load: ${first?.parameters.chatUsers ?? '—'} chat users in rooms of ${first?.parameters.groupSize ?? '—'}, ${first?.parameters.workers ?? '—'} generator processes (${first?.parameters.generator ?? '—'}), open-loop steps; a step passes at p99 ≤ 100 ms with every delivery.`,
  ];
  return { ...meta, runs, skipped, header, rows };
}

const verdict = (met: boolean | null) => (met === null ? '' : met ? ' ✅' : ' ❌');

export function renderSummary(s: Summary): string {
  const lines = [
    `Parley bench suite — ${s.quick ? 'quick' : 'full'}, ${s.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(s.durationSec / 60)} min`,
    '',
    ...s.header.map((h) => `- ${h}`),
    ...s.skipped.map((k) => `- Skipped: ${k}`),
    ...s.runs.filter((r) => r.status !== 0 || !r.wrote).map((r) => `- **Failed:** ${r.name} (exit ${r.status}${r.wrote ? '' : ', no results'})`),
    '',
    '| | SQLite | PostgreSQL | target |',
    '| --- | --- | --- | --- |',
    ...s.rows.map((r) => `| ${r.what} | ${r.sqlite}${verdict(r.met.sqlite)} | ${r.postgres}${verdict(r.met.postgres)} | ${r.target} |`),
    '',
    `Runs: ${s.runs.map((r) => `${r.name} ${r.seconds} s`).join('; ')}.`,
    '',
  ];
  return lines.join('\n');
}
