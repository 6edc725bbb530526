import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { AuthService } from './auth.service.js';
import type { Session } from './session.js';
import { tokenFrom } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null;
    sessionToken: string | null;
  }
}

/** A preHandler that admits only requests with a live session, from the bearer token or the cookie. */
export function requireSession(auth: AuthService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = tokenFrom(request.headers.authorization, request.cookies);
    const session = token ? await auth.authenticate(token) : null;
    if (!session) throw new AppError('unauthorized', 'Log in first: no valid session.');
    request.session = session;
    request.sessionToken = token;
  };
}
