/**
 * A hand-written SVG chart of delivery latency against offered load: x = offered messages/s (log 2),
 * y = latency in ms (log 10); p50 and p99 for Parley and for the relay; filled points are passing
 * steps, hollow ones failing steps; dashed lines mark the 100 ms saturation criterion and the 50 ms
 * target at half saturation; dotted verticals mark each server's saturation.
 */
import type { Results } from '../run.js';
import type { SearchResult, StepResult } from './chat.js';

const W = 900;
const H = 560;
const M = { left: 78, right: 200, top: 64, bottom: 70 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

const COLORS = { parley: '#1f5fbf', relay: '#d9730d' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (n: number) => (n >= 1000 ? n.toLocaleString('en-US') : String(n));

function niceLogTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

/** The search's steps (doubling and bisection), one per rate, in rate order: the lines go through these. */
function points(s: SearchResult | null): StepResult[] {
  if (!s) return [];
  return s.steps
    .filter((x) => x.latency.count > 0 && (x.label === 'search' || x.label === 'refine'))
    .sort((a, b) => a.offered - b.offered || a.step - b.step);
}

export function renderChart(r: Results): string {
  const parley = points(r.chat.parley);
  const relay = points(r.chat.relay);
  const all = [...parley, ...relay];
  const title = `Chat delivery latency vs offered load — Parley (${r.database.driver}) and a bare Socket.IO relay`;
  const subtitle =
    `${r.machine.cores} cores, ${r.machine.cpuModel}, Node ${r.machine.node}; ${r.parameters.chatUsers} users, ` +
    `${r.parameters.workers} load generators on the same machine; ${r.mode} run ${r.startedAt.slice(0, 10)}`;
  if (all.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="120" font-family="sans-serif"><text x="20" y="40">${esc(title)}</text><text x="20" y="70">no chat steps in this run</text></svg>\n`;
  }

  const halves = [r.chat.parley?.half, r.chat.relay?.half].filter((h): h is StepResult => !!h && h.latency.count > 0);
  all.push(...halves);
  const xs = all.map((s) => s.offered);
  const xMin = Math.min(...xs) / 1.25;
  const xMax = Math.max(...xs) * 1.25;
  const ys = all.flatMap((s) => [s.latency.p50, s.latency.p99]).filter((v) => v > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys, 10)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys, 200)));
  const x = (v: number) => M.left + ((Math.log2(v) - Math.log2(xMin)) / (Math.log2(xMax) - Math.log2(xMin) || 1)) * PW;
  const y = (v: number) => M.top + PH - ((Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * PH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${M.left}" y="44" font-size="11" fill="#555">${esc(subtitle)}</text>`,
  );

  // Grid and axes.
  // Ticks at the doubling steps' rates, so that each point sits on a labelled line.
  const start = r.parameters.chat.startRate;
  const xTicks: number[] = [];
  for (let v = start * 2 ** Math.floor(Math.log2(xMin / start)); v <= xMax; v *= 2) if (v >= xMin) xTicks.push(v);
  for (const v of xTicks) {
    out.push(
      `<line x1="${x(v)}" y1="${M.top}" x2="${x(v)}" y2="${M.top + PH}" stroke="#e6e6e6"/>`,
      `<text x="${x(v)}" y="${M.top + PH + 18}" text-anchor="middle">${num(v)}</text>`,
    );
  }
  for (const v of niceLogTicks(yMin, yMax)) {
    const major = Math.log10(v) % 1 === 0;
    out.push(
      `<line x1="${M.left}" y1="${y(v)}" x2="${M.left + PW}" y2="${y(v)}" stroke="${major ? '#d0d0d0' : '#efefef'}"/>`,
      `<text x="${M.left - 8}" y="${y(v) + 4}" text-anchor="end">${num(v)}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + PW / 2}" y="${H - 24}" text-anchor="middle" font-size="13">offered load (messages per second, log scale)</text>`,
    `<text transform="translate(20 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle" font-size="13">delivery latency (ms, log scale)</text>`,
  );

  // Reference lines.
  const ref = (v: number, label: string, color: string) => {
    if (v < yMin || v > yMax) return;
    out.push(
      `<line x1="${M.left}" y1="${y(v)}" x2="${M.left + PW}" y2="${y(v)}" stroke="${color}" stroke-dasharray="6 4" stroke-width="1.2"/>`,
      `<text x="${M.left + 6}" y="${y(v) - 5}" font-size="11" fill="${color}">${esc(label)}</text>`,
    );
  };
  ref(r.parameters.chat.p99LimitMs, `${r.parameters.chat.p99LimitMs} ms: saturation criterion (p99)`, '#b00020');
  ref(50, '50 ms: p99 target at half saturation', '#7a3db8');

  const sat = (s: SearchResult | null, color: string, label: string, dy: number) => {
    const v = s?.saturation?.offered;
    if (!v) return;
    out.push(
      `<line x1="${x(v)}" y1="${M.top}" x2="${x(v)}" y2="${M.top + PH}" stroke="${color}" stroke-dasharray="2 3" stroke-width="1.5"/>`,
      // Right of the line, or left of it when the label would leave the plot.
      x(v) + 150 < M.left + PW
        ? `<text x="${x(v) + 4}" y="${M.top + PH - 8 - dy}" font-size="11" fill="${color}">${esc(label)} ${num(v)}/s</text>`
        : `<text x="${x(v) - 4}" y="${M.top + PH - 8 - dy}" font-size="11" fill="${color}" text-anchor="end">${esc(label)} ${num(v)}/s</text>`,
    );
  };
  sat(r.chat.parley, COLORS.parley, 'Parley saturation', 0);
  sat(r.chat.relay, COLORS.relay, 'relay saturation', 14);

  // Series.
  const series = (steps: StepResult[], color: string, key: 'p50' | 'p99') => {
    if (steps.length === 0) return;
    const path = steps.map((s, i) => `${i ? 'L' : 'M'}${x(s.offered).toFixed(1)},${y(s.latency[key]).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${key === 'p50' ? ' stroke-dasharray="7 4"' : ''}/>`);
    for (const s of steps) {
      const cx = x(s.offered).toFixed(1);
      const cy = y(s.latency[key]).toFixed(1);
      const shape =
        key === 'p99'
          ? `<circle cx="${cx}" cy="${cy}" r="4.5" fill="${s.pass ? color : '#fff'}" stroke="${color}" stroke-width="2"/>`
          : `<rect x="${Number(cx) - 4}" y="${Number(cy) - 4}" width="8" height="8" fill="${s.pass ? color : '#fff'}" stroke="${color}" stroke-width="2"/>`;
      out.push(
        `<g>${shape}<title>${esc(`${s.target} ${s.label} ${s.offered}/s: ${key} ${s.latency[key]} ms, sent ${s.sentPerSec}/s, lost ${s.lost}${s.pass ? '' : ' (failed)'}`)}</title></g>`,
      );
    }
  };
  series(relay, COLORS.relay, 'p50');
  series(relay, COLORS.relay, 'p99');
  series(parley, COLORS.parley, 'p50');
  series(parley, COLORS.parley, 'p99');
  // The step at half the saturation rate: a diamond per percentile, off the lines.
  for (const h of halves) {
    const color = COLORS[h.target];
    for (const key of ['p50', 'p99'] as const) {
      const cx = x(h.offered);
      const cy = y(h.latency[key]);
      out.push(
        `<g><path d="M${cx},${cy - 6} L${cx + 6},${cy} L${cx},${cy + 6} L${cx - 6},${cy} Z" fill="${h.pass ? color : '#fff'}" stroke="#222" stroke-width="1"/>` +
          `<title>${esc(`${h.target} at half saturation, ${h.offered}/s: ${key} ${h.latency[key]} ms`)}</title></g>`,
      );
    }
  }

  // Legend, to the right of the plot.
  const lx = M.left + PW + 18;
  let ly = M.top + 8;
  const legend = (color: string, dashed: boolean, marker: 'circle' | 'rect', label: string) => {
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 30}" y2="${ly}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
    out.push(
      marker === 'circle'
        ? `<circle cx="${lx + 15}" cy="${ly}" r="4.5" fill="${color}"/>`
        : `<rect x="${lx + 11}" y="${ly - 4}" width="8" height="8" fill="${color}"/>`,
    );
    out.push(`<text x="${lx + 38}" y="${ly + 4}">${esc(label)}</text>`);
    ly += 22;
  };
  legend(COLORS.parley, false, 'circle', 'Parley p99');
  legend(COLORS.parley, true, 'rect', 'Parley p50');
  legend(COLORS.relay, false, 'circle', 'relay p99');
  legend(COLORS.relay, true, 'rect', 'relay p50');
  ly += 6;
  out.push(`<circle cx="${lx + 15}" cy="${ly}" r="4.5" fill="#666"/><text x="${lx + 38}" y="${ly + 4}">step passed</text>`);
  ly += 20;
  out.push(`<circle cx="${lx + 15}" cy="${ly}" r="4.5" fill="#fff" stroke="#666" stroke-width="2"/><text x="${lx + 38}" y="${ly + 4}">step failed</text>`);
  ly += 20;
  out.push(`<path d="M${lx + 15},${ly - 6} L${lx + 21},${ly} L${lx + 15},${ly + 6} L${lx + 9},${ly} Z" fill="#666" stroke="#222"/><text x="${lx + 38}" y="${ly + 4}">half-saturation step</text>`);
  out.push(`<text x="${lx + 38}" y="${ly + 18}" font-size="10.5" fill="#555">(p50 and p99)</text>`);
  ly += 30;
  for (const line of ['(p99 over 100 ms, a message', 'lost, or the generators', 'could not send the rate)']) {
    out.push(`<text x="${lx}" y="${(ly += 15)}" font-size="10.5" fill="#555">${esc(line)}</text>`);
  }
  const ratio = r.chat.ratio;
  if (ratio !== null) {
    ly += 24;
    out.push(`<text x="${lx}" y="${ly}" font-size="12" font-weight="bold">Parley / relay</text>`);
    out.push(`<text x="${lx}" y="${(ly += 16)}" font-size="12">at saturation: ${(ratio * 100).toFixed(1)}%</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
