/** The table printed at the end of a run (text), the same as Markdown, and the targets' verdicts. */
import type { Results } from '../run.js';
import type { OverloadResult, SearchResult, StepResult } from './chat.js';
import type { FsyncProbe } from './disk.js';
import { DELIVERY_DEADLINE_MS } from './types.js';

export interface TargetVerdict {
  name: string;
  goal: string;
  value: string;
  met: boolean | null;
  note?: string;
}

export const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : n >= 1000 ? Math.round(n).toLocaleString('en-US') : String(Number(n.toFixed(digits)));

/** Past saturation (issue 10): at twice the saturation rate, on every driver. */
const OVERLOAD_P99_MS = 500;
const HEALTHZ_MS = 100;

export function fsyncLine(d: FsyncProbe, filesystem: string): string {
  const injected = d.injectedSyncDelayMs
    ? `Slow disk emulated: every commit slowed by ${d.injectedSyncDelayMs} ms (PARLEY_TEST_SYNC_DELAY_MS), beside the measured fsync. `
    : '';
  return (
    `${injected}Disk: a ${d.bytes / 1024} KiB write + fsync in the SQLite file's temporary folder (${filesystem}) took p50 ${d.p50} ms, ` +
    `p99 ${d.p99} ms, max ${d.max} ms (${d.count} samples); SQLite waits for one per commit.`
  );
}

const overloadTargets = (o: OverloadResult): TargetVerdict[] => {
  const s = o.step;
  const h = o.healthz;
  return [
    {
      name: 'Past saturation: acked messages delivered',
      goal: `at 2× saturation, every acked message to every member within ${DELIVERY_DEADLINE_MS / 1000} s, every send answered`,
      value:
        `${fmt(s.ackedLate, 0)} of ${fmt(s.acked, 0)} acked messages late or lost, ${fmt(s.unanswered, 0)} unanswered, ` +
        `${fmt(s.shed, 0)} shed; ${fmt(s.deliveredPct, 1)}% of all deliveries at ${fmt(s.offered)} msgs/s offered`,
      met: s.ackedLate === 0 && s.unanswered === 0,
    },
    {
      name: 'Past saturation: acked p99',
      goal: `≤ ${OVERLOAD_P99_MS} ms at 2× saturation`,
      value: `${fmt(s.latency.p99, 1)} ms to delivery (ack ${fmt(s.ack.p99, 1)} ms)`,
      met: s.latency.count > 0 && s.latency.p99 <= OVERLOAD_P99_MS,
    },
    {
      name: 'Past saturation: /healthz',
      goal: `every answer ≤ ${HEALTHZ_MS} ms at 2× saturation`,
      value: `p99 ${fmt(h.p99, 1)} ms, max ${fmt(h.max, 1)} ms (${h.count} answered, ${h.failed} failed)`,
      met: h.count > 0 && h.failed === 0 && h.max <= HEALTHZ_MS,
    },
  ];
};

export function targetsOf(r: Results): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const { parley, relay, ratio } = r.chat;
  if (parley || relay) {
    const notes: string[] = [];
    if (relay?.cappedAtMaxRate) notes.push('the relay passed every step up to the highest rate tried: its saturation is higher, so the ratio is an upper bound');
    if (relay?.saturation && relay.firstFailingRate !== null) {
      const failing = relay.steps.find((s) => s.offered === relay.firstFailingRate);
      if (failing?.generatorBound) notes.push('the relay failed where the load generators could not send the offered rate: the ratio is an upper bound');
      if (failing && failing.machineCpu >= 85) {
        notes.push(
          `where the relay failed, the machine was ${Math.round(failing.machineCpu)}% busy (the relay ${fmt(failing.serverCpu, 0)}% ` +
            `and the generators ${fmt(failing.generatorCpu, 0)}% of one core): the relay hit this machine’s limit, not its own, so the ratio is an upper bound`,
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
  if (r.chat.overload) out.push(...overloadTargets(r.chat.overload));
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

const STEP_HEADER = [
  'server',
  'step',
  'offered/s',
  'sent/s',
  'deliveries/s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'max ms',
  'lost',
  'refused',
  'server CPU',
  'server loop',
  'generator CPU',
  'machine CPU',
  'verdict',
];

/** Refused sends, shed (`overloaded`) ones first, then the other codes. */
function refusals(s: StepResult): string {
  if (!s.acksFailed) return '0';
  const others = Object.entries(s.errors).filter(([code]) => code !== 'overloaded');
  return [...(s.shed ? [`${s.shed} shed`] : []), ...others.map(([code, n]) => `${n} ${code}`)].join(', ');
}

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
    s.lost,
    refusals(s),
    `${fmt(s.serverCpu, 0)}%`,
    `${fmt(s.serverLoop, 0)}%`,
    `${fmt(s.generatorCpu, 0)}%`,
    `${fmt(s.machineCpu, 0)}%`,
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
          `steps of ${p.chat.warmupMs / 1000} s warm-up + ${p.chat.measureMs / 1000} s measured; ${p.workers} load-generator processes ` +
          `(${p.generator === 'sio' ? 'socket.io-client' : 'raw Socket.IO frames on ws'}) on the same machine.`,
        'Latency: sender’s emit → each recipient’s message:new (sender’s own socket included). Lost: deliveries owed by messages not refused that never came. ' +
          'Refused: sends answered with an error (shed: `overloaded`).',
        'Server CPU and generator CPU (all generator processes together): % of one core, over the measured window. Machine CPU: the whole machine busy, % of all ' +
          `${r.machine.cores} cores (other processes included). Server loop: % of the time the server’s event loop was busy (JavaScript, or blocked in a synchronous call such as an SQLite commit).`,
      ],
      header: STEP_HEADER,
      rows: [...sorted(relay), ...sorted(parley), ...(r.chat.overload ? [r.chat.overload.step] : [])].map(stepRow),
      after: [
        `Saturation (highest step with p99 ≤ ${r.parameters.chat.p99LimitMs} ms and every message delivered): ` +
          `Parley ${fmt(parley?.saturation?.sentPerSec)} msgs/s (${fmt(parley?.saturation?.deliveriesPerSec)} deliveries/s, server CPU ${fmt(parley?.saturation?.serverCpu, 0)}%, loop ${fmt(parley?.saturation?.serverLoop, 0)}%)` +
          `${parley?.firstFailingRate ? `, fails at ${fmt(parley.firstFailingRate)}` : ''}; ` +
          `relay ${fmt(relay?.saturation?.sentPerSec)} msgs/s (${fmt(relay?.saturation?.deliveriesPerSec)} deliveries/s, server CPU ${fmt(relay?.saturation?.serverCpu, 0)}%, loop ${fmt(relay?.saturation?.serverLoop, 0)}%, ` +
          `generators ${fmt(relay?.saturation?.generatorCpu, 0)}%, machine ${fmt(relay?.saturation?.machineCpu, 0)}%)` +
          `${relay?.firstFailingRate ? `, fails at ${fmt(relay.firstFailingRate)}` : relay ? ', passed every step tried' : ''}; ratio ${ratio === null ? '—' : `${fmt(ratio * 100, 1)}%`}.`,
        line(t('Saturation vs relay')),
        line(t('p99 at half saturation')),
      ].filter(Boolean),
    });
  }
  if (r.chat.overload) out.push(overloadSection(r.chat.overload));
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

