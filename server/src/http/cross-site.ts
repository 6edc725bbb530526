import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { originAllowed } from '../realtime/handshake.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses state-changing requests that a foreign page could make a browser send with its session
 * cookie (cross-site request forgery), including log-in and sign-up, which would otherwise let a page
 * sign its visitor into an account of the attacker's choosing.
 * - A request with a bearer token is let through: a foreign page cannot make a browser add one.
 * - `Origin`, when sent (browsers send it on every cross-origin request and on same-origin POSTs), must
 *   be the server's own or one of ALLOWED_ORIGINS, as for sockets. `Origin: null` is foreign.
 * - `Sec-Fetch-Site: cross-site` or `same-site` is let through only for an origin listed in
 *   ALLOWED_ORIGINS. `same-site` is not trusted by itself: the session cookie is SameSite=Lax, so a
 *   sibling subdomain (another tenant, a forgotten host) would send it, yet it is not this server.
 * Clients that send neither header (curl, native apps, servers) are not browsers and cannot be forged.
 */
export function refuseCrossSiteRequests(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method)) return;
    if (/^Bearer\s/i.test(request.headers.authorization ?? '')) return;
    const { origin } = request.headers;
    if (!originAllowed(request.headers, allowedOrigins)) {
      throw new AppError('forbidden', 'Requests from other origins are not allowed.');
    }
    const site = request.headers['sec-fetch-site'];
    const listed = origin !== undefined && allowedOrigins.includes(origin);
    if ((site === 'cross-site' || site === 'same-site') && !listed) {
      throw new AppError('forbidden', 'Requests from other sites are not allowed.');
    }
  });
}
