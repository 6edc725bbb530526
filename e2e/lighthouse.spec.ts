import { auditParley, describeScores, shortfalls, TARGETS, type PageScores } from './lighthouse/audit.js';
import { expect, test } from './support.js';

/**
 * Lighthouse's mobile preset (slow 4G, a CPU slowed 4×) on the log-in page and on the main page logged in, against
 * the e2e server. The targets of issue 11: 100 in Accessibility, Best Practices and SEO, Performance ≥ 95 and
 * LCP ≤ 1.5 s, on both pages. One audit of both pages serves every test here.
 */
test.describe('Lighthouse', () => {
  let pages: PageScores[];

  test.beforeAll(async ({ baseURL }) => {
    // Five full Lighthouse runs a page, each loading it under simulated throttling once the cores are quiet.
    test.setTimeout(600_000);
    pages = await auditParley(baseURL!);
    for (const scores of pages) console.log(describeScores(scores));
  });

  // Both pages are drawn in two steps. index.html carries the page's frame (web/src/index.html), drawn before any
  // script is asked for; Angular then draws the page over it, in the same places (e2e/app-shell.spec.ts). The LCP
  // is the frame's: the log-in form's heading, and on the main page the Chats list's "Loading your chats…", which a
  // person with no chats sees replaced by a smaller "No chats yet". For someone with chats, the rows are larger and
  // are the LCP, when the code and the list have come (about 2.2 s, as the whole page was before the frame).
  // Measured on 2026-12-03 (2 shared cores, each the median run of three): log-in page 0.66–0.80 s, main page
  // 0.65–0.78 s.
  // Before the frame: 1.39–1.74 s and 2.38–2.46 s.
  test(`both pages draw their largest content within ${TARGETS.lcpMs / 1000} s`, () => {
    for (const scores of pages) expect(scores.lcpMs, describeScores(scores)).toBeLessThanOrEqual(TARGETS.lcpMs);
  });

  // Decided by Total Blocking Time: the page's code runs after the first paint, where each of its long tasks counts.
  // What brought it down from 360–620 ms (Performance 86–93) to 70–200 ms: V8 compiles the scripts on a background
  // thread while they stream in (web/scripts/compile-hints.mjs); the grapheme segmenter of protocol/src/text.ts, 40 ms
  // to make, is made when a reaction first needs it rather than when the code loads; the main page's services are
  // made in a task before the page's own (app.routes.ts). Medians of five runs on 2026-12-03 (2 shared cores): log-in
  // page 98–100, main page 99 (96 before the services had a task of their own). What is left is mostly Chromium's
  // own start of the document, 35–55 ms here, which Lighthouse's simulation puts partly after the first paint.
  test(`both pages score ${TARGETS.performance} in Performance`, () => {
    for (const scores of pages) expect(scores.performance, describeScores(scores)).toBeGreaterThanOrEqual(TARGETS.performance);
  });

  // What moved: the top bar on a phone shrank from two rows to one as "Connecting…" became "Connected" (a shift of
  // 0.19), and on a server with people in it the first page of New chat pushed the Rooms panel down (0.19 again),
  // before the sidebar's views showed one list at a time.
  test('nothing on the main page moves while it loads', () => {
    const main = pages.find((page) => page.page === 'main page, logged in')!;
    expect(main.cls, describeScores(main)).toBeLessThan(0.01);
  });

  test(`both pages score ${TARGETS.accessibility} in Accessibility, ${TARGETS.bestPractices} in Best Practices and ${TARGETS.seo} in SEO`, () => {
    for (const scores of pages) {
      const below = shortfalls(scores).filter((shortfall) => !shortfall.startsWith('Performance') && !shortfall.startsWith('LCP'));
      expect(below, describeScores(scores)).toEqual([]);
    }
  });
});
