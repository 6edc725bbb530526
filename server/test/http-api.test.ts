import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { TestServer } from './support/harness.js';

let server: TestServer;
beforeEach(async () => {
  server = await TestServer.start();
});
afterEach(async () => {
  await server.close();
});

describe('the health check', () => {
  it('answers 200 {status: "ok", overloaded: false} without a session', async () => {
    const response = await server.http('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', overloaded: false });
  });
});

describe('security headers', () => {
  function expectSecurityHeaders(headers: Headers, label: string): void {
    expect(headers.get('x-content-type-options'), label).toBe('nosniff');
    const csp = headers.get('content-security-policy');
    expect(csp, label).toBeTruthy();
    expect(csp, label).toContain("default-src 'self'");
    expect(csp, label).toContain("frame-ancestors 'self'");
    expect(csp, label).not.toContain('upgrade-insecure-requests');
    expect(headers.get('x-frame-options')?.toUpperCase(), label).toMatch(/^(SAMEORIGIN|DENY)$/);
  }

  it('are on successful API responses', async () => {
    const person = await server.signUp();
    const me = await server.http('GET', '/api/me', { token: person.token });
    expect(me.status).toBe(200);
    expectSecurityHeaders(me.headers, 'GET /api/me');
    const users = await server.http('GET', '/api/users', { token: person.token });
    expectSecurityHeaders(users.headers, 'GET /api/users');
    expectSecurityHeaders((await server.http('GET', '/healthz')).headers, 'GET /healthz');
  });

  it('are on error responses too', async () => {
    const unauthorized = await server.http('GET', '/api/me');
    expect(unauthorized.status).toBe(401);
    expectSecurityHeaders(unauthorized.headers, '401');

    const invalid = await server.http('POST', '/api/auth/register', { body: {} });
    expect(invalid.status).toBe(400);
    expectSecurityHeaders(invalid.headers, '400');

    const notFound = await server.http('GET', '/api/does-not-exist');
    expect(notFound.status).toBe(404);
    expectSecurityHeaders(notFound.headers, '404');

    const badJson = await server.http('POST', '/api/auth/login', { body: '{oops' });
    expect(badJson.status).toBe(400);
    expectSecurityHeaders(badJson.headers, 'bad JSON');
  });
});

describe('an unknown route', () => {
  it('gets 404 with code not_found, for any method', async () => {
    for (const [method, url] of [
      ['GET', '/api/nothing-here'],
      ['POST', '/api/users'],
      ['PUT', '/api/me'],
      ['GET', '/'],
    ] as const) {
      const response = await server.http(method, url);
      expect(response.status, `${method} ${url}`).toBe(404);
      expect(response.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });
});

describe('an internal error', () => {
  function expectGenericInternalError(response: { status: number; body: any }): void {
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: { code: 'internal', message: expect.any(String) } });
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/database|sqlite|sql|stack|closed|connection|\.ts|\.js|node_modules|\n\s+at /i);
    expect(response.body.error.message.length).toBeGreaterThan(0);
  }

  it('never leaks its text or stack', async () => {
    const person = await server.signUp();
    await server.store.close();

    const users = await server.http('GET', '/api/users', { token: person.token });
    expectGenericInternalError(users);

    const login = await server.http('POST', '/api/auth/login', {
      body: { username: person.user.username, password: person.password },
    });
    expectGenericInternalError(login);

    const register = await server.http('POST', '/api/auth/register', {
      body: { username: 'late_comer', password: 'long enough pw', firstName: 'Late', lastName: 'Comer' },
    });
    expectGenericInternalError(register);

    // Every internal error gets the same body, whatever failed.
    expect(login.body).toEqual(users.body);
    expect(register.body).toEqual(users.body);
  });
});

