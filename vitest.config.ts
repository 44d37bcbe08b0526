import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // better-sqlite3 is a native addon: forks are the robust pool for it.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
