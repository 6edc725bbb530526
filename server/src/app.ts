import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { AuthService } from './auth/auth.service.js';
import { authRoutes } from './auth/auth.http.js';
import { PasswordLanes } from './auth/passwords.js';
import { FailureThrottle } from './auth/throttle.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { clientAddress, proxyTrust } from './http/client-address.js';
import { refuseCrossSiteRequests } from './http/cross-site.js';
import { registerErrorHandling, useZodValidation } from './http/errors.js';
import { DEFAULT_WEB_ROOT, inlineScriptHashes, serveWebClient } from './http/web-client.js';
import { MessagesService } from './messages/messages.service.js';
import { messagesSocketHandlers } from './messages/messages.socket.js';
import { MessageChangesService } from './message-changes/message-changes.service.js';
import { messageChangesSocketHandlers } from './message-changes/message-changes.socket.js';
import { LoopDelay } from './overload/loop-delay.js';
import { SendAdmission } from './overload/send-admission.js';
import { accountRoutes } from './account/account.http.js';
import { AccountService } from './account/account.service.js';
import { blocksRoutes } from './blocks/blocks.http.js';
import { BlocksService } from './blocks/blocks.service.js';
import { blocksSocketHandlers } from './blocks/blocks.socket.js';
import { presenceSocketHandlers } from './presence/presence.socket.js';
import { PresenceWatches } from './presence/watches.js';
import { ReadsService } from './reads/reads.service.js';
import { readsSocketHandlers } from './reads/reads.socket.js';
import { socketPublisher } from './realtime/publisher.js';
import { defaultRealtimeOptions, Realtime, type RealtimeOptions } from './realtime/realtime.js';
import { RoomsService } from './rooms/rooms.service.js';
import { RoomMembersService } from './rooms/room-members.service.js';
import { roomsSocketHandlers } from './rooms/rooms.socket.js';
import type { Store } from './store/store.js';
import { UsersService } from './users/users.service.js';
import { usersRoutes } from './users/users.http.js';

export interface AppComponents {
  store: Store;
  clock?: Clock;
  /** The built web client's folder; the API alone is served when it holds no index.html. */
  webRoot?: string;
  /** Tunables of the live side (presence sweep, shutdown grace, Redis channels and timeouts). */
  realtime?: Partial<RealtimeOptions>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The Socket.IO server, presence and the Redis connections, for tests and tooling. */
    realtime: Realtime;
  }
}

/**
 * Builds Parley (HTTP API and Socket.IO) from its configuration and components, without listening.
 * With `config.redisUrl`, connects to Redis first (and rejects if it cannot), so that several nodes
 * share rooms, broadcasts and presence. The caller owns the store: closing the app leaves it open.
 *
 * Closing the app (as on SIGTERM) stops accepting connections, lets the socket events in flight
 * finish, then closes every socket's transport so that clients reconnect elsewhere by themselves,
 * and finally closes the adapter and Redis.
 */
export async function buildApp(
  config: Config,
  { store, clock = systemClock, webRoot = DEFAULT_WEB_ROOT, realtime: realtimeOptions = {} }: AppComponents,
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    bodyLimit: config.limits.httpBodyBytes,
    trustProxy: proxyTrust(config.trustProxy),
    // A client that sends its request slowly (a byte now and then) would hold a connection and its
    // parser forever; it gets 408 and is closed once the whole request has taken this long. Socket.IO
    // is unaffected: a long-polling GET is received at once (only its answer waits), and a WebSocket
    // leaves these timeouts behind when it upgrades.
    requestTimeout: config.limits.httpRequestTimeoutMs,
    // A connection that stays silent this long is closed. It must outlast a long-polling GET, which
    // Socket.IO holds open without a byte for up to its ping interval (25 s).
    connectionTimeout: config.limits.httpIdleTimeoutMs,
    // Fastify's default, above the 60 s idle timeout of common load balancers, so that they never reuse
    // a connection that Node has just closed.
    keepAliveTimeout: 72_000,
    http: {
      // Node's default headers timeout (60 s) would otherwise stand in for the shorter request timeout:
      // when the two disagree Node applies the smaller one to the headers and the larger to the body.
      headersTimeout: config.limits.httpRequestTimeoutMs,
      requestTimeout: config.limits.httpRequestTimeoutMs,
      // Node looks for requests over their time every 30 s by default: far too seldom for a 30 s limit.
      connectionsCheckingInterval: Math.min(1000, Math.max(50, config.limits.httpRequestTimeoutMs / 4)),
    },
  });
  if (config.database.driver === 'sqlite' && config.database.testSyncDelayMs) {
    app.log.warn(
      { syncDelayMs: config.database.testSyncDelayMs },
      'PARLEY_TEST_SYNC_DELAY_MS is set: every SQLite commit is slowed on purpose (a test setting, never for production)',
    );
  }

  const realtime = await Realtime.start(
    app.server,
    config,
    {
      ...defaultRealtimeOptions,
      redisKeyPrefix: config.redisPrefix,
      // The same client address as Fastify's `request.ip`, for the per-address handshake limit.
      addressOf: clientAddress(config.trustProxy),
      ...realtimeOptions,
    },
    app.log,
  );
  try {
    return await assemble(app, realtime, config, store, clock, webRoot);
  } catch (error) {
    await realtime.close();
    throw error;
  }
}

