// The option and file checks behind the one-line errors (in process: the
// end-to-end plumbing is covered by usage.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usageMessageOf } from './usage-error.ts';
import { configArg, duration, nodesArg, positiveInt, seedArg } from '../../src/cli/options.ts';
import { readScenarioFile, variantArg } from '../../src/cli/scenario-options.ts';
import { tempDir } from './regsim.ts';

const usage = usageMessageOf;

describe('numbers', () => {
  it('positive integers', () => {
    expect(positiveInt('--runs')('200')).toBe(200);
    for (const bad of ['abc', '0', '-3', '1.5', '1e3', '', ' 7', '99999999999999999999']) {
      expect(usage(() => positiveInt('--runs')(bad))).toBe(`--runs must be a positive integer (got "${bad}")`);
    }
  });

  it('durations', () => {
    expect([duration('--time')('500ms'), duration('--time')('20s'), duration('--time')('1.5m'), duration('--time')('2h')]).toEqual([500, 20_000, 90_000, 7_200_000]);
    for (const bad of ['5x', '60', '0s', 's', '-1s', '1 s']) {
      expect(usage(() => duration('--time')(bad))).toBe(`--time must be a duration like 500ms, 20s or 2m (got "${bad}")`);
    }
  });

  it('seeds, node counts, configs', () => {
    expect(seedArg('0')).toBe(0);
    expect(seedArg('4294967295')).toBe(4294967295);
    expect(usage(() => seedArg('4294967296'))).toMatch(/^--seed must be an integer from 0 to 4294967295/);
    expect(nodesArg('3')).toBe(3);
    expect(usage(() => nodesArg('2'))).toBe('--nodes must be an integer from 3 to 7 (got "2")');
    expect(usage(() => nodesArg('8'))).toBe('--nodes must be an integer from 3 to 7 (got "8")');
    expect(configArg('spec')).toBe('spec');
    expect(usage(() => configArg('strict'))).toBe('unknown --config "strict" (known: spec, hardened)');
  });
});

describe('variants', () => {
  it('an unknown name lists the known ones', () => {
    expect(usage(() => variantArg('nope'))).toMatch(/^unknown variant "nope" \(known: correct, lte-rollback, .*guard-reads-local-registry\)$/);
  });

  it('an applier variant cannot run with an external applier; engine and lifecycle variants can', () => {
    expect(usage(() => variantArg('lte-rollback', 'cmd'))).toMatch(/^--variant lte-rollback is an applier variant/);
    expect(variantArg('raft-forget-vote', 'cmd').name).toBe('raft-forget-vote');
  });
});

describe('scenario files', () => {
  const dir = tempDir();
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('missing, not JSON, or not a scenario: one line naming the file and the problem', () => {
    expect(usage(() => readScenarioFile(join(dir, 'nope.json')))).toBe(`cannot read scenario file ${join(dir, 'nope.json')}: no such file`);
    expect(usage(() => readScenarioFile(dir))).toMatch(/^cannot read scenario file .*EISDIR/);
    expect(usage(() => readScenarioFile(file('a.json', '{')))).toMatch(/a\.json: scenario: \/ is not valid JSON/);
    const doc = { version: 1, seed: 's', durationMs: 100, faultsEndMs: 50, cluster: { nodes: ['n1', 'n2', 'n3'] }, faults: {}, workload: { kvWritesPerSec: 1 } };
    expect(usage(() => readScenarioFile(file('b.json', JSON.stringify(doc))))).toBe(`${join(dir, 'b.json')}: scenario: /events is required`);
    const crash = { ...doc, events: [{ at: 10, kind: 'crash', node: 'n1' }] };
    expect(usage(() => readScenarioFile(file('c.json', JSON.stringify(crash))))).toMatch(/c\.json: scenario: \/events\/0\/kind "crash" needs fault family faults\.crashes/);
    expect(usage(() => readScenarioFile(file('d.json', '[]')))).toMatch(/d\.json: scenario: \/ must be object$/);
  });
});
