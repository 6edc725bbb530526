import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * How late this process's event loop runs, read by a timer that should fire every `everyMs`. A tick's lateness is
 * the time the loop spent on other work meanwhile (JavaScript, or a synchronous call such as SQLite's commit and
 * its fsync), so it is also how long a packet that arrived meanwhile waited before being read. A timer every 20 ms
 * costs nothing measurable.
 *
 * What it reports is smoothed: an exponentially weighted mean of the ticks' lateness. One late tick is not an
 * overload: a garbage collection, a neighbour on a busy machine or one large answer can stall the loop once, and
 * refusing sends for it turned away messages the node had every means to store (it did so to a browser test on a
 * loaded CI machine). A loop that stays late is: the mean then climbs within a few ticks, and falls as quickly once
 * the loop keeps up.
 */
export class LoopDelay {
  /** The smoothed lateness, in ms. */
  private meanMs = 0;
  /** The smoothed share of time the loop spent working rather than waiting for I/O, 0 to 1. */
  private meanUtilization = 0;
  /** The loop's counters at the last tick, which the next one measures from. */
  private utilizationMark: EventLoopUtilization | undefined;
  /** When the next tick is due (performance.now()). */
  private due = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param weight how much each tick moves the mean: at 0.1 one stall must last 500 ms to lift it past 50 ms, while
   *   a loop late by 100 ms at every tick lifts it past 50 ms in 7 ticks (under a second).
   */
  constructor(
    private readonly everyMs = 20,
    private readonly weight = 0.1,
  ) {}

  /**
   * The mean as it would be if the tick now due fired at once: the loop is late by at least that much while it is
   * still busy with the work that keeps that tick from firing (a long burst of packets being read, say).
   */
  get ms(): number {
    if (this.timer === undefined) return 0;
    const overdue = performance.now() - this.due;
    return overdue > 0 ? Math.max(this.meanMs, this.next(overdue)) : this.meanMs;
  }

  /**
   * The smoothed share of the loop's time spent working, 0 to 1, weighted as the lateness is. A loop can be busy
   * while every tick stays on time: it then has little room left, and work that competes with it for the machine's
   * cores (a password hash) should wait. This is Node's own measure (`performance.eventLoopUtilization`).
   */
  get utilization(): number {
    return this.meanUtilization;
  }

  start(): void {
    if (this.timer) return;
    this.utilizationMark = performance.eventLoopUtilization();
    const tick = () => {
      const now = performance.now();
      this.meanMs = this.next(Math.max(0, now - this.due));
      const mark = performance.eventLoopUtilization();
      const share = performance.eventLoopUtilization(mark, this.utilizationMark).utilization;
      this.utilizationMark = mark;
      this.meanUtilization += this.weight * (share - this.meanUtilization);
      this.due = now + this.everyMs;
      this.timer = setTimeout(tick, this.everyMs).unref();
    };
    this.due = performance.now() + this.everyMs;
    this.timer = setTimeout(tick, this.everyMs).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.meanMs = 0;
    this.meanUtilization = 0;
    this.utilizationMark = undefined;
  }

  private next(latenessMs: number): number {
    return this.meanMs + this.weight * (latenessMs - this.meanMs);
  }
}
