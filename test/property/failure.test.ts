// A failing property suite run against an external applier: the re-run line,
// the counterexample file and the replay command all name its command
// (properties/support.test.ts covers the built-in applier's failure).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { failureMessage, rerunLine, saveFailure } from '../../src/property/index.ts';
import type { SuiteOutcome, SuiteSpec } from '../../src/property/index.ts';
import { loadScenario } from '../../src/scenario/index.ts';
import { tempDir } from '../cli/regsim.ts';

const suite: SuiteSpec = {
  name: 'failure-file',
  file: 'test/property/failure.test.ts',
  family: ['replay-idempotence'],
  runs: 20,
  arbitrary: { families: { crashes: true, snapshots: true }, config: 'hardened' },
  floors: {},
};

it('with an external applier, the re-run line, the file and the replay command name it', () => {
  const outcome: SuiteOutcome = {
    suite: suite.name,
    variant: 'correct',
    seed: 5,
    tally: { runs: 1 } as SuiteOutcome['tally'],
    failure: { runs: 1, shrinks: 0, path: '0:1', scenario: loadScenario(readFileSync('fixtures/findings/unregistered-epoch-reuse/scenario.json', 'utf8')), violations: [] },
  };
  const command = 'go run ./cmd/applier';
  expect(rerunLine(suite, outcome, command)).toBe(`REGSIM_APPLIER='go run ./cmd/applier' FC_SEED=5 FC_PATH=0:1 npx vitest run ${suite.file}`);
  const file = saveFailure(suite, outcome, command, tempDir());
  expect(loadScenario(readFileSync(file, 'utf8')).meta).toMatchObject({ variant: 'correct', applier: command });
  expect(failureMessage(suite, outcome, file, command).split('\n').at(-1)).toBe(`npx regsim replay ${file} --applier 'go run ./cmd/applier'`);
});