describe('configuration', () => {
  function expectConfigError(env: Record<string, string>, variable: string): ConfigError {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught, JSON.stringify(env)).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.message).toContain(variable);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]!.startsWith(variable), error.problems[0]).toBe(true);
    // The problem says more than just the name.
    expect(error.problems[0]!.length).toBeGreaterThan(variable.length + 5);
    return error;
  }

  it('refuses a port that is not a number', () => {
    expectConfigError({ PORT: 'abc' }, 'PORT');
  });

  it('refuses a port out of range', () => {
    expectConfigError({ PORT: '70000' }, 'PORT');
    expectConfigError({ PORT: '-1' }, 'PORT');
  });

  it('refuses a bcrypt cost too low to be safe', () => {
    expectConfigError({ BCRYPT_COST: '3' }, 'BCRYPT_COST');
  });

  it('refuses a session TTL it cannot read', () => {
    expectConfigError({ SESSION_TTL: 'soon' }, 'SESSION_TTL');
    expectConfigError({ SESSION_TTL: '0' }, 'SESSION_TTL');
  });

  it('refuses an unknown log level', () => {
    expectConfigError({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
  });

  it('refuses an allowed origin that is not an http(s) URL, quoting it', () => {
    const error = expectConfigError({ ALLOWED_ORIGINS: 'not-a-url' }, 'ALLOWED_ORIGINS');
    expect(error.message).toContain('not-a-url');
    expectConfigError({ ALLOWED_ORIGINS: 'https://ok.example.com,ftp://files.example.com' }, 'ALLOWED_ORIGINS');
  });

  it('refuses a database it does not support', () => {
    const error = expectConfigError({ DATABASE_URL: 'mysql://admin:hunter2@db/x' }, 'DATABASE_URL');
    expect(error.message).toContain('mysql');
    expect(error.message).not.toContain('hunter2');
    expect(loadConfig({ DATABASE_URL: 'postgres://user@host/db' }).database).toEqual({
      driver: 'postgres',
      url: 'postgres://user@host/db',
      poolSize: 10,
    });
  });

  it('sizes the PostgreSQL pool from DATABASE_POOL_SIZE, refusing what is not a positive whole number', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://user@host/db', DATABASE_POOL_SIZE: '4' }).database).toEqual({
      driver: 'postgres',
      url: 'postgres://user@host/db',
      poolSize: 4,
    });
    for (const bad of ['0', '-1', '2.5', 'many']) expectConfigError({ DATABASE_POOL_SIZE: bad }, 'DATABASE_POOL_SIZE');
  });

  it('names every bad variable at once', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain('PORT');
    expect((caught as ConfigError).message).toContain('LOG_LEVEL');
  });

  it('has sensible defaults: port 3000, SQLite at ./data/parley.db made absolute, 7-day sessions', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ driver: 'sqlite', file: path.resolve('data', 'parley.db') });
    expect(config.database.driver === 'sqlite' && path.isAbsolute(config.database.file)).toBe(true);
    expect(config.sessionTtlMs).toBe(7 * 24 * 3600 * 1000);
    expect(config.allowedOrigins).toEqual([]);
    expect(config.trustProxy).toBe(false);
  });

  it('reads durations with units', () => {
    expect(loadConfig({ SESSION_TTL: '90' }).sessionTtlMs).toBe(90_000);
    expect(loadConfig({ SESSION_TTL: '30m' }).sessionTtlMs).toBe(30 * 60_000);
    expect(loadConfig({ SESSION_TTL: '1h' }).sessionTtlMs).toBe(3600_000);
    expect(loadConfig({ SESSION_TTL: '2d' }).sessionTtlMs).toBe(2 * 86_400_000);
  });

  it('selects SQLite for file: URLs and plain paths', () => {
    expect(loadConfig({ DATABASE_URL: 'file:///var/lib/parley/chat.db' }).database).toEqual({
      driver: 'sqlite',
      file: '/var/lib/parley/chat.db',
    });
    expect(loadConfig({ DATABASE_URL: 'file:///tmp/my%20dir/chat.db' }).database).toEqual({
      driver: 'sqlite',
      file: '/tmp/my dir/chat.db',
    });
    expect(loadConfig({ DATABASE_URL: '/srv/parley.db' }).database).toEqual({ driver: 'sqlite', file: '/srv/parley.db' });
    expect(loadConfig({ DATABASE_URL: 'db/chat.db' }).database).toEqual({
      driver: 'sqlite',
      file: path.resolve('db/chat.db'),
    });
  });

  it('reads a relative file: URL relative to the working directory, as SQLite itself does', () => {
    // SQLite's URI filenames: "file:data.db" opens data.db in the current directory.
    expect(loadConfig({ DATABASE_URL: 'file:./data/chat.db' }).database).toEqual({
      driver: 'sqlite',
      file: path.resolve('data/chat.db'),
    });
    expect(loadConfig({ DATABASE_URL: 'file:data/chat.db' }).database).toEqual({
      driver: 'sqlite',
      file: path.resolve('data/chat.db'),
    });
  });

  it('normalises allowed origins to their origin', () => {
    const config = loadConfig({ ALLOWED_ORIGINS: 'https://chat.example.com/, http://localhost:5173' });
    expect(config.allowedOrigins).toEqual(['https://chat.example.com', 'http://localhost:5173']);
  });
});
