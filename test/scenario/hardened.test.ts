// The `hardened` configuration exists so that the correct applier shows no
// violation (the known design findings are fixed there) while every bug is
// still caught. A small sample here; `npm run clean-run` runs 100,000.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario, scenarioArbitrary } from '../../src/scenario/index.ts';
import type { PolicyOverrides } from '../../src/scenario/index.ts';
import type { FaultFamily } from '../../src/scenario/index.ts';

describe('the hardened configuration', () => {
  it('the correct applier shows no violation', () => {
    for (const s of fc.sample(scenarioArbitrary({ config: 'hardened' }), { seed: 2024, numRuns: 60 })) {
      expect(runScenario(s).violations, JSON.stringify(s)).toEqual([]);
    }
  });

  // The engine's skip of already-applied registrations must not mask the
  // engine and applier bugs that replay used to expose.
  const CASES: { variant: string; families: Partial<Record<FaultFamily, boolean>>; policy?: PolicyOverrides }[] = [
    { variant: 'lte-rollback', families: { crashes: true, snapshots: true, timeouts: true } },
    { variant: 'accept-rollback', families: { restores: true, crashes: true }, policy: { guards: { rollback: false } } },
    { variant: 'unsynced-registry-writes', families: { crashes: true } },
    { variant: 'snapshot-omits-registry', families: { snapshots: true, crashes: true } },
    { variant: 'skip-entry-on-halt', families: { restores: true, crashes: true, membership: true }, policy: { guards: { rollback: false, collision: false } } },
  ];

  // Caught: the variant violates an invariant the correct applier keeps on the same scenario.
  it.each(CASES)('still catches $variant', ({ variant, families, policy }) => {
    const samples = fc.sample(scenarioArbitrary({ config: 'hardened', families, policy }), { seed: 5, numRuns: 40 });
    const caught = samples.filter((s) => {
      const mine = runScenario(s, { variant }).violations.filter((v) => v.kind === 'safety');
      const correct = new Set(runScenario(s).violations.map((v) => v.invariant));
      return mine.some((v) => !correct.has(v.invariant));
    }).length;
    expect(caught).toBeGreaterThan(0);
  });
});