function overloadSection(o: OverloadResult): Section {
  const s = o.step;
  const h = o.healthz;
  const others = Object.entries(s.errors).filter(([code]) => code !== 'overloaded');
  const line = (x: TargetVerdict) => `Target — ${x.name} ${x.goal}: ${x.value} → ${verdict(x.met)}`;
  return {
    title: `1b. Parley past saturation: ${fmt(s.offered)} msgs/s offered, twice its saturation`,
    intro: [
      'Sends the server refuses are counted apart from lost deliveries: a refusal with `overloaded` is shed load, which the client may retry; ' +
        'a lost delivery is a message the server did not refuse that some member never got. /healthz is asked every 100 ms through the measured window.',
    ],
    header: ['measure', 'value'],
    rows: [
      ['sent/s', fmt(s.sentPerSec)],
      ['acked ok', `${fmt(s.acked, 0)} of ${fmt(s.sent, 0)} sent`],
      ['shed (`overloaded`)', fmt(s.shed, 0)],
      ['refused, other codes', others.length ? others.map(([code, n]) => `${n} ${code}`).join(', ') : '0'],
      ['not answered', fmt(s.unanswered, 0)],
      ['delivered', `${fmt(s.deliveredPct, 2)}% of the deliveries all sends owed (${fmt(s.delivered, 0)} of ${fmt(s.expected, 0)})`],
      ['lost (not refused, never delivered)', fmt(s.lost, 0)],
      [`acked, not delivered to every member within ${DELIVERY_DEADLINE_MS / 1000} s`, fmt(s.ackedLate, 0)],
      ['delivery latency p50 / p99 / max', `${fmt(s.latency.p50, 1)} / ${fmt(s.latency.p99, 1)} / ${fmt(s.latency.max, 1)} ms`],
      ['ack latency p50 / p99 (ok acks)', `${fmt(s.ack.p50, 1)} / ${fmt(s.ack.p99, 1)} ms`],
      ['/healthz p50 / p99 / max', `${fmt(h.p50, 1)} / ${fmt(h.p99, 1)} / ${fmt(h.max, 1)} ms (${h.count} answered, ${h.failed} failed)`],
      ['server CPU, loop', `${fmt(s.serverCpu, 0)}%, ${fmt(s.serverLoop, 0)}%`],
      ['generator CPU, machine CPU', `${fmt(s.generatorCpu, 0)}%, ${fmt(s.machineCpu, 0)}%`],
    ],
    after: overloadTargets(o).map(line),
  };
}

function heading(r: Results): string[] {
  const m = r.machine;
  return [
    `Parley bench — ${r.mode} run, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${r.durationSec} s (build ${r.buildSec} s)`,
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. ` +
      `Database: ${r.database.driver} ${r.database.version ?? ''}${r.database.driver === 'sqlite' ? ` (temporary file on ${m.tmpFilesystem})` : ''}. ` +
      `Commit ${r.git.commit?.slice(0, 12) ?? 'unknown'}${r.git.dirty ? ' + uncommitted changes in server/ or protocol/' : ''}.`,
    ...(r.disk
      ? [fsyncLine(r.disk, m.tmpFilesystem) + (r.database.driver === 'postgres' ? ' (PostgreSQL keeps its own data elsewhere: not measured.)' : '')]
      : []),
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
