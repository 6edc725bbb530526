/** The table printed at the end of a run (text), the same as Markdown, and the targets' verdicts. */
import type { Results } from '../run.js';
import type { SearchResult, StepResult } from './chat.js';

export interface TargetVerdict {
  name: string;
  goal: string;
  value: string;
  met: boolean | null;
  note?: string;
}

const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : n >= 1000 ? Math.round(n).toLocaleString('en-US') : String(Number(n.toFixed(digits)));

export function targetsOf(r: Results): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const { parley, relay, ratio } = r.chat;
  if (parley || relay) {
    const notes: string[] = [];
    if (relay?.cappedAtMaxRate) notes.push('the relay passed every step up to the highest rate tried: its saturation is higher, so the ratio is an upper bound');
    if (relay?.saturation && relay.firstFailingRate !== null) {
      const failing = relay.steps.find((s) => s.offered === relay.firstFailingRate);
      if (failing?.generatorBound) notes.push('the relay failed where the load generators could not send the offered rate: the ratio is an upper bound');
      const machinePct = failing ? (failing.serverCpu + failing.workersCpu) / r.machine.cores : 0;
      if (machinePct >= 85) {
        notes.push(
          `where the relay failed, the server and the generators used ${Math.round(machinePct)}% of the machine's CPU: ` +
            'the relay hit this machine’s limit, not its own, so the ratio is an upper bound',
        );
      }
    }
    out.push({
      name: 'Saturation vs relay',
      goal: '≥ 70% of the relay’s, storing every message',
      value:
        ratio === null
          ? '—'
          : `${fmt(ratio * 100, 1)}% (${fmt(parley?.saturation?.sentPerSec)} vs ${fmt(relay?.saturation?.sentPerSec)} msgs/s)`,
      met: ratio === null ? null : ratio >= 0.7,
      ...(notes.length ? { note: notes.join('; ') } : {}),
    });
  }
  if (parley) {
    const half = parley.half;
    out.push({
      name: 'p99 at half saturation',
      goal: '≤ 50 ms',
      value: half ? `${fmt(half.latency.p99, 2)} ms at ${fmt(half.offered)} msgs/s${half.lost ? `, ${half.lost} lost` : ''}` : '—',
      met: half ? half.latency.p99 <= 50 && half.lost === 0 : null,
    });
  }
  if (r.idle) {
    const top = r.idle.levels.at(-1);
    out.push({
      name: 'RSS per idle connection',
      goal: '≤ 20 KB',
      value: top ? `${fmt(top.rssPerConnKB)} KB at ${fmt(top.sockets)} sockets` : '—',
      met: top ? top.rssPerConnKB <= 20 && top.connected === top.sockets : null,
    });
  }
  if (r.history) {
    const h = r.history;
    out.push({
      name: 'History p99',
      goal: '≤ 5 ms at 1M messages',
      value: `${fmt(h.history.p99, 2)} ms at ${fmt(h.messages)} messages`,
      met: h.history.failed === 0 ? h.history.p99 <= 5 : false,
      ...(h.messages < 1_000_000 ? { note: 'fewer than 1M messages (quick run): indicative only' } : {}),
    });
  }
  if (r.logins?.chatWith && r.logins.chatWithout) {
    const l = r.logins;
    out.push({
      name: 'Chat during a login burst',
      goal: 'stays responsive: p99 ≤ 100 ms, nothing lost',
      value: `p99 ${fmt(l.chatWith!.latency.p99, 2)} ms (${fmt(l.chatWithout!.latency.p99, 2)} ms without) at ${fmt(l.chatRate)} msgs/s`,
      met: l.chatWith!.latency.p99 <= 100 && l.chatWith!.lost === 0,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

type Row = (string | number)[];

function textTable(header: string[], rows: Row[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = numericColumns(header, rows);
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Columns that hold numbers only (with units such as % or ms): right-aligned. */
const numericColumns = (header: string[], rows: Row[]) =>
  header.map((_, i) => rows.every((r) => /^[\d.,—%]+( ?(%|ms|s|KB|MiB))?$/.test(String(r[i] ?? '—'))));

function mdTable(header: string[], rows: Row[]): string {
  const numeric = numericColumns(header, rows);
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (numeric[i] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(String).join(' | ')} |`),
  ].join('\n');
}

const STEP_HEADER = ['server', 'step', 'offered/s', 'sent/s', 'deliveries/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'undelivered', 'server CPU', 'server loop', 'workers CPU', 'verdict'];

function stepRow(s: StepResult): Row {
  const verdict = s.pass ? 'ok' : s.generatorBound ? 'FAIL (generators)' : s.lost || s.acksFailed ? 'FAIL (undelivered)' : 'FAIL (p99)';
  return [
    s.target,
    s.label,
    fmt(s.offered),
    fmt(s.sentPerSec),
    fmt(s.deliveriesPerSec),
    fmt(s.latency.p50, 2),
    fmt(s.latency.p95, 2),
    fmt(s.latency.p99, 2),
    fmt(s.latency.max, 1),
    s.lost + (s.acksFailed ? ` (${s.acksFailed} refused)` : ''),
    `${fmt(s.serverCpu, 0)}%`,
    `${fmt(s.serverLoop, 0)}%`,
    `${fmt(s.workersCpu, 0)}%`,
    verdict,
  ];
}

const sorted = (s: SearchResult | null) => (s ? [...s.steps].sort((a, b) => a.offered - b.offered || a.step - b.step) : []);

function verdict(v: boolean | null): string {
  return v === null ? 'n/a' : v ? 'MET' : 'NOT MET';
}

interface Section {
  title: string;
  intro?: string[];
  header?: string[];
  rows?: Row[];
  after?: string[];
}

function sections(r: Results): Section[] {
  const out: Section[] = [];
  const { parley, relay, ratio } = r.chat;
  const targets = r.targets;
  const t = (name: string) => targets.find((x) => x.name === name);
  const line = (x: TargetVerdict | undefined) =>
    x ? `Target — ${x.name} ${x.goal}: ${x.value} → ${verdict(x.met)}${x.note ? ` (${x.note})` : ''}` : '';

  if (parley || relay) {
    const p = r.parameters;
    out.push({
      title: '1–2. Live chat at rising load, Parley and the bare Socket.IO relay',
      intro: [
        `${p.chatUsers} users, ${Math.ceil(p.chatUsers / p.groupSize)} group rooms of ${p.groupSize} + direct chats in pairs, ${Math.round(p.chat.dmShare * 100)}% of messages direct; ` +
          `steps of ${p.chat.warmupMs / 1000} s warm-up + ${p.chat.measureMs / 1000} s measured; ${p.workers} load-generator processes on the same machine.`,
        'Latency: sender’s emit → each recipient’s message:new (sender’s own socket included). CPU: % of one core. ' +
          'Server loop: % of the time the server’s event loop was busy (JavaScript, or blocked in a synchronous call such as an SQLite commit).',
      ],
      header: STEP_HEADER,
      rows: [...sorted(relay), ...sorted(parley)].map(stepRow),
      after: [
        `Saturation (highest step with p99 ≤ ${r.parameters.chat.p99LimitMs} ms and every message delivered): ` +
          `Parley ${fmt(parley?.saturation?.sentPerSec)} msgs/s (${fmt(parley?.saturation?.deliveriesPerSec)} deliveries/s, server CPU ${fmt(parley?.saturation?.serverCpu, 0)}%, loop ${fmt(parley?.saturation?.serverLoop, 0)}%)` +
          `${parley?.firstFailingRate ? `, fails at ${fmt(parley.firstFailingRate)}` : ''}; ` +
          `relay ${fmt(relay?.saturation?.sentPerSec)} msgs/s (${fmt(relay?.saturation?.deliveriesPerSec)} deliveries/s, server CPU ${fmt(relay?.saturation?.serverCpu, 0)}%, loop ${fmt(relay?.saturation?.serverLoop, 0)}%)` +
          `${relay?.firstFailingRate ? `, fails at ${fmt(relay.firstFailingRate)}` : relay ? ', passed every step tried' : ''}; ratio ${ratio === null ? '—' : `${fmt(ratio * 100, 1)}%`}.`,
        line(t('Saturation vs relay')),
        line(t('p99 at half saturation')),
      ].filter(Boolean),
    });
  }
  if (r.idle) {
    const b = r.idle.baseline;
    const probe = r.idle.probe;
    out.push({
      title: '3. Idle authenticated connections (server memory after a full GC)',
      intro: [
        `No sockets: RSS ${fmt(b.rssMiB)} MiB, V8 heap used ${fmt(b.heapUsedMiB)} MiB. Per conn = (level − no sockets) / open sockets; per added conn = (level − previous level) / sockets added.`,
        'Each socket has its own session; above the first level, users have several devices. CPU ms/new socket: server CPU to admit the level’s new sockets.',
      ],
      header: ['sockets', 'users', 'open', 'connect s', 'CPU ms/new socket', 'RSS MiB', 'RSS KB/conn', 'RSS KB/added conn', 'heap MiB', 'heap KB/conn', 'external MiB'],
      rows: r.idle.levels.map((l) => [
        fmt(l.sockets),
        fmt(l.users),
        fmt(l.connected),
        fmt(l.connectMs / 1000, 1),
        fmt(l.cpuMsPerNewSocket, 2),
        fmt(l.rssMiB),
        fmt(l.rssPerConnKB),
        fmt(l.rssMarginalKB),
        fmt(l.heapUsedMiB),
        fmt(l.heapPerConnKB),
        fmt(l.externalMiB),
      ]),
      after: [
        ...(probe
          ? [
              `${probe.users} more distinct users coming online with ${fmt(probe.onlineSockets)} sockets connected: ${fmt(probe.connectMs / 1000, 1)} s, ` +
                `server CPU ${fmt(probe.cpuMsPerUser, 1)} ms per user (each is announced to every connected socket).`,
            ]
          : []),
        line(t('RSS per idle connection')),
      ],
    });
  }
  if (r.history) {
    const h = r.history;
    out.push({
      title: `4. History and direct chats (one room of ${fmt(h.messages)} messages)`,
      intro: [`Sequential requests from one user (${r.parameters.requestSockets} sockets in turn), client-measured round trip.`],
      header: ['request', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'failed'],
      rows: [
        [`room:history limit ${h.limit}, random cursor`, fmt(h.history.count), fmt(h.history.p50, 2), fmt(h.history.p95, 2), fmt(h.history.p99, 2), fmt(h.history.max, 1), h.history.failed],
        ['dm:open, new direct room', fmt(h.dmOpenNew.count), fmt(h.dmOpenNew.p50, 2), fmt(h.dmOpenNew.p95, 2), fmt(h.dmOpenNew.p99, 2), fmt(h.dmOpenNew.max, 1), h.dmOpenNew.failed],
        ['dm:open, existing room', fmt(h.dmOpenExisting.count), fmt(h.dmOpenExisting.p50, 2), fmt(h.dmOpenExisting.p95, 2), fmt(h.dmOpenExisting.p99, 2), fmt(h.dmOpenExisting.max, 1), h.dmOpenExisting.failed],
      ],
      after: [line(t('History p99'))],
    });
  }
  if (r.logins) {
    const l = r.logins;
    const rows: Row[] = [
      ['logins alone', fmt(l.throughput.perSec), fmt(l.throughput.latency.p50, 1), fmt(l.throughput.latency.p99, 1), l.throughput.failed, `${fmt(l.throughput.serverCpu, 0)}%`],
    ];
    if (l.duringChat) rows.push([`logins during chat at ${fmt(l.chatRate)}/s`, fmt(l.duringChat.perSec), fmt(l.duringChat.latency.p50, 1), fmt(l.duringChat.latency.p99, 1), l.duringChat.failed, '']);
    out.push({
      title: '5. Logins (bcrypt cost 11) and chat during a login burst',
      intro: [`${l.concurrency} logins in flight at once, correct passwords.`],
      header: ['logins', 'per s', 'p50 ms', 'p99 ms', 'failed', 'server CPU'],
      rows,
      after:
        l.chatWithout && l.chatWith
          ? [
              `Chat at ${fmt(l.chatRate)} msgs/s: p99 ${fmt(l.chatWithout.latency.p99, 2)} ms without logins, ${fmt(l.chatWith.latency.p99, 2)} ms during the burst ` +
                `(p50 ${fmt(l.chatWithout.latency.p50, 2)} → ${fmt(l.chatWith.latency.p50, 2)} ms, max ${fmt(l.chatWithout.latency.max, 1)} → ${fmt(l.chatWith.latency.max, 1)} ms, lost ${l.chatWith.lost}).`,
              line(t('Chat during a login burst')),
            ]
          : [],
    });
  }
  return out;
}

function heading(r: Results): string[] {
  const m = r.machine;
  return [
    `Parley bench — ${r.mode} run, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${r.durationSec} s (build ${r.buildSec} s)`,
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. ` +
      `Database: ${r.database.driver} ${r.database.version ?? ''}${r.database.driver === 'sqlite' ? ` (temporary file on ${m.tmpFilesystem})` : ''}. ` +
      `Commit ${r.git.commit?.slice(0, 12) ?? 'unknown'}${r.git.dirty ? ' + uncommitted changes in server/ or protocol/' : ''}.`,
  ];
}

export function renderText(r: Results): string {
  const out: string[] = [...heading(r), ...r.notes.map((n) => `- ${n}`), ''];
  for (const s of sections(r)) {
    out.push(s.title, '='.repeat(Math.min(100, s.title.length)));
    if (s.intro) out.push(...s.intro);
    if (s.header && s.rows) out.push('', textTable(s.header, s.rows));
    if (s.after?.length) out.push('', ...s.after);
    out.push('');
  }
  out.push('Targets', '=======');
  out.push(textTable(['target', 'goal', 'measured', 'verdict'], r.targets.map((x) => [x.name, x.goal, x.value, verdict(x.met)])));
  return out.join('\n');
}

export function renderMarkdown(r: Results): string {
  const out: string[] = heading(r).map((l) => `${l}  `);
  out.push('', ...r.notes.map((n) => `- ${n}`), '');
  out.push('| target | goal | measured | verdict |', '| --- | --- | --- | --- |');
  for (const x of r.targets) out.push(`| ${x.name} | ${x.goal} | ${x.value}${x.note ? ` (${x.note})` : ''} | **${verdict(x.met)}** |`);
  out.push('');
  for (const s of sections(r)) {
    out.push(`#### ${s.title}`, '');
    if (s.intro) out.push(...s.intro.map((l) => `${l}  `), '');
    if (s.header && s.rows) out.push(mdTable(s.header, s.rows), '');
    if (s.after?.length) out.push(...s.after.map((l) => `${l}  `), '');
  }
  return out.join('\n');
}
