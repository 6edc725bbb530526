/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and
 * the same grouped by package (node_modules/<name>, node: internals, Parley's own dist files).
 *
 *   node --import tsx bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile [top]
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

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  process.stdout.write(summarizeProfile(file, Number(process.argv[3] ?? 25)));
}
