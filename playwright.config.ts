import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: the real server (built by `npm run test:e2e`) on a fresh SQLite database, driven
 * through Debian's Chromium. Playwright never downloads a browser here.
 */
const port = Number(process.env.PARLEY_E2E_PORT ?? 3210);
// Workers load this file too; the environment carries the runner's choice of folder to them.
process.env.PARLEY_E2E_DATA ??= fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
  webServer: {
    command: 'node server/dist/main.js',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: path.join(process.env.PARLEY_E2E_DATA, 'parley.db'),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
      // Every person in every test signs up, and every page opens sockets, from the one address 127.0.0.1.
      SIGNUPS_PER_MINUTE: '1000',
      SOCKET_HANDSHAKES_PER_MINUTE: '5000',
    },
  },
});
