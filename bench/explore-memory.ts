// `npm run bench:memory [-- --time 600s|0 --workers 2 --every 10 --engine-runs 1000000 --keep --json]`
//
// Memory of a long exploration with a records file, in two parts.
//
// The engine alone: a million runs (--engine-runs) through the exploration
// engine and the records writer (to the null device), from lanes that make
// up run results instantly instead of simulating, so that the engine's own
// memory over a run count no real run reaches in minutes shows. The live
// heap (after a forced garbage collection) is sampled every 10% of the runs.
//
// A real exploration (--time 0: none), as `regsim explore --time T --records FILE` runs it:
// the engine with its worker threads, every counted run streamed to the
// file. Every few seconds it forces a garbage collection and samples the main
// thread's live heap and the process's resident set (every thread). The
// simulator keeps bounded performance caches (src/sim/hex.ts, store.ts: 2^16
// entries each, cleared when full) that fill over the first tens of thousands
// of runs: memory rises to their bound, then saws, and does not grow with
// the runs beyond it; so this part reports, per quarter of the run, the
// highest live heap and RSS (the default 10 minutes cover a full cycle). A
// 1-hour run (--time 3600s) is the same loop, longer.
//
// Both report the live heap and RSS at the start and the end; the engine
// alone also its growth per run (a least-squares slope over the second half). `--keep` also
// keeps every run's summary, as `explore` on main did, to show what the
// measurement catches (about 330 bytes a run).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { devNull } from 'node:os';
import { explore } from '../src/explore/index.ts';
import type { Lane, RunSummary } from '../src/explore/index.ts';
import { runSeed, runSeedHex } from '../src/explore/seed.ts';
import { PATHS } from '../src/model/paths.ts';
import { toRunRecord } from '../src/records/format.ts';
import { RecordsWriter } from '../src/records/writer.ts';
import { duration, positiveInt, workersArg } from '../src/cli/options.ts';
import { Command } from 'commander';
import { parseScriptArgs } from './cli.ts';

interface Options {
  engineRuns: number;
  timeMs: number;
  workers: number;
  every: number;
  keep: boolean;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const program = new Command('npm run bench:memory --')
    .description('memory of a long exploration: the engine alone, then a real one')
    .option('--time <duration>', 'wall time of the real exploration (0: skip it)', (v: string) => (v === '0' ? 0 : duration('--time')(v)), 600_000)
    .option('--workers <n>', 'lanes of the real exploration', workersArg, 2)
    .option('--engine-runs <n>', 'runs of the engine alone', positiveInt('--engine-runs'), 1_000_000)
    .option('--every <s>', 'seconds between samples', positiveInt('--every'), 10)
    .option('--keep', 'keep every summary (the growth it costs)', false)
    .option('--json', 'print one JSON array', false);
  const o = parseScriptArgs<{ time: number; workers: number; engineRuns: number; every: number; keep: boolean; json: boolean }>(program, argv);
  return { engineRuns: o.engineRuns, timeMs: o.time, workers: o.workers, every: o.every, keep: o.keep, json: o.json };
}

const gc = (globalThis as { gc?: () => void }).gc;
const MiB = (bytes: number): number => Math.round((bytes / 2 ** 20) * 100) / 100;

interface Sample {
  s: number;
  runs: number;
  heapMiB: number;
  rssMiB: number;
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  const den = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / den;
}

/** A lane that makes up run results at once: the engine's cost without the simulator's. */
function madeUpLane(): Lane {
  const summary = (index: number): RunSummary => ({
    index,
    runSeed: runSeedHex(runSeed(1, index)),
    traceHash: createHash('sha256').update(String(index)).digest('hex'),
    verdict: 'ok',
    simulatedMs: 4000,
    paths: PATHS.map((_, k) => (index + k) % 3),
    wallMs: 1,
  });
  return {
    ready: Promise.resolve(),
    run: async (chunk, onRun) => {
      for (let i = chunk.start; i < chunk.end; i++) onRun(summary(i));
      await new Promise((resolve) => setImmediate(resolve));
    },
    close: async () => {},
  };
}

const SPEC = { seed: 1, variant: 'correct', config: 'hardened' as const, guardSwarm: true, differential: false };

interface Part {
  what: string;
  runs: number;
  start: Sample;
  end: Sample;
  heapGrowthBytesPerRun: number;
  samples: Sample[];
}

