// The option and file checks behind the one-line errors (in process: the
// end-to-end plumbing is covered by usage.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usageMessageOf } from './usage-error.ts';
import { configArg, duration, nodesArg, positiveInt, seedArg, shardArg } from '../../src/cli/options.ts';
import { runRange, shardRange } from '../../src/cli/range.ts';
import { readScenarioFile, variantArg } from '../../src/cli/scenario-options.ts';
import { POLICY_PRESET_NAMES } from '../../src/scenario/index.ts';
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
    expect(usage(() => configArg('strict'))).toBe(`unknown --config "strict" (known: ${POLICY_PRESET_NAMES.join(', ')})`);
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
    expect(usage(() => readScenarioFile(dir))).toMatch(/^cannot read scenario file .*: is a directory$/);
    expect(usage(() => readScenarioFile(file('a.json', '{')))).toMatch(/a\.json: scenario: \/ is not valid JSON/);
    const doc = { version: 1, seed: 's', durationMs: 100, faultsEndMs: 50, cluster: { nodes: ['n1', 'n2', 'n3'] }, faults: {}, workload: { kvWritesPerSec: 1 } };
    expect(usage(() => readScenarioFile(file('b.json', JSON.stringify(doc))))).toBe(`${join(dir, 'b.json')}: scenario: /events is required`);
    const crash = { ...doc, events: [{ at: 10, kind: 'crash', node: 'n1' }] };
    expect(usage(() => readScenarioFile(file('c.json', JSON.stringify(crash))))).toMatch(/c\.json: scenario: \/events\/0\/kind "crash" needs fault family faults\.crashes/);
    expect(usage(() => readScenarioFile(file('d.json', '[]')))).toMatch(/d\.json: scenario: \/ must be object$/);
  });
});

// Which runs an explore does: shards split a run count into disjoint,
// contiguous parts that cover it; bad shards and ranges are usage errors.
describe('shards', () => {
  it('cover the runs exactly once, in order, sizes within one of each other', () => {
    for (const [runs, count] of [[1000, 4], [10, 3], [7, 7], [1_000_003, 16]] as const) {
      const parts = Array.from({ length: count }, (_, i) => shardRange({ index: i + 1, count, runs }));
      expect(parts[0]?.from).toBe(0);
      expect(parts.at(-1)?.to).toBe(runs);
      parts.slice(1).forEach((p, i) => expect(p.from).toBe(parts[i]?.to));
      const sizes = parts.map((p) => p.to - p.from);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('parse i/k, 1-based', () => {
    expect(shardArg('1/4')).toEqual({ index: 1, count: 4 });
    expect(shardArg('4/4')).toEqual({ index: 4, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '1', 'a/b', '-1/4', '1/4/2', '']) {
      expect(usage(() => shardArg(bad))).toBe(`--shard must be i/k with 1 <= i <= k, e.g. 1/4 (got "${bad}")`);
    }
  });
});

describe('run ranges', () => {
  it('default to runs 0.., a shard of --runs, or --from/--to', () => {
    expect(runRange({}, 1000)).toEqual({ from: 0, to: 1000 });
    expect(runRange({ runs: 50 }, 1000)).toEqual({ from: 0, to: 50 });
    expect(runRange({ time: 1000 }, 1000)).toEqual({ from: 0, to: undefined });
    expect(runRange({ from: 100, runs: 50, time: 1000 }, 1000)).toEqual({ from: 100, to: 150 });
    expect(runRange({ from: 100, to: 200 }, 1000)).toEqual({ from: 100, to: 200 });
    expect(runRange({ shard: { index: 2, count: 4 }, runs: 100 }, 1000)).toEqual({ from: 25, to: 50, shard: { index: 2, count: 4, runs: 100 } });
    expect(runRange({ shard: { index: 4, count: 4 } }, 1000)).toMatchObject({ from: 750, to: 1000 });
  });

  it('reject what does not name one range', () => {
    expect(usage(() => runRange({ shard: { index: 1, count: 4 }, from: 10 }, 1000))).toMatch(/^--shard excludes --from and --to/);
    expect(usage(() => runRange({ shard: { index: 1, count: 4 }, time: 1000 }, 1000))).toMatch(/^--shard splits a run count: give --runs N/);
    expect(usage(() => runRange({ shard: { index: 1, count: 8 }, runs: 4 }, 1000))).toBe('--shard 1/8: more shards than runs (4)');
    expect(usage(() => runRange({ from: 10, to: 5 }, 1000))).toBe('--to must be above --from (got runs 10 to 5)');
    expect(usage(() => runRange({ to: 5, runs: 5 }, 1000))).toMatch(/^--to and --runs exclude each other/);
  });
});
