import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openStore } from './store/open-store.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const store = await openStore(config.database);
let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp(config, { store });
} catch (error) {
  // Typically Redis out of reach: the message names its address, never its credentials.
  console.error(`Parley could not start: ${error instanceof Error ? error.message : String(error)}`);
  await store.close();
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  app.log.info({ signal }, 'shutting down');
  setTimeout(() => {
    app.log.error('shutdown took too long; exiting');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  // Stops accepting connections, finishes the socket events in flight, closes every socket's transport
  // (clients reconnect, to another node if there is one), then closes the adapter and Redis.
  try {
    await app.close();
    await store.close();
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
  app.log.info({ ms: Date.now() - started }, 'shut down');
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  app.log.fatal({ err: error }, 'could not start');
  await store.close();
  process.exit(1);
}
