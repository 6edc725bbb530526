import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { settleQueue } from '../settle-queue.js';
import { StoreConflictError, type Store } from '../store.js';
import { openSqliteReader, SqliteStore } from './sqlite-store.js';

/**
 * The store's methods that write. They run on the writer thread, whose commits sync the WAL
 * (synchronous=FULL) there: a sync no longer stops the event loop, which goes on receiving and
 * delivering while the disk works, and the next group commit gathers what arrived meanwhile.
 */
export const WRITE_METHODS = [
  'createUser',
  'createSession',
  'deleteSession',
  'deleteExpiredSessions',
  'deleteSessionsBeyond',
  'touchSession',
  'deleteUserSession',
  'deleteSessionsExcept',
  'updateUserName',
  'updatePasswordHash',
  'deleteUser',
  'releaseDeletedUsernames',
  'setBlock',
  'createGroupRoom',
  'openDirectRoom',
  'addMember',
  'removeMember',
  'changeMembership',
  'deleteBan',
  'updateGroupRoom',
  'setRole',
  'deleteRoom',
  'advanceReadMarker',
  'setMuted',
  'appendMessage',
  'editMessage',
  'deleteMessage',
  'setReaction',
] as const satisfies readonly (keyof Store)[];

export type WriteMethod = (typeof WRITE_METHODS)[number];

export interface WriteRequest {
  id: number;
  method: WriteMethod | 'close';
  args: unknown[];
}

/** What crosses back from the thread: a value, or an error reduced to what the server tells apart. */
export type WriteReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; conflict: StoreConflictError['constraint'] }
  | { id: number; ok: false; name: string; message: string; code?: string };

export interface WriterOptions {
  /**
   * Test and benchmark only (`PARLEY_TEST_SYNC_DELAY_MS`): the thread blocks this many ms after each commit,
   * as it would on a disk whose fsync takes that long. 0 or absent: off.
   */
  syncDelayMs?: number;
}

/** What the thread is started with. */
export interface WriterData extends WriterOptions {
  file: string;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The writer thread: the built file next to this one or, where this runs from the TypeScript sources (tests,
 * `npm run dev`), the source file, which the thread loads through tsx as this thread does.
 */
function startThread(workerData: WriterData): Worker {
  const ext = path.extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./writer-thread${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const load = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(load, { eval: true, workerData });
}

/** The thread that owns every write to one SQLite file, and the calls to it. */
export class SqliteWriter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Why the thread is gone, once it is. */
  private stopped: Error | undefined;
  /** Called once no call is in flight, when `close` waits for that. */
  private onIdle: (() => void) | undefined;
  /**
   * The calls made during this turn of the event loop (every socket read in its poll phase), posted
   * together at its end: one message, one copy and one wake-up of the thread for all of them, as its
   * group commit takes them all at once. Waking a thread is not cheap here: posting takes about a tenth
   * of the main thread's busy time at 1,000 msgs/s (profiled), most of it in the system call that wakes it.
   */
  private outbox: WriteRequest[] = [];

  private constructor(private readonly worker: Worker) {
    // An idle writer does not keep the process alive; one with calls in flight does (see `call`).
    worker.unref();
    // A group commit's answers come together; their callers resume a slice at a time (see `settleQueue`).
    worker.on('message', (replies: WriteReply[]) => settleQueue.push(replies.map((reply) => () => this.settle(reply))));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`the SQLite writer thread exited (code ${code})`)));
  }

  /** Starts the thread, which opens the file (creating it) and applies pending migrations; resolves once it is ready. */
  static async start(file: string, options: WriterOptions = {}): Promise<SqliteWriter> {
    const worker = startThread({ file, ...options });
    await new Promise<void>((resolve, reject) => {
      const exited = (code: number) => failed(new Error(`the SQLite writer thread exited (code ${code}) while opening ${file}`));
      const failed = (error: unknown) => {
        worker.off('exit', exited);
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      worker.once('error', failed);
      worker.once('exit', exited);
      worker.once('message', (message: unknown) => {
        worker.off('error', failed);
        worker.off('exit', exited);
        if (message === 'ready') resolve();
        else failed(new Error(`the SQLite writer thread did not start: ${JSON.stringify(message)}`));
      });
    });
    return new SqliteWriter(worker);
  }

  call<M extends WriteMethod>(method: M, args: Parameters<Store[M]>): ReturnType<Store[M]> {
    return this.send(method, args) as ReturnType<Store[M]>;
  }

  /** Lets the calls in flight finish, closes the database on the thread, and ends it. */
  async close(): Promise<void> {
    if (this.stopped) return;
    if (this.pending.size > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    await this.send('close', []);
    this.stopped = new Error('the store is closed');
    await this.worker.terminate();
  }

  private send(method: WriteRequest['method'], args: unknown[]): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    if (this.outbox.length === 0) setImmediate(() => this.post());
    this.outbox.push({ id, method, args });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  private post(): void {
    const requests = this.outbox;
    this.outbox = [];
    if (this.stopped) return;
    try {
      this.worker.postMessage(requests);
    } catch (error) {
      // A value that cannot be copied to the thread (a store call's arguments are plain data, so a bug).
      for (const { id } of requests) this.settle({ id, ok: false, name: 'DataCloneError', message: String(error) });
    }
  }

  private settle(reply: WriteReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) {
      this.worker.unref();
      this.onIdle?.();
    }
    if (reply.ok) pending.resolve(reply.value);
    else if ('conflict' in reply) pending.reject(new StoreConflictError(reply.conflict));
    else pending.reject(Object.assign(new Error(reply.message), { name: reply.name, code: reply.code }));
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const { reject } of this.pending.values()) reject(this.stopped);
    this.pending.clear();
    this.onIdle?.();
  }
}

/**
 * SQLite with its writes on a thread of their own (`SqliteWriter`) and its reads here, on a second connection
 * that cannot write. A read sees every write whose call has resolved: the thread answers after its commit,
 * and a read in WAL mode sees every commit made before it began.
 */
class ThreadedSqliteStore extends SqliteStore {
  constructor(
    reader: ConstructorParameters<typeof SqliteStore>[0],
    private readonly writer: SqliteWriter,
  ) {
    super(reader);
    // Each write method is replaced, on this object, by its call to the thread.
    const self = this as unknown as Record<WriteMethod, (...args: unknown[]) => Promise<unknown>>;
    for (const method of WRITE_METHODS) self[method] = (...args) => writer.call(method, args as never);
  }

  override async close(): Promise<void> {
    await this.writer.close();
    await super.close();
  }
}

/**
 * Opens the file as `openSqliteStore` does (creating it, migrating it), with the writes on a thread: what
 * `openStore` uses for a file. (`:memory:` is one connection's own database, so it stays on one thread.)
 */
export async function openThreadedSqliteStore(file: string, options: WriterOptions = {}): Promise<Store> {
  const writer = await SqliteWriter.start(file, options);
  try {
    return new ThreadedSqliteStore(openSqliteReader(file), writer);
  } catch (error) {
    await writer.close();
    throw error;
  }
}
