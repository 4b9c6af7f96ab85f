// The end of an exploration, as `explore` and `merge` print it: the facts
// (runs, violations, time, digest, provenance), the path table, the verdict,
// every counterexample with the one command that replays it; or one JSON
// object. The exit code follows the verdict. Shared, so that the merge of k
// shards prints what one unsharded run prints.
import { explorationVerdict, headline, judgedPaths } from '../explore/index.ts';
import type { ExploreResult, ExplorationVerdict, PathTally } from '../explore/index.ts';
import type { ApplierFactory } from '../applier/index.ts';
import type { Provenance } from '../records/provenance.ts';
import { formatProvenance } from '../records/provenance.ts';
import type { Shard } from '../records/format.ts';
import { runScenario } from '../scenario/index.ts';
import type { PolicyPresetName } from '../scenario/index.ts';
import { shrinkLine } from './counterexample.ts';
import type { Counterexample } from './counterexample.ts';
import { EXIT } from './errors.ts';
import { colorOut, plural, seconds, table } from './format.ts';
import { formatRange } from './range.ts';
import { showRun } from './show.ts';

type Failure = ExploreResult['failures'][number];

/** What the exploration was: printed with its result. */
export interface ExplorationContext {
  seed: number;
  variant: string;
  config: PolicyPresetName;
  /** The --policy file, if any (its fields change the configuration's). */
  policy?: string;
  /** The external applier command, if any. */
  applier?: string;
  provenance: Provenance;
  /** The range it was given (to undefined: open-ended, by wall time). */
  range: { from: number; to?: number };
  shard?: Shard;
  /** Where the per-run records went (explore), or what was merged (merge). */
  records?: string;
  inputs?: string[];
  /** Counted runs missing from a merge (a shard stopped by its time budget, or cut short). */
  notRun?: string[];
}

export interface Found {
  failure: Failure;
  c: Counterexample;
  sharedWithCorrect: boolean;
}

/** A counterexample of a bug variant the correct applier fails the same way: a finding of the configuration, not of the variant. */
export function found(variant: string, failure: Failure, c: Counterexample, applier?: ApplierFactory): Found {
  const sharedWithCorrect = variant !== 'correct' && headline(runScenario(c.scenario, { applier }))?.invariant === c.invariant;
  return { failure, c, sharedWithCorrect };
}

export interface Outcome {
  verdict: ExplorationVerdict;
  unreached: string[];
}

