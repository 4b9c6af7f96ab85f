// A user's own vitest suite over regsim's public API (the package test installs
// the packed tarball beside it and runs it with vitest, and tsc over it).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { INVARIANTS, POLICY_PRESET_NAMES, VARIANTS, checkSuite, checkTrace, createEntryApplier, loadScenario, runScenario } from 'regsim';
import type { ApplierFactory, RunResult, SuiteSpec } from 'regsim';

const suite: SuiteSpec = {
  name: 'consumer-replay',
  file: 'suite.spec.ts',
  family: ['replay-idempotence'],
  runs: 50,
  arbitrary: { families: { crashes: true, snapshots: true }, config: 'hardened' },
  floors: { replay: 0.05 },
};
const quiet = (): void => {};
// A property runs many simulations: more than vitest's default 5 s on a busy machine.
const TIMEOUT = 120_000;

it('the correct applier keeps every invariant, and the floors are reached', () => {
  expect(checkSuite(suite, { log: quiet }).tally.runs).toBe(50);
}, TIMEOUT);

it('a bug variant fails with its replay command last', () => {
  expect(() => checkSuite({ ...suite, runs: 20 }, { variant: 'lte-rollback', log: quiet })).toThrow(/\nnpx regsim replay regsim-failures\/\S+\.json.*$/);
}, TIMEOUT);

it('runs a scenario on an applier of its own and judges the trace again', () => {
  const mine: ApplierFactory = (store) => createEntryApplier(store);
  const result: RunResult = runScenario(loadScenario(readFileSync('scenario.json', 'utf8')), { applier: mine });
  expect(result.verdict).toBe('ok');
  expect(checkTrace(result.trace)).toEqual([]);
  expect(VARIANTS.map((v) => v.name)).toContain('lte-rollback');
  expect(POLICY_PRESET_NAMES).toContain('hardened');
  expect(INVARIANTS.length).toBeGreaterThan(0);
});
