import type { Server as HttpServer } from 'node:http';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Server } from 'socket.io';
import type { Session } from '../auth/session.js';
import type { Config } from '../config.js';
import type { Presence } from '../presence/presence.js';
import { handshake, type HandshakeDeps } from './handshake.js';
import { channels, type ParleyServer } from './publisher.js';
import { bindSocketHandlers, type SocketHandlers } from './socket-handler.js';

export function createSocketServer(httpServer: HttpServer, config: Config): ParleyServer {
  return new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: config.limits.socketPacketBytes,
    // Only shapes CORS headers for long-polling; the handshake middleware enforces origins.
    cors: config.allowedOrigins.length > 0 ? { origin: [...config.allowedOrigins], credentials: true } : undefined,
  });
}

export interface SocketDeps extends HandshakeDeps {
  presence: Presence;
  handlers: SocketHandlers;
  eventsPerSecond: number;
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

    bindSocketHandlers(socket, deps.handlers, { auth: deps.auth, eventLimiter, log: deps.log });
    void socket.join([channels.user(userId), channels.session(session.id), ...roomIds.map(channels.room)]);

    void deps.presence.connect(userId).then((first) => {
      if (first) io.emit('user:online', { userId });
    });
    socket.on('disconnect', () => {
      void deps.presence.disconnect(userId).then((last) => {
        if (last) io.emit('user:offline', { userId });
      });
    });
  });
}
