// VOPR-style exploration: runs from, from+1, ... of a seed, spread over lanes
// in chunks, until the run budget, the wall-time budget or the first failure.
// The result does not depend on the number of workers: chunks go out in index
// order, results are counted strictly in index order (a reorder buffer holds
// the ones that come back early), and counting stops after the first failing
// run, so the runs counted are exactly from..i. Nothing is kept per counted
// run (totals.ts); each is handed to `onRun` as it is counted (records
// files), so memory stays flat however long the exploration. Dispatch stays
// within a window of the counting point, which bounds the reorder buffer.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ApplierFactory } from '../applier/index.ts';
import type { ExternalApplierOptions } from '../external/index.ts';
import { timed } from '../scenario/index.ts';
import type { PhaseTimer } from '../scenario/index.ts';
import { closeLanes, createLanes } from './lanes.ts';
import type { Lane } from './lanes.ts';
import type { PathTally } from './coverage.ts';
import { isFailure } from './run.ts';
import type { RunSpec, RunSummary } from './run.ts';
import { RunTotals } from './totals.ts';
import type { FailureSummary } from './totals.ts';

export interface ExploreOptions extends RunSpec {
  /** The first run index (default 0): shards and explicit ranges start elsewhere. */
  from?: number;
  /** Run at most this many scenarios, from `from`. */
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
  /** How each worker starts its child (restarts). */
  applierOptions?: ExternalApplierOptions;
  /** Lanes to run on (kept open for the caller, e.g. across the variants of `mutants`); else made here. */
  lanes?: Lane[];
  onProgress?: (progress: { done: number; failures: number; elapsedMs: number }) => void;
  /** Every counted run, in index order, as it is counted. */
  onRun?: (summary: RunSummary) => void;
  /** The wall time of each phase of the runs on this thread's lane, and of counting every run as 'summarise' (the bench's breakdown). */
  onPhase?: PhaseTimer;
}

export interface ExploreResult {
  /** The counted runs are from .. from + runs - 1. */
  from: number;
  runs: number;
  failures: FailureSummary[];
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

/** Chunks a lane may run ahead of the counting point (bounds the reorder buffer). */
const WINDOW_CHUNKS_PER_LANE = 8;

export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const started = performance.now();
  const from = options.from ?? 0;
  const total = options.runs ?? Number.POSITIVE_INFINITY;
  if (total === Number.POSITIVE_INFINITY && options.timeMs === undefined) throw new RangeError('explore needs runs or timeMs');
  const end = from + total;
  const deadline = options.timeMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeMs;
  const keepGoing = options.keepGoing === true;
  const { seed, variant, nodes, config, policy, families, guardSwarm, differential } = options;
  const spec: RunSpec = { seed, variant, nodes, config, ...(policy === undefined ? {} : { policy }), families, guardSwarm, differential };
  // Small enough to spread a short exploration over every lane, big enough to keep message overhead low.
  const requested = Math.max(1, options.lanes?.length ?? options.workers ?? defaultWorkers());
  const chunkSize = Math.max(1, Math.min(16, Math.ceil(total / (requested * 4))));
  const lanes =
    options.lanes ?? createLanes(Math.min(requested, Math.ceil(total / chunkSize)), options.applier, options.applierCommand, options.applierOptions, options.onPhase);
  const window = lanes.length * chunkSize * WINDOW_CHUNKS_PER_LANE;

  const totals = new RunTotals();
  const early = new Map<number, RunSummary>();
  let counting = from;
  let stopped = false;
  let next = from;
  let done = 0;
  let failures = 0;
  let firstFailure = Number.POSITIVE_INFINITY;
  const count = (s: RunSummary): void => {
    timed(options.onPhase, 'summarise', () => {
      totals.add(s);
      options.onRun?.(s);
    });
    counting = s.index + 1;
    if (isFailure(s) && !keepGoing) stopped = true;
  };
  const onRun = (s: RunSummary): void => {
    done++;
    if (isFailure(s)) {
      failures++;
      if (!keepGoing) firstFailure = Math.min(firstFailure, s.index);
    }
    options.onProgress?.({ done, failures, elapsedMs: performance.now() - started });
    if (stopped) return;
    early.set(s.index, s);
    for (let r = early.get(counting); r !== undefined && !stopped; r = early.get(counting)) {
      early.delete(counting);
      count(r);
    }
    if (stopped) early.clear();
  };
  // Each free lane takes the next chunk, while the chunk lies within the window; a worker lane starts once it has loaded.
  const more = (): boolean => next < end && next <= firstFailure && !stopped && performance.now() < deadline;
  const idle = new Set<Lane>();
  let inFlight = 0;
  const scheduled = new Promise<void>((resolve, reject) => {
    const pump = (lane: Lane): void => {
      if (!more() || next - counting >= window) {
        idle.add(lane);
        if (inFlight === 0) resolve();
        return;
      }
      idle.delete(lane);
      const start = next;
      next = Math.min(end, start + chunkSize);
      inFlight++;
      lane.run({ spec, start, end: next, keepGoing }, onRun).then(() => {
        inFlight--;
        pump(lane);
        // Counting may have moved the window on: lanes that waited for it go again.
        for (const waiting of [...idle]) if (waiting !== lane) pump(waiting);
      }, reject);
    };
    for (const lane of lanes) lane.ready.then(() => pump(lane), reject);
  });
  try {
    await scheduled;
  } finally {
    if (options.lanes === undefined) await closeLanes(lanes);
  }

  return {
    from,
    ...totals.summary(),
    stoppedBy: stopped ? 'failure' : counting >= end ? 'runs' : 'time',
    workers: lanes.length,
    elapsedMs: performance.now() - started,
  };
}
