/**
 * How late this process's event loop runs, read by a timer that should fire every `everyMs`. Its lateness is
 * the time the loop spent on other work meanwhile (JavaScript, or a synchronous call such as SQLite's commit
 * and its fsync), so it is also how long a packet that arrived meanwhile waited before being read. A timer
 * every 20 ms costs nothing measurable.
 */
export class LoopDelay {
  /** The lateness of the last tick, in ms; 0 until the first. */
  private lastMs = 0;
  /** When the next tick is due (performance.now()). */
  private due = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly everyMs = 20) {}

  /**
   * The larger of the last tick's lateness and that of the tick now due: the loop is late by at least as much
   * while it is still busy with the work that keeps that tick from firing (a long burst being read, say).
   */
  get ms(): number {
    return this.timer === undefined ? 0 : Math.max(this.lastMs, performance.now() - this.due);
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      const now = performance.now();
      this.lastMs = Math.max(0, now - this.due);
      this.due = now + this.everyMs;
      this.timer = setTimeout(tick, this.everyMs).unref();
    };
    this.due = performance.now() + this.everyMs;
    this.timer = setTimeout(tick, this.everyMs).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
