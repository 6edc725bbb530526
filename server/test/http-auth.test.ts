import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SESSION_HINT_COOKIE } from '@parley/protocol';
import { TestServer, type Person } from './support/harness.js';

let server: TestServer;
/** Servers a test starts on its own (with other env or limits); closed after it. */
const extraServers: TestServer[] = [];

beforeEach(async () => {
  server = await TestServer.start();
});
afterEach(async () => {
  await server.close();
  for (const extra of extraServers.splice(0)) await extra.close();
});

async function startServer(options: Parameters<typeof TestServer.start>[0]): Promise<TestServer> {
  const started = await TestServer.start(options);
  extraServers.push(started);
  return started;
}

let counter = 0;
function validRegistration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    firstName: 'Ada',
    lastName: 'Lovelace',
    username: `ada_${counter}_${Math.random().toString(36).slice(2, 7)}`,
    password: 'analytical engine',
    ...overrides,
  };
}

/** The `parley_session` Set-Cookie line of a response, or undefined. */
function sessionCookie(headers: Headers): string | undefined {
  return headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
}

/** The attributes of a Set-Cookie line, lower-cased names, e.g. { httponly: '', samesite: 'Lax' }. */
function cookieAttributes(line: string): Record<string, string> {
  const [, ...attributes] = line.split(';').map((part) => part.trim());
  return Object.fromEntries(
    attributes.map((attribute) => {
      const [name, ...value] = attribute.split('=');
      return [name!.toLowerCase(), value.join('=')];
    }),
  );
}

function cookieValue(line: string): string {
  return line.slice(SESSION_COOKIE.length + 1, line.indexOf(';') === -1 ? undefined : line.indexOf(';'));
}

const expectErrorShape = (body: any, code: string) => {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(body.error.message.length).toBeGreaterThan(0);
};

