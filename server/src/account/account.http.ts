import type { FastifyInstance } from 'fastify';
import {
  accountDeleteSchema,
  passwordChangeSchema,
  profileUpdateSchema,
  type AccountDeleteInput,
  type MeResponse,
  type PasswordChangeInput,
  type ProfileUpdateInput,
  type SessionsResponse,
} from '@parley/protocol';
import * as z from 'zod';
import { clearSessionCookie } from '../auth/auth.http.js';
import type { AuthService } from '../auth/auth.service.js';
import { requireSession } from '../auth/require-session.js';
import type { AccountService } from './account.service.js';

const sessionParamsSchema = z.strictObject({ id: z.coerce.number().int().positive() });

export function accountRoutes(app: FastifyInstance, auth: AuthService, account: AccountService): void {
  // The session first: a bad body from someone without one is `401`, as any request of theirs is.
  const signedIn = { preValidation: requireSession(auth) };

  app.patch('/api/me', { ...signedIn, schema: { body: profileUpdateSchema } }, async (request): Promise<MeResponse> =>
    account.rename(request.session!, request.body as ProfileUpdateInput),
  );

  app.post('/api/me/password', { ...signedIn, schema: { body: passwordChangeSchema } }, async (request, reply) => {
    await account.changePassword(request.session!, request.body as PasswordChangeInput);
    return reply.code(204).send();
  });

  app.delete('/api/me', { ...signedIn, schema: { body: accountDeleteSchema } }, async (request, reply) => {
    await account.deleteAccount(request.session!, request.body as AccountDeleteInput);
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.get('/api/me/sessions', signedIn, async (request): Promise<SessionsResponse> => account.sessions(request.session!));

  app.delete<{ Params: { id: number } }>(
    '/api/me/sessions/:id',
    { ...signedIn, schema: { params: sessionParamsSchema } },
    async (request, reply) => {
      await account.revokeSession(request.session!, request.params.id);
      if (request.params.id === request.session!.id) clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );
}