function part(what: string, runs: number, samples: Sample[]): Part {
  const late = samples.slice(Math.floor(samples.length / 2)).map((p) => ({ x: p.runs, y: p.heapMiB }));
  return { what, runs, start: samples[0] as Sample, end: samples.at(-1) as Sample, heapGrowthBytesPerRun: Math.round(slope(late) * 2 ** 20 * 10) / 10, samples };
}

function sampler(started: number, counted: () => number, log: boolean): { samples: Sample[]; take: () => void } {
  const samples: Sample[] = [];
  const take = (): void => {
    (gc as () => void)();
    const m = process.memoryUsage();
    samples.push({ s: Math.round((performance.now() - started) / 1000), runs: counted(), heapMiB: MiB(m.heapUsed), rssMiB: MiB(m.rss) });
    const p = samples.at(-1) as Sample;
    if (log) process.stderr.write(`  ${p.s} s: ${p.runs} runs, live heap ${p.heapMiB} MiB, RSS ${p.rssMiB} MiB\n`);
  };
  return { samples, take };
}

async function engineAlone(opts: Options): Promise<Part> {
  const records = new RecordsWriter(devNull);
  const kept: RunSummary[] = [];
  let runs = 0;
  const { samples, take } = sampler(performance.now(), () => runs, !opts.json);
  take();
  const every = Math.max(1, Math.floor(opts.engineRuns / 10));
  await explore({
    ...SPEC,
    runs: opts.engineRuns,
    keepGoing: true,
    lanes: [madeUpLane(), madeUpLane()],
    onRun: (s) => {
      runs++;
      records.write(toRunRecord(s));
      if (opts.keep) kept.push(s);
      if (runs % every === 0) take();
    },
  });
  records.close();
  return part(`engine alone: ${opts.engineRuns} made-up runs, records to ${devNull}${opts.keep ? ', keeping every summary (as main did)' : ''}`, runs, samples);
}

async function realExploration(opts: Options): Promise<Part> {
  const file = join(mkdtempSync(join(tmpdir(), 'regsim-memory-')), 'records.jsonl');
  const records = new RecordsWriter(file);
  const kept: RunSummary[] = [];
  let runs = 0;
  const { samples, take } = sampler(performance.now(), () => runs, !opts.json);
  const timer = setInterval(take, opts.every * 1000);
  const result = await explore({
    ...SPEC,
    keepGoing: true,
    timeMs: opts.timeMs,
    workers: opts.workers,
    onRun: (s) => {
      runs++;
      records.write(toRunRecord(s));
      if (opts.keep) kept.push(s);
    },
  });
  clearInterval(timer);
  take();
  records.close();
  const what = `explore --time ${opts.timeMs / 1000}s --keep-going --records ${file}, ${opts.workers} workers${opts.keep ? ', keeping every summary (as main did)' : ''}`;
  return part(what, result.runs, samples);
}

/** Per quarter of the samples: the runs it spans and the highest live heap and RSS in it. */
function quarters(samples: readonly Sample[]): string[] {
  const q = Math.max(1, Math.ceil(samples.length / 4));
  return Array.from({ length: Math.ceil(samples.length / q) }, (_, k) => samples.slice(k * q, (k + 1) * q)).map((part, k) => {
    const max = (f: (x: Sample) => number): number => Math.max(...part.map(f));
    return `    quarter ${k + 1} (to ${(part.at(-1) as Sample).runs} runs)  highest live heap ${max((x) => x.heapMiB)} MiB, highest RSS ${max((x) => x.rssMiB)} MiB`;
  });
}

const lines = (p: Part, engine: boolean): string[] => [
  `  ${p.what}`,
  `    runs                        ${p.runs}`,
  `    at start (${p.start.s} s, ${p.start.runs} runs)  live heap ${p.start.heapMiB} MiB, RSS ${p.start.rssMiB} MiB`,
  `    at end (${p.end.s} s, ${p.end.runs} runs)  live heap ${p.end.heapMiB} MiB, RSS ${p.end.rssMiB} MiB`,
  ...(engine ? [`    live heap growth, 2nd half  ${p.heapGrowthBytesPerRun} bytes per run (keeping every summary: about 330)`] : quarters(p.samples)),
];

async function main(): Promise<void> {
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:memory does)');
  const opts = parseArgs(process.argv.slice(2));
  const parts = [await engineAlone(opts), ...(opts.timeMs > 0 ? [await realExploration(opts)] : [])];
  if (opts.json) return void process.stdout.write(`${JSON.stringify(parts)}\n`);
  process.stdout.write(`regsim bench:memory\n${parts.flatMap((p, k) => lines(p, k === 0)).join('\n')}\n`);
}

await main();
