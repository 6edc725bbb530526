import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageBodySchema, personNameSchema, roomNameSchema } from '@parley/protocol';
import { TestServer, call, expectOk } from './support/harness.js';

/** Characters that hide text or change how the text around them is drawn. */
const HIDDEN = {
  'left-to-right embedding': '\u202A',
  'right-to-left embedding': '\u202B',
  'pop directional formatting': '\u202C',
  'left-to-right override': '\u202D',
  'right-to-left override': '\u202E',
  'left-to-right isolate': '\u2066',
  'right-to-left isolate': '\u2067',
  'first strong isolate': '\u2068',
  'pop directional isolate': '\u2069',
  'right-to-left mark': '\u200F',
  'zero-width space': '\u200B',
  'zero-width non-joiner': '\u200C',
  'zero-width joiner': '\u200D',
  'word joiner': '\u2060',
  'byte order mark': '\uFEFF',
  'soft hyphen': '\u00AD',
  'tag letter': '\u{E0041}',
  'null': '\u0000',
  'bell': '\u0007',
  'escape': '\u001B',
  'delete': '\u007F',
  'line separator': '\u2028',
  'paragraph separator': '\u2029',
  'lone surrogate': '\uD800',
};

describe('names refuse control and format characters', () => {
  for (const [what, char] of Object.entries(HIDDEN)) {
    it(`refuses a ${what} in person and room names`, () => {
      for (const schema of [personNameSchema, roomNameSchema]) {
        const result = schema.safeParse(`invoice_${char}fdp.exe`);
        expect(result.success).toBe(false);
        expect(result.error?.issues[0]?.message).toMatch(/control or invisible formatting characters/);
      }
    });
  }

  it('accepts names in any script, with accents and emoji, an emoji ZWJ sequence included', () => {
    for (const name of ['José', 'Zoë', 'Ελένη', 'Ørsted', '李小龙', 'محمد', 'שרה', 'Nguyễn', 'Café ☕', '👩‍💻 Devs', '👨‍👩‍👧 Family', '❤️ Fans', '🧑🏽‍🚀']) {
      expect(personNameSchema.safeParse(name).success, name).toBe(true);
      expect(roomNameSchema.safeParse(name).success, name).toBe(true);
    }
  });

  it('refuses a zero-width joiner that does not join two emoji', () => {
    for (const name of ['a\u200Db', '👋\u200D', '\u200D👋', 'x\u200D👋', '👋\u200D\u200D👋']) {
      expect(personNameSchema.safeParse(name).success, JSON.stringify(name)).toBe(false);
    }
  });
});

describe('a message body that shows nothing is blank', () => {
  it('refuses bodies of white space, format characters, zero-width and combining marks only', () => {
    for (const body of ['\u200B', '\u200B\u200C\u200D\u2060\uFEFF', ' \u200E\u200F\u202E ', '\u3164', '\u2800\u2800', '\u0301\u0308', '\u00A0\u2003\u3000', '\u115F\u1160', '\uFE0F']) {
      const result = messageBodySchema.safeParse(body);
      expect(result.success, JSON.stringify(body)).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('must not be blank');
    }
  });

  it('accepts any body with something to see, invisible characters inside it included', () => {
    for (const body of ['.', 'e\u0301', '👍', '👩‍💻', '\u200Fשלום', 'a\u200Bb', '  hi  ', '\u202Eevil', '·']) {
      expect(messageBodySchema.safeParse(body).success, JSON.stringify(body)).toBe(true);
    }
  });
});

describe('spoofing through the server', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await TestServer.start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('refuses a sign-up whose name holds a bidi override, naming the field', async () => {
    const response = await server.http('POST', '/api/auth/register', {
      body: { firstName: 'invoice_\u202Efdp.exe', lastName: 'Smith', username: 'spoofer', password: 'correct horse battery' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'invalid',
      fields: { firstName: expect.stringContaining('control or invisible formatting characters') },
    });
    const lastName = await server.http('POST', '/api/auth/register', {
      body: { firstName: 'Bob', lastName: 'Smith\u200B', username: 'spoofer', password: 'correct horse battery' },
    });
    expect(lastName.body.error).toMatchObject({ code: 'invalid', fields: { lastName: expect.any(String) } });
  });

  it('refuses a room name with a zero-width space, naming the field', async () => {
    const alice = await server.signUpAndConnect();
    expect(await call(alice.socket, 'room:create', { name: 'Gen\u200Beral' })).toMatchObject({
      ok: false,
      error: { code: 'invalid', fields: { name: expect.stringContaining('control or invisible formatting characters') } },
    });
  });

  it('refuses a room whose name only looks like one that exists', async () => {
    const alice = await server.signUpAndConnect();
    const mallory = await server.signUpAndConnect();
    expectOk(await call(alice.socket, 'room:create', { name: 'Open Room' }));
    for (const lookalike of ['Ореn Room', 'ОРЕN ROOM', '0pen Room', 'Open Roorn', 'ＯＰＥＮ ＲＯＯＭ']) {
      expect(await call(mallory.socket, 'room:create', { name: lookalike }), lookalike).toMatchObject({
        ok: false,
        error: { code: 'conflict', fields: { name: 'is taken' } },
      });
    }
    expectOk(await call(mallory.socket, 'room:create', { name: 'Opera Room' }));
  });

  it('refuses a message of zero-width characters as blank', async () => {
    const alice = await server.signUpAndConnect();
    const { room } = expectOk(await call(alice.socket, 'room:create', { name: 'Quiet' }));
    expect(await call(alice.socket, 'message:send', { roomId: room.id, clientId: 'zw', body: '\u200B\u200D\uFEFF' })).toMatchObject({
      ok: false,
      error: { code: 'invalid', fields: { body: 'must not be blank' } },
    });
  });
});
