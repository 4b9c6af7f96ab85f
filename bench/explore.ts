// The main job all-in: default `explore` (what `regsim explore --seed S
// --runs N` runs: generation, simulation, oracle, summary) with 1 worker and
// with 2, and where one lane's wall time goes, phase by phase.
import { Worker } from 'node:worker_threads';
import { exploreSpec } from '../src/cli/explore.ts';
import { explore } from '../src/explore/index.ts';
import type { ExploreResult, RunSpec } from '../src/explore/index.ts';
import { workerEntry } from '../src/explore/worker-entry.ts';
import type { Phase } from '../src/scenario/index.ts';

const PHASES: readonly Phase[] = ['generate', 'simulate', 'judge', 'summarise'];

export interface Throughput {
  workers: number;
  wallMs: number;
  simulatedSeconds: number;
  simulatedClusterSecondsPerWallSecond: number;
  scenariosPerWallSecond: number;
  digest: string;
}

function throughput(r: ExploreResult): Throughput {
  const wallS = r.elapsedMs / 1000;
  return {
    workers: r.workers,
    wallMs: Math.round(r.elapsedMs),
    simulatedSeconds: Math.round(r.simulatedMs / 1000),
    simulatedClusterSecondsPerWallSecond: Math.round(r.simulatedMs / 1000 / wallS),
    scenariosPerWallSecond: Math.round((r.runs / wallS) * 10) / 10,
    digest: r.digest,
  };
}

const share = (ms: number, of: number): number => Math.round((ms / of) * 1000) / 1000;

/** Shares of the 1-worker run's wall time; 'other' is what no phase covers (scheduling, yielding between runs). */
function shares(phaseMs: Record<Phase, number>, wallMs: number): Record<Phase | 'other', number> {
  const timed = PHASES.reduce((sum, p) => sum + phaseMs[p], 0);
  const out = Object.fromEntries(PHASES.map((p) => [p, share(phaseMs[p], wallMs)])) as Record<Phase, number>;
  return { ...out, other: share(Math.max(0, wallMs - timed), wallMs) };
}

/** Wall ms of runs 0..runs-1 of `spec` in a bare worker thread (ceiling-worker.mjs), loading `runModule` from the compiled build the exploration's workers load. */
function bareThread(runModule: string, spec: RunSpec, runs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ceiling-worker.mjs', import.meta.url), { workerData: { runModule, spec, runs, warm: Math.max(1, Math.round(runs / 10)) } });
    worker.once('message', (ms: number) => {
      resolve(ms);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * What this machine gives two threads doing the same runs, with nothing of
 * explore's machinery: throughput of two bare threads running runs
 * 0..runs-1 each at once, over one thread alone. Shared caches and cores
 * that are siblings put it below 2; explore's scaling cannot beat it.
 */
async function parallelCeiling(spec: RunSpec, runs: number) {
  // workerEntry() checks the build against every source file: once.
  const runModule = new URL('./run.js', workerEntry()).href;
  const oneMs = await bareThread(runModule, spec, runs);
  const twoMs = await Promise.all([bareThread(runModule, spec, runs), bareThread(runModule, spec, runs)]);
  return { runs, oneThreadMs: Math.round(oneMs), twoThreadsMs: twoMs.map(Math.round), scaling: Math.round(((2 * oneMs) / Math.max(...twoMs)) * 100) / 100 };
}

export async function exploreFigure(seed: number, runs: number) {
  const spec = exploreSpec(seed, 'correct');
  // Every run counted, failing or not, so the work is the same whatever the runs find.
  const job = { ...spec, runs, keepGoing: true };
  // Warm the JIT up on this thread (on other runs), so 1 and 2 workers start alike; a worker thread always starts cold.
  await explore({ ...job, from: runs, runs: Math.max(1, Math.round(runs / 10)), workers: 1 });
  const phaseMs = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const one = await explore({ ...job, workers: 1, onPhase: (p, ms) => (phaseMs[p] += ms) });
  const two = await explore({ ...job, workers: 2 });
  const t1 = throughput(one);
  const t2 = throughput(two);
  return {
    seed,
    runs,
    variant: spec.variant,
    config: spec.config,
    oneWorker: t1,
    twoWorkers: t2,
    /** Simulated cluster-seconds per wall second, 2 workers over 1. */
    workerScaling: Math.round((two.simulatedMs / two.elapsedMs / (one.simulatedMs / one.elapsedMs)) * 100) / 100,
    sameDigest: t1.digest === t2.digest,
    phaseMs: Object.fromEntries(PHASES.map((p) => [p, Math.round(phaseMs[p])])) as Record<Phase, number>,
    phaseShares: shares(phaseMs, one.elapsedMs),
    machineCeiling: await parallelCeiling(spec, runs),
  };
}

export type ExploreFigure = Awaited<ReturnType<typeof exploreFigure>>;
