/**
 * The SQLite writer thread (see `SqliteWriter`): it opens the file as the store does, then runs the write
 * calls posted to it, in order, and answers each after its commit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StoreConflictError } from '../store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { WriteReply, WriteRequest, WriterData } from './writer.js';

const port = parentPort!;
const { file, syncDelayMs = 0 } = workerData as WriterData;

/**
 * Test and benchmark only: a disk whose fsync takes `ms`. The real sync blocks this thread inside COMMIT, and
 * only this thread, while the main thread goes on receiving; so does this wait (a wait on a cell nobody
 * wakes). Undefined when off, so that a real server pays one test per call for it.
 */
function slowSync(ms: number): (() => void) | undefined {
  if (ms <= 0) return undefined;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return () => void Atomics.wait(cell, 0, 0, ms);
}

const afterCommit = slowSync(syncDelayMs);
const store = openSqliteStore(file, { afterGroupCommit: afterCommit });

function failure(id: number, error: unknown): WriteReply {
  if (error instanceof StoreConflictError) return { id, ok: false, conflict: error.constraint };
  const { name, message, code } = error instanceof Error ? (error as Error & { code?: string }) : { name: 'Error', message: String(error), code: undefined };
  return { id, ok: false, name, message, ...(typeof code === 'string' ? { code } : {}) };
}

/** Answers go back together too: those settled in one go (a group commit's) in one message. */
let outbox: WriteReply[] = [];
function answer(reply: WriteReply): void {
  if (outbox.length === 0) {
    queueMicrotask(() => {
      port.postMessage(outbox);
      outbox = [];
    });
  }
  outbox.push(reply);
}

port.on('message', (requests: WriteRequest[]) => {
  for (const { id, method, args } of requests) {
    const run = store[method] as (...args: unknown[]) => Promise<unknown>;
    run.apply(store, args).then(
      (value) => answer({ id, ok: true, value }),
      (error: unknown) => answer(failure(id, error)),
    );
    // Every other write commits within its call (its answer waits on this); appends commit later, in their
    // group, whose commit the store follows with `afterGroupCommit`.
    if (afterCommit && method !== 'appendMessage' && method !== 'close') afterCommit();
  }
});
port.postMessage('ready');
