import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** A free TCP port on 127.0.0.1, so a node can be restarted on the port its clients know. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A real Parley server process (`src/main.ts` through tsx), for the tests that kill, restart and
 * shut down servers the way an operator or a crash would.
 */
export class NodeProcess {
  readonly exited: Promise<Exit>;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last lines the process wrote, for a failing test's message. */
  get log(): string {
    return this.output;
  }

  static async start(env: Record<string, string>, port?: number): Promise<NodeProcess> {
    const listenOn = port ?? (await freePort());
    const child = spawn(process.execPath, ['--conditions=parley-source', '--import', 'tsx', path.join('src', 'main.ts')], {
      cwd: SERVER_DIR,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(listenOn), LOG_LEVEL: 'info', BCRYPT_COST: '4', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node = new NodeProcess(child, listenOn);
    await node.listening();
    return node;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL: no goodbye, no flush, as in a crash or an OOM kill. */
  async kill(): Promise<Exit> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  private listening(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${this.output}`)), 20_000);
      const check = () => {
        if (this.output.includes('Server listening at')) {
          clearTimeout(timer);
          this.child.stdout!.off('data', check);
          resolve();
        }
      };
      this.child.stdout!.on('data', check);
      void this.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${JSON.stringify(exit)}) before listening:\n${this.output}`));
      });
    });
  }
}
