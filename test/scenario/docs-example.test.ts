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
  expect(result.traceHash).toBe('225852cab2c5d29a5cbbd0df1b2d85d5b171d5af313587616acb46aaeaffa37b');
  expect(runScenario(scenario).verdict).toBe('ok');
});
