// Speculation (ExternalApplierOptions.speculate): an apply whose answer has
// not come yet is answered as the reference applier would answer the same
// request, and the child's own answer is checked when it comes. The run that
// counts is always the child's: equal traces where the child agrees, and a
// voided run simulated again from its child alone where it does not.
import { describe, expect, it } from 'vitest';
import { SpeculationMissed, createEntryApplier } from '../../src/applier/index.ts';
import type { ApplierFactory } from '../../src/applier/index.ts';
import { exploreSpec } from '../../src/cli/explore.ts';
import { scenarioOf } from '../../src/explore/run.ts';
import { referenceApplierCommand } from '../../src/external/index.ts';
import { runScenario } from '../../src/scenario/index.ts';
import { traceHash } from '../../src/sim/index.ts';
import { childStarter, clusterRun } from './helpers.ts';

const start = childStarter();
const simRun = (applier: ApplierFactory, storeFaults?: { errorRate: number; corruptRate: number }) => clusterRun('speculate', applier, storeFaults);

describe('speculating', () => {
  it('a child that agrees: the built-in trace, most applies predicted, none missed', () => {
    const ext = start(referenceApplierCommand(), { speculate: true });
    expect(traceHash(simRun(ext.factory).trace)).toBe(traceHash(simRun(createEntryApplier).trace));
    const stats = ext.stats();
    expect(stats.speculated).toBeGreaterThan(stats.applies * 0.5);
    expect(stats.missed).toBe(0);
  });

  it('store faults on predicted operations are corrected through the child, with the built-in trace', () => {
    const ext = start(referenceApplierCommand(), { speculate: true });
    const faults = { errorRate: 0.01, corruptRate: 0.01 };
    expect(traceHash(simRun(ext.factory, faults).trace)).toBe(traceHash(simRun(createEntryApplier, faults).trace));
    expect(ext.stats().correctedAhead).toBeGreaterThan(0);
    expect(ext.stats().missed).toBe(0);
  });

  it('a child restarted at process starts and at random applies: predictions are checked against the child asked, same trace', () => {
    const ext = start(referenceApplierCommand(), { speculate: true, restarts: { onProcessStart: true, rate: 0.002, seed: 'speculate' } });
    expect(traceHash(simRun(ext.factory).trace)).toBe(traceHash(simRun(createEntryApplier).trace));
    expect(ext.stats().restarts).toBeGreaterThan(3);
  });

  it('a child that answers otherwise voids the run; the next run is a fresh child’s own, as without speculating', () => {
    const exact = start(referenceApplierCommand('correct', { cacheRows: true }));
    const own = traceHash(simRun(exact.factory).trace);
    const ext = start(referenceApplierCommand('correct', { cacheRows: true }), { speculate: true });
    expect(() => simRun(ext.factory)).toThrow(SpeculationMissed);
    expect(ext.stats().missed).toBe(1);
    expect(traceHash(simRun(ext.factory).trace)).toBe(own);
    expect(own).not.toBe(traceHash(simRun(createEntryApplier).trace));
  });

  it('explore runs: the lifecycle’s caught-up fold and ordinary entries are predicted too, so nothing waits for the child', () => {
    const spec = exploreSpec(5, 'correct');
    const ext = start(referenceApplierCommand(), { speculate: true });
    for (let i = 0; i < 12; i++) {
      const scenario = scenarioOf(spec, i);
      expect(runScenario(scenario, { applier: ext.factory }).traceHash).toBe(runScenario(scenario).traceHash);
    }
    const stats = ext.stats();
    // Every message from the child answers an ahead message of predictions (16 requests): no apply went alone, no batch.
    expect(stats.batched).toBe(0);
    expect(stats.speculated).toBe(stats.applies);
    expect(stats.roundTrips).toBeLessThan(stats.applies / 8);
  });

  it('runScenario simulates a voided run again: its result is the child’s own', () => {
    const spec = exploreSpec(1, 'correct');
    // lte-rollback answers some replays otherwise than the reference does, and keeps no state.
    const exact = start(referenceApplierCommand('lte-rollback'));
    const ext = start(referenceApplierCommand('lte-rollback'), { speculate: true });
    for (let i = 0; i < 12; i++) {
      const scenario = scenarioOf(spec, i);
      const mine = runScenario(scenario, { applier: ext.factory });
      const theirs = runScenario(scenario, { applier: exact.factory });
      expect([mine.traceHash, mine.verdict]).toEqual([theirs.traceHash, theirs.verdict]);
    }
    expect(ext.stats().missed).toBeGreaterThan(0);
  });

  it('under the production configuration, bootstrap and rotation entries predicted through main’s reference give the built-in trace', () => {
    const spec = exploreSpec(1, 'correct', { config: 'production' });
    const ext = start(referenceApplierCommand('correct', { main: true }), { speculate: true });
    for (let i = 0; i < 8; i++) {
      const scenario = scenarioOf(spec, i);
      expect(runScenario(scenario, { applier: ext.factory }).traceHash).toBe(runScenario(scenario).traceHash);
    }
    expect(ext.stats().speculated).toBeGreaterThan(0);
    expect(ext.stats().missed).toBe(0);
  });
});
