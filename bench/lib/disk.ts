/**
 * The disk under the SQLite file: how long a small write and its fsync take there. SQLite commits with
 * `synchronous=FULL`, so every commit waits for one; on two machines of the same kind, a slower disk moved
 * Parley's saturation by more than 2×, hence this figure beside every run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { round, summarize, type Summary } from './stats.js';

/** Times in ms, to the microsecond. */
export interface FsyncProbe extends Summary {
  dir: string;
  /** Bytes written before each fsync: one database page, as a WAL frame carries. */
  bytes: number;
  /**
   * `--sync-delay`: ms by which the server slowed every commit on purpose (PARLEY_TEST_SYNC_DELAY_MS), on top
   * of the disk measured here.
   */
  injectedSyncDelayMs?: number;
}

/**
 * Times `samples` pairs of a 4 KiB write and an fsync on a temporary file in `dir` (at most `maxMs` in all),
 * after a few not counted. The writes cycle over the first 256 KiB of the file, allocated beforehand, as a
 * WAL reuses its file once checkpointed, so the figure is the sync, not the file growing.
 */
export function measureFsync(dir: string, samples = 300, maxMs = 10_000): FsyncProbe {
  const bytes = 4096;
  const slots = 64;
  const file = path.join(dir, `fsync-probe-${process.pid}.tmp`);
  const page = Buffer.alloc(bytes, 0x61);
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < slots; i++) fs.writeSync(fd, page, 0, bytes, i * bytes);
    fs.fsyncSync(fd);
    const times: number[] = [];
    const started = performance.now();
    for (let i = -10; i < samples && performance.now() - started < maxMs; i++) {
      const t = performance.now();
      fs.writeSync(fd, page, 0, bytes, ((i + 10) % slots) * bytes);
      fs.fsyncSync(fd);
      if (i >= 0) times.push((performance.now() - t) * 1000);
    }
    const us = summarize(times);
    const ms = (v: number) => round(v / 1000, 3);
    return { count: us.count, p50: ms(us.p50), p95: ms(us.p95), p99: ms(us.p99), max: ms(us.max), mean: ms(us.mean), dir, bytes };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}
