import type { FastifyInstance } from 'fastify';
import type { BlocksResponse } from '@parley/protocol';
import type { AuthService } from '../auth/auth.service.js';
import { requireSession } from '../auth/require-session.js';
import type { BlocksService } from './blocks.service.js';

export function blocksRoutes(app: FastifyInstance, auth: AuthService, blocks: BlocksService): void {
  app.get('/api/me/blocks', { preHandler: requireSession(auth) }, async (request): Promise<BlocksResponse> => blocks.blocked(request.session!));
}
