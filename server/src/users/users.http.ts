import type { FastifyInstance } from 'fastify';
import { usersQuerySchema, type UsersResponse } from '@parley/protocol';
import type { AuthService } from '../auth/auth.service.js';
import { requireSession } from '../auth/require-session.js';
import type { UsersPageInput, UsersService } from './users.service.js';

export function usersRoutes(app: FastifyInstance, auth: AuthService, users: UsersService): void {
  // The session first: a bad query from someone without one is `401`, as any request of theirs is.
  app.get<{ Querystring: UsersPageInput }>(
    '/api/users',
    { preValidation: requireSession(auth), schema: { querystring: usersQuerySchema } },
    async (request): Promise<UsersResponse> => users.page(request.session!, request.query),
  );
}
