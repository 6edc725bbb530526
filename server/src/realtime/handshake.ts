import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import type { AuthService } from '../auth/auth.service.js';
import { tokenFrom } from '../auth/tokens.js';
import type { ErrorCode } from '@parley/protocol';

export interface HandshakeDeps {
  auth: AuthService;
  parseCookie: (header: string) => Record<string, string | undefined>;
  /** Looks up what a socket needs before it may receive anything: its user's room ids. */
  roomIdsOf: (userId: number) => Promise<number[]>;
  log: FastifyBaseLogger;
}

/** A refused handshake: the client's `connect_error` carries this message, and `data.code`. */
function refused(code: ErrorCode, message: string): Error {
  return Object.assign(new Error(message), { data: { code } });
}

/**
 * A browser always sends Origin on a WebSocket or cross-origin request. The server's own origin is
 * always allowed; any other must be listed. Socket.IO's `cors` option only shapes CORS headers and
 * would not stop a cross-site WebSocket, which is why this check exists. It runs in the engine's
 * `allowRequest`, before a session id is issued: a foreign page gets no engine session at all.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowedOrigins: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}

/**
 * Once the session is known, the socket no longer needs the token it came with. Its handshake is sent
 * to other nodes (through Redis) whenever sockets are fetched cluster-wide: keep secrets out of it.
 */
function forgetCredentials(socket: Socket): void {
  const { headers, auth } = socket.handshake;
  const { cookie: _cookie, authorization: _authorization, ...rest } = headers;
  socket.handshake.headers = rest;
  if (auth && typeof auth === 'object') delete auth.token;
}

/**
 * The Socket.IO middleware that lets in only sockets with a live session (their origin was checked
 * when their engine session was opened). The token is kept in `tokens`, in this node's memory only,
 * so that the session can be checked again once the socket is in its channels.
 */
export function handshake(deps: HandshakeDeps, tokens: WeakMap<Socket, string>) {
  return async (socket: Socket, next: (error?: Error) => void) => {
    try {
      const { headers, auth } = socket.handshake;
      const token =
        typeof auth?.token === 'string' && auth.token !== ''
          ? auth.token
          : tokenFrom(headers.authorization, deps.parseCookie(headers.cookie ?? ''));
      if (!token) return next(refused('unauthorized', 'No session: log in first.'));
      const session = await deps.auth.authenticate(token);
      if (!session) return next(refused('unauthorized', 'Session expired or revoked: log in again.'));
      socket.data.session = session;
      tokens.set(socket, token);
      socket.data.roomIds = await deps.roomIdsOf(session.user.id);
      forgetCredentials(socket);
      next();
    } catch (error) {
      deps.log.error({ err: error }, 'socket handshake failed');
      next(refused('internal', 'The server could not check your session; try again.'));
    }
  };
}