describe('signing up', () => {
  it('creates the account, hands back the user and a strong token, and sets a safe session cookie', async () => {
    const input = validRegistration({ firstName: 'Grace', lastName: 'Hopper', username: 'Grace.Hopper-1' });
    const response = await server.http('POST', '/api/auth/register', { body: input });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      user: { id: expect.any(Number), username: 'Grace.Hopper-1', firstName: 'Grace', lastName: 'Hopper' },
      token: expect.any(String),
    });
    expect(Object.keys(response.body.user).sort()).toEqual(['firstName', 'id', 'lastName', 'username']);
    expect(Number.isInteger(response.body.user.id) && response.body.user.id > 0).toBe(true);

    // 43 base64url characters carry 258 bits; anything shorter would be under 256 / far from 128.
    expect(response.body.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);

    const cookie = sessionCookie(response.headers);
    expect(cookie).toBeDefined();
    expect(cookieValue(cookie!)).toBe(response.body.token);
    const attributes = cookieAttributes(cookie!);
    expect(attributes).toHaveProperty('httponly');
    expect(attributes.samesite?.toLowerCase()).toBe('lax');
    expect(attributes).not.toHaveProperty('secure');
    expect(attributes.path).toBe('/');
  });

  it('never sends back the password or its hash', async () => {
    const input = validRegistration({ password: 'super secret pw 123' });
    const response = await server.http('POST', '/api/auth/register', { body: input });
    expect(response.status).toBe(201);

    const text = JSON.stringify(response.body);
    expect(text).not.toContain('super secret pw 123');
    expect(text).not.toMatch(/\$2[aby]\$/); // a bcrypt hash
    expect(text.toLowerCase()).not.toContain('password');
    expect(text.toLowerCase()).not.toContain('hash');
    for (const line of response.headers.getSetCookie()) expect(line).not.toContain('super secret');
  });

  it('the token it hands back is a live session right away', async () => {
    const response = await server.http('POST', '/api/auth/register', { body: validRegistration() });
    const me = await server.http('GET', '/api/me', { token: response.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: response.body.user });
  });

  describe('a username that is taken', () => {
    it('is refused with 409 conflict', async () => {
      const first = await server.signUp({ username: 'taken_name' });
      const again = await server.http('POST', '/api/auth/register', { body: validRegistration({ username: 'taken_name' }) });
      expect(again.status).toBe(409);
      expectErrorShape(again.body, 'conflict');
      expect(again.body.error.fields).toEqual({ username: expect.any(String) });
      expect(sessionCookie(again.headers)).toBeUndefined();
      // The original account is untouched.
      const login = await server.http('POST', '/api/auth/login', { body: { username: 'taken_name', password: first.password } });
      expect(login.status).toBe(200);
      expect(login.body.user).toEqual(first.user);
    });

    it('is refused even when it differs only by case', async () => {
      await server.signUp({ username: 'CaseyJones' });
      for (const variant of ['caseyjones', 'CASEYJONES', 'cAsEyJoNeS']) {
        const again = await server.http('POST', '/api/auth/register', { body: validRegistration({ username: variant }) });
        expect(again.status, variant).toBe(409);
        expectErrorShape(again.body, 'conflict');
      }
    });
  });

  describe('refuses bad input with 400 invalid, naming the field', () => {
    async function expectInvalid(body: unknown, field: string): Promise<any> {
      const response = await server.http('POST', '/api/auth/register', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('invalid');
      expect(typeof response.body.error.message).toBe('string');
      expect(response.body.error.fields, JSON.stringify(response.body)).toHaveProperty([field]);
      expect(typeof response.body.error.fields[field]).toBe('string');
      expect(sessionCookie(response.headers)).toBeUndefined();
      return response.body;
    }

    it('an empty object names every missing field', async () => {
      const response = await server.http('POST', '/api/auth/register', { body: {} });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid');
      expect(Object.keys(response.body.error.fields).sort()).toEqual(['firstName', 'lastName', 'password', 'username']);
    });

    for (const field of ['firstName', 'lastName', 'username', 'password']) {
      it(`a missing ${field}`, async () => {
        const body = validRegistration();
        delete body[field];
        const result = await expectInvalid(body, field);
        expect(Object.keys(result.error.fields)).toEqual([field]);
      });

      for (const [label, value] of [
        ['a number', 12345678],
        ['a boolean', true],
        ['null', null],
        ['an array', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']],
      ] as const) {
        it(`${label} as ${field}`, async () => {
          const result = await expectInvalid(validRegistration({ [field]: value }), field);
          expect(Object.keys(result.error.fields)).toEqual([field]);
        });
      }
    }

    for (const field of ['username', 'password']) {
      it(`an operator object like {"$ne": null} as ${field}`, async () => {
        await expectInvalid(validRegistration({ [field]: { $ne: null } }), field);
      });
    }

    it('an unknown extra field', async () => {
      const result = await expectInvalid(validRegistration({ isAdmin: true }), 'isAdmin');
      expect(Object.keys(result.error.fields)).toEqual(['isAdmin']);
    });

    it('a username that is too short', async () => {
      await expectInvalid(validRegistration({ username: 'ab' }), 'username');
    });

    it('a username that is too long', async () => {
      await expectInvalid(validRegistration({ username: 'a'.repeat(33) }), 'username');
    });

    it('usernames of exactly the shortest and longest length are fine', async () => {
      for (const username of ['abc', 'b'.repeat(32)]) {
        const response = await server.http('POST', '/api/auth/register', { body: validRegistration({ username }) });
        expect(response.status, username).toBe(201);
      }
    });

    for (const username of ['has space', 'at@sign', 'semi;colon', 'ünïcödé', '<script>']) {
      it(`a username with a bad character: "${username}"`, async () => {
        await expectInvalid(validRegistration({ username }), 'username');
      });
    }

    it('a password of 7 characters', async () => {
      await expectInvalid(validRegistration({ password: 'seven77' }), 'password');
    });

    for (const password of ['12345678', 'Password1', 'qwertyuiop', 'ILOVEYOU1']) {
      it(`one of the most common passwords: "${password}", with the reason beside the field`, async () => {
        const result = await expectInvalid(validRegistration({ password }), 'password');
        expect(result.error.fields).toEqual({ password: 'is one of the most common passwords; choose another' });
      });
    }

    it('a password that contains the username, whatever its case', async () => {
      const result = await expectInvalid(validRegistration({ username: 'Marie_Curie', password: 'xx marie_curie xx' }), 'password');
      expect(result.error.fields).toEqual({ password: 'must not contain your username' });
    });

    it('a password that is neither common nor the username is fine', async () => {
      const response = await server.http('POST', '/api/auth/register', {
        body: validRegistration({ username: 'Marie_Curie', password: 'polonium and radium' }),
      });
      expect(response.status).toBe(201);
    });

    it('a password of 73 bytes in multi-byte characters is refused, not truncated', async () => {
      const password = '€'.repeat(25); // 25 characters, 75 bytes
      expect(Buffer.byteLength(password)).toBe(75);
      await expectInvalid(validRegistration({ password }), 'password');

      const tooLong = 'a'.repeat(70) + 'é' + 'b'; // 72 characters, 73 bytes
      expect(Buffer.byteLength(tooLong)).toBe(73);
      await expectInvalid(validRegistration({ password: tooLong }), 'password');
    });

    it('a password of exactly 72 bytes is accepted, and only that exact password logs in', async () => {
      const password = '€'.repeat(24); // 72 bytes
      expect(Buffer.byteLength(password)).toBe(72);
      const input = validRegistration({ password });
      const response = await server.http('POST', '/api/auth/register', { body: input });
      expect(response.status).toBe(201);

      const good = await server.http('POST', '/api/auth/login', { body: { username: input.username, password } });
      expect(good.status).toBe(200);
      const prefix = await server.http('POST', '/api/auth/login', { body: { username: input.username, password: '€'.repeat(23) } });
      expect(prefix.status).toBe(401);
    });

    for (const field of ['firstName', 'lastName']) {
      it(`an empty ${field}`, async () => {
        await expectInvalid(validRegistration({ [field]: '' }), field);
      });
      it(`a whitespace-only ${field}`, async () => {
        await expectInvalid(validRegistration({ [field]: ' \t  ' }), field);
      });
      it(`a ${field} of 65 characters`, async () => {
        await expectInvalid(validRegistration({ [field]: 'n'.repeat(65) }), field);
      });
      it(`a ${field} of exactly 64 characters is fine`, async () => {
        const response = await server.http('POST', '/api/auth/register', { body: validRegistration({ [field]: 'n'.repeat(64) }) });
        expect(response.status).toBe(201);
        expect(response.body.user[field]).toBe('n'.repeat(64));
      });
    }

    it('names are stored trimmed', async () => {
      const response = await server.http('POST', '/api/auth/register', {
        body: validRegistration({ firstName: '  Ada ', lastName: '\tLovelace  ' }),
      });
      expect(response.status).toBe(201);
      expect(response.body.user).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
    });
  });

  describe('refuses bodies that are not JSON objects of a sane size', () => {
    it('a body that is not valid JSON gets 400', async () => {
      const response = await server.http('POST', '/api/auth/register', { body: '{"username": "bob", ' });
      expect(response.status).toBe(400);
      expectErrorShape(response.body, 'invalid');
    });

    it('a JSON body that is not an object gets 400', async () => {
      for (const body of ['[]', '"a string"', '42', 'null']) {
        const response = await server.http('POST', '/api/auth/register', { body });
        expect(response.status, body).toBe(400);
        expectErrorShape(response.body, 'invalid');
      }
    });

    it('a non-JSON content type gets 415', async () => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
        const response = await server.http('POST', '/api/auth/register', {
          body: 'username=bob&password=whatever12&firstName=Bob&lastName=B',
          headers: { 'content-type': contentType },
        });
        expect(response.status, contentType).toBe(415);
        expectErrorShape(response.body, 'invalid');
      }
    });

    it('a body over the size limit gets 413', async () => {
      const response = await server.http('POST', '/api/auth/register', {
        body: validRegistration({ firstName: 'x'.repeat(server.config.limits.httpBodyBytes + 1) }),
      });
      expect(response.status).toBe(413);
      expectErrorShape(response.body, 'invalid');
    });
  });
});

