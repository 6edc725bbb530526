/**
 * Live chat at rising load, for Parley and for the relay alike: one step offers a fixed rate of
 * messages, spread over the workers and over their users, for a warm-up and then a measured window;
 * then the step waits (bounded) for the deliveries still in flight, collects every latency, and waits
 * (bounded) for the server to finish its backlog before the next step.
 */
import type { Child } from './rpc.js';
import { merge, round, sleep, summarize, type Summary } from './stats.js';
import type { SendReport, StepCollect, StepStatus, Target, Usage } from './types.js';

export interface ChatParams {
  warmupMs: number;
  measureMs: number;
  /** How long a step waits for deliveries in flight once sending stops. */
  drainMs: number;
  /** How long to wait for the server's backlog (outstanding acks) before the next step. */
  recoverMs: number;
  pauseMs: number;
  startRate: number;
  maxRate: number;
  /** Bisection steps between the last passing and the first failing rate. */
  refine: number;
  dmShare: number;
  padding: number;
  /** The saturation criterion: every message delivered and p99 at most this. */
  p99LimitMs: number;
}

export type StepLabel = 'search' | 'refine' | 'half' | 'logins-off' | 'logins-on' | 'profile';

export interface StepResult {
  target: Target;
  label: StepLabel;
  step: number;
  offered: number;
  sentPerSec: number;
  deliveriesPerSec: number;
  sent: number;
  expected: number;
  delivered: number;
  lost: number;
  acksFailed: number;
  errors: Record<string, number>;
  latency: Summary;
  ack: Summary;
  /** CPU of the server process during the measured window, % of one core. */
  serverCpu: number;
  /**
   * The server's event loop: % of the measured window it was busy (running JavaScript, or blocked in a
   * synchronous call such as SQLite's commit and its fsync). At 100% the server cannot go faster.
   */
  serverLoop: number;
  /** CPU of all load workers together during the step, % of one core. */
  workersCpu: number;
  /** The largest per-socket rate asked of one simulated user, events/s (the server allows 50). */
  perSocketRate: number;
  drainedMs: number;
  recoveredMs: number;
  generatorBound: boolean;
  pass: boolean;
}

export interface SearchResult {
  steps: StepResult[];
  /** The highest passing step, or null when none passed. */
  saturation: StepResult | null;
  /** The first failing rate above it, or null when the search reached `maxRate`. */
  firstFailingRate: number | null;
  half: StepResult | null;
  cappedAtMaxRate: boolean;
}

let stepCounter = 0;

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

export class ChatRunner {
  constructor(
    private readonly target: Target,
    private readonly workers: Child[],
    private readonly server: Child,
    private readonly params: ChatParams,
    private readonly log: (line: string) => void,
  ) {}

