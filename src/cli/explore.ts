// `regsim explore`: VOPR-style exploration of generated scenarios. Stops at
// the first violation (or keeps going), shrinks it, saves it and prints the
// one command that replays it; the summary says what ran and how often the
// rare situations the invariants are about came up.
import { randomInt } from 'node:crypto';
import { defaultWorkers, explorationVerdict, explore, headline, judgedPaths } from '../explore/index.ts';
import type { ExploreResult, PathTally, RunSummary } from '../explore/index.ts';
import { runScenario } from '../scenario/index.ts';
import type { PolicyPresetName } from '../scenario/index.ts';
import { withApplier } from './applier-option.ts';
import { DEFAULT_RUNS } from './commands.ts';
import { recordFailure, shrinkLine } from './counterexample.ts';
import type { Counterexample } from './counterexample.ts';
import { EXIT, UsageError } from './errors.ts';
import { colorOut, plural, seconds, table } from './format.ts';
import { variantArg } from './scenario-options.ts';
import { startProgress } from './progress.ts';
import { showRun } from './show.ts';

/** The options as commander parsed them (see commands.ts). */
export interface ExploreOptions {
  seed?: number;
  runs?: number;
  time?: number;
  variant: string;
  nodes?: number;
  config?: PolicyPresetName;
  workers?: number;
  keepGoing?: boolean;
  shrink: boolean;
  outDir: string;
  json?: boolean;
  applier?: string;
}

