/** What became of one item of a batch: its result, or the error that it alone failed with. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the items added during one turn of the event loop, and those added while the batch before
 * them is being written, are written together by one call of `write` (one transaction, one sync of the
 * log), at most `maxBatch` at a time. Each caller's promise settles only when `write` has returned, that is
 * once its transaction has committed, with the outcome `write` gave its item; should `write` throw, every
 * item of that batch fails with its error. One batch is written at a time, so batches of one process never
 * wait for each other's locks.
 */
export class GroupCommit<T, R> {
  private waiting: Pending<T, R>[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<Outcome<R>[]>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ item, resolve, reject }) === 1 && !this.writing) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting.splice(0, this.maxBatch);
    this.writing = true;
    try {
      const outcomes = await this.write(batch.map((pending) => pending.item));
      batch.forEach((pending, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) pending.resolve(outcome.value);
        else pending.reject(outcome.error);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.writing = false;
      // What arrived meanwhile, with whatever the callers just resumed add during this turn.
      if (this.waiting.length > 0) setImmediate(() => void this.flush());
    }
  }
}
