import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { proxyTrust, type TrustProxy } from './http/client-address.js';
import { LIMITS } from '@parley/protocol';

const durationSchema = z
  .string()
  .regex(/^\d+(s|m|h|d)?$/, 'must be a number of seconds, or a number followed by s, m, h or d (e.g. 7d)')
  .transform((value) => {
    const unit = value.at(-1) ?? 's';
    const seconds = { s: 1, m: 60, h: 3600, d: 86_400 }[unit] ?? 1;
    return Number.parseInt(value, 10) * seconds * 1000;
  })
  .refine((ms) => ms > 0, 'must be positive');

const originSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    try {
      const url = new URL(value);
      if (url.origin === 'null' || !/^https?:$/.test(url.protocol)) throw new Error('not http');
      return url.origin;
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an http(s) origin like https://chat.example.com` });
      return z.NEVER;
    }
  });

/** See `DATABASE_POOL_SIZE` in the README: measured under the benchmark's chat load. */
const DEFAULT_POOL_SIZE = 10;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().min(1).default('./data/parley.db'),
  /** PostgreSQL connections this node opens at most; ignored with SQLite. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(DEFAULT_POOL_SIZE),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').filter((s) => s.trim() !== ''))
    .pipe(z.array(originSchema)),
  SESSION_TTL: durationSchema.default(7 * 86_400_000),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(11),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
  /** New socket connections per client address per minute (many clients behind one NAT may need more). */
  SOCKET_HANDSHAKES_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  /** Sign-ups per client address per minute (a classroom signing up behind one NAT may need more). */
  SIGNUPS_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  EDIT_WINDOW_MINUTES: z.coerce.number().int().min(1).optional(),
  /** Messages being stored on this node at once, at most; past it a send is refused with `overloaded`. */
  OVERLOAD_PENDING_SENDS: z.coerce.number().int().min(1).optional(),
  /** Event-loop delay, in ms, past which sends are refused with `overloaded`; 0 turns that check off. */
  OVERLOAD_LOOP_DELAY_MS: z.coerce.number().int().min(0).optional(),
  /** How long, in ms, the oldest send being stored may have waited before new ones are refused; 0 turns it off. */
  OVERLOAD_SEND_WAIT_MS: z.coerce.number().int().min(0).optional(),
  /**
   * Test and benchmark only: ms the SQLite writer thread waits after each commit, as on a disk whose fsync
   * takes that long (0: off). Never in production: it only slows the server.
   */
  PARLEY_TEST_SYNC_DELAY_MS: z.coerce.number().int().min(0).max(1000).default(0),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits, _ . : or -')
    .default('parley'),
  REDIS_URL: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const problem = redisUrlProblem(value.trim());
      if (problem === null) return value.trim();
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }),
});

const TRUST_PROXY_FORMS =
  'use a hop count (TRUST_PROXY=1 behind one proxy) or the proxies\' addresses (TRUST_PROXY=127.0.0.1,10.0.0.0/8)';

/**
 * `false`/`0`, a hop count, or a list of proxy addresses and CIDRs. `true` is refused: trusting every hop
 * lets any client pick its own address with X-Forwarded-For, and so escape every per-address limit.
 */
function parseTrustProxy(value: string, ctx: z.RefinementCtx): TrustProxy {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'false' || trimmed === '0') return false;
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  if (trimmed === 'true') {
    ctx.addIssue({ code: 'custom', message: `"true" would trust every hop, so clients could choose their address; ${TRUST_PROXY_FORMS}` });
    return z.NEVER;
  }
  const proxies = trimmed.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  try {
    proxyTrust(proxies);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `${(error as Error).message}; ${TRUST_PROXY_FORMS}` });
    return z.NEVER;
  }
  return Object.freeze(proxies);
}

/**
 * Why a REDIS_URL cannot be used, or null. Never repeats the value: it may carry a password.
 */
