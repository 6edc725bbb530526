import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type {
  AckOf,
  AuthResponse,
  ClientEventName,
  ClientToServerEvents,
  PayloadOf,
  PublicUser,
  ServerToClientEvents,
} from '@parley/protocol';
import { buildApp } from '../../src/app.js';
import { defaultLimits, loadConfig, type Config, type Limits } from '../../src/config.js';
import type { RealtimeOptions } from '../../src/realtime/realtime.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface StartOptions {
  env?: Record<string, string>;
  limits?: Partial<Limits>;
  /** A built web client to serve; by default none, so only the API answers. */
  webRoot?: string;
  /** Tunables of the live side (for example how a client's address is read). */
  realtime?: Partial<RealtimeOptions>;
  /**
   * What the app is given in place of the store opened for it, made from it: a test's hook on the real store
   * (such as holding its commits). The store opened is still the one closed.
   */
  wrapStore?: (store: Store) => Store;
}

/** A clock the test moves by hand, so expiry is tested without waiting. */
export class TestClock {
  private offsetMs = 0;
  readonly now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface Person extends AuthResponse {
  password: string;
}

/**
 * Limits for a test server: sign-ups and handshakes from the one test address are not limited, and the event
 * loop's delay does not make it refuse sends (the test's own clients share that loop, and a busy machine
 * delays it: it would say nothing of the server), unless the test says so. A test that lifts the
 * per-socket event limit means events not to be limited: the per-user limit follows it, unless the test
 * sets that too.
 */
function testLimits(limits: Partial<Limits> = {}): Partial<Limits> {
  const followed =
    limits.socketEventsPerSecond !== undefined && limits.userEventsPerSecond === undefined
      ? { userEventsPerSecond: Math.max(defaultLimits.userEventsPerSecond, limits.socketEventsPerSecond) }
      : {};
  return { registrationsPerMinute: 10_000, handshakesPerAddress: 10_000, loopDelayMaxMs: 0, sendWaitMaxMs: 0, ...followed, ...limits };
}

/** The real server on an ephemeral port with a fresh SQLite file, plus helpers that speak its protocol. */
export class TestServer {
  private readonly sockets: ClientSocket[] = [];
  private userCounter = 0;

  private constructor(
    readonly app: FastifyInstance,
    readonly store: Store,
    readonly config: Config,
    readonly clock: TestClock,
    readonly url: string,
    private readonly dir: string,
    private readonly options: StartOptions,
  ) {}

  /** Starts the server on a fresh database, or on the one in `dir` (as `restart` does). */
  static async start(options: StartOptions = {}, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'))): Promise<TestServer> {
    const config = loadConfig(
      {
        DATABASE_URL: path.join(dir, 'db', 'parley.db'),
        BCRYPT_COST: '4',
        LOG_LEVEL: 'silent',
        ...options.env,
      },
      testLimits(options.limits),
    );
    const store = await openStore(config.database);
    const clock = new TestClock();
    const app = await buildApp(config, {
      store: options.wrapStore?.(store) ?? store,
      clock: clock.now,
      webRoot: options.webRoot ?? dir,
      realtime: options.realtime,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return new TestServer(app, store, config, clock, `http://127.0.0.1:${port}`, dir, options);
  }

  /**
   * A restart: closes the app and its store, keeping the database file, and starts a new server on it, on a
   * new port. Use (and close) the server returned from then on; sessions live in the database, so tokens
   * still work.
   */
  async restart(): Promise<TestServer> {
    for (const socket of this.sockets) socket.disconnect();
    await this.app.close();
    await this.store.close();
    return TestServer.start(this.options, this.dir);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.disconnect();
    await this.app.close();
    await this.store.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** A JSON request; returns the status, the parsed body, and the response headers. */
  async http<T = any>(
    method: string,
    url: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(this.url + url, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  /** Signs up a new person with a unique username. */
  async signUp(fields: Partial<{ username: string; firstName: string; lastName: string; password: string }> = {}): Promise<Person> {
    this.userCounter += 1;
    const body = {
      firstName: 'Test',
      lastName: `Person${this.userCounter}`,
      username: `user${this.userCounter}_${Math.random().toString(36).slice(2, 8)}`,
      password: 'correct horse battery',
      ...fields,
    };
    const response = await this.http<AuthResponse>('POST', '/api/auth/register', { body });
    if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${JSON.stringify(response.body)}`);
    return { ...response.body, password: body.password };
  }

  /** Opens a socket for a token and resolves once it is connected (rejects with the connect_error). */
  connect(token: string | null, options: { headers?: Record<string, string> } = {}): Promise<ClientSocket> {
    const socket: ClientSocket = connectSocket(this.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: token === null ? {} : { token },
      extraHeaders: options.headers,
    });
    this.sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => {
        socket.disconnect();
        reject(error);
      });
    });
  }

  /** Signs up a person and connects one socket for them. */
  async signUpAndConnect(fields: Parameters<TestServer['signUp']>[0] = {}): Promise<Person & { socket: ClientSocket }> {
    const person = await this.signUp(fields);
    return { ...person, socket: await this.connect(person.token) };
  }
}

/**
 * Emits a client event and resolves with its ack. A test of bounds, not of speed, whose answers are large gives
 * them longer than 5 s: on a busy machine they may take it.
 */
export function call<E extends ClientEventName>(socket: ClientSocket, event: E, payload: PayloadOf<E>, timeoutMs = 5000): Promise<AckOf<E>> {
  return (socket.timeout(timeoutMs) as any).emitWithAck(event, payload);
}

/** Emits anything at all, as a hostile client would, and resolves with the ack. */
export function callRaw(socket: ClientSocket, event: string, ...args: unknown[]): Promise<any> {
  return (socket.timeout(5000) as any).emitWithAck(event, ...args);
}

/** Resolves with the next `event` on `socket` that satisfies `match`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  match: (...args: Parameters<ServerToClientEvents[E]>) => boolean = () => true,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) => {
    const listener = (...args: any[]) => {
      if (!(match as (...a: any[]) => boolean)(...args)) return;
      (socket as any).off(event, listener);
      resolve(args[0]);
    };
    (socket as any).on(event, listener);
  });
}

/** Records every `event` a socket receives from now on. */
export function record<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  (socket as any).on(event, (payload: any) => seen.push(payload));
  return seen;
}

/**
 * Waits until everything the server had queued for `socket` has arrived: a round trip on the same
 * connection is answered only after earlier emits to it were written. Lets a test assert that
 * something was NOT delivered without sleeping.
 */
export async function drain(socket: ClientSocket): Promise<void> {
  await call(socket, 'rooms:list', {});
}

export function publicUser(person: Person): PublicUser {
  return person.user;
}

export function expectOk<T extends { ok: boolean }>(ack: T): Extract<T, { ok: true }> {
  if (!ack.ok) throw new Error(`expected ok, got ${JSON.stringify(ack)}`);
  return ack as Extract<T, { ok: true }>;
}

/**
 * For a file whose tests each start their own servers (with options of their own): returns a `start`
 * that starts one and closes it after the test.
 */
export function serversClosedAfterEachTest(): (options?: StartOptions) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });
  return async (options) => {
    const server = await TestServer.start(options);
    servers.push(server);
    return server;
  };
}
