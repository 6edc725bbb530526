/**
 * How late this process's event loop runs, read by a timer: every `everyMs` it notes how much later than
 * asked it fired. That lateness is the time the loop spent on other work in between (JavaScript, or a
 * synchronous call such as SQLite's commit and its fsync), so it is also how long a packet that arrived
 * meanwhile waited before being read. A timer every 20 ms costs nothing measurable.
 */
export class LoopDelay {
  /** The lateness of the last tick, in ms; 0 until the first. */
  private lastMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly everyMs = 20) {}

  get ms(): number {
    return this.lastMs;
  }

  start(): void {
    if (this.timer) return;
    let due = performance.now() + this.everyMs;
    const tick = () => {
      const now = performance.now();
      this.lastMs = Math.max(0, now - due);
      due = now + this.everyMs;
      this.timer = setTimeout(tick, this.everyMs).unref();
    };
    this.timer = setTimeout(tick, this.everyMs).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
