/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and
 * the same grouped by package (node_modules/<name>, node: internals, Parley's own dist files).
 *
 *   node --import tsx bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile [top]
 *   node --import tsx bench/profile-summary.ts <file>.cpuprofile --busy
 *   node --import tsx bench/profile-summary.ts <file>.cpuprofile --window=40,60 writev isMember send@engine.io
 *
 * `--busy` prints the main thread's busy milliseconds second by second, to find the load's window (the
 * profile also covers the start and the connections). `--window=FROM,TO` (seconds since the profile's start)
 * then prints, for each function named (`name` or `name@part-of-its-file`), its total time within that window:
 * its own and that of everything it called, as a share of the window's busy time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): { file: string; group: string } {
  if (!url) return { file: '(native)', group: '(native / VM)' };
  if (url.startsWith('node:')) return { file: url, group: 'node: internals' };
  let p = url;
  try {
    if (url.startsWith('file:')) p = fileURLToPath(url);
  } catch {
    // keep the URL
  }
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = p.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return { file: `${pkg}/${rest.slice(pkg.includes('/') ? 2 : 1).join('/')}`, group: pkg };
  }
  const idx = p.indexOf('/server/dist/');
  if (idx >= 0) return { file: `server/dist/${p.slice(idx + 13)}`, group: 'parley server/dist' };
  const pidx = p.indexOf('/protocol/dist/');
  if (pidx >= 0) return { file: `protocol/dist/${p.slice(pidx + 15)}`, group: 'parley protocol/dist' };
  const bidx = p.indexOf('/bench/');
  if (bidx >= 0) return { file: p.slice(bidx + 1), group: 'bench host' };
  return { file: path.basename(p), group: 'other' };
}

export function summarizeProfile(file: string, top = 25): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = profile.endTime - profile.startTime;
  const fns = new Map<string, { us: number; name: string; file: string; group: string }>();
  const groups = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    if (name === '(garbage collector)') gc += us;
    const w = where(url);
    const key = `${name} ${w.file}:${lineNumber + 1}`;
    const entry = fns.get(key) ?? { us: 0, name, file: url ? `${w.file}:${lineNumber + 1}` : '', group: w.group };
    entry.us += us;
    fns.set(key, entry);
    const g = name === '(garbage collector)' ? '(garbage collector)' : name === '(program)' ? '(program: native, not JS)' : w.group;
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number, of: number) => `${((100 * us) / of).toFixed(1)}%`.padStart(6);
  const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`.padStart(9);
  const lines: string[] = [
    `Profile ${(total / 1e6).toFixed(1)} s: busy ${(busy / 1e6).toFixed(1)} s (${pct(busy, total).trim()} of the main thread), idle ${(idle / 1e6).toFixed(1)} s, GC ${(gc / 1e6).toFixed(2)} s.`,
    'Self time on the main thread (bcrypt and other libuv thread-pool work, and Parley\'s SQLite writer thread, do not appear here).',
    '',
    'By package (% of busy time):',
  ];
  for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(us, busy)} ${ms(us)}  ${g}`);
  lines.push('', `Top ${top} functions by self time (% of busy time):`);
  for (const f of [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top)) {
    lines.push(`  ${pct(f.us, busy)} ${ms(f.us)}  ${f.name}  ${f.file}`);
  }
  return lines.join('\n') + '\n';
}

/** The main thread's busy time in each second of the profile, in ms. */
export function busyBySecond(file: string): number[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const seconds: number[] = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    const second = Math.floor(at / 1e6);
    seconds[second] = (seconds[second] ?? 0) + (idle.has(id) ? 0 : us / 1000);
  });
  return Array.from(seconds, (ms) => Math.round(ms ?? 0));
}

/**
 * Total time (self and callees) of the functions named, within [fromS, toS] seconds of the profile's start, and
 * the busy time of that window. A name is `functionName` or `functionName@part of its URL`.
 */
export function totalTimes(file: string, fromS: number, toS: number, names: string[]): { busyUs: number; totals: Map<string, number> } {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const wanted = names.map((name) => {
    const [fn, part] = name.split('@') as [string, string | undefined];
    return { name, matches: (f: ProfileNode['callFrame']) => f.functionName === fn && (part === undefined || f.url.includes(part)) };
  });
  const totals = new Map(names.map((name) => [name, 0]));
  let busyUs = 0;
  let at = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (at < fromS * 1e6 || at > toS * 1e6 || byId.get(id)!.callFrame.functionName === '(idle)') return;
    busyUs += us;
    // Each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const frame = byId.get(node)!.callFrame;
      for (const { name, matches } of wanted) {
        if (!seen.has(name) && matches(frame)) {
          seen.add(name);
          totals.set(name, totals.get(name)! + us);
        }
      }
    }
  });
  return { busyUs, totals };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top | --busy | --window=FROM,TO name...]');
    process.exit(2);
  }
  const window = rest.find((arg) => arg.startsWith('--window='));
  if (rest.includes('--busy')) {
    process.stdout.write(`busy ms per second: ${busyBySecond(file).join(' ')}\n`);
  } else if (window) {
    const [from, to] = window.slice('--window='.length).split(',').map(Number) as [number, number];
    const { busyUs, totals } = totalTimes(file, from, to, rest.filter((arg) => !arg.startsWith('--')));
    const lines = [`${from}–${to} s: main thread busy ${(busyUs / 1e6).toFixed(2)} s of ${to - from} s. Total time (self and callees):`];
    for (const [name, us] of totals) lines.push(`  ${`${((100 * us) / busyUs).toFixed(1)}%`.padStart(6)} ${`${(us / 1000).toFixed(0)} ms`.padStart(9)}  ${name}`);
    process.stdout.write(lines.join('\n') + '\n');
  } else {
    process.stdout.write(summarizeProfile(file, Number(rest[0] ?? 25)));
  }
}
