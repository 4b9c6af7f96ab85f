// The cluster property suites' machinery (properties/<suite>.<part>.properties.test.ts):
// the package's property helper (src/property: knobs, runs, decision-path
// tallies with vacuity floors, failure files and replay lines), and how this
// repository splits each suite into parts for `vitest --shard`.
import type { SuiteSpec } from '../src/property/index.ts';

export * from '../src/property/index.ts';

export const ROOT = new URL('../', import.meta.url);

/** Parts each cluster suite is split into: files small enough for `vitest --shard` to balance. */
export const SUITE_PARTS = 2;

/**
 * Part `part` (1-based) of a suite: its share of the runs, its own seed (the
 * seed is derived from the name) and its own test file. Floors are fractions
 * of the runs, so every part is held to the same ones.
 */
export function suitePart(spec: SuiteSpec, part: number, parts = SUITE_PARTS): SuiteSpec {
  const share = (k: number): number => Math.floor((k * spec.runs) / parts);
  return { ...spec, name: `${spec.name}.${part}`, file: spec.file.replace(/\.properties\.test\.ts$/, `.${part}.properties.test.ts`), runs: share(part) - share(part - 1) };
}
