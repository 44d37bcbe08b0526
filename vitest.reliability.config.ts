import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the reliability suite of issue #13 (crash, store faults, hostile input, load), apart
 * from `npm test` because it takes minutes and measures. One file at a time: the load figures must not share the
 * 2 cores with a crash loop.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/reliability/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