  /** One step at `offered` messages per second. `during` runs alongside the sending (e.g. a login burst). */
  async step(offered: number, label: StepLabel, during?: () => Promise<unknown>): Promise<StepResult> {
    const p = this.params;
    const step = ++stepCounter;
    const share = offered / this.workers.length;
    let before: Usage | undefined;
    let after: Usage | undefined;
    const t0 = performance.now();
    const cpuTimers = [
      sleep(p.warmupMs).then(async () => (before = await this.server.call<Usage>('usage'))),
      sleep(p.warmupMs + p.measureMs).then(async () => (after = await this.server.call<Usage>('usage'))),
    ];
    const alongside = during?.();
    const reports = await Promise.all(
      this.workers.map((w) =>
        w.call<SendReport>('runStep', {
          step,
          rate: share,
          warmupMs: p.warmupMs,
          measureMs: p.measureMs,
          dmShare: p.dmShare,
          padding: p.padding,
        }),
      ),
    );
    await Promise.all(cpuTimers);
    const sent = reports.reduce((n, r) => n + r.sent, 0);
    const expected = reports.reduce((n, r) => n + r.expected, 0);

    // Wait for the deliveries and acks still in flight, bounded.
    const drainStart = performance.now();
    for (;;) {
      const status = await Promise.all(this.workers.map((w) => w.call<StepStatus>('stepStatus', { step })));
      const received = status.reduce((n, s) => n + s.received, 0);
      const acked = status.reduce((n, s) => n + s.acksOk + s.acksFailed, 0);
      if ((received >= expected && acked >= sent) || performance.now() - drainStart > p.drainMs) break;
      await sleep(50);
    }
    const drainedMs = performance.now() - drainStart;
    const collected = await Promise.all(this.workers.map((w) => w.call<StepCollect>('collect', { step })));
    await alongside;

    // Before the next step, let the server work through its backlog (bounded).
    const recoverStart = performance.now();
    for (;;) {
      const status = await Promise.all(this.workers.map((w) => w.call<StepStatus>('stepStatus', { step })));
      if (status.every((s) => s.outstanding === 0) || performance.now() - recoverStart > p.recoverMs) break;
      await sleep(100);
    }
    const recoveredMs = performance.now() - recoverStart;

    const delivered = collected.reduce((n, c) => n + c.received, 0);
    const acksFailed = collected.reduce((n, c) => n + c.acksFailed, 0);
    const errors: Record<string, number> = {};
    for (const c of collected) for (const [k, v] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + v;
    const latency = summarize(merge(collected.map((c) => c.latencies)));
    const ack = summarize(merge(collected.map((c) => c.ackLatencies)));
    const seconds = p.measureMs / 1000;
    const sentPerSec = sent / seconds;
    const workerCpu = reports.reduce((n, r) => n + cpuMs(r.cpu), 0) / (reports[0]!.elapsedMs || 1);
    const serverCpu = before && after ? (cpuMs(after.cpu) - cpuMs(before.cpu)) / (after.at - before.at) : Number.NaN;
    const serverLoop =
      before && after
        ? (after.elu.active - before.elu.active) / (after.elu.active - before.elu.active + after.elu.idle - before.elu.idle || 1)
        : Number.NaN;
    const generatorBound = sentPerSec < 0.95 * offered;
    const lost = Math.max(0, expected - delivered);
    const pass = !generatorBound && lost === 0 && acksFailed === 0 && latency.p99 <= p.p99LimitMs;
    const result: StepResult = {
      target: this.target,
      label,
      step,
      offered,
      sentPerSec: round(sentPerSec, 1),
      deliveriesPerSec: round(delivered / seconds, 1),
      sent,
      expected,
      delivered,
      lost,
      acksFailed,
      errors,
      latency,
      ack,
      serverCpu: round(serverCpu * 100, 1),
      serverLoop: round(serverLoop * 100, 1),
      workersCpu: round(workerCpu * 100, 1),
      perSocketRate: round(Math.max(...reports.map((r) => r.perSocketRate)), 2),
      drainedMs: Math.round(drainedMs),
      recoveredMs: Math.round(recoveredMs),
      generatorBound,
      pass,
    };
    this.log(
      `  ${this.target.padEnd(6)} ${label.padEnd(10)} ${String(offered).padStart(6)}/s  sent ${result.sentPerSec}/s  ` +
        `deliv ${result.deliveriesPerSec}/s  p50 ${latency.p50} p99 ${latency.p99} max ${latency.max} ms  ` +
        `lost ${lost}${acksFailed ? ` ackfail ${acksFailed} ${JSON.stringify(errors)}` : ''}  server CPU ${result.serverCpu}% loop ${result.serverLoop}%  ` +
        `workers ${result.workersCpu}%${generatorBound ? '  GENERATOR-BOUND' : ''}  ${pass ? 'ok' : 'FAIL'}` +
        `  (${Math.round((performance.now() - t0) / 100) / 10} s)`,
    );
    await sleep(p.pauseMs);
    return result;
  }

  /**
   * Doubles the rate from `startRate` until a step fails, bisects (geometrically) between the last
   * passing and the first failing rate `refine` times, then measures a step at half the saturation rate.
   */
  async search(): Promise<SearchResult> {
    const p = this.params;
    const steps: StepResult[] = [];
    let lastPass: StepResult | null = null;
    let firstFail: number | null = null;
    for (let rate = p.startRate; rate <= p.maxRate; rate *= 2) {
      const r = await this.step(rate, 'search');
      steps.push(r);
      if (r.pass) lastPass = r;
      else {
        firstFail = rate;
        break;
      }
    }
    // Nothing passed: look below the first step, a few times at most.
    for (let rate = p.startRate / 2, tries = 0; lastPass === null && tries < 3; rate /= 2, tries++) {
      const r = await this.step(Math.round(rate), 'search');
      steps.push(r);
      if (r.pass) lastPass = r;
      else firstFail = Math.round(rate);
    }
    for (let i = 0; i < p.refine && lastPass !== null && firstFail !== null; i++) {
      const low: number = lastPass.offered;
      const high: number = firstFail;
      const mid = Math.round(Math.sqrt(low * high) / 10) * 10;
      if (mid <= low || mid >= high) break;
      const r = await this.step(mid, 'refine');
      steps.push(r);
      if (r.pass) lastPass = r;
      else firstFail = mid;
    }
    const half = lastPass ? await this.step(Math.round(lastPass.offered / 2), 'half') : null;
    if (half) steps.push(half);
    return { steps, saturation: lastPass, firstFailingRate: firstFail, half, cappedAtMaxRate: firstFail === null };
  }
}
