import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';

/**
 * Request/response over a forked child's IPC channel. The parent calls `child.call(type, payload)`;
 * the child answers through `serve(handlers)`. Messages use Node's "advanced" serialization, so typed
 * arrays (latency samples) travel without JSON.
 */

interface Request {
  rpc: 'req';
  id: number;
  type: string;
  payload: unknown;
}
interface Response {
  rpc: 'res';
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; type: string }>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedNow = false;

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        this.exitedNow = true;
        for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${code ?? signal}) during "${p.type}"`));
        this.pending.clear();
        resolve({ code, signal });
      }),
    );
    process.on('message', (message: unknown) => {
      const res = message as Response;
      if (res?.rpc !== 'res') return;
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.result);
      else p.reject(new Error(`${name} "${p.type}": ${res.error}`));
    });
  }

  /** Forks `script` with tsx loaded and the given node flags; resolves once it says it is ready. */
  static async start(
    name: string,
    script: string,
    { execArgv = [], env, stdio, readyTimeoutMs = 60_000 }: { execArgv?: string[]; env?: NodeJS.ProcessEnv; stdio?: ForkOptions['stdio']; readyTimeoutMs?: number } = {},
  ): Promise<{ child: Child; ready: Record<string, unknown> }> {
    const proc = fork(script, [], {
      execArgv: ['--import', 'tsx', ...execArgv],
      env: env ?? process.env,
      serialization: 'advanced',
      stdio: stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new Child(name, proc);
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not become ready in ${readyTimeoutMs} ms`)), readyTimeoutMs);
      const onMessage = (message: unknown) => {
        const m = message as { rpc?: string; ready?: Record<string, unknown> };
        if (m?.rpc === 'ready') {
          clearTimeout(timer);
          proc.off('message', onMessage);
          resolve(m.ready ?? {});
        }
      };
      proc.on('message', onMessage);
      void child.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${exit.code ?? exit.signal}) before it was ready`));
      });
    });
    return { child, ready };
  }

  get alive(): boolean {
    return !this.exitedNow;
  }

  call<T = unknown>(type: string, payload: unknown = {}, timeoutMs = 600_000): Promise<T> {
    if (this.exitedNow) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name} "${type}" timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        type,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.process.send({ rpc: 'req', id, type, payload } satisfies Request);
    });
  }

  /** Asks it to stop (`stop` request), then waits for it to exit; kills it after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.exitedNow) return;
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    try {
      await this.call('stop', {}, graceMs).catch(() => {});
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (!this.exitedNow) this.process.kill('SIGKILL');
  }
}

export type Handlers = Record<string, (payload: any) => unknown>;

/** In a child: answers the parent's requests, and says it is ready with `ready`. */
export function serve(handlers: Handlers): { ready: (info?: Record<string, unknown>) => void } {
  if (!process.send) throw new Error('not started with an IPC channel');
  process.on('message', (message: unknown) => {
    const req = message as Request;
    if (req?.rpc !== 'req') return;
    const handler = handlers[req.type];
    const reply = (res: Omit<Response, 'rpc' | 'id'>) => {
      if (process.connected) process.send!({ rpc: 'res', id: req.id, ...res });
    };
    if (!handler) {
      reply({ ok: false, error: `unknown request "${req.type}"` });
      return;
    }
    Promise.resolve()
      .then(() => handler(req.payload))
      .then(
        (result) => reply({ ok: true, result }),
        (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  // The parent going away must take us with it: never leave a load generator running.
  process.on('disconnect', () => process.exit(0));
  return { ready: (info = {}) => process.send!({ rpc: 'ready', ready: info }) };
}
