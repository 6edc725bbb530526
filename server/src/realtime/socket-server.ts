import type { Server as HttpServer } from 'node:http';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Server } from 'socket.io';
import type { Session } from '../auth/session.js';
import type { Config } from '../config.js';
import type { AdapterPresence } from '../presence/presence.js';
import { handshake, type HandshakeDeps } from './handshake.js';
import type { InFlight } from './in-flight.js';
import { channels, type ParleyServer } from './publisher.js';
import type { RedisAdapter } from './redis.js';
import { bindSocketHandlers, type SocketHandlers } from './socket-handler.js';

export interface SocketServerOptions {
  /** Shares rooms and broadcasts with other nodes; Socket.IO's in-memory adapter without it. */
  adapter?: RedisAdapter;
  /** True once the server is shutting down: new connections are then refused at the transport. */
  closing: () => boolean;
}

export function createSocketServer(httpServer: HttpServer, config: Config, options: SocketServerOptions): ParleyServer {
  return new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: config.limits.socketPacketBytes,
    // Only shapes CORS headers for long-polling; the handshake middleware enforces origins.
    cors: config.allowedOrigins.length > 0 ? { origin: [...config.allowedOrigins], credentials: true } : undefined,
    ...(options.adapter ? { adapter: options.adapter } : {}),
    // Refused at the transport rather than by the middleware, so that clients retry (on another node,
    // behind a load balancer) instead of taking it as a verdict on their session.
    allowRequest: (_request, callback) => {
      if (options.closing()) callback('The server is shutting down.', false);
      else callback(null, true);
    },
  });
}

export interface SocketDeps extends HandshakeDeps {
  presence: AdapterPresence;
  handlers: SocketHandlers;
  eventsPerSecond: number;
  inFlight: InFlight;
}

/** Admits sockets with a live session, subscribes them to their channels, and tracks presence. */
export function attachSockets(io: ParleyServer, deps: SocketDeps): void {
  io.use(handshake(deps));
  const eventLimiter = new RateLimiterMemory({ points: deps.eventsPerSecond, duration: 1 });

  io.on('connection', (socket) => {
    const session = socket.data.session as Session;
    const userId = session.user.id;
    const roomIds = socket.data.roomIds as number[];
    delete socket.data.roomIds;

    bindSocketHandlers(socket, deps.handlers, { auth: deps.auth, eventLimiter, log: deps.log, inFlight: deps.inFlight });
    // Joining is immediate on this node (the adapter keeps rooms locally and answers for them).
    void socket.join([channels.user(userId), channels.session(session.id), ...roomIds.map(channels.room)]);

    void deps.presence.socketJoined(socket, userId);
    // By `disconnect`, the socket has left its channels: the count no longer includes it.
    socket.on('disconnect', () => {
      void deps.presence.socketLeft(userId);
    });
  });
}