describe('logging in', () => {
  let person: Person;
  beforeEach(async () => {
    person = await server.signUp({ username: 'Login_Tester' });
  });

  it('returns 200 with the user, a fresh token and the session cookie', async () => {
    const response = await server.http('POST', '/api/auth/login', {
      body: { username: 'Login_Tester', password: person.password },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ user: person.user, token: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/) });
    expect(response.body.token).not.toBe(person.token);

    const cookie = sessionCookie(response.headers);
    expect(cookie).toBeDefined();
    expect(cookieValue(cookie!)).toBe(response.body.token);
    const attributes = cookieAttributes(cookie!);
    expect(attributes).toHaveProperty('httponly');
    expect(attributes.samesite?.toLowerCase()).toBe('lax');
    expect(attributes).not.toHaveProperty('secure');
  });

  it('the new token works for GET /api/me', async () => {
    const login = await server.http('POST', '/api/auth/login', { body: { username: 'Login_Tester', password: person.password } });
    const me = await server.http('GET', '/api/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: person.user });
  });

  it('treats the username case-insensitively', async () => {
    for (const username of ['login_tester', 'LOGIN_TESTER', 'lOgIn_TeStEr']) {
      const response = await server.http('POST', '/api/auth/login', { body: { username, password: person.password } });
      expect(response.status, username).toBe(200);
      expect(response.body.user).toEqual(person.user);
    }
  });

  it('does not treat the password case-insensitively', async () => {
    const response = await server.http('POST', '/api/auth/login', {
      body: { username: 'Login_Tester', password: person.password.toUpperCase() },
    });
    expect(response.status).toBe(401);
  });

  it('an unknown user and a wrong password fail alike, with 401 and the same body', async () => {
    const unknown = await server.http('POST', '/api/auth/login', { body: { username: 'nobody_here', password: person.password } });
    const wrong = await server.http('POST', '/api/auth/login', { body: { username: 'Login_Tester', password: 'not the password' } });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expectErrorShape(wrong.body, 'unauthorized');
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error).not.toHaveProperty('fields');
    expect(sessionCookie(unknown.headers)).toBeUndefined();
    expect(sessionCookie(wrong.headers)).toBeUndefined();
  });

  it('refuses a login body of the wrong shape with 400 naming the field', async () => {
    for (const [body, field] of [
      [{ username: 'Login_Tester' }, 'password'],
      [{ password: person.password }, 'username'],
      [{ username: { $ne: null }, password: person.password }, 'username'],
      [{ username: 'Login_Tester', password: { $ne: null } }, 'password'],
      [{ username: 'Login_Tester', password: person.password, remember: true }, 'remember'],
    ] as const) {
      const response = await server.http('POST', '/api/auth/login', { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('invalid');
      expect(response.body.error.fields).toHaveProperty([field]);
    }
  });

  describe('throttling of failures', () => {
    it('after too many wrong passwords for one account, even the right password is refused with 429, while others can log in', async () => {
      const throttled = await startServer({ limits: { loginFailuresPerAccountAddress: 3 } });
      const victim = await throttled.signUp();
      const bystander = await throttled.signUp();

      for (let attempt = 1; attempt <= 3; attempt++) {
        const wrong = await throttled.http('POST', '/api/auth/login', {
          body: { username: victim.user.username, password: `guess number ${attempt}` },
        });
        expect(wrong.status, `attempt ${attempt}`).toBe(401);
      }

      const right = await throttled.http('POST', '/api/auth/login', {
        body: { username: victim.user.username, password: victim.password },
      });
      expect(right.status).toBe(429);
      expectErrorShape(right.body, 'rate_limited');
      expect(sessionCookie(right.headers)).toBeUndefined();
      expect(right.body).not.toHaveProperty('token');

      // The block is per account, however the username is spelled.
      const shouted = await throttled.http('POST', '/api/auth/login', {
        body: { username: victim.user.username.toUpperCase(), password: victim.password },
      });
      expect(shouted.status).toBe(429);

      const other = await throttled.http('POST', '/api/auth/login', {
        body: { username: bystander.user.username, password: bystander.password },
      });
      expect(other.status).toBe(200);
      expect(other.body.user).toEqual(bystander.user);
    });

    it('failures spread over many usernames block the address, even for a correct login', async () => {
      const throttled = await startServer({ limits: { loginFailuresPerAddress: 3, loginFailuresPerAccountAddress: 100 } });
      const honest = await throttled.signUp();
      const existing = await throttled.signUp();

      for (const username of ['ghost_one', existing.user.username, 'ghost_two']) {
        const wrong = await throttled.http('POST', '/api/auth/login', { body: { username, password: 'spray and pray' } });
        expect(wrong.status, username).toBe(401);
      }

      const right = await throttled.http('POST', '/api/auth/login', {
        body: { username: honest.user.username, password: honest.password },
      });
      expect(right.status).toBe(429);
      expectErrorShape(right.body, 'rate_limited');
    });
  });
});

describe('logging out', () => {
  it('returns 204, clears the cookie, and revokes the token at once', async () => {
    const person = await server.signUp();
    expect((await server.http('GET', '/api/me', { token: person.token })).status).toBe(200);

    const response = await server.http('POST', '/api/auth/logout', { token: person.token });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();

    const cookie = sessionCookie(response.headers);
    expect(cookie).toBeDefined();
    expect(cookieValue(cookie!)).toBe('');
    const attributes = cookieAttributes(cookie!);
    const expired =
      attributes['max-age'] === '0' || (attributes.expires !== undefined && Date.parse(attributes.expires) <= Date.now());
    expect(expired, cookie).toBe(true);
    expect(attributes.path).toBe('/');

    const me = await server.http('GET', '/api/me', { token: person.token });
    expect(me.status).toBe(401);
    expectErrorShape(me.body, 'unauthorized');

    // Logging out twice with the same token is refused: it is no longer a session.
    const again = await server.http('POST', '/api/auth/logout', { token: person.token });
    expect(again.status).toBe(401);
  });

  it('leaves the same user’s other sessions alone', async () => {
    const person = await server.signUp();
    const laptop = await server.http('POST', '/api/auth/login', {
      body: { username: person.user.username, password: person.password },
    });
    expect(laptop.status).toBe(200);

    expect((await server.http('POST', '/api/auth/logout', { token: person.token })).status).toBe(204);

    expect((await server.http('GET', '/api/me', { token: person.token })).status).toBe(401);
    const stillIn = await server.http('GET', '/api/me', { token: laptop.body.token });
    expect(stillIn.status).toBe(200);
    expect(stillIn.body).toEqual({ user: person.user });
  });

  it('works with the cookie alone', async () => {
    const person = await server.signUp();
    const response = await server.http('POST', '/api/auth/logout', { headers: { cookie: `${SESSION_COOKIE}=${person.token}` } });
    expect(response.status).toBe(204);
    expect((await server.http('GET', '/api/me', { token: person.token })).status).toBe(401);
  });

  it('without a session is 401', async () => {
    const response = await server.http('POST', '/api/auth/logout');
    expect(response.status).toBe(401);
    expectErrorShape(response.body, 'unauthorized');
  });
});

describe('the cookie that tells the page it has signed in', () => {
  const hintCookie = (headers: Headers) => headers.getSetCookie().find((line) => line.startsWith(`${SESSION_HINT_COOKIE}=`));
  const isExpired = (attributes: Record<string, string>) =>
    attributes['max-age'] === '0' || (attributes.expires !== undefined && Date.parse(attributes.expires) <= Date.now());

  it('comes with the session cookie on sign-up and log-in, readable by the page, with the same lifetime and path', async () => {
    const signUp = await server.http('POST', '/api/auth/register', { body: validRegistration({ username: 'hint.tester' }) });
    const logIn = await server.http('POST', '/api/auth/login', { body: { username: 'hint.tester', password: validRegistration().password } });
    for (const response of [signUp, logIn]) {
      const hint = hintCookie(response.headers);
      expect(hint, 'no hint cookie').toBeDefined();
      expect(hint!.slice(SESSION_HINT_COOKIE.length + 1, hint!.indexOf(';'))).toBe('1');
      const attributes = cookieAttributes(hint!);
      const session = cookieAttributes(sessionCookie(response.headers)!);
      expect(attributes).not.toHaveProperty('httponly');
      expect(attributes.expires).toBe(session.expires);
      expect(attributes.path).toBe(session.path);
      expect(attributes.samesite?.toLowerCase()).toBe('lax');
    }
  });

  it('is not set by a refused log-in, and is cleared by log-out', async () => {
    const person = await server.signUp();
    const refused = await server.http('POST', '/api/auth/login', { body: { username: person.user.username, password: 'not the password' } });
    expect(refused.status).toBe(401);
    expect(hintCookie(refused.headers)).toBeUndefined();

    const out = await server.http('POST', '/api/auth/logout', { token: person.token });
    expect(out.status).toBe(204);
    const hint = hintCookie(out.headers);
    expect(hint, 'log-out leaves the hint').toBeDefined();
    expect(isExpired(cookieAttributes(hint!)), hint).toBe(true);
  });
});

describe('the session cookie and the bearer token', () => {
  it('the cookie alone authorizes /api/me', async () => {
    const person = await server.signUp();
    const me = await server.http('GET', '/api/me', { headers: { cookie: `${SESSION_COOKIE}=${person.token}` } });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: person.user });
  });

  it('without either, /api/me is 401', async () => {
    const me = await server.http('GET', '/api/me');
    expect(me.status).toBe(401);
    expectErrorShape(me.body, 'unauthorized');
  });

  it('a garbage bearer token gets 401', async () => {
    for (const token of ['garbage', 'A'.repeat(43), "' OR 1=1 --"]) {
      const me = await server.http('GET', '/api/me', { headers: { authorization: `Bearer ${token}` } });
      expect(me.status, token).toBe(401);
      expectErrorShape(me.body, 'unauthorized');
    }
  });

  it('a garbage cookie gets 401', async () => {
    const me = await server.http('GET', '/api/me', { headers: { cookie: `${SESSION_COOKIE}=not-a-session` } });
    expect(me.status).toBe(401);
    expectErrorShape(me.body, 'unauthorized');
  });

  it('a malformed Authorization header gets 401', async () => {
    const person = await server.signUp();
    for (const authorization of [
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`${person.user.username}:${person.password}`).toString('base64')}`,
      `Token ${person.token}`,
      `Bearer ${person.token} extra`,
      person.token,
    ]) {
      const me = await server.http('GET', '/api/me', { headers: { authorization } });
      expect(me.status, authorization).toBe(401);
      expectErrorShape(me.body, 'unauthorized');
    }
  });
});

describe('sessions expire', () => {
  it('with the default TTL, a token stops working after 7 days', async () => {
    const person = await server.signUp();
    server.clock.advance(7 * 24 * 3600 * 1000 - 60_000);
    expect((await server.http('GET', '/api/me', { token: person.token })).status).toBe(200);

    server.clock.advance(60_000 + 1000);
    const me = await server.http('GET', '/api/me', { token: person.token });
    expect(me.status).toBe(401);
    expectErrorShape(me.body, 'unauthorized');
    // ...and the cookie way is closed too.
    const viaCookie = await server.http('GET', '/api/me', { headers: { cookie: `${SESSION_COOKIE}=${person.token}` } });
    expect(viaCookie.status).toBe(401);
  });

  it('the cookie is set to expire when the session does', async () => {
    const response = await server.http('POST', '/api/auth/register', { body: validRegistration() });
    const expires = Date.parse(cookieAttributes(sessionCookie(response.headers)!).expires ?? '');
    const sevenDays = 7 * 24 * 3600 * 1000;
    expect(Math.abs(expires - (Date.now() + sevenDays))).toBeLessThan(60_000);
  });

  it('with SESSION_TTL=1h, a token works at 59 minutes and not at 61', async () => {
    const hourly = await startServer({ env: { SESSION_TTL: '1h' } });
    const person = await hourly.signUp();

    hourly.clock.advance(59 * 60_000);
    const before = await hourly.http('GET', '/api/me', { token: person.token });
    expect(before.status).toBe(200);

    hourly.clock.advance(2 * 60_000);
    const after = await hourly.http('GET', '/api/me', { token: person.token });
    expect(after.status).toBe(401);
    expectErrorShape(after.body, 'unauthorized');
  });

  it('a login after expiry starts a fresh session of the full length', async () => {
    const hourly = await startServer({ env: { SESSION_TTL: '1h' } });
    const person = await hourly.signUp();
    hourly.clock.advance(61 * 60_000);
    const login = await hourly.http('POST', '/api/auth/login', {
      body: { username: person.user.username, password: person.password },
    });
    expect(login.status).toBe(200);
    hourly.clock.advance(59 * 60_000);
    expect((await hourly.http('GET', '/api/me', { token: login.body.token })).status).toBe(200);
    expect((await hourly.http('GET', '/api/me', { token: person.token })).status).toBe(401);
  });
});
