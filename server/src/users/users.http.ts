import type { FastifyInstance } from 'fastify';
import type { UsersResponse } from '@parley/protocol';
import type { AuthService } from '../auth/auth.service.js';
import { requireSession } from '../auth/require-session.js';
import type { UsersService } from './users.service.js';

export function usersRoutes(app: FastifyInstance, auth: AuthService, users: UsersService): void {
  app.get('/api/users', { preHandler: requireSession(auth) }, async (): Promise<UsersResponse> => {
    return { users: await users.directory() };
  });
}
