import type { FastifyBaseLogger } from 'fastify';

/** At most one log line per this much time while sends are refused: it says how many were. */
const LOG_EVERY_MS = 10_000;
/**
 * Past this share of its time working, the event loop counts as busy (see `SendAdmission.busy`). SQLite at 2,830
 * msgs/s ran its loop 69% busy with every tick on time and short send waits, so neither of the other signals fired,
 * and a login burst beside it lifted chat's p99 from 16 to 117 ms (bench, 2026-12-02).
 */
const BUSY_UTILIZATION = 0.5;

export interface OverloadLimits {
  /** Sends this node has taken and not yet answered, at most: a send beyond them is refused. */
  pendingSendsMax: number;
  /** While the event loop runs later than this (see `LoopDelay`), sends are refused; 0 never refuses on it. */
  loopDelayMaxMs: number;
  /** While the oldest send taken has waited longer than this, ms, sends are refused; 0 never refuses on it. */
  sendWaitMaxMs: number;
}

/**
 * Whether this node takes one more `message:send`, decided before anything is spent on it. Two signals, since
 * an overload can queue in two places:
 * - **Sends taken and not yet answered.** They wait for the database: for PostgreSQL's pool and round trips,
 *   or for the next SQLite group commit. What is bounded is how long the oldest of them has waited: that is the
 *   queue's delay, whatever the store's speed. A count alone (the first version: 256) refused sends on a slow disk
 *   or at a burst while every one was still answered within tens of milliseconds, since a store that commits in
 *   large groups has many sends in flight without falling behind. The count stays, larger, as a bound on memory.
 * - **The event loop's delay.** A node short of CPU, or blocked in SQLite's fsync, reads its sockets late: the
 *   sends pile up in the kernel's buffers, where no count of ours sees them, and the loop's lateness is how
 *   long they waited. Refusing is far cheaper than sending (no database, no broadcast), so refusing what
 *   arrives while the loop is late lets it catch up and keep reading promptly.
 * A refused send is answered `overloaded` at once; the client retries it later under the same clientId.
 */
export class SendAdmission {
  private pending = 0;
  /**
   * When the sends in flight were taken (performance.now()), oldest first, from `head`. Sends are answered about
   * in the order they were taken (group commits are), so an answer removes the oldest time: when one overtakes
   * another, the oldest left is a little younger than the truth, never older, and the count stays right.
   */
  private takenAt: number[] = [];
  private head = 0;
  private refusedUnlogged = 0;
  private loggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limits: OverloadLimits,
    private readonly loopDelay: { readonly ms: number; readonly utilization: number },
    private readonly log: FastifyBaseLogger,
  ) {}

  get overloaded(): boolean {
    return (
      this.pending >= this.limits.pendingSendsMax ||
      (this.limits.sendWaitMaxMs > 0 && this.oldestWaitMs > this.limits.sendWaitMaxMs) ||
      (this.limits.loopDelayMaxMs > 0 && this.loopDelay.ms > this.limits.loopDelayMaxMs)
    );
  }

  /**
   * Whether chat is short of time on this node, well before it refuses sends: the oldest send being stored has
   * waited a quarter of its bound, or the event loop runs half its bound late or is working more than half of its
   * time. Password hashes, which take a core each, wait meanwhile (see `PasswordLanes`). False where both checks
   * are off.
   */
  get busy(): boolean {
    return (
      (this.limits.sendWaitMaxMs > 0 && this.oldestWaitMs > this.limits.sendWaitMaxMs / 4) ||
      (this.limits.loopDelayMaxMs > 0 &&
        (this.loopDelay.ms > this.limits.loopDelayMaxMs / 2 || this.loopDelay.utilization > BUSY_UTILIZATION))
    );
  }

  /** How long the oldest send in flight has waited, ms; 0 when none is. */
  private get oldestWaitMs(): number {
    return this.pending > 0 ? performance.now() - this.takenAt[this.head]! : 0;
  }

  /** Takes a place for one send, which the caller gives back with `release` once it is answered; false when overloaded. */
  admit(): boolean {
    if (this.overloaded) {
      this.noteRefused();
      return false;
    }
    this.pending += 1;
    this.takenAt.push(performance.now());
    return true;
  }

  release(): void {
    this.pending -= 1;
    this.head += 1;
    if (this.pending === 0) {
      this.takenAt = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.takenAt.length) {
      this.takenAt = this.takenAt.slice(this.head);
      this.head = 0;
    }
  }

  private noteRefused(): void {
    this.refusedUnlogged += 1;
    const now = Date.now();
    if (now - this.loggedAt < LOG_EVERY_MS) return;
    this.log.warn(
      {
        refused: this.refusedUnlogged,
        pendingSends: this.pending,
        oldestSendWaitMs: Math.round(this.oldestWaitMs),
        loopDelayMs: Math.round(this.loopDelay.ms),
      },
      'overloaded: refusing sends',
    );
    this.loggedAt = now;
    this.refusedUnlogged = 0;
  }
}
