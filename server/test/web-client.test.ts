import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer } from './support/harness.js';

let server: TestServer;
let webRoot: string;

beforeAll(async () => {
  webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-'));
  fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Parley</title><app-root></app-root>');
  fs.writeFileSync(path.join(webRoot, 'main-2S2Y3P2U.js'), 'console.log("app")');
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

  it('sends a content security policy that forbids inline scripts', async () => {
    const response = await page('/');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
