import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { call, drain, expectOk, record, serversClosedAfterEachTest, type TestServer } from './support/harness.js';

/**
 * PARLEY_TEST_SYNC_DELAY_MS: a disk whose every sync is slow, emulated by the SQLite writer thread waiting
 * after each commit. It must slow the commits (or it proves nothing) and lose nothing.
 */
const start = serversClosedAfterEachTest();
const SYNC_DELAY_MS = 30;

/**
 * The commits in the SQLite file's write-ahead log, read from the log itself (https://sqlite.org/fileformat.html#the_write_ahead_log):
 * each commit ends with a frame whose second field (the database's size after the commit) is not 0. With
 * synchronous=FULL each is one sync. The frames of the log's current generation carry its header's salts.
 */
function walCommits(server: TestServer): { generation: number; commits: number } {
  const { database } = server.config;
  if (database.driver !== 'sqlite') throw new Error('not SQLite');
  const wal = fs.readFileSync(`${database.file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const salts = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salts[0] || wal.readUInt32BE(at + 12) !== salts[1]) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits += 1;
  }
  return { generation: wal.readUInt32BE(12), commits };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

describe('PARLEY_TEST_SYNC_DELAY_MS', () => {
  it('is off unless set, takes whole ms from 0 to 1000, and applies to a SQLite file only', () => {
    expect(loadConfig({ DATABASE_URL: '/srv/parley.db' }).database).toStrictEqual({ driver: 'sqlite', file: '/srv/parley.db' });
    expect(loadConfig({ DATABASE_URL: '/srv/parley.db', PARLEY_TEST_SYNC_DELAY_MS: '0' }).database).toStrictEqual({
      driver: 'sqlite',
      file: '/srv/parley.db',
    });
    expect(loadConfig({ DATABASE_URL: '/srv/parley.db', PARLEY_TEST_SYNC_DELAY_MS: '10' }).database).toStrictEqual({
      driver: 'sqlite',
      file: '/srv/parley.db',
      testSyncDelayMs: 10,
    });
    expect(loadConfig({ DATABASE_URL: ':memory:', PARLEY_TEST_SYNC_DELAY_MS: '10' }).database).toStrictEqual({
      driver: 'sqlite',
      file: ':memory:',
    });
    const postgres = loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/test', PARLEY_TEST_SYNC_DELAY_MS: '10' }).database;
    expect(postgres).not.toHaveProperty('testSyncDelayMs');
    for (const bad of ['-1', '1001', '2.5', 'slow']) {
      expect(() => loadConfig({ PARLEY_TEST_SYNC_DELAY_MS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ PARLEY_TEST_SYNC_DELAY_MS: bad }), bad).toThrow(/PARLEY_TEST_SYNC_DELAY_MS/);
    }
  });

  it('slows every commit, yet a burst sent at once is all stored, once each, in order, in fewer commits than messages', async () => {
    const server = await start({ env: { PARLEY_TEST_SYNC_DELAY_MS: String(SYNC_DELAY_MS) }, limits: { socketEventsPerSecond: 1000 } });
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();

    // A lower bound only: each answer waits for its commit's sync, so none can come sooner than the delay.
    const created = await timed(() => call(alice.socket, 'room:create', { name: 'Slow disk' }));
    const roomId = expectOk(created.value).room.id;
    expect(created.ms).toBeGreaterThanOrEqual(SYNC_DELAY_MS - 1);
    expectOk(await call(bob.socket, 'room:join', { roomId }));
    const first = await timed(() => call(alice.socket, 'message:send', { roomId, clientId: 'first', body: 'before the burst' }));
    // Seq 1 is the notice of Bob's joining.
    expect(expectOk(first.value).message.seq).toBe(2);
    expect(first.ms).toBeGreaterThanOrEqual(SYNC_DELAY_MS - 1);

    await drain(bob.socket);
    const burst = 40;
    const bobSees = record(bob.socket, 'message:new');
    const before = walCommits(server);
    const acks = await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        call(i % 2 ? alice.socket : bob.socket, 'message:send', { roomId, clientId: `burst-${i}`, body: `message ${i}` }),
      ),
    );
    const after = walCommits(server);

    const sent = acks.map((ack) => expectOk(ack).message);
    expect(sent.map((message) => message.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: burst }, (_, i) => i + 3));
    const stored = await server.store.listMessages(roomId, { limit: 100 });
    expect(stored.map((message) => message.seq)).toEqual(Array.from({ length: burst + 2 }, (_, i) => i + 1));
    expect(stored.slice(2).map((message) => message.clientId).sort()).toEqual(sent.map((message) => message.clientId).sort());
    for (const message of sent) expect(stored[message.seq - 1]).toEqual(message);
    await drain(bob.socket);
    expect(bobSees.map((message) => message.seq).sort((a, b) => a - b)).toEqual(sent.map((message) => message.seq).sort((a, b) => a - b));

    // The group commit gathered the messages that arrived while a sync was slow: fewer commits, so syncs, than messages.
    expect(after.generation, 'the log was checkpointed and restarted during the burst').toBe(before.generation);
    const commits = after.commits - before.commits;
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(burst);
  });
});
