import pg from 'pg';
import { createClient } from 'redis';

/**
 * The PostgreSQL and Redis the tests use, and whether they answer. A machine without them skips the
 * tests that need them, saying why, instead of failing.
 */
export const postgresUrl = process.env.PARLEY_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.PARLEY_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** A URL without its password, to show in a test title. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Runs a statement on a connection of its own, outside any store. */
export async function adminQuery(sql: string, connectionTimeoutMillis = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis });
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why PostgreSQL cannot be used, or null. */
export async function postgresProblem(): Promise<string | null> {
  try {
    await adminQuery('SELECT 1', 3_000);
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = error instanceof Error ? error.message || (typeof code === 'string' ? code : error.name) : String(error);
    return `PostgreSQL unavailable at ${redacted(postgresUrl)}: ${reason}`;
  }
}

/** Why Redis cannot be used (no PONG within 1.5 s), or null. */
export async function redisProblem(): Promise<string | null> {
  const client = createClient({ url: redisUrl, socket: { connectTimeout: 1_000, reconnectStrategy: false } });
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 1.5 s')), 1_500);
      }),
    ]);
    return null;
  } catch (error) {
    return `Redis unavailable at ${redacted(redisUrl)}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
    if (client.isOpen) client.destroy();
  }
}
