import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Server, type Socket } from 'socket.io';
import type { Session } from '../auth/session.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { AdapterPresence } from '../presence/presence.js';
import { closeSocket } from './closing.js';
import { EventLimiter } from './event-limiter.js';
import { handshake, originAllowed, type HandshakeDeps } from './handshake.js';
import type { InFlight } from './in-flight.js';
import { channels, type ParleyServer } from './publisher.js';
import type { RedisAdapter } from './redis.js';
import { bindSocketHandlers, type SocketHandlers } from './socket-handler.js';

export interface SocketServerOptions {
  /** Shares rooms and broadcasts with other nodes; Socket.IO's in-memory adapter without it. */
  adapter?: RedisAdapter;
  /** True once the server is shutting down: new connections are then refused at the transport. */
  closing: () => boolean;
  /** The client's address, for the per-address handshake limit (behind a proxy, as the proxy setting says). */
  addressOf: (request: IncomingMessage) => string;
}

/**
 * The Socket.IO server. Every new engine session (a handshake, over polling or WebSocket) must come
 * from an allowed origin and within its address's handshake budget; refused there, before a session
 * id is issued, a client gets HTTP 403 and no state is kept for it. Socket.IO clients retry a refused
 * transport by themselves, with their back-off.
 */
export function createSocketServer(httpServer: HttpServer, config: Config, options: SocketServerOptions): ParleyServer {
  const handshakes = new RateLimiterMemory({
    points: config.limits.handshakesPerAddress,
    duration: config.limits.handshakeWindowMs / 1000,
  });
  return new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: config.limits.socketPacketBytes,
    // Only shapes CORS headers for long-polling; `allowRequest` enforces origins.
    cors: config.allowedOrigins.length > 0 ? { origin: [...config.allowedOrigins], credentials: true } : undefined,
    ...(options.adapter ? { adapter: options.adapter } : {}),
    allowRequest: (request, callback) => {
      // Refused at the transport rather than by the middleware, so that clients retry (on another node,
      // behind a load balancer) instead of taking it as a verdict on their session.
      if (options.closing()) return callback('The server is shutting down.', false);
      if (!originAllowed(request.headers, config.allowedOrigins)) {
        return callback(`Origin ${request.headers.origin} is not allowed.`, false);
      }
      handshakes.consume(options.addressOf(request)).then(
        () => callback(null, true),
        () => callback('Too many connections from your address; try again later.', false),
      );
    },
  });
}

export interface SocketDeps extends HandshakeDeps {
  presence: AdapterPresence;
  handlers: SocketHandlers;
  limits: Config['limits'];
  clock: Clock;
  inFlight: InFlight;
}

/** setTimeout's longest delay; a session that lasts longer is checked again when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Admits sockets with a live session, subscribes them to their channels, closes them when their
 * session expires or is revoked, and tracks presence.
 */
export function attachSockets(io: ParleyServer, deps: SocketDeps): void {
  const tokens = new WeakMap<Socket, string>();
  io.use(handshake(deps, tokens));
  const eventLimiter = new EventLimiter(deps.limits);
  const handlerContext = {
    auth: deps.auth,
    eventLimiter,
    refusedEventsBeforeClose: deps.limits.refusedEventsBeforeClose,
    refusedEventsWindowMs: deps.limits.refusedEventsWindowMs,
    log: deps.log,
    inFlight: deps.inFlight,
  };

  io.on('connection', (socket) => {
    const session = socket.data.session as Session;
    const userId = session.user.id;
    const roomIds = socket.data.roomIds as number[];
    delete socket.data.roomIds;

    bindSocketHandlers(socket, deps.handlers, handlerContext);
    // Joining is immediate on this node (the adapter keeps rooms locally and answers for them).
    void socket.join([channels.user(userId), channels.session(session.id), ...roomIds.map(channels.room)]);
    void deps.presence.socketJoined(socket, userId);
    let stopExpiry = () => {};
    // Its channels while it is still in them: whom its user's going offline concerns.
    let channelsItWasIn: string[] = [];
    socket.on('disconnecting', () => {
      channelsItWasIn = [...socket.rooms];
    });
    // By `disconnect`, the socket has left its channels: the count no longer includes it.
    socket.on('disconnect', () => {
      stopExpiry();
      void deps.presence.socketLeft(userId, channelsItWasIn);
    });
    void deps.inFlight.track(closeIfRevoked(socket, tokens, deps));
    void deps.inFlight.track(followRoomsChangedMeanwhile(socket, userId, roomIds, deps));
    stopExpiry = closeAtExpiry(socket, session, deps.clock);
  });
}

/**
 * A log-out is announced to the session's channel. One that happened after the handshake read the
 * session but before the socket joined that channel reached no one; now that the socket has joined,
 * reading the session again catches it: a later log-out reaches the socket through the channel.
 */
async function closeIfRevoked(socket: Socket, tokens: WeakMap<Socket, string>, deps: SocketDeps): Promise<void> {
  const token = tokens.get(socket);
  tokens.delete(socket);
  let live = false;
  try {
    live = token !== undefined && (await deps.auth.authenticate(token)) !== null;
  } catch (error) {
    // Without an answer the socket cannot be trusted; the client asks again over HTTP and reconnects.
    deps.log.warn({ err: error }, 'could not check a new socket’s session again; closing it');
  }
  // As a log-out does: the session is over, and the client should not reconnect with it.
  if (!live) socket.disconnect(true);
}

/**
 * The handshake read the user's rooms before the socket joined their channels: a room joined or left (removed,
 * deleted) in between was announced to the user's channel, which the socket was not in yet. Now that it is, reading
 * them again catches that; any later change reaches the socket through its user's channel.
 */
async function followRoomsChangedMeanwhile(socket: Socket, userId: number, handshakeRoomIds: readonly number[], deps: SocketDeps): Promise<void> {
  let roomIds: number[];
  try {
    roomIds = await deps.roomIdsOf(userId);
  } catch (error) {
    // A client that cannot be told its rooms for sure is better reconnected than left with the wrong ones.
    deps.log.warn({ err: error }, 'could not read a new socket’s rooms again; closing it');
    socket.disconnect();
    return;
  }
  if (socket.disconnected) return;
  // Only what changed between the two reads: a change since this one has reached the socket by its user's channel
  // already, and must not be undone here.
  const before = new Set(handshakeRoomIds);
  const now = new Set(roomIds);
  for (const roomId of before) if (!now.has(roomId)) void socket.leave(channels.room(roomId));
  const joined = roomIds.filter((roomId) => !before.has(roomId));
  if (joined.length > 0) void socket.join(joined.map(channels.room));
}

/**
 * Closes the socket when its session expires, even if it never sends anything again. Returns what
 * stops the timer, for when the socket disconnects first.
 */
function closeAtExpiry(socket: Socket, session: Session, clock: Clock): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = session.expiresAt.getTime() - clock().getTime();
    if (left <= 0) closeSocket(socket, 'session_expired');
    else timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(timer);
}
