// Which runs an explore does: shards split a run count into disjoint,
// contiguous parts that cover it; bad shards and ranges are one-line usage
// errors (end to end in usage.test.ts).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.ts';
import { shardArg } from '../../src/cli/options.ts';
import { runRange, shardRange } from '../../src/cli/range.ts';

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error('expected a UsageError');
};

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
