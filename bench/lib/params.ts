import type { ChatParams } from './chat.js';
import type { Generator } from './types.js';

export interface Params {
  mode: 'quick' | 'full';
  /** Who speaks for the chat users (types.ts): the light `ws` generator, or socket.io-client as a check. */
  generator: Generator;
  workers: number;
  chatUsers: number;
  groupSize: number;
  chat: ChatParams;
  /** Idle sockets at each level; distinct users, each with `ceil(max level / idleUsers)` devices (sessions). */
  idleLevels: number[];
  idleUsers: number;
  /** Distinct users who come online once the idle sockets are connected (what one more user costs). */
  probeUsers: number;
  /** Idle sockets connected at once, per worker. */
  idleConcurrency: number;
  historyMessages: number;
  historyWarmup: number;
  historySamples: number;
  historyLimit: number;
  dmSamples: number;
  /** Sockets of the reader, used in turn, each kept under the server's 50 events/s. */
  requestSockets: number;
  requestsPerSocketPerSec: number;
  loginConcurrency: number;
  loginMs: number;
  /** `--sync-delay=MS`: every SQLite commit slowed by MS, as on a slow disk (PARLEY_TEST_SYNC_DELAY_MS); 0: off. */
  syncDelayMs: number;
}

const full: Params = {
  mode: 'full',
  generator: 'ws',
  workers: 3,
  chatUsers: 1000,
  groupSize: 10,
  chat: {
    warmupMs: 2000,
    measureMs: 8000,
    drainMs: 5000,
    recoverMs: 30_000,
    pauseMs: 1000,
    startRate: 250,
    // 1,000 users at 40 events/s each stays under the server's 50 per socket.
    maxRate: 32_000,
    // Four bisections find a saturation point within about 4% (2^(1/16)) of the truth. With two, a ratio to the relay
    // could only take values about 19% apart: 3,360 against 6,730 read 49.9% however close to 50% the truth was.
    refine: 4,
    dmShare: 0.2,
    padding: 80,
    p99LimitMs: 100,
  },
  idleLevels: [1000, 5000, 10_000],
  idleUsers: 1000,
  probeUsers: 100,
  idleConcurrency: 50,
  historyMessages: 1_000_000,
  historyWarmup: 200,
  historySamples: 2000,
  historyLimit: 50,
  dmSamples: 1000,
  requestSockets: 10,
  // Each socket (one reader each) stays within the server's 50 event points per socket per second:
  // dm:open costs 3, room:history 2.
  requestsPerSocketPerSec: 15,
  loginConcurrency: 8,
  loginMs: 10_000,
  syncDelayMs: 0,
};

const quick: Params = {
  ...full,
  mode: 'quick',
  chatUsers: 400,
  chat: {
    ...full.chat,
    warmupMs: 500,
    measureMs: 2000,
    drainMs: 2000,
    recoverMs: 8000,
    pauseMs: 300,
    startRate: 500,
    maxRate: 16_000,
    refine: 0,
  },
  idleLevels: [250, 1000, 2000],
  idleUsers: 250,
  probeUsers: 50,
  historyMessages: 100_000,
  historyWarmup: 100,
  historySamples: 1000,
  dmSamples: 250,
  loginMs: 3000,
};

export function params(argv: string[]): { params: Params; flags: Record<string, string | true> } {
  const flags: Record<string, string | true> = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument "${arg}"; use --quick, --workers=N, --generator=ws|sio, --only=chat,relay,idle,history,logins, --profile`);
    flags[m[1]!] = m[2] ?? true;
  }
  const known = ['quick', 'generator', 'workers', 'only', 'profile', 'rate', 'seconds', 'users', 'skip-build', 'render', 'rooms-list', 'presence', 'presence-devices', 'presence-label', 'relay-from', 'sync-delay', 'two-nodes'];
  for (const k of Object.keys(flags)) if (!known.includes(k)) throw new Error(`unknown option --${k}`);
  const p: Params = structuredClone(flags.quick ? quick : full);
  if (flags.generator !== undefined) {
    if (flags.generator !== 'ws' && flags.generator !== 'sio') throw new Error('--generator takes "ws" (the default) or "sio"');
    p.generator = flags.generator;
  }
  if (typeof flags.workers === 'string') p.workers = Math.max(1, Math.min(8, Number.parseInt(flags.workers, 10)));
  if (flags['sync-delay'] !== undefined) {
    const ms = typeof flags['sync-delay'] === 'string' ? Number(flags['sync-delay']) : Number.NaN;
    if (!Number.isInteger(ms) || ms < 1 || ms > 1000) throw new Error('--sync-delay takes whole ms from 1 to 1000, e.g. --sync-delay=10');
    p.syncDelayMs = ms;
  }
  if (typeof flags.users === 'string') p.chatUsers = Math.max(10, Number.parseInt(flags.users, 10));
  // Keep every simulated user under 40 of the server's 50 events per second.
  p.chat.maxRate = Math.min(p.chat.maxRate, p.chatUsers * 40);
  return { params: p, flags };
}
