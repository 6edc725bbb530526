/**
 * The Parley server as `server/dist/main.js` runs it (the same config from the environment, the same
 * store, the same `buildApp`, the same `listen`), plus an IPC channel through which the bench asks for
 * the process's CPU time and memory (after a full GC: run with `--expose-gc`) and tells it to stop.
 *
 * Bench-only. Imports the BUILT server, so run `npm run build` first. Started by `bench/run.ts`.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { serve } from './lib/rpc.js';
import type { Usage } from './lib/types.js';

// The built server has no type declarations; its sources give the types.
const dist = (file: string) => new URL(`../server/dist/${file}`, import.meta.url).href;
const { buildApp } = (await import(dist('app.js'))) as typeof import('../server/src/app.js');
const { loadConfig } = (await import(dist('config.js'))) as typeof import('../server/src/config.js');
const { openStore } = (await import(dist('store/open-store.js'))) as typeof import('../server/src/store/open-store.js');

/** Busy (including time blocked in synchronous calls, such as SQLite's fsync) and idle time of the event loop. */
const loop = () => {
  const { active, idle } = performance.eventLoopUtilization();
  return { active, idle };
};

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('server-host: run with --expose-gc');
  process.exit(2);
}

const config = loadConfig();
const store = await openStore(config.database);
const app = await buildApp(config, { store });

let stopping: Promise<void> | undefined;
let profiler: Session | undefined;
function stop(): Promise<void> {
  stopping ??= (async () => {
    // The same order as main.ts: the app (sockets drained, transports closed), then the store.
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    await store.close();
    clearTimeout(timer);
    // Exit on the next turn, once the reply has gone out; --cpu-prof writes its profile on exit.
    setTimeout(() => process.exit(0), 50);
  })();
  return stopping;
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

function usage(): Usage {
  return { cpu: process.cpuUsage(), elu: loop(), memory: process.memoryUsage(), at: performance.timeOrigin + performance.now() };
}

const { ready } = serve({
  usage: () => usage(),
  /** Memory after full collections, so that what is measured is what is retained. */
  memory: async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return usage();
  },
  stop: () => stop(),
  /** A CPU profile of the main thread from now to `profileStop`, sampled every `intervalUs`: one phase of a scenario. */
  profileStart: async ({ intervalUs }: { intervalUs: number }) => {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await profiler.post('Profiler.start');
    return {};
  },
  /** Writes the profile started by `profileStart` to `file` (a `.cpuprofile`). */
  profileStop: async ({ file }: { file: string }) => {
    if (!profiler) throw new Error('no profile was started');
    const { profile } = await profiler.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    profiler = undefined;
    return {};
  },
});

await app.listen({ port: config.port, host: config.host });
ready({ port: (app.server.address() as AddressInfo).port, pid: process.pid });
