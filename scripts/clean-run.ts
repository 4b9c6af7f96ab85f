// The long check: the correct applier under the default configuration
// (scenarioArbitrary() with no options) over many scenarios, with the whole
// oracle. Zero violations are expected; on any, the first failing scenario is
// shrunk, saved under regsim-failures/ and printed with its replay command,
// and the exit code is 1. Scenarios are split over worker threads (index i goes
// to worker i mod W); every worker samples the same deterministic sequence.
//
//   npx tsx scripts/clean-run.ts [--count 10000] [--seed 20250901] [--workers N]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { runScenario, scenarioArbitrary, serializeScenario } from '../src/scenario/index.ts';
import { replayCommand } from '../src/cli/counterexample.ts';
import { addToTally, emptyTally, formatTally, saveFailure, DEFAULT_BASE_SEED } from '../properties/support.ts';
import type { Tally } from '../properties/support.ts';

interface Job {
  seed: number;
  count: number;
  worker: number;
  workers: number;
}

interface WorkerResult {
  runs: number;
  tally: Tally;
  verdicts: Record<string, number>;
  /** Scenarios (by index) that had violations, and how many per invariant. */
  failing: number[];
  byInvariant: Record<string, number>;
}

function work({ seed, count, worker, workers }: Job): WorkerResult {
  const scenarios = fc.sample(scenarioArbitrary(), { seed, numRuns: count });
  const out: WorkerResult = { runs: 0, tally: emptyTally(), verdicts: {}, failing: [], byInvariant: {} };
  for (let i = worker; i < scenarios.length; i += workers) {
    const result = runScenario(scenarios[i] as (typeof scenarios)[number]);
    out.runs++;
    addToTally(out.tally, result.stats);
    out.verdicts[result.verdict] = (out.verdicts[result.verdict] ?? 0) + 1;
    if (result.violations.length === 0) continue;
    out.failing.push(i);
    for (const inv of new Set(result.violations.map((v) => v.invariant))) out.byInvariant[inv] = (out.byInvariant[inv] ?? 0) + 1;
  }
  return out;
}

function merge(results: WorkerResult[]): WorkerResult {
  const all: WorkerResult = { runs: 0, tally: emptyTally(), verdicts: {}, failing: [], byInvariant: {} };
  const add = (into: Record<string, number>, from: Record<string, number>): void => {
    for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  };
  for (const r of results) {
    all.runs += r.runs;
    all.tally.runs += r.tally.runs;
    add(all.tally.runsWith, r.tally.runsWith);
    add(all.tally.events, r.tally.events);
    add(all.verdicts, r.verdicts);
    add(all.byInvariant, r.byInvariant);
    all.failing.push(...r.failing);
  }
  all.failing.sort((a, b) => a - b);
  return all;
}

// A worker registers tsx, then loads this file as TypeScript (as the main thread does).
const WORKER_BOOT = `(async () => {
  const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
  register();
  await import(${JSON.stringify(import.meta.url)});
})();`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '10000' }, seed: { type: 'string', default: String(DEFAULT_BASE_SEED) }, workers: { type: 'string' } },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const workers = Number(values.workers ?? Math.max(1, availableParallelism()));
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed) || !Number.isInteger(workers) || workers < 1) {
    console.error('usage: clean-run [--count N] [--seed S] [--workers W]');
    return 2;
  }
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: workers }, (_, worker) =>
      new Promise<WorkerResult>((resolve, reject) => {
        const w = new Worker(WORKER_BOOT, { eval: true, workerData: { seed, count, worker, workers } satisfies Job });
        w.once('message', resolve);
        w.once('error', reject);
      }),
    ),
  );
  const all = merge(results);
  const seconds = (performance.now() - started) / 1000;
  console.log(formatTally(`[regsim clean-run] ${all.runs} scenarios, seed ${seed}, ${workers} workers, ${seconds.toFixed(1)} s`, all.tally));
  console.log(`verdicts: ${Object.entries(all.verdicts).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (all.failing.length === 0) {
    console.log('zero violations');
    return 0;
  }
  console.log(`${all.failing.length} scenarios with violations: ${Object.entries(all.byInvariant).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  // Shrink the first: replay its run (path = its index) in fast-check.
  const first = all.failing[0] as number;
  const details = fc.check(fc.property(scenarioArbitrary(), (s) => runScenario(s).violations.length === 0), { seed, path: String(first) });
  const scenario = details.counterexample?.[0];
  if (scenario === undefined) throw new Error(`scenario #${first} did not fail again on replay`);
  const file = saveFailure(`clean-run-${seed}-${first}`, scenario);
  console.log(`scenario #${first}, shrunk ${details.numShrinks} times, saved to ${file}:`);
  console.log(serializeScenario(scenario));
  console.log(`violations: ${[...new Set(runScenario(scenario).violations.map((v) => v.invariant))].join(', ')}`);
  console.log(replayCommand(file, 'correct'));
  return 1;
}

if (isMainThread) {
  process.exitCode = await main();
} else {
  parentPort?.postMessage(work(workerData as Job));
}
