import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  SESSION_COOKIE,
  SESSION_HINT_COOKIE,
  loginSchema,
  registerSchema,
  type AuthResponse,
  type LoginInput,
  type MeResponse,
  type RegisterInput,
} from '@parley/protocol';
import type { Limits } from '../config.js';
import type { AuthService, ClientInfo, SignedIn } from './auth.service.js';
import { requireSession } from './require-session.js';

const cookieOptions = (request: FastifyRequest) =>
  ({ path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' }) as const;

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn): void {
  const options = { ...cookieOptions(request), expires: signedIn.expiresAt };
  reply.setCookie(SESSION_COOKIE, signedIn.token, options);
  reply.setCookie(SESSION_HINT_COOKIE, '1', { ...options, httpOnly: false });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
  reply.clearCookie(SESSION_HINT_COOKIE, { ...cookieOptions(request), httpOnly: false });
}

const authResponse = ({ user, token }: SignedIn): AuthResponse => ({ user, token });

/** What a session keeps of the request that started it. */
const clientOf = (request: FastifyRequest): ClientInfo => ({ userAgent: request.headers['user-agent'] ?? '', address: request.ip });

export function authRoutes(app: FastifyInstance, auth: AuthService, limits: Limits): void {
  app.post(
    '/api/auth/register',
    {
      schema: { body: registerSchema },
      config: { rateLimit: { max: limits.registrationsPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const signedIn = await auth.register(request.body as RegisterInput, clientOf(request));
      setSessionCookie(request, reply, signedIn);
      return reply.code(201).send(authResponse(signedIn));
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: { body: loginSchema },
      // Every attempt counts here, failed or not; the service also limits failures and successes.
      config: { rateLimit: { max: limits.loginAttemptsPerAddress, timeWindow: limits.loginWindowMs } },
    },
    async (request, reply) => {
      const signedIn = await auth.login(request.body as LoginInput, clientOf(request));
      setSessionCookie(request, reply, signedIn);
      return reply.send(authResponse(signedIn));
    },
  );

  app.post('/api/auth/logout', { preHandler: requireSession(auth) }, async (request, reply) => {
    await auth.logout(request.sessionToken!);
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.get('/api/me', { preHandler: requireSession(auth) }, async (request): Promise<MeResponse> => {
    return { user: request.session!.user };
  });
}
