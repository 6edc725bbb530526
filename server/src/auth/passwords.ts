import os from 'node:os';
import bcrypt from 'bcrypt';
import { AppError } from '../errors.js';

/** What a service needs from password hashing: one lane of the shared bcrypt pool. */
export interface Passwords {
  hash(password: string): Promise<string>;
  /** Compares against `hash`, or against a decoy when there is none: same work either way, always false then. */
  verify(password: string, hash: string | null): Promise<boolean>;
}

export interface LaneSizes {
  /** Hashes that may wait for a slot in each lane; more are refused with `rate_limited`. */
  accountsQueue: number;
  roomsQueue: number;
}

interface Lane {
  /** At most this many of the lane's hashes run at once. */
  readonly maxRunning: number;
  readonly queueSize: number;
  running: number;
  /** Hashes waiting for a slot, oldest first: when each began to wait (performance.now()) and how to start it. */
  readonly waiting: Array<{ since: number; start: () => void }>;
}

/** Whether live chat is short of time on this node (see `SendAdmission.busy`): hashes then wait a while. */
export interface ChatPressure {
  readonly busy: boolean;
}

/** How long a hash may be held back for chat, ms: past it, it runs anyway, so logins slow down but never stop. */
const YIELD_MAX_MS = 2000;
/** How often held-back hashes look again whether chat is still busy, ms. */
const YIELD_POLL_MS = 25;

/**
 * bcrypt runs on libuv's thread pool, so hashing never blocks the event loop; but a burst of hashes
 * would put one on every pool thread and take every core from the event loop, stalling chat for
 * everyone. So at most all cores but one hash at once, and the rest wait in one of two bounded lanes:
 * - `accounts` (log-in, sign-up) is served first whenever a slot frees;
 * - `rooms` (room passwords) may use only half of the slots (at least one).
 * So however many room passwords are thrown at the server, a log-in waits for at most the hash
 * already running, and a full lane answers `rate_limited` at once instead of queueing without end.
 *
 * On two cores "all but one" is one whole core, and chat needs more than the other where the database shares the
 * machine: a login burst during busy chat on PostgreSQL raised chat's p99 from 66 to 120 ms (bench, 2,380 msgs/s).
 * So while chat is short of time (`ChatPressure`), a hash that has not started waits, in its lane (whose bound
 * still holds), for chat to catch up, for at most `YIELD_MAX_MS`: logins take longer, chat does not stall.
 */
export class PasswordLanes {
  readonly accounts: Passwords;
  readonly rooms: Passwords;
  private readonly slots: number;
  private running = 0;
  private readonly lanes: Lane[];
  /** The timer that looks again at held-back hashes, while there are any. */
  private poll: NodeJS.Timeout | null = null;
  /** A real hash to compare against when the account does not exist, so both failures cost the same time. */
  private readonly decoy: Promise<string>;

  constructor(
    private readonly cost: number,
    sizes: LaneSizes,
    slots = Math.max(1, os.availableParallelism() - 1),
    private readonly chat: ChatPressure = { busy: false },
  ) {
    this.slots = slots;
    const accounts = this.lane(slots, sizes.accountsQueue);
    const rooms = this.lane(Math.max(1, Math.floor(slots / 2)), sizes.roomsQueue);
    this.lanes = [accounts, rooms];
    this.decoy = bcrypt.hash('parley decoy password', cost);
    this.accounts = this.passwordsOn(accounts);
    this.rooms = this.passwordsOn(rooms);
  }

  private lane(maxRunning: number, queueSize: number): Lane {
    return { maxRunning, queueSize, running: 0, waiting: [] };
  }

  private passwordsOn(lane: Lane): Passwords {
    return {
      hash: (password) => this.run(lane, () => bcrypt.hash(password, this.cost)),
      verify: async (password, hash) => {
        const against = hash ?? (await this.decoy);
        const matches = await this.run(lane, () => bcrypt.compare(password, against));
        return matches && hash !== null;
      },
    };
  }

  private async run<T>(lane: Lane, job: () => Promise<T>): Promise<T> {
    const since = performance.now();
    if (lane.waiting.length > 0 || !this.mayStart(lane, since)) {
      if (lane.waiting.length >= lane.queueSize) {
        throw new AppError('rate_limited', 'The server is busy checking passwords; try again in a moment.');
      }
      await new Promise<void>((start) => {
        lane.waiting.push({ since, start });
        this.lookAgainLater();
      });
    }
    try {
      return await job();
    } finally {
      this.running -= 1;
      lane.running -= 1;
      this.startNext();
    }
  }

  /**
   * Claims a slot for a hash waiting since `since` when one is free and chat is not short of time, or the hash has
   * been held back long enough (counted here, so the claim and the check are one step).
   */
  private mayStart(lane: Lane, since: number): boolean {
    if (this.running >= this.slots || lane.running >= lane.maxRunning) return false;
    if (this.chat.busy && performance.now() - since < YIELD_MAX_MS) return false;
    this.running += 1;
    lane.running += 1;
    return true;
  }

  private startNext(): void {
    for (const lane of this.lanes) {
      while (lane.waiting.length > 0 && this.mayStart(lane, lane.waiting[0]!.since)) lane.waiting.shift()!.start();
    }
  }

  /** While hashes wait, a finished hash starts the next; held back for chat, nothing would: a timer looks again. */
  private lookAgainLater(): void {
    if (this.poll) return;
    this.poll = setTimeout(() => {
      this.poll = null;
      this.startNext();
      if (this.lanes.some((lane) => lane.waiting.length > 0)) this.lookAgainLater();
    }, YIELD_POLL_MS);
  }
}
