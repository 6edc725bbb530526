import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { AdapterPresence } from '../presence/presence.js';
import { socketCloser } from './closing.js';
import { InFlight } from './in-flight.js';
import type { ParleyServer } from './publisher.js';
import { connectRedis, type RedisLink } from './redis.js';
import { attachSockets, createSocketServer, type SocketDeps } from './socket-server.js';
import { wsUnmasking } from './ws-native.js';

/** Tunables of the live side; tests shorten them. */
export interface RealtimeOptions {
  /** How often each node looks for users left online by a node that died. */
  presenceSweepMs: number;
  /** How long a shutdown lets events in flight finish, sockets close and presence settle, in all. */
  shutdownGraceMs: number;
  /** Prefix of the Redis Pub/Sub channels; deployments sharing one Redis need different ones. */
  redisKeyPrefix: string;
  /** How long a cluster-wide request waits for the other nodes' answers. */
  redisRequestTimeoutMs: number;
  /** How long starting waits for Redis. */
  redisConnectTimeoutMs: number;
  /** The client's address of a request, for the per-address handshake limit. */
  addressOf: (request: IncomingMessage) => string;
}

/** The defaults; `addressOf` follows the configured proxies, so the app supplies it. */
export const defaultRealtimeOptions: Omit<RealtimeOptions, 'addressOf'> = {
  presenceSweepMs: 10_000,
  shutdownGraceMs: 5_000,
  redisKeyPrefix: 'parley',
  redisRequestTimeoutMs: 3_000,
  redisConnectTimeoutMs: 5_000,
};

interface Connection {
  readonly readyState: string;
  close(): void;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The Socket.IO server with what surrounds it: the Redis adapter when configured, presence, the
 * events in flight, and the order in which it all stops.
 */
export class Realtime {
  readonly inFlight = new InFlight();
  private closing = false;
  /** Every engine connection, whether or not its socket has passed the handshake yet. */
  private readonly connections = new Set<Connection>();

  readonly io: ParleyServer;
  readonly presence: AdapterPresence;

  private constructor(
    httpServer: HttpServer,
    private readonly config: Config,
    /** The Redis connections, when several nodes share them. */
    readonly redis: RedisLink | undefined,
    private readonly options: RealtimeOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    const unmasking = wsUnmasking();
    if (unmasking === 'bufferutil') log.info({ unmasking }, 'WebSocket frames are unmasked by bufferutil');
    else log.warn({ unmasking }, 'bufferutil did not load: WebSocket frames are unmasked in JavaScript, more slowly');
    this.io = createSocketServer(httpServer, config, {
      adapter: redis?.adapter,
      closing: () => this.closing,
      addressOf: options.addressOf,
    });
    const clustered = redis !== undefined;
    const close = socketCloser(this.io, clustered);
    this.presence = new AdapterPresence(this.io, {
      sweepIntervalMs: options.presenceSweepMs,
      clustered,
      log,
      socketsPerUser: config.limits.socketsPerUser,
      closeSockets: (socketIds) => close(socketIds, 'too_many_sockets'),
    });
    this.io.engine.on('connection', (connection: Connection) => {
      this.connections.add(connection);
      connection.once('close', () => this.connections.delete(connection));
    });
  }

  /** Connects to Redis when `config.redisUrl` is set (rejecting if it cannot), and creates the server. */
  static async start(httpServer: HttpServer, config: Config, options: RealtimeOptions, log: FastifyBaseLogger): Promise<Realtime> {
    const redis = config.redisUrl
      ? await connectRedis(
          config.redisUrl,
          {
            keyPrefix: options.redisKeyPrefix,
            requestTimeoutMs: options.redisRequestTimeoutMs,
            connectTimeoutMs: options.redisConnectTimeoutMs,
          },
          log,
        )
      : undefined;
    return new Realtime(httpServer, config, redis, options, log);
  }

  /** Admits sockets and starts the presence sweep. */
  attach(deps: Omit<SocketDeps, 'presence' | 'inFlight' | 'limits'>): void {
    attachSockets(this.io, { ...deps, presence: this.presence, inFlight: this.inFlight, limits: this.config.limits });
    this.presence.startSweeping(deps.roomIdsOf);
  }

  /**
   * The first half of a shutdown: refuses new sockets, lets the events being handled finish (their
   * acks are sent), then closes every socket's transport, so that clients see a transport close and
   * reconnect by themselves (to another node, behind a load balancer), and waits for the presence
   * updates this causes. Bounded by `shutdownGraceMs` in all.
   */
  async drain(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.presence.stopSweeping();
    const started = Date.now();
    const deadline = started + this.options.shutdownGraceMs;

    const events = this.inFlight.size;
    if (!(await this.inFlight.settle(deadline))) {
      this.log.warn({ unfinished: this.inFlight.size }, 'shutdown: events still running at the deadline; closing anyway');
    }

    const connections = [...this.connections];
    const closed = Promise.all(
      connections.map((conn) => (conn.readyState === 'closed' ? undefined : new Promise<void>((resolve) => conn.once('close', resolve)))),
    );
    // Not `disconnect(true)`: that tells the client the server meant it, and it would not reconnect.
    for (const conn of connections) conn.close();
    if (!(await settleBy(closed, deadline))) {
      this.log.warn({ open: this.connections.size }, 'shutdown: some transports did not close in time');
    }
    if (!(await this.presence.settled(deadline))) {
      this.log.warn('shutdown: presence updates still running at the deadline');
    }
    this.log.info({ sockets: connections.length, events, ms: Date.now() - started }, 'shutdown: sockets closed');
  }

  /** The second half: closes the Socket.IO server and its adapter, then the Redis connections. */
  async close(): Promise<void> {
    this.closing = true;
    this.presence.stopSweeping();
    await this.io.close();
    await this.presence.sweepFinished();
    await this.redis?.close();
  }
}

async function settleBy(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  const left = deadline - Date.now();
  if (left <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), left);
  });
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
