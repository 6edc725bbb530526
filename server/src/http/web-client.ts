import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponse } from '@parley/protocol';

/** Where `npm run build` puts the Angular client, the same from `src/` and from `dist/`. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist/browser/', import.meta.url));

/**
 * Built files carry a content hash in their names (main-2S2Y3P2U.js): they never change, so cache them for good,
 * and so their compressed copies (main-2S2Y3P2U.js.br), which are what is read when the browser takes them.
 */
const HASHED = /-[A-Z0-9]{8}\.(?:js|css)(?:\.br|\.gz)?$/;

const API_PATHS = /^\/(?:api|socket\.io|healthz)(?:[/?]|$)/;

/**
 * The CSP sources (`'sha256-…'`) of the scripts written into index.html itself: the one that draws the page's frame
 * before its code comes (web/src/index.html). Read from the file served when the server starts, as the list of
 * files it serves is, so a rebuilt client needs a restart. Hashed as the browser does, over the script's text as
 * parsed: its line ends are LF whatever the file's. Without a built client, none.
 */
export function inlineScriptHashes(root: string): string[] {
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) return [];
  const html = fs.readFileSync(index, 'utf8');
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    ([, source]) => `'sha256-${createHash('sha256').update(source!.replace(/\r\n?/g, '\n'), 'utf8').digest('base64')}'`,
  );
}

function notFound(request: FastifyRequest, reply: FastifyReply) {
  const body: ErrorResponse = { error: { code: 'not_found', message: `No route for ${request.method} ${request.url}.` } };
  return reply.code(404).send(body);
}

/**
 * Serves the web client from the same origin as the API, so its cookie and socket need no CORS.
 * Any other GET that a browser navigates to gets index.html and the client's router takes over.
 * The build writes a brotli and a gzip copy beside each file (web/scripts/precompress.mjs): the one the browser
 * accepts is sent as it is, index.html included, with `Vary: Accept-Encoding` for caches.
 * Without a built client, only the API is served.
 */
export async function serveWebClient(app: FastifyInstance, root: string): Promise<void> {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    app.log.warn({ root }, 'no built web client; serving the API only (run npm run build)');
    app.setNotFoundHandler(notFound);
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    preCompressed: true,
    setHeaders: (response, file) => {
      response.header('cache-control', HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.setNotFoundHandler((request, reply) => {
    const wantsPage = (request.method === 'GET' || request.method === 'HEAD') && request.headers.accept?.includes('text/html');
    if (!wantsPage || API_PATHS.test(request.url)) return notFound(request, reply);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