export async function runExplore(opts: ExploreOptions): Promise<void> {
  if (opts.runs !== undefined && opts.time !== undefined) throw new UsageError('--runs and --time exclude each other: pick one');
  const variant = variantArg(opts.variant, opts.applier);
  const seed = opts.seed ?? randomInt(0x100000000);
  const runs = opts.time === undefined ? (opts.runs ?? DEFAULT_RUNS) : undefined;
  const workers = opts.workers ?? defaultWorkers();
  const config = opts.config ?? 'hardened';
  // Half of the runs switch start-up guards off (so the applier's halts are reached), and a variant is
  // judged against the correct applier on the same scenario (a finding of the configuration is not its doing).
  const spec = { seed, variant: variant.name, nodes: opts.nodes, config, guardSwarm: true, differential: variant.name !== 'correct' };
  const say = (text: string): void => void (opts.json ? undefined : process.stdout.write(text));

  await withApplier(opts.applier, variant.applier, async (factory, applierName) => {
    const applier = opts.applier === undefined ? undefined : factory;
    const budget = runs !== undefined ? plural(runs, 'run') : `${seconds(opts.time as number)} of wall time`;
    const external = applierName === undefined ? '' : `, external applier ${applierName}${workers > 1 ? ' (one child per worker)' : ''}`;
    say(`regsim explore: seed ${seed}, variant ${variant.name}, config ${config}, ${budget}, ${plural(workers, 'worker')}${external}\n`);

    const progress = startProgress('explore', { runs, timeMs: opts.time });
    let result: ExploreResult;
    try {
      result = await explore({
        ...spec,
        runs,
        timeMs: opts.time,
        workers,
        keepGoing: opts.keepGoing,
        applier,
        applierCommand: opts.applier,
        onProgress: (p) => progress.update(p),
      });
    } finally {
      progress.stop();
    }

    // Shrinking costs many runs: with --keep-going only the first failure of each invariant gets it.
    const shrunkInvariants = new Set<string>();
    const found = result.failures.map((failure) => {
      const shrink = opts.shrink && !shrunkInvariants.has(failure.invariant as string);
      shrunkInvariants.add(failure.invariant as string);
      if (shrink) process.stderr.write(`shrinking run ${failure.index} (${failure.invariant})...\n`);
      const c = recordFailure(spec, failure, { outDir: opts.outDir, shrink, applier, applierCommand: opts.applier });
      // A bug variant is not to blame for what the correct configuration does on the same scenario.
      const sharedWithCorrect = variant.name !== 'correct' && headline(runScenario(c.scenario, { applier }))?.invariant === c.invariant;
      return { failure, c, sharedWithCorrect };
    });

    const { verdict, unreached } = explorationVerdict(result.failures, result.paths, judgedPaths(variant.name, config));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(jsonReport({ seed, variant: variant.name, config }, result, found, verdict, unreached))}\n`);
    } else {
      say(`\n${summary(result, judgedPaths(variant.name, config))}\nverdict: ${verdictLine(verdict, result, unreached)}\n`);
      // In full: the first failure and every shrunk one (the first of each invariant); the rest, one line each.
      const inFull = (f: (typeof found)[number]): boolean => f.c.shrunk || f === found[0];
      for (const f of found.filter(inFull)) say(failureBlock(f.failure, f.c, f.sharedWithCorrect));
      const rest = found.filter((f) => !inFull(f));
      if (rest.length > 0) say(`\nmore failures (saved as generated):\n${table(rest.map((f) => [`run ${f.failure.index}`, f.c.invariant, f.c.repro]))}`);
    }
    process.exitCode =
      verdict === 'safety-violation' ? EXIT.safety : verdict === 'liveness-violation' ? EXIT.liveness : verdict === 'inconclusive' ? EXIT.inconclusive : EXIT.ok;
  });
}

function runsLine(r: ExploreResult): string {
  const n = String(r.runs.length);
  if (r.stoppedBy === 'failure') return `${n} (stopped at the first violation, run ${r.failures[0]?.index})`;
  if (r.stoppedBy === 'time') return `${n} (wall-time budget: the count is not reproducible; the digest covers runs 0..${r.runs.length - 1})`;
  return n;
}

function summary(r: ExploreResult, judged: readonly string[]): string {
  const elapsed = Math.max(1, r.elapsedMs);
  const facts = table([
    ['runs', runsLine(r)],
    ['violations', String(r.failures.length)],
    ['simulated', `${seconds(r.simulatedMs)} of virtual time`],
    ['wall', `${seconds(elapsed)} (${((r.runs.length * 1000) / elapsed).toFixed(1)} runs/s, ${plural(r.workers, 'worker')})`],
    ['digest', r.digest],
  ]);
  return `${facts}\n${pathTable(r.paths, judged)}`;
}

/** The path table: every decision path, how often and in how many runs it was reached; `!` marks a judged path never reached. */
function pathTable(paths: readonly PathTally[], judged: readonly string[]): string {
  const rows = paths.map((t) => {
    const mark = judged.includes(t.name) ? (t.runs === 0 ? '!' : ' ') : '-';
    return [`${mark} ${t.group}`, t.name, t.label, String(t.count), String(t.runs)];
  });
  const legend = '(! a path this verdict is judged by that no run reached; - a path it is not judged by)';
  return `${table([['  group', 'path', 'what', 'count', 'runs'], ...rows], [3, 4])}\n${legend}`;
}

function verdictLine(verdict: string, r: ExploreResult, unreached: readonly string[]): string {
  if (verdict === 'inconclusive') {
    return `inconclusive (no violation in ${plural(r.runs.length, 'run')}, but they never reached: ${unreached.join(', ')}; run more scenarios, e.g. --runs ${Math.max(1000, r.runs.length * 4)})`;
  }
  if (r.failures.length === 0) return `ok (no violation in ${plural(r.runs.length, 'run')}, every judged path reached)`;
  const counts = new Map<string, number>();
  for (const f of r.failures) counts.set(f.invariant as string, (counts.get(f.invariant as string) ?? 0) + 1);
  const first = r.failures[0] as RunSummary;
  if (r.failures.length === 1) return `${verdict} (${first.invariant} at run ${first.index})`;
  const list = [...counts].map(([inv, n]) => `${inv} x${n}`).join(', ');
  return `${verdict} (${plural(r.failures.length, 'violation')} in ${plural(r.runs.length, 'run')}: ${list})`;
}

function failureBlock(failure: RunSummary, c: Counterexample, sharedWithCorrect: boolean): string {
  const lines = [
    '',
    `FAIL run ${failure.index}: ${failure.verdict} of ${c.invariant}`,
    shrinkLine(c),
    '',
    showRun(c.result, { color: colorOut() }).trimEnd(),
    '',
    ...(sharedWithCorrect ? ['note: the correct applier violates the same invariant on this scenario: a finding of the configuration, not of this variant'] : []),
    `saved ${c.file}`,
    'reproduce with:',
    c.repro,
  ];
  return `${lines.join('\n')}\n`;
}

function jsonReport(
  { seed, variant, config }: { seed: number; variant: string; config: string },
  r: ExploreResult,
  found: { failure: RunSummary; c: Counterexample; sharedWithCorrect: boolean }[],
  verdict: string,
  unreached: readonly string[],
) {
  return {
    seed,
    variant,
    config,
    verdict,
    unreachedPaths: unreached,
    runs: r.runs.length,
    stoppedBy: r.stoppedBy,
    reproducible: r.stoppedBy !== 'time',
    violations: found.map(({ failure, c, sharedWithCorrect }) => ({
      run: failure.index,
      verdict: failure.verdict,
      invariant: c.invariant,
      eventIndex: headline(c.result)?.eventIndex,
      scenarioFile: c.file,
      repro: c.repro,
      shrunk: c.shrunk,
      events: { before: c.before.events, after: c.after.events },
      ...(variant !== 'correct' ? { sharedWithCorrect } : {}),
    })),
    elapsedMs: Math.round(r.elapsedMs),
    simulatedMs: r.simulatedMs,
    workers: r.workers,
    digest: r.digest,
    paths: Object.fromEntries(r.paths.map((t) => [t.name, { count: t.count, runs: t.runs }])),
  };
}
