// The caught-up registry a starting process polls is folded incrementally
// (CaughtUpFold keeps its fold between polls). Folding from scratch at every
// poll must give the same runs, event for event: same trace hashes.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runScenario, scenarioArbitrary } from '../../src/scenario/index.ts';
import type { PolicyPresetName } from '../../src/scenario/index.ts';
import { CaughtUpFold } from '../../src/sim/lifecycle/registry-view.ts';

const incremental = CaughtUpFold.prototype.through;

function hashes(config: PolicyPresetName, fromScratch: boolean): string[] {
  const spy = fromScratch
    ? vi.spyOn(CaughtUpFold.prototype, 'through').mockImplementation((sim, node, raft) => incremental.call(new CaughtUpFold(), sim, node, raft))
    : undefined;
  try {
    const scenarios = fc.sample(scenarioArbitrary({ config }), { seed: 16, numRuns: 25 });
    return scenarios.map((s) => runScenario(s).traceHash);
  } finally {
    spy?.mockRestore();
  }
}

describe('CaughtUpFold', () => {
  afterEach(() => vi.restoreAllMocks());
  for (const config of ['hardened', 'production'] as const) {
    it(`gives the runs a fold from scratch at every poll gives (${config})`, () => {
      expect(hashes(config, false)).toEqual(hashes(config, true));
    });
  }
});
