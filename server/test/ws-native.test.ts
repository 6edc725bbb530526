import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthResponse } from '@parley/protocol';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { wsUnmasking } from '../src/realtime/ws-native.js';
import { call, expectOk, nextEvent, type ClientSocket } from './support/harness.js';
import { NodeProcess } from './support/node-process.js';

describe('the native WebSocket helper (bufferutil)', () => {
  it('is installed and loads here, so ws unmasks with it', () => {
    expect(wsUnmasking({})).toBe('bufferutil');
  });

  it('falls back to JavaScript where it does not load, or where WS_NO_BUFFER_UTIL turns it off', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'bufferutil'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(wsUnmasking({}, missing)).toBe('javascript');
    expect(wsUnmasking({}, () => ({}))).toBe('javascript');
    expect(wsUnmasking({ WS_NO_BUFFER_UTIL: '1' })).toBe('javascript');
  });

  describe('a server without it', () => {
    let node: NodeProcess | undefined;
    let socket: ClientSocket | undefined;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-ws-'));
    afterEach(async () => {
      socket?.disconnect();
      await node?.kill();
      fs.rmSync(folder, { recursive: true, force: true });
    });

    it('says so in its log, and serves messages all the same', async () => {
      node = await NodeProcess.start({ DATABASE_URL: path.join(folder, 'parley.db'), WS_NO_BUFFER_UTIL: '1' });
      expect(node.log).toContain('unmasked in JavaScript');
      const response = await fetch(`${node.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ firstName: 'Ann', lastName: 'Tester', username: 'ann_ws', password: 'long enough password' }),
      });
      const { token } = (await response.json()) as AuthResponse;
      socket = io(node.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
      await new Promise((resolve, reject) => socket!.once('connect', () => resolve(undefined)).once('connect_error', reject));
      const room = expectOk(await call(socket, 'room:create', { name: 'Masks off' })).room;
      // Longer than the 32 bytes below which ws unmasks in JavaScript even with bufferutil.
      const body = 'a message long enough to take the unmasking path that bufferutil would take '.repeat(3);
      const delivered = nextEvent(socket, 'message:new');
      expect(expectOk(await call(socket, 'message:send', { roomId: room.id, clientId: 'ws-1', body })).message.body).toBe(body);
      expect((await delivered).body).toBe(body);
    });
  });
});
