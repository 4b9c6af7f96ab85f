import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    setupFiles: ['test/fast-check-seed.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    coverage: {
      provider: 'v8',
      include: ['src/applier/**', 'src/model/**'],
      reporter: ['text-summary'],
      thresholds: { lines: 95 },
    },
  },
});
