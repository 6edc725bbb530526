/**
 * Live chat at rising load, for Parley and for the relay alike: one step offers a fixed rate of
 * messages, spread over the workers and over their users, for a warm-up and then a measured window;
 * then the step waits (bounded) for the deliveries still in flight, collects every latency, and waits
 * (bounded) for the server to finish its backlog before the next step.
 */
import os from 'node:os';
import { probeHealth, type HealthProbe } from './health-probe.js';
import type { Child } from './rpc.js';
import { merge, round, sleep, summarize, type Summary } from './stats.js';
import { ACK_OK, type SendReport, type StepCollect, type StepStatus, type Target, type Usage } from './types.js';

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

export type StepLabel = 'search' | 'refine' | 'half' | 'overload' | 'logins-off' | 'logins-on' | 'profile';

export interface StepResult {
  target: Target;
  label: StepLabel;
  step: number;
  offered: number;
  sentPerSec: number;
  deliveriesPerSec: number;
  sent: number;
  /** Deliveries owed by every message sent in the measured window. */
  expected: number;
  delivered: number;
  /** delivered ÷ expected, %: refused messages count against it. */
  deliveredPct: number;
  /** Deliveries owed by messages not refused that never arrived (by the end of the drain wait). */
  lost: number;
  /** Messages acked ok; refused (any error code); refused as `overloaded`, i.e. shed; not answered by the end of the drain wait. */
  acked: number;
  acksFailed: number;
  shed: number;
  unanswered: number;
  /** Refused messages by error code. */
  errors: Record<string, number>;
  /** Acked messages that did not reach every member within DELIVERY_DEADLINE_MS of their emit. */
  ackedLate: number;
  /** Deliveries, emit to each member's message:new (only messages the server stored are delivered). */
  latency: Summary;
  /** Emit to an ok ack. */
  ack: Summary;
  /** CPU of the server process during the measured window, % of one core. */
  serverCpu: number;
  /**
   * The server's event loop: % of the measured window it was busy (running JavaScript, or blocked in a
   * synchronous call such as SQLite's commit and its fsync). At 100% the server cannot go faster.
   */
  serverLoop: number;
  /** CPU of all the load-generator processes together in the measured window, % of one core. */
  generatorCpu: number;
  /** The whole machine's busy CPU in the measured window (all processes, other sessions' included), % of all cores. */
  machineCpu: number;
  /** Chat sockets the server closed, all workers together, by the end of the step. */
  socketsClosed: number;
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

/** A step at twice the saturation rate, and `/healthz` sampled during its measured window. */
export interface OverloadResult {
  step: StepResult;
  healthz: HealthProbe;
}

let stepCounter = 0;

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** The machine's busy and total CPU time so far, all cores, ms. */
function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/**
 * Acked messages that some member did not receive within the deadline: the senders say which of their
 * messages were acked and to how many members; the receivers, how many of each they got in time.
 */
function countAckedLate(collected: StepCollect[]): number {
  let late = 0;
  for (const sender of collected) {
    const received = collected.map((receiver) => receiver.onTime[sender.worker]);
    for (let n = 0; n < sender.outcomes.length; n++) {
      if (sender.outcomes[n] !== ACK_OK) continue;
      let got = 0;
      for (const counts of received) got += counts?.[n] ?? 0;
      if (got < sender.members[n]!) late++;
    }
  }
  return late;
}

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
    let machineBefore: ReturnType<typeof machineTimes> | undefined;
    let machineAfter: ReturnType<typeof machineTimes> | undefined;
    const t0 = performance.now();
    const cpuTimers = [
      sleep(p.warmupMs).then(async () => {
        machineBefore = machineTimes();
        before = await this.server.call<Usage>('usage');
      }),
      sleep(p.warmupMs + p.measureMs).then(async () => {
        machineAfter = machineTimes();
        after = await this.server.call<Usage>('usage');
      }),
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

    // Wait for the deliveries and acks still in flight, bounded. Refused messages owe no deliveries.
    const drainStart = performance.now();
    for (;;) {
      const status = await Promise.all(this.workers.map((w) => w.call<StepStatus>('stepStatus', { step })));
      const received = status.reduce((n, s) => n + s.received, 0);
      const acked = status.reduce((n, s) => n + s.acksOk + s.acksFailed, 0);
      const owed = expected - status.reduce((n, s) => n + s.owedRefused, 0);
      if ((received >= owed && acked >= sent) || performance.now() - drainStart > p.drainMs) break;
      await sleep(50);
    }
    const drainedMs = performance.now() - drainStart;
    const collected = await Promise.all(this.workers.map((w) => w.call<StepCollect>('collect', { step })));
    await alongside;

    // Before the next step, let the server work through its backlog (bounded).
    const recoverStart = performance.now();
    let socketsClosed = 0;
    for (;;) {
      const status = await Promise.all(this.workers.map((w) => w.call<StepStatus>('stepStatus', { step })));
      socketsClosed = status.reduce((n, s) => n + s.socketsClosed, 0);
      if (status.every((s) => s.outstanding === 0) || performance.now() - recoverStart > p.recoverMs) break;
      await sleep(100);
    }
    const recoveredMs = performance.now() - recoverStart;

    const delivered = collected.reduce((n, c) => n + c.received, 0);
    const acked = collected.reduce((n, c) => n + c.acksOk, 0);
    const acksFailed = collected.reduce((n, c) => n + c.acksFailed, 0);
    const owedRefused = collected.reduce((n, c) => n + c.owedRefused, 0);
    const errors: Record<string, number> = {};
    for (const c of collected) for (const [k, v] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + v;
    const latency = summarize(merge(collected.map((c) => c.latencies)));
    const ack = summarize(merge(collected.map((c) => c.ackLatencies)));
    const seconds = p.measureMs / 1000;
    const sentPerSec = sent / seconds;
    const generatorCpu = reports.reduce((n, r) => n + cpuMs(r.cpu) / (r.elapsedMs || 1), 0);
    const serverCpu = before && after ? (cpuMs(after.cpu) - cpuMs(before.cpu)) / (after.at - before.at) : Number.NaN;
    const serverLoop =
      before && after
        ? (after.elu.active - before.elu.active) / (after.elu.active - before.elu.active + after.elu.idle - before.elu.idle || 1)
        : Number.NaN;
    const machineCpu =
      machineBefore && machineAfter
        ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total || 1)
        : Number.NaN;
    const generatorBound = sentPerSec < 0.95 * offered;
    const lost = Math.max(0, expected - owedRefused - delivered);
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
      deliveredPct: round(expected ? (delivered / expected) * 100 : 100, 2),
      lost,
      acked,
      acksFailed,
      shed: errors.overloaded ?? 0,
      unanswered: Math.max(0, sent - acked - acksFailed),
      errors,
      ackedLate: countAckedLate(collected),
      latency,
      ack,
      serverCpu: round(serverCpu * 100, 1),
      serverLoop: round(serverLoop * 100, 1),
      generatorCpu: round(generatorCpu * 100, 1),
      machineCpu: round(machineCpu * 100, 1),
      socketsClosed,
      perSocketRate: round(Math.max(...reports.map((r) => r.perSocketRate)), 2),
      drainedMs: Math.round(drainedMs),
      recoveredMs: Math.round(recoveredMs),
      generatorBound,
      pass,
    };
    const refusals = acksFailed ? `  refused ${acksFailed} ${JSON.stringify(errors)}` : '';
    const unanswered = result.unanswered ? `  unanswered ${result.unanswered}` : '';
    this.log(
      `  ${this.target.padEnd(6)} ${label.padEnd(10)} ${String(offered).padStart(6)}/s  sent ${result.sentPerSec}/s  ` +
        `deliv ${result.deliveriesPerSec}/s (${result.deliveredPct}%)  p50 ${latency.p50} p99 ${latency.p99} max ${latency.max} ms  ` +
        `lost ${lost}${refusals}${unanswered}${result.ackedLate ? `  acked-late ${result.ackedLate}` : ''}  ` +
        `server CPU ${result.serverCpu}% loop ${result.serverLoop}%  generator CPU ${result.generatorCpu}%  machine ${result.machineCpu}%` +
        `${socketsClosed ? `  SOCKETS CLOSED ${socketsClosed}` : ''}${generatorBound ? '  GENERATOR-BOUND' : ''}  ${pass ? 'ok' : 'FAIL'}` +
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

  /** A step at twice `saturation`'s rate, with `/healthz` at `url` sampled every 100 ms through its measured window. */
  async overload(saturation: StepResult, url: string): Promise<OverloadResult> {
    let healthz: HealthProbe | undefined;
    const step = await this.step(saturation.offered * 2, 'overload', async () => {
      healthz = await probeHealth(url, this.params.warmupMs, this.params.measureMs);
    });
    return { step, healthz: healthz! };
  }
}
