// The README's worked example replays the saved lte-rollback counterexample
// (docs/example-lte-rollback.json) and shows its report screenshot: keep both true.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';

it('the README example still reproduces the report in docs/report-example.png', () => {
  const scenario = loadScenario(readFileSync(new URL('../../docs/example-lte-rollback.json', import.meta.url), 'utf8'));
  const result = runScenario(scenario, { variant: 'lte-rollback' });
  expect(result.verdict).toBe('safety-violation');
  expect(result.violations[0]?.invariant).toBe('replay-idempotence');
  // Full ids read in hex, as in the report's rows table.
  expect(result.violations[0]?.message).toContain('Register(dek 1, full 0x08b37b07b558d4c0, epoch 1)');
  expect(result.traceHash).toBe('e828e356de8dc786dc528dffb9f7bc02cc02895587b9cd0ec6549ae4fb5db1bc');
  expect(runScenario(scenario).verdict).toBe('ok');
});
