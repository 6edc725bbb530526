import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run the protocol package from source, so they never depend on a stale build. Tests run in
  // Vite's server-side environment, whose resolver takes its conditions from `ssr.resolve`.
  ssr: { resolve: { conditions: ['parley-source'], externalConditions: ['parley-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // In CI, list every test, so a skipped one shows its reason (e.g. "Redis unavailable at …").
    reporters: process.env.CI ? ['verbose'] : ['default'],
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