function redisUrlProblem(value: string): string | null {
  const example = 'use a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  // Name the scheme only, and only when it is clearly one: whatever else is there may be a password.
  if (scheme === undefined) return `not a URL; ${example}`;
  if (!/^rediss?$/i.test(scheme)) return `unsupported scheme "${scheme}:"; ${example}`;
  try {
    if (new URL(value).hostname === '') return `no host; ${example}`;
  } catch {
    return `not a valid URL; ${example}`;
  }
  return null;
}

export type Database =
  | {
      driver: 'sqlite';
      file: string;
      /** PARLEY_TEST_SYNC_DELAY_MS, when set (a file only: `:memory:` never syncs). */
      testSyncDelayMs?: number;
    }
  | { driver: 'postgres'; url: string; poolSize?: number };

function parseDatabaseUrl(url: string, poolSize: number, syncDelayMs: number): Database {
  const database = parseDatabaseLocation(url, poolSize);
  if (database.driver !== 'sqlite' || database.file === ':memory:' || syncDelayMs === 0) return database;
  return { ...database, testSyncDelayMs: syncDelayMs };
}

function parseDatabaseLocation(url: string, poolSize: number): Database {
  // Passed to the driver as given: pg reads the host, credentials, database and query options (sslmode, …).
  if (/^postgres(ql)?:\/\//i.test(url)) return { driver: 'postgres', url, poolSize };
  if (url.startsWith('file:')) {
    // `file:///abs/path` is a URL; `file:./rel/path` is relative to the working directory, as SQLite reads it.
    const rest = url.slice('file:'.length).split('?')[0]!;
    const file = rest.startsWith('//') ? fileURLToPath(url.split('?')[0]!) : decodeURIComponent(rest);
    return { driver: 'sqlite', file: path.resolve(file) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme) {
    // Name the scheme only: the rest of a URL may carry a password.
    throw new ConfigError([`DATABASE_URL: unsupported scheme "${scheme}:"; use a SQLite path, a file: URL or a postgres:// URL`]);
  }
  return { driver: 'sqlite', file: url === ':memory:' ? url : path.resolve(url) };
}

/** Tunables that are not worth an environment variable, but that tests and operators may override. */
export interface Limits {
  /**
   * Failed log-ins allowed within `loginWindowMs` per account from one client address (so that failures
   * elsewhere cannot lock the owner out), and per client address over all accounts.
   */
  loginFailuresPerAccountAddress: number;
  loginFailuresPerAddress: number;
  loginWindowMs: number;
  /** Sign-ups allowed per client address per minute; SIGNUPS_PER_MINUTE sets it. */
  registrationsPerMinute: number;
  /** Wrong room passwords allowed per user and room within `roomPasswordWindowMs`. */
  roomPasswordFailures: number;
  roomPasswordWindowMs: number;
  /** The largest HTTP body accepted, in bytes. */
  httpBodyBytes: number;

  // Sockets: the work one socket, one user and one address may cause.
  /**
   * Socket event points allowed per socket, and per user over all their sockets on this node, per
   * second. Most events cost 1 point; the expensive ones more (see their handlers).
   */
  socketEventsPerSecond: number;
  userEventsPerSecond: number;
  /** A socket whose events were refused this many times within `refusedEventsWindowMs` is closed. */
  refusedEventsBeforeClose: number;
  refusedEventsWindowMs: number;
  /** Sockets one user may hold open, on all nodes; beyond it the oldest are closed. */
  socketsPerUser: number;
  /** People one user's sockets on one node may watch together (`presence:watch`; one socket: `LIMITS.presenceWatchMax`). */
  presenceWatchesPerUser: number;
  /**
   * Engine.IO handshakes (new connections, authenticated or not) allowed per client address per window
   * (a minute); SOCKET_HANDSHAKES_PER_MINUTE sets the number.
   */
  handshakesPerAddress: number;
  handshakeWindowMs: number;
  /** The largest socket packet accepted, in bytes: above the largest valid packet (see `largestValidPacketBytes`). */
  socketPacketBytes: number;

  // Log-ins, sessions, password hashing and HTTP connections.
  /** Log-in requests (failed or not) allowed per client address within `loginWindowMs`. */
  loginAttemptsPerAddress: number;
  /** Successful log-ins allowed per account within `loginWindowMs`: each one creates a session. */
  loginsPerAccount: number;
  /** Live sessions kept per user; a new one beyond this ends the oldest (and disconnects its sockets). */
  sessionsPerUser: number;
  /** How often expired sessions are deleted (and the usernames of accounts deleted long enough ago freed). */
  expiredSessionSweepMs: number;
  /**
   * Checks of a signed-in user's own password (changing it, deleting the account) allowed per user within
   * `loginWindowMs`, whatever their outcome: each costs a bcrypt hash, and a stolen session must not guess on.
   */
  passwordChecksPerUser: number;
  /** Name changes per user within `loginWindowMs`: each one reaches every connected socket. */
  nameChangesPerUser: number;
  /** Blocks set or lifted per user within `loginWindowMs`: each is a write, and tells both people's devices. */
  blockChangesPerUser: number;
  /** How long after sending a message its author may edit it; EDIT_WINDOW_MINUTES sets it. */
  editWindowMs: number;
  /** How long a deleted account's username stays taken, so that no one else can pass for them at once. */
  deletedUsernameGraceMs: number;
  /** Password hashes that may wait for a bcrypt slot: log-ins and sign-ups, and room passwords. */
  bcryptQueueAccounts: number;
  bcryptQueueRooms: number;
  /** The longest a client may take to send one whole request (headers and body). */
  httpRequestTimeoutMs: number;
  /** A connection silent for this long is closed; longer than a long-polling GET is held (25 s). */
  httpIdleTimeoutMs: number;

  // Group rooms.
  /**
   * Group rooms one user may create within `roomCreationWindowMs`, and in all (rooms they created that still
   * exist). Every new room is announced to everyone, so these bound what one account can make all others hear.
   */
  roomCreationsPerWindow: number;
  roomCreationWindowMs: number;
  roomsPerCreator: number;

  // Overload: past these, `message:send` is refused with `overloaded` (see `SendAdmission`).
  /** Sends taken and not yet answered on this node; OVERLOAD_PENDING_SENDS sets it. */
  pendingSendsMax: number;
  /** Event-loop delay in ms (0: not checked); OVERLOAD_LOOP_DELAY_MS sets it. */
  loopDelayMaxMs: number;
  /** How long the oldest send being stored may have waited, ms (0: not checked); OVERLOAD_SEND_WAIT_MS sets it. */
  sendWaitMaxMs: number;
}

/**
 * The largest valid client packet in any JSON encoding: a `message:send` whose body and clientId are
 * at their limits in code points and whose every code point is written as an escaped surrogate pair
 * (`\uD83D\uDE00`, 12 bytes), plus the packet's envelope (event name, field names, room id, ack id).
 * Length rules count code points, so a client that escapes non-ASCII can send this much.
 */
const ESCAPED_CODE_POINT_BYTES = 12;
const PACKET_ENVELOPE_BYTES = 1024;
export const largestValidPacketBytes = (LIMITS.bodyMax + LIMITS.clientIdMax) * ESCAPED_CODE_POINT_BYTES + PACKET_ENVELOPE_BYTES;

export const defaultLimits: Limits = {
  loginFailuresPerAccountAddress: 10,
  loginFailuresPerAddress: 50,
  loginWindowMs: 15 * 60_000,
  registrationsPerMinute: 20,
  roomPasswordFailures: 5,
  roomPasswordWindowMs: 15 * 60_000,
  httpBodyBytes: 16 * 1024,

  socketEventsPerSecond: 50,
  userEventsPerSecond: 100,
  refusedEventsBeforeClose: 50,
  refusedEventsWindowMs: 10_000,
  socketsPerUser: 20,
  // Two sockets' full lists: a few tabs of the web client, which watches the people its list shows.
  presenceWatchesPerUser: 1000,
  handshakesPerAddress: 120,
  handshakeWindowMs: 60_000,
  // (4000 + 64) × 12 + 1024 = 49,792 bytes, rounded up to 50,176 (49 KiB).
  socketPacketBytes: Math.ceil(largestValidPacketBytes / 1024) * 1024,

  loginAttemptsPerAddress: 100,
  loginsPerAccount: 20,
  sessionsPerUser: 20,
  expiredSessionSweepMs: 60 * 60_000,
  passwordChecksPerUser: 10,
  nameChangesPerUser: 10,
  blockChangesPerUser: 60,
  deletedUsernameGraceMs: 30 * 24 * 60 * 60_000,
  editWindowMs: 24 * 60 * 60_000,
  bcryptQueueAccounts: 50,
  bcryptQueueRooms: 10,
  httpRequestTimeoutMs: 30_000,
  httpIdleTimeoutMs: 60_000,

  // Enough to set up a team's rooms in one sitting; a script making rooms in a loop is stopped after 10.
  roomCreationsPerWindow: 10,
  roomCreationWindowMs: 10 * 60_000,
  // Far more than a person keeps up; keeps one account's share of the directory (and of rooms:list) small.
  roomsPerCreator: 100,

  // A cap on memory and on the queue in front of the store; the wait below is what usually refuses first.
  pendingSendsMax: 1024,
  loopDelayMaxMs: 50,
  sendWaitMaxMs: 200,
};

export interface Config {
  port: number;
  host: string;
  database: Database;
  /** Origins, besides the server's own, that may open sockets. */
  allowedOrigins: readonly string[];
  sessionTtlMs: number;
  bcryptCost: number;
  logLevel: string;
  /** Which peers may report the client's address in X-Forwarded-For (see `TrustProxy`). */
  trustProxy: TrustProxy;
  /** Redis, through which several nodes share Socket.IO's rooms and broadcasts; none for a single node. */
  redisUrl: string | undefined;
  /** Prefix of the Redis channels: deployments sharing one Redis must use different ones. */
  redisPrefix: string;
  limits: Limits;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment once; the result is typed and frozen. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Limits> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    database: parseDatabaseUrl(e.DATABASE_URL, e.DATABASE_POOL_SIZE, e.PARLEY_TEST_SYNC_DELAY_MS),
    allowedOrigins: Object.freeze(e.ALLOWED_ORIGINS),
    sessionTtlMs: e.SESSION_TTL,
    bcryptCost: e.BCRYPT_COST,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    limits: Object.freeze({
      ...defaultLimits,
      // Per the default window of a minute.
      ...(e.SOCKET_HANDSHAKES_PER_MINUTE === undefined ? {} : { handshakesPerAddress: e.SOCKET_HANDSHAKES_PER_MINUTE }),
      ...(e.SIGNUPS_PER_MINUTE === undefined ? {} : { registrationsPerMinute: e.SIGNUPS_PER_MINUTE }),
      ...(e.EDIT_WINDOW_MINUTES === undefined ? {} : { editWindowMs: e.EDIT_WINDOW_MINUTES * 60_000 }),
      ...(e.OVERLOAD_PENDING_SENDS === undefined ? {} : { pendingSendsMax: e.OVERLOAD_PENDING_SENDS }),
      ...(e.OVERLOAD_LOOP_DELAY_MS === undefined ? {} : { loopDelayMaxMs: e.OVERLOAD_LOOP_DELAY_MS }),
      ...(e.OVERLOAD_SEND_WAIT_MS === undefined ? {} : { sendWaitMaxMs: e.OVERLOAD_SEND_WAIT_MS }),
      ...overrides,
    }),
  });
}
