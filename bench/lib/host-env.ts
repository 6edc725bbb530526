import type { DbTarget } from './seed.js';

/**
 * The environment Parley's host (`bench/server-host.ts`) runs with: the production settings, on `target`, on
 * 127.0.0.1 and a port of its own, as one node (no Redis). `syncDelayMs` (`--sync-delay`, SQLite only) slows
 * every commit as a slow disk would (PARLEY_TEST_SYNC_DELAY_MS); nothing else may: a value left in the
 * bench's own environment is dropped.
 */
export function parleyHostEnv(target: DbTarget, { syncDelayMs = 0 }: { syncDelayMs?: number } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: target.driver === 'sqlite' ? target.file : target.url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    BCRYPT_COST: '11',
    // As behind deploy/nginx.conf: the log-in scenario's clients say their address in X-Forwarded-For.
    TRUST_PROXY: 'loopback',
    // Every simulated device connects from 127.0.0.1: thousands of sockets a minute from one address.
    SOCKET_HANDSHAKES_PER_MINUTE: '1000000',
    NODE_ENV: 'production',
  };
  delete env.REDIS_URL;
  delete env.PARLEY_TEST_SYNC_DELAY_MS;
  if (syncDelayMs > 0) env.PARLEY_TEST_SYNC_DELAY_MS = String(syncDelayMs);
  return env;
}