async function assemble(
  app: FastifyInstance,
  realtime: Realtime,
  config: Config,
  store: Store,
  clock: Clock,
  webRoot: string,
): Promise<FastifyInstance> {
  app.decorate('realtime', realtime);
  const publisher = socketPublisher(realtime.io, { clustered: realtime.redis !== undefined });
  const presence = realtime.presence;
  const loopDelay = new LoopDelay();
  loopDelay.start();
  const sends = new SendAdmission(config.limits, loopDelay, app.log);
  // Hashes wait while chat is short of time (see PasswordLanes).
  const passwords = new PasswordLanes(
    config.bcryptCost,
    { accountsQueue: config.limits.bcryptQueueAccounts, roomsQueue: config.limits.bcryptQueueRooms },
    undefined,
    sends,
  );
  const auth = new AuthService(store, passwords.accounts, publisher, clock, config);
  const blocks = new BlocksService(store, publisher, presence, clock, config.limits);
  presence.hideFrom((userId) => blocks.hiddenFrom(userId));
  const users = new UsersService(store, presence, blocks);
  const wrongRoomPasswords = new FailureThrottle(config.limits.roomPasswordFailures, config.limits.roomPasswordWindowMs);
  const rooms = new RoomsService(store, passwords.rooms, publisher, clock, wrongRoomPasswords, config.limits);
  const members = new RoomMembersService(store, presence, publisher, clock, blocks);
  const messages = new MessagesService(store, publisher, clock);
  const messageChanges = new MessageChangesService(store, publisher, clock, config.limits);
  const reads = new ReadsService(store, publisher, blocks);
  const watches = new PresenceWatches(presence, config.limits.presenceWatchesPerUser, blocks);
  const account = new AccountService(store, passwords.accounts, publisher, rooms, clock, config.limits, app.log);

  await app.register(helmet, {
    // Parley is often reached over plain http on a LAN or localhost; upgrading its requests would break it.
    // The page's own first script, which draws its frame (web/src/index.html), is allowed by its hash.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, scriptSrc: ["'self'", ...inlineScriptHashes(webRoot)] } },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `Too many requests; try again in ${context.after}.`),
  });
  // The API speaks JSON only: anything else is refused with 415 before it reaches a route.
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  useZodValidation(app);
  refuseCrossSiteRequests(app, config.allowedOrigins);

  authRoutes(app, auth, config.limits);
  usersRoutes(app, auth, users);
  accountRoutes(app, auth, account);
  blocksRoutes(app, auth, blocks);
  // Answered from memory, never from the database: it stays fast while the node sheds load, and says so.
  app.get('/healthz', async () => ({ status: 'ok', overloaded: sends.overloaded }));
  await serveWebClient(app, webRoot);

  realtime.attach({
    auth,
    parseCookie: (header) => app.parseCookie(header),
    roomIdsOf: (userId) => rooms.roomIdsOf(userId),
    handlers: {
      ...roomsSocketHandlers(rooms, members),
      ...messagesSocketHandlers(messages, sends),
      ...messageChangesSocketHandlers(messageChanges, sends),
      ...readsSocketHandlers(reads),
      ...presenceSocketHandlers(watches),
      ...blocksSocketHandlers(blocks),
    },
    clock,
    log: app.log,
  });

  const sweep = setInterval(() => {
    auth.deleteExpiredSessions().catch((err: unknown) => app.log.error({ err }, 'expired session sweep failed'));
    auth.releaseDeletedUsernames().catch((err: unknown) => app.log.error({ err }, 'deleted username sweep failed'));
  }, config.limits.expiredSessionSweepMs).unref();

  // Sockets hold their HTTP connections open: close them first, or the server would wait for them.
  // From here on new HTTP requests get 503 (Fastify) and new sockets are refused at the transport; the
  // listener itself stays open until the sockets are closed, so that a long-polling client's next poll,
  // maybe already on its way, still arrives and receives its close packet rather than a reset.
  app.addHook('preClose', async () => {
    clearInterval(sweep);
    await realtime.drain();
  });
  // Fastify has closed the HTTP server by now; this closes the engine, the adapter and Redis.
  app.addHook('onClose', async () => {
    loopDelay.stop();
    await realtime.close();
  });

  return app;
}
