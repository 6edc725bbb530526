import { settleQueue } from './settle-queue.js';

/** What became of one item of a batch: its result, or the error that it alone failed with. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * The items added during one turn of the event loop, and those added while the batch before them is in
 * flight, go together to one call of `run`, at most `maxBatch` at a time: one round trip and one statement
 * for them all. For writes this is group commit: one transaction, and one sync of the log, for the batch.
 * Each caller's promise settles only when `run` has returned (for a write, once its transaction has
 * committed), with the outcome `run` gave its item; should `run` throw, every item of that batch fails with
 * its error. The callers resume a slice at a time (see `settleQueue`). One batch is in flight at a time, so the batches of one process never wait for each other's locks.
 */
export class Batcher<T, R> {
  private waiting: Pending<T, R>[] = [];
  private running = false;

  constructor(
    private readonly run: (items: readonly T[]) => Promise<Outcome<R>[]>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ item, resolve, reject }) === 1 && !this.running) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting.splice(0, this.maxBatch);
    this.running = true;
    try {
      const outcomes = await this.run(batch.map((pending) => pending.item));
      settleQueue.push(
        batch.map((pending, i) => () => {
          const outcome = outcomes[i]!;
          if (outcome.ok) pending.resolve(outcome.value);
          else pending.reject(outcome.error);
        }),
      );
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.running = false;
      // What arrived meanwhile, with whatever the callers just resumed add during this turn.
      if (this.waiting.length > 0) setImmediate(() => void this.flush());
    }
  }
}
