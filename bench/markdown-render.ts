/**
 * `npm run bench:markdown`: how long the web client takes to draw 4,000 characters of hostile Markdown (issue 13's
 * target: under 50 ms). Each body is parsed by the client's own tree builder and drawn by its own DOM drawer
 * (web/src/app/markdown/, bundled here with esbuild), in Debian's Chromium, styled by message-body.css in a bubble's
 * width, and laid out, as the page does before it paints. Each body is drawn WARM_UP times, then timed RUNS times;
 * then all again with the CPU slowed 4×, as Lighthouse's mobile preset does. The target is met when every body's
 * median on this machine is under it (a maximum says more about what else the machine was doing).
 *
 * Writes results/markdown-render.{json,md}. Needs no server and no build: it runs in about a minute.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { gitCommit, machine } from './lib/machine.js';
import { round, summarize } from './lib/stats.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const MARKDOWN_DIR = path.join(ROOT, 'web/src/app/markdown');
const RESULTS = path.join(BENCH_DIR, 'results');
const TARGET_MS = 50;
const LENGTH = 4000;
const WARM_UP = 5;
const RUNS = 30;
const SLOWDOWN = 4;

/** `unit` repeated to exactly LENGTH characters: the longest message there is. */
const fill = (unit: string) => unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);
const indentedLists = () => {
  const lines: string[] = [];
  for (let level = 0; lines.join('\n').length < LENGTH; level++) lines.push(`${'  '.repeat(level)}- level ${level}`);
  return lines.join('\n').slice(0, LENGTH);
};

const BODIES: Record<string, string> = {
  'plain text (a baseline)': fill('lorem ipsum dolor sit amet '),
  'quotes: > ×4000': fill('>'),
  'quotes, spaced: "> " ×2000': fill('> '),
  'lists on one line: "- " ×2000': fill('- '),
  'lists, each line indented deeper': indentedLists(),
  'brackets: [ ×4000': fill('['),
  'emphasis in links: *[ ×2000': fill('*['),
  'emphasis alternating: *_ ×2000': fill('*_'),
  'bold runs: **x ×1333': fill('**x'),
  'unclosed links: [a]( ×1000': fill('[a]('),
  'backticks: `a ×2000': fill('`a'),
  'everything: > - *[_` ×500': fill('> - *[_`'),
  'addresses: www.x.org ×400': fill('www.x.org '),
};

/** The drawer, as the page's bundle has it: the client's tree builder and DOM drawer, on a global. */
async function bundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: "export { markdownTree } from './markdown-tree'; export { drawMarkdown } from './markdown-dom';",
      resolveDir: MARKDOWN_DIR,
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'parleyMarkdown',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0]!.text;
}

// What the timing below uses of the page, typed by hand: the bench compiles without the DOM's types.
interface PageElement {
  appendChild(child: unknown): void;
  setAttribute(name: string, value: string): void;
  replaceChildren(): void;
  querySelectorAll(selector: string): { length: number };
  readonly offsetHeight: number;
}
declare const document: { createElement(tag: string): PageElement; createTextNode(text: string): unknown; getElementById(id: string): PageElement };
declare const parleyMarkdown: { markdownTree(body: string): unknown[]; drawMarkdown(maker: unknown, parent: unknown, nodes: unknown[]): void };

/** Runs in the page: parses and draws `body` into the bubble `runs` times, after `warmUp` untimed times. */
function timeDrawing({ body, runs, warmUp }: { body: string; runs: number; warmUp: number }) {
  const bubble = document.getElementById('body');
  const maker = {
    createElement: (tag: string) => document.createElement(tag),
    createText: (text: string) => document.createTextNode(text),
    appendChild: (parent: PageElement, child: unknown) => parent.appendChild(child),
    setAttribute: (element: PageElement, name: string, value: string) => element.setAttribute(name, value),
  };
  const parse: number[] = [];
  const total: number[] = [];
  for (let run = 0; run < warmUp + runs; run++) {
    bubble.replaceChildren();
    void bubble.offsetHeight;
    const started = performance.now();
    const tree = parleyMarkdown.markdownTree(body);
    const parsed = performance.now();
    parleyMarkdown.drawMarkdown(maker, bubble, tree);
    // Reading a size lays the page out, as it is before it is painted.
    void bubble.offsetHeight;
    if (run < warmUp) continue;
    parse.push(parsed - started);
    total.push(performance.now() - started);
  }
  return { parse, total, elements: bubble.querySelectorAll('*').length };
}

