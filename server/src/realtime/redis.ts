import type { FastifyBaseLogger } from 'fastify';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';

export interface RedisOptions {
  /** Prefix of the Pub/Sub channels: deployments (or test runs) sharing one Redis must not share it. */
  keyPrefix: string;
  /** How long a cluster-wide request (fetchSockets, allRooms) waits for the other nodes. */
  requestTimeoutMs: number;
  /** How long starting may wait for Redis before it gives up. */
  connectTimeoutMs: number;
}

type RedisClient = ReturnType<typeof newClient>;
export type RedisAdapter = ReturnType<typeof createAdapter>;

/** The Redis side of a node: the adapter constructor Socket.IO takes, and the two connections behind it. */
export interface RedisLink {
  adapter: RedisAdapter;
  /** Closes both connections, waiting briefly for pending commands; destroys whatever does not close. */
  close(): Promise<void>;
  /** Drops both connections at once, as a crash would: other nodes stop counting this one. */
  destroy(): void;
}

/** How often the same kind of Redis error is logged while it keeps happening. */
const ERROR_LOG_INTERVAL_MS = 10_000;
const CLOSE_TIMEOUT_MS = 1_000;

/** Where Redis is, for messages: never the credentials a URL may carry. */
export function redisAddress(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}`;
  } catch {
    return 'Redis';
  }
}

/**
 * Logs an error at most once per interval while errors keep coming, with how many were left out,
 * so a Redis outage is visible without flooding the log.
 */
function throttledErrorLog(log: FastifyBaseLogger) {
  let lastAt = 0;
  let suppressed = 0;
  return (error: unknown, msg: string) => {
    const now = Date.now();
    if (now - lastAt < ERROR_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    log.error({ err: error, suppressed }, msg);
    lastAt = now;
    suppressed = 0;
  };
}

/**
 * The adapter fires Pub/Sub commands without awaiting them; with Redis down or a connection closed
 * their promises would reject unhandled and take the process down. These are logged instead. Callers
 * that await still see the rejection.
 */
function guardFireAndForget(client: RedisClient, logError: (error: unknown, msg: string) => void): void {
  const methods = ['publish', 'sPublish', 'subscribe', 'unsubscribe', 'pSubscribe', 'pUnsubscribe', 'sSubscribe', 'sUnsubscribe'];
  const target = client as unknown as Record<string, unknown>;
  for (const name of methods) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = original.apply(client, args);
      } catch (error) {
        logError(error, `Redis ${name} failed`);
        return Promise.resolve();
      }
      if (result instanceof Promise) result.catch((error: unknown) => logError(error, `Redis ${name} failed`));
      return result;
    };
  }
}

function newClient(url: string, name: string, connectTimeoutMs: number) {
  return createClient({
    url,
    // Shown by CLIENT LIST, so an operator can tell Parley's connections apart.
    name,
    // The adapter reads RESP2 replies (PUBSUB NUMSUB as an array), which redis@5+ no longer defaults to.
    RESP: 2,
    // Fail commands at once while disconnected rather than queue them without bound: an emit lost
    // during an outage is recovered by the clients' sync, a queue of millions is not recovered.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: Math.min(connectTimeoutMs, 10_000),
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000),
    },
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Opens the publishing and the subscribing connection to Redis and builds the Socket.IO adapter on
 * them. Rejects, with a message that names the address but never the credentials, when Redis cannot
 * be reached within `connectTimeoutMs`. Once started, lost connections are retried for ever, and
 * their errors logged.
 */
export async function connectRedis(url: string, options: RedisOptions, log: FastifyBaseLogger): Promise<RedisLink> {
  const address = redisAddress(url);
  const logError = throttledErrorLog(log);
  const open = (role: 'publisher' | 'subscriber'): RedisClient => {
    const client = newClient(url, `${options.keyPrefix}:${role}`, options.connectTimeoutMs);
    let broken = false;
    client.on('error', (error: unknown) => {
      broken = true;
      logError(error, `Redis ${role} connection error (${address})`);
    });
    client.on('ready', () => {
      if (broken) log.info(`Redis ${role} connection restored (${address})`);
      broken = false;
    });
    guardFireAndForget(client, logError);
    return client;
  };

  const pub = open('publisher');
  const sub = open('subscriber');
  const destroy = () => {
    for (const client of [pub, sub]) {
      if (client.isOpen) client.destroy();
    }
  };
  try {
    await withTimeout(
      Promise.all([pub.connect(), sub.connect()]),
      options.connectTimeoutMs,
      `could not connect to Redis at ${address} within ${options.connectTimeoutMs} ms`,
    );
  } catch (error) {
    destroy();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`REDIS_URL: ${reason.includes(address) ? reason : `could not connect to Redis at ${address}: ${reason}`}`);
  }

  return {
    adapter: createAdapter(pub, sub, { key: options.keyPrefix, requestsTimeout: options.requestTimeoutMs }),
    async close() {
      await Promise.allSettled(
        [pub, sub].map(async (client) => {
          if (!client.isOpen) return;
          try {
            await withTimeout(client.close(), CLOSE_TIMEOUT_MS, 'Redis close timed out');
          } catch (error) {
            log.warn({ err: error }, 'Redis connection did not close cleanly; dropping it');
            if (client.isOpen) client.destroy();
          }
        }),
      );
    },
    destroy,
  };
}
