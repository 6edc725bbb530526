import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
  /** The filesystem type holding the temporary database (SQLite's fsyncs depend on it). */
  tmpFilesystem: string;
}

export function machine(tmpDir: string): Machine {
  let fs = 'unknown';
  try {
    fs = execFileSync('stat', ['-f', '-c', '%T', tmpDir], { encoding: 'utf8' }).trim();
    const df = execFileSync('df', ['-T', tmpDir], { encoding: 'utf8' }).trim().split('\n')[1]?.split(/\s+/)[1];
    if (df) fs = df;
  } catch {
    // keep unknown
  }
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    tmpFilesystem: fs,
  };
}

export function gitCommit(cwd: string): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // Uncommitted changes to what is measured: the server and the protocol (not the bench itself).
    const status = execFileSync('git', ['status', '--porcelain', '--', 'server', 'protocol'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return { commit, dirty: status !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** What the results of a scenario run on its own begin with: when, on what machine and database, from which commit. */
export interface RunRecord {
  mode: 'quick' | 'full';
  startedAt: string;
  durationSec: number;
  buildSec: number;
  machine: Machine;
  database: { driver: 'sqlite' | 'postgres'; version: string | null };
  git: ReturnType<typeof gitCommit>;
}
