import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer } from './support/harness.js';

const PRECOMPRESS = fileURLToPath(new URL('../../web/scripts/precompress.mjs', import.meta.url));
const DEFER_SCRIPTS = fileURLToPath(new URL('../../web/scripts/defer-scripts.mjs', import.meta.url));
const COMPILE_HINTS = fileURLToPath(new URL('../../web/scripts/compile-hints.mjs', import.meta.url));
/** V8's explicit compile hint, which compile-hints.mjs puts first in every built script. */
const EAGER_HINT = '//# allFunctionsCalledOnLoad\n';

let server: TestServer;
let webRoot: string;
/** The page's own first script (web/src/index.html draws the page's frame with it): allowed by its hash alone. */
const FRAME_SCRIPT = "document.title = 'framed';";
const BUILT_HTML =
  `<!doctype html><html lang="en"><head><title>Parley</title>${'<meta name="x" content="long enough to be worth compressing">'.repeat(4)}` +
  '<link rel="stylesheet" href="styles-ABCDEFGH.css"></head>' +
  `<body><app-root></app-root><script>${FRAME_SCRIPT}</script><link rel="modulepreload" href="chunk-QWERTYUI.js">` +
  '<script src="main-2S2Y3P2U.js" type="module"></script></body></html>';
const STYLES_CSS = 'body { margin: 0; }';
let INDEX_HTML: string;
const MAIN_JS = `console.log("app");\n${'export const answer = { question: "life, the universe and everything", value: 42 };\n'.repeat(20)}`;
const BUILT_MAIN_JS = EAGER_HINT + MAIN_JS;

beforeAll(async () => {
  webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-'));
  fs.writeFileSync(path.join(webRoot, 'index.html'), BUILT_HTML);
  fs.writeFileSync(path.join(webRoot, 'styles-ABCDEFGH.css'), STYLES_CSS);
  fs.writeFileSync(path.join(webRoot, 'main-2S2Y3P2U.js'), MAIN_JS);
  // The build's own steps, on these files: what the server finds is what they make.
  execFileSync(process.execPath, [DEFER_SCRIPTS, webRoot]);
  execFileSync(process.execPath, [COMPILE_HINTS, webRoot]);
  // Twice, as a rebuild that stops halfway and starts again would: a script is marked once.
  execFileSync(process.execPath, [COMPILE_HINTS, webRoot]);
  execFileSync(process.execPath, [PRECOMPRESS, webRoot]);
  INDEX_HTML = fs.readFileSync(path.join(webRoot, 'index.html'), 'utf8');
  server = await TestServer.start({ webRoot });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(webRoot, { recursive: true, force: true });
});

const page = (url: string) => fetch(server.url + url, { headers: { accept: 'text/html' } });

describe('the web client, served from the same origin', () => {
  it('serves index.html at / and for the client’s own routes, never cached', async () => {
    for (const url of ['/', '/login', '/signup']) {
      const response = await page(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<app-root>');
    }
  });

  it('caches hashed bundles for good', async () => {
    const response = await fetch(`${server.url}/main-2S2Y3P2U.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('still answers unknown API paths with a JSON 404, even to a browser', async () => {
    const response = await page('/api/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers a missing file that is not a page with a 404', async () => {
    const response = await fetch(`${server.url}/missing.js`);
    expect(response.status).toBe(404);
  });

  it('sends the brotli or gzip copy the browser accepts, or the file itself, with Vary: Accept-Encoding', async () => {
    for (const [acceptEncoding, encoding] of [
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['gzip, deflate, br, zstd', 'br'],
      [undefined, undefined],
    ] as const) {
      const response = await rawGet('/main-2S2Y3P2U.js', { 'accept-encoding': acceptEncoding });
      expect(response.status, acceptEncoding).toBe(200);
      expect(response.headers['content-encoding'], acceptEncoding).toBe(encoding);
      expect(response.headers['content-type']).toContain('javascript');
      expect(response.headers.vary).toMatch(/accept-encoding/i);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      if (encoding) expect(response.body.length).toBeLessThan(BUILT_MAIN_JS.length);
      expect(decode(response.body, encoding), acceptEncoding).toBe(BUILT_MAIN_JS);
    }
  });

  it('sends the client’s own routes compressed too, never cached', async () => {
    for (const [acceptEncoding, encoding] of [
      ['br', 'br'],
      ['gzip', 'gzip'],
      [undefined, undefined],
    ] as const) {
      const response = await rawGet('/login', { accept: 'text/html', 'accept-encoding': acceptEncoding });
      expect(response.status, acceptEncoding).toBe(200);
      expect(response.headers['content-encoding'], acceptEncoding).toBe(encoding);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers.vary).toMatch(/accept-encoding/i);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(decode(response.body, encoding), acceptEncoding).toBe(INDEX_HTML);
    }
  });

  it('sends a content security policy that forbids inline scripts but the page’s own, by its hash', async () => {
    const response = await page('/');
    const hash = createHash('sha256').update(FRAME_SCRIPT).digest('base64');
    const scriptSrc = response.headers.get('content-security-policy')!.split(';').find((directive) => directive.startsWith('script-src '));
    expect(scriptSrc).toBe(`script-src 'self' 'sha256-${hash}'`);
  });

  it('is built to draw before its code runs: the stylesheet inline, the scripts listed for the page to ask for', () => {
    expect(INDEX_HTML).toContain(`<style>${STYLES_CSS}</style>`);
    expect(INDEX_HTML).not.toMatch(/<link rel="(?:stylesheet|modulepreload)"|<script src=/);
    expect(INDEX_HTML).toContain('<meta name="parley-scripts" content="main-2S2Y3P2U.js chunk-QWERTYUI.js">');
  });

  it('marks each script, once, for V8 to compile whole while it streams in', () => {
    const built = fs.readFileSync(path.join(webRoot, 'main-2S2Y3P2U.js'), 'utf8');
    expect(built).toBe(BUILT_MAIN_JS);
    expect(built.split(EAGER_HINT)).toHaveLength(2);
  });
});

/** A GET whose body is read as sent: fetch would decompress it and hide which copy came. */
function rawGet(url: string, headers: Record<string, string | undefined>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const sent = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<string, string>;
  return new Promise((resolve, reject) => {
    http
      .get(server.url + url, { headers: sent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

function decode(body: Buffer, encoding: 'br' | 'gzip' | undefined): string {
  if (encoding === 'br') return zlib.brotliDecompressSync(body).toString();
  if (encoding === 'gzip') return zlib.gunzipSync(body).toString();
  return body.toString();
}
