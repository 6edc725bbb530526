import os from 'node:os';
import bcrypt from 'bcrypt';
import pLimit from 'p-limit';

/**
 * bcrypt runs on libuv's thread pool, so hashing never blocks the event loop; but a burst of log-ins
 * would put a hash on every pool thread and take every core from the event loop, stalling chat for
 * everyone. So at most all cores but one hash at once; further log-ins wait their turn.
 */
const hashSlots = pLimit(Math.max(1, os.availableParallelism() - 1));

export class Passwords {
  /** A real hash to compare against when the account does not exist, so both failures cost the same time. */
  private readonly decoy: Promise<string>;

  constructor(private readonly cost: number) {
    this.decoy = hashSlots(() => bcrypt.hash('parley decoy password', cost));
  }

  hash(password: string): Promise<string> {
    return hashSlots(() => bcrypt.hash(password, this.cost));
  }

  /** Compares against `hash`, or against the decoy when there is none: same work either way. */
  async verify(password: string, hash: string | null): Promise<boolean> {
    const against = hash ?? (await this.decoy);
    const matches = await hashSlots(() => bcrypt.compare(password, against));
    return matches && hash !== null;
  }
}
