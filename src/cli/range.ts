// Which runs an `explore` does: all of them from 0 (the default), shard i of
// k of a run count (k machines cover disjoint runs of one exploration), or
// an explicit range [from, to). A wall-time budget may end any of them early.
import type { Shard } from '../records/format.ts';
import { UsageError } from './errors.ts';

export interface RangeOptions {
  runs?: number;
  time?: number;
  shard?: { index: number; count: number };
  from?: number;
  to?: number;
}

export interface RunRange {
  from: number;
  /** Exclusive; undefined: until the wall-time budget ends. */
  to?: number;
  shard?: Shard;
}

/** Shard `index` of `count` over runs 0..runs-1: contiguous, disjoint, sizes differing by at most one. */
export function shardRange(shard: Shard): { from: number; to: number } {
  const at = (i: number): number => Math.floor((i * shard.runs) / shard.count);
  return { from: at(shard.index - 1), to: at(shard.index) };
}

export function runRange(opts: RangeOptions, defaultRuns: number): RunRange {
  if (opts.shard !== undefined) {
    if (opts.from !== undefined || opts.to !== undefined) throw new UsageError('--shard excludes --from and --to: a shard is its own range');
    if (opts.runs === undefined && opts.time !== undefined) {
      throw new UsageError('--shard splits a run count: give --runs N (the whole exploration\'s), with --time to bound each shard\'s wall time too');
    }
    const shard = { ...opts.shard, runs: opts.runs ?? defaultRuns };
    if (shard.count > shard.runs) throw new UsageError(`--shard ${shard.index}/${shard.count}: more shards than runs (${shard.runs})`);
    return { ...shardRange(shard), shard };
  }
  if (opts.to !== undefined && opts.runs !== undefined) throw new UsageError('--to and --runs exclude each other: the range is --from to --to');
  const from = opts.from ?? 0;
  const to = opts.to ?? (opts.runs !== undefined ? from + opts.runs : opts.time !== undefined ? undefined : from + defaultRuns);
  if (to !== undefined && to <= from) throw new UsageError(`--to must be above --from (got runs ${from} to ${to})`);
  return { from, to };
}

/** "runs 0..249" (inclusive, as people count them). */
export const formatRange = (from: number, to: number | undefined): string => (to === undefined ? `runs ${from}..` : `runs ${from}..${to - 1}`);
