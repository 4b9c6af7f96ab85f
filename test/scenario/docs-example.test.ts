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
  expect(result.traceHash).toBe('64db85f3576bf3aa67f67a9c034abbbc3f227b9b74efa4d7b5d387011c671c7f');
  expect(runScenario(scenario).verdict).toBe('ok');
});
