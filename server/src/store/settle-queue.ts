/**
 * Hands a batch's answers to their callers a slice at a time, in the order the answers came, with the event
 * loop's I/O in between slices.
 *
 * Why: a group commit answers hundreds of sends at once, and each caller resumes at once to deliver its message
 * to every member and ack it. Resumed together, they all ran in one turn of the loop: at twice saturation on
 * PostgreSQL a batch of 256 sends meant about 2,800 socket writes back to back (tens of milliseconds), while
 * `/healthz`, new sends and everything else read nothing. Sliced, each slice's callers resume in the microtasks
 * after it, and the next slice waits for `setImmediate`, which runs after the loop has polled its sockets.
 * Order is kept across batches too: a batch answered while an earlier one is still being handed out queues
 * behind it, so messages are still delivered in the order of their seq.
 */
export class SettleQueue {
  private queue: (() => void)[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly slice = 32) {}

  /** Queues one batch's settlements; the first slice runs now if nothing is queued before it. */
  push(settlements: readonly (() => void)[]): void {
    for (const settle of settlements) this.queue.push(settle);
    if (!this.scheduled) this.drain();
  }

  private readonly drain = (): void => {
    const end = Math.min(this.queue.length, this.head + this.slice);
    for (; this.head < end; this.head++) this.queue[this.head]!();
    if (this.head < this.queue.length) {
      this.scheduled = true;
      setImmediate(this.drain);
      return;
    }
    this.queue = [];
    this.head = 0;
    this.scheduled = false;
  };
}

/** The process's one queue: every store's batches are answered through it, so that none jumps another's turn. */
export const settleQueue = new SettleQueue();