interface Row {
  body: string;
  chars: number;
  elements: number;
  parseMedianMs: number;
  medianMs: number;
  maxMs: number;
}

function table(rows: Row[]): string {
  const lines = ['| body (4,000 characters) | elements drawn | parse, median | parse + draw + layout, median | max |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const row of rows) lines.push(`| ${row.body} | ${row.elements} | ${row.parseMedianMs} ms | ${row.medianMs} ms | ${row.maxMs} ms |`);
  return lines.join('\n');
}

const script = await bundle();
const css = fs.readFileSync(path.join(MARKDOWN_DIR, 'message-body.css'), 'utf8').replaceAll(':host', '#body');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const chromiumVersion = browser.version();
const results: Record<string, Row[]> = {};
try {
  const page = await browser.newPage();
  // A received message's bubble in a docked box: 85% of its list, in the page's font.
  await page.setContent(
    `<!doctype html><html><head><style>html { font-family: system-ui, sans-serif; } ${css}</style></head>` +
      '<body><div style="width: 264px; padding: 0.4rem 0.65rem; background: #e9ecef; border-radius: 12px"><div id="body" dir="auto"></div></div></body></html>',
  );
  // tsx compiles timeDrawing below keeping its functions' names through a helper, which the page needs too.
  await page.addScriptTag({ content: `${script}\nglobalThis.__name = (target) => target;` });
  const cdp = await page.context().newCDPSession(page);
  for (const slowdown of [1, SLOWDOWN]) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
    const label = slowdown === 1 ? 'this machine' : `CPU slowed ${slowdown}×`;
    const rows: Row[] = [];
    for (const [name, body] of Object.entries(BODIES)) {
      const { parse, total, elements } = await page.evaluate(timeDrawing, { body, runs: RUNS, warmUp: WARM_UP });
      const summary = summarize(total);
      rows.push({ body: name, chars: body.length, elements, parseMedianMs: round(summarize(parse).p50, 1), medianMs: round(summary.p50, 1), maxMs: round(summary.max, 1) });
    }
    results[label] = rows;
    console.log(`\n${label}\n${table(rows)}`);
  }
} finally {
  await browser.close();
}

const slowest = Math.max(...results['this machine']!.map((row) => row.medianMs));
const met = slowest < TARGET_MS;
const run = {
  scenario: 'markdown-render',
  startedAt: new Date().toISOString(),
  machine: machine(BENCH_DIR),
  ...gitCommit(ROOT),
  chromium: chromiumVersion,
  targetMs: TARGET_MS,
  runs: RUNS,
  warmUp: WARM_UP,
  results,
};
const markdown = [
  `# Drawing hostile Markdown (${run.startedAt.slice(0, 10)})`,
  '',
  `Chromium ${chromiumVersion}, ${run.machine.cores} cores (${run.machine.cpuModel}); each body drawn ${WARM_UP} times, then timed ${RUNS} times.`,
  `Target: under ${TARGET_MS} ms. The slowest body's median on this machine: ${slowest} ms (${met ? 'met' : 'missed'}).`,
  ...Object.entries(results).flatMap(([label, rows]) => ['', `## ${label}`, '', table(rows)]),
  '',
].join('\n');
fs.mkdirSync(RESULTS, { recursive: true });
fs.writeFileSync(path.join(RESULTS, 'markdown-render.json'), `${JSON.stringify(run, null, 2)}\n`);
fs.writeFileSync(path.join(RESULTS, 'markdown-render.md'), markdown);
console.log(`\nThe slowest body's median: ${slowest} ms (target ${TARGET_MS} ms, ${met ? 'met' : 'missed'}). Wrote bench/results/markdown-render.{json,md}`);
process.exit(met ? 0 : 1);
