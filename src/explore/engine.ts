// VOPR-style exploration: runs 0, 1, 2... of a seed, spread over lanes in
// chunks, until the run budget, the wall-time budget or the first failure.
// The result does not depend on the number of workers: chunks go out in index
// order, and on a failure at run i every run before i is finished before
// deciding, so the failure with the smallest index wins and the runs counted
// are exactly 0..i. The digest covers the counted runs in index order.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ApplierFactory } from '../applier/index.ts';
import { closeLanes, createLanes } from './lanes.ts';
import type { Lane } from './lanes.ts';
import { tallyPaths } from './coverage.ts';
import type { PathTally } from './coverage.ts';
import { isFailure } from './run.ts';
import type { RunSpec, RunSummary } from './run.ts';
import { exploreDigest } from './seed.ts';

export interface ExploreOptions extends RunSpec {
  /** Run at most this many scenarios. */
  runs?: number;
  /** Stop dispatching runs after this much wall time (the run count is then not reproducible). */
  timeMs?: number;
  /** Lanes: this thread plus workers - 1 worker threads (default: one per core). */
  workers?: number;
  /** Do not stop at the first failure. */
  keepGoing?: boolean;
  /** The applier for runs in this thread (an external one started by the caller). */
  applier?: ApplierFactory;
  /** The external applier command: each worker starts its own child. */
  applierCommand?: string;
  /** Lanes to run on (kept open for the caller, e.g. across the variants of `mutants`); else made here. */
  lanes?: Lane[];
  onProgress?: (progress: { done: number; failures: number; elapsedMs: number }) => void;
}

export interface ExploreResult {
  /** The counted runs, in index order. */
  runs: RunSummary[];
  failures: RunSummary[];
  /** Differential explorations: failures the correct configuration shares (not counted). */
  masked: number;
  digest: string;
  simulatedMs: number;
  /** How often each decision path was reached (coverage.ts). */
  paths: PathTally[];
  stoppedBy: 'runs' | 'time' | 'failure';
  workers: number;
  elapsedMs: number;
}

export const defaultWorkers = (): number => availableParallelism();

export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const started = performance.now();
  const total = options.runs ?? Number.POSITIVE_INFINITY;
  if (total === Number.POSITIVE_INFINITY && options.timeMs === undefined) throw new RangeError('explore needs runs or timeMs');
  const deadline = options.timeMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeMs;
  const keepGoing = options.keepGoing === true;
  const { seed, variant, nodes, config, families, guardSwarm, differential } = options;
  const spec: RunSpec = { seed, variant, nodes, config, families, guardSwarm, differential };
  // Small enough to spread a short exploration over every lane, big enough to keep message overhead low.
  const requested = Math.max(1, options.lanes?.length ?? options.workers ?? defaultWorkers());
  const chunkSize = Math.max(1, Math.min(16, Math.ceil(total / (requested * 4))));
  const lanes = options.lanes ?? createLanes(Math.min(requested, Math.ceil(total / chunkSize)), options.applier, options.applierCommand);

  const results: RunSummary[] = [];
  let next = 0;
  let done = 0;
  let failures = 0;
  let firstFailure = Number.POSITIVE_INFINITY;
  const onRun = (s: RunSummary): void => {
    results[s.index] = s;
    done++;
    if (isFailure(s)) {
      failures++;
      if (!keepGoing) firstFailure = Math.min(firstFailure, s.index);
    }
    options.onProgress?.({ done, failures, elapsedMs: performance.now() - started });
  };
  // Each lane takes the next chunk whenever it is free; a worker lane starts once it has loaded.
  const more = (): boolean => next < total && next <= firstFailure && performance.now() < deadline;
  let inFlight = 0;
  const scheduled = new Promise<void>((resolve, reject) => {
    const pump = (lane: Lane): void => {
      if (!more()) {
        if (inFlight === 0) resolve();
        return;
      }
      const start = next;
      next = Math.min(total, start + chunkSize);
      inFlight++;
      lane.run({ spec, start, end: next, keepGoing }, onRun).then(() => {
        inFlight--;
        pump(lane);
      }, reject);
    };
    for (const lane of lanes) lane.ready.then(() => pump(lane), reject);
  });
  try {
    await scheduled;
  } finally {
    if (options.lanes === undefined) await closeLanes(lanes);
  }

  // The counted runs: the contiguous prefix, cut after the first failure.
  let counted = 0;
  while (counted < results.length && results[counted] !== undefined && counted <= firstFailure) counted++;
  const runs = results.slice(0, counted);
  return {
    runs,
    failures: runs.filter(isFailure),
    masked: runs.filter((s) => s.masked === true).length,
    digest: exploreDigest(runs.map((s) => s.traceHash)),
    simulatedMs: runs.reduce((t, s) => t + s.simulatedMs, 0),
    paths: tallyPaths(runs.map((s) => s.paths)),
    stoppedBy: firstFailure < counted ? 'failure' : counted >= total ? 'runs' : 'time',
    workers: lanes.length,
    elapsedMs: performance.now() - started,
  };
}