/** Prints the result (text, or JSON with `json`) and sets the exit code; `extra` are lines (text) or fields (JSON) of the caller's. */
export function report(
  ctx: ExplorationContext,
  r: ExploreResult,
  all: readonly Found[],
  opts: { json?: boolean; extraLines?: string[]; extraJson?: Record<string, unknown>; exitFailures?: readonly Failure[] },
): Outcome {
  const judged = judgedPaths(ctx.variant, ctx.config);
  const outcome = explorationVerdict(r.failures, r.paths, judged);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...jsonReport(ctx, r, all, outcome), ...opts.extraJson })}\n`);
  } else {
    const lines = [`\n${summary(ctx, r, judged)}`, `verdict: ${verdictLine(outcome, r)}`, ...(opts.extraLines ?? [])];
    process.stdout.write(`${lines.join('\n')}\n`);
    // In full: the first failure and every shrunk one (the first of each invariant); the rest, one line each.
    const inFull = (f: Found): boolean => f.c.shrunk || f === all[0];
    for (const f of all.filter(inFull)) process.stdout.write(failureBlock(f));
    const rest = all.filter((f) => !inFull(f));
    if (rest.length > 0) process.stdout.write(`\nmore failures (saved as generated):\n${table(rest.map((f) => [`run ${f.failure.index}`, f.c.invariant, f.c.repro]))}`);
  }
  // The exit code may leave out failures the caller excuses (known findings of a corpus).
  const exit = opts.exitFailures === undefined ? outcome : explorationVerdict(opts.exitFailures, r.paths, judged);
  process.exitCode = EXIT_OF[exit.verdict];
  return outcome;
}

const EXIT_OF: Record<ExplorationVerdict, number> = {
  ok: EXIT.ok,
  'safety-violation': EXIT.safety,
  'liveness-violation': EXIT.liveness,
  inconclusive: EXIT.inconclusive,
};

/** The counted runs, inclusive. */
const countedRange = (r: ExploreResult): string => (r.runs === 0 ? 'no runs' : formatRange(r.from, r.from + r.runs));

function runsLine(ctx: ExplorationContext, r: ExploreResult): string {
  const n = String(r.runs);
  if (r.stoppedBy === 'failure') return `${n} (stopped at the first violation, run ${r.failures[0]?.index})`;
  if (ctx.notRun) return `${n} (not every run was run, see "not run": not reproducible; the digest covers the runs run, in index order)`;
  if (r.stoppedBy === 'time') return `${n} (wall-time budget: the count is not reproducible; the digest covers ${countedRange(r)})`;
  return n;
}

function summary(ctx: ExplorationContext, r: ExploreResult, judged: readonly string[]): string {
  const elapsed = Math.max(1, r.elapsedMs);
  const given = ctx.shard ? `shard ${ctx.shard.index}/${ctx.shard.count} of ${ctx.shard.runs} runs: ` : '';
  const facts = table([
    ['range', `${given}${formatRange(ctx.range.from, ctx.range.to)}`],
    ['runs', runsLine(ctx, r)],
    ...(ctx.notRun ?? []).map((line) => ['not run', line]),
    ['violations', String(r.failures.length)],
    ['simulated', `${seconds(r.simulatedMs)} of virtual time`],
    ['wall', `${seconds(elapsed)} (${((r.runs * 1000) / elapsed).toFixed(1)} runs/s, ${plural(r.workers, 'worker')})`],
    ['digest', r.digest],
    ['provenance', formatProvenance(ctx.provenance)],
    ...(ctx.applier !== undefined ? [['applier', ctx.applier]] : []),
    ...(ctx.records !== undefined ? [['records', ctx.records]] : []),
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

function verdictLine({ verdict, unreached }: Outcome, r: ExploreResult): string {
  if (verdict === 'inconclusive') {
    return `inconclusive (no violation in ${plural(r.runs, 'run')}, but they never reached: ${unreached.join(', ')}; run more scenarios, e.g. --runs ${Math.max(1000, r.runs * 4)})`;
  }
  if (r.failures.length === 0) return `ok (no violation in ${plural(r.runs, 'run')}, every judged path reached)`;
  const counts = new Map<string, number>();
  for (const f of r.failures) counts.set(f.invariant as string, (counts.get(f.invariant as string) ?? 0) + 1);
  const first = r.failures[0] as Failure;
  if (r.failures.length === 1) return `${verdict} (${first.invariant} at run ${first.index})`;
  const list = [...counts].map(([inv, n]) => `${inv} x${n}`).join(', ');
  return `${verdict} (${plural(r.failures.length, 'violation')} in ${plural(r.runs, 'run')}: ${list})`;
}

function failureBlock({ failure, c, sharedWithCorrect }: Found): string {
  const lines = [
    '',
    `FAIL run ${failure.index} (run seed ${failure.runSeed}): ${failure.verdict} of ${c.invariant}`,
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

function jsonReport(ctx: ExplorationContext, r: ExploreResult, all: readonly Found[], { verdict, unreached }: Outcome) {
  return {
    seed: ctx.seed,
    variant: ctx.variant,
    config: ctx.config,
    ...(ctx.policy !== undefined ? { policy: ctx.policy } : {}),
    applier: ctx.applier ?? null,
    provenance: ctx.provenance,
    range: { from: ctx.range.from, to: ctx.range.to ?? null },
    ...(ctx.shard ? { shard: ctx.shard } : {}),
    ...(ctx.records !== undefined ? { records: ctx.records } : {}),
    ...(ctx.inputs ? { inputs: ctx.inputs } : {}),
    ...(ctx.notRun ? { notRun: ctx.notRun } : {}),
    verdict,
    unreachedPaths: unreached,
    runs: r.runs,
    firstRun: r.from,
    stoppedBy: r.stoppedBy,
    reproducible: r.stoppedBy !== 'time',
    violations: all.map(({ failure, c, sharedWithCorrect }) => ({
      run: failure.index,
      runSeed: failure.runSeed,
      verdict: failure.verdict,
      invariant: c.invariant,
      eventIndex: headline(c.result)?.eventIndex,
      scenarioFile: c.file,
      repro: c.repro,
      shrunk: c.shrunk,
      events: { before: c.before.events, after: c.after.events },
      ...(ctx.variant !== 'correct' ? { sharedWithCorrect } : {}),
    })),
    elapsedMs: Math.round(r.elapsedMs),
    simulatedMs: r.simulatedMs,
    workers: r.workers,
    digest: r.digest,
    paths: Object.fromEntries(r.paths.map((t) => [t.name, { count: t.count, runs: t.runs }])),
  };
}
