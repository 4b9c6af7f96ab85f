import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    setupFiles: ['test/fast-check-seed.ts'],
    // Test files share their worker's module cache and its JIT: isolated, every
    // file recompiled the simulator and the oracle cold, and the property suites
    // took twice the time (82 s against 43 s for the 14 files). Nothing here
    // keeps state across files but caches the simulation must not depend on
    // anyway (a mock is restored after its test).
    isolate: false,
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
