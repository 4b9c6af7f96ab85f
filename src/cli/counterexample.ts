// What happens to a failure an exploration found: shrink it (or keep it as
// generated), save it as a counterexample file (src/counterexample: its
// metadata names the variant, configuration, applier and the run that found
// it), replay the saved file to be sure it reproduces, and build the one
// command that replays it.
import { readFileSync } from 'node:fs';
import type { ApplierFactory } from '../applier/index.ts';
import { metaOf, replayCommand, saveCounterexampleFile } from '../counterexample/index.ts';
import { formatCommand } from '../external/index.ts';
import { formatSize, judge, scenarioOf, scenarioSize, shrinkRun } from '../explore/index.ts';
import type { RunSpec, RunSummary, ScenarioSize } from '../explore/index.ts';
import { loadScenario } from '../scenario/index.ts';
import type { RunResult, Scenario } from '../scenario/index.ts';
import { HarnessError, UsageError } from './errors.ts';

export interface Counterexample {
  run: number;
  invariant: string;
  file: string;
  repro: string;
  shrunk: boolean;
  before: ScenarioSize;
  after: ScenarioSize;
  /** Scenarios run while shrinking. */
  tries: number;
  /** The saved scenario, and its replay. */
  scenario: Scenario;
  result: RunResult;
}

export interface RecordOptions {
  outDir: string;
  shrink: boolean;
  applier?: ApplierFactory;
  applierCommand?: string;
  /** The --policy file the exploration ran with (named in the command that finds a failure again). */
  policyFile?: string;
}

/** The one command that runs run `run` of this exploration alone (it finds the run's failure again). */
export function exploreRunCommand(spec: RunSpec, run: number, applier: string | undefined, policyFile?: string): string {
  const nodes = spec.nodes === undefined ? [] : ['--nodes', String(spec.nodes)];
  const policy = policyFile === undefined ? [] : ['--policy', policyFile];
  const external = applier === undefined ? [] : ['--applier', applier];
  const words = ['explore', '--seed', String(spec.seed), '--from', String(run), '--to', String(run + 1), '--variant', spec.variant, '--config', spec.config ?? 'hardened', ...policy, ...nodes, ...external];
  return `npx regsim ${formatCommand([...words, '--workers', '1'])}`;
}

export function recordFailure(spec: RunSpec, failure: Pick<RunSummary, 'index' | 'invariant' | 'runSeed'>, options: RecordOptions): Counterexample {
  const shrunk = options.shrink ? shrinkRun(spec, failure.index, options.applier) : undefined;
  const original = shrunk?.original ?? scenarioOf(spec, failure.index);
  const scenario = shrunk?.scenario ?? original;
  const made = { shrunk: shrunk !== undefined, before: scenarioSize(original), tries: shrunk?.tries ?? 0, runSeed: failure.runSeed };
  return saveCounterexample(spec, { run: failure.index, invariant: failure.invariant as string, scenario, ...made }, options);
}

/** A failing run's scenario, however it was made (shrunk here, or by a shard): what saving it needs. */
export interface FailingScenario {
  run: number;
  invariant: string;
  scenario: Scenario;
  shrunk: boolean;
  before: ScenarioSize;
  tries: number;
  runSeed?: string;
}

/** Saves the scenario canonically, replays the saved bytes to be sure they fail the same way, and builds the replay command. */
export function saveCounterexample(spec: RunSpec, failing: FailingScenario, options: Omit<RecordOptions, 'shrink'>): Counterexample {
  const { run, invariant } = failing;
  const applier = options.applierCommand;
  // An external applier is what failed, not the catalog variant it ran beside.
  const label = applier === undefined ? spec.variant : spec.variant === 'correct' ? 'external' : `external-${spec.variant}`;
  const meta = metaOf({
    variant: spec.variant,
    config: configLabel(spec.config ?? 'hardened', options.policyFile),
    ...(applier === undefined ? {} : { applier }),
    invariant,
    foundBy: { command: exploreRunCommand(spec, run, applier, options.policyFile), run, ...(failing.runSeed === undefined ? {} : { runSeed: failing.runSeed }), shrunk: failing.shrunk },
  });
  let file: string;
  try {
    file = saveCounterexampleFile(options.outDir, `${label}-s${spec.seed}-r${run}`, failing.scenario, meta);
  } catch (err) {
    throw new UsageError(`cannot save counterexample in ${options.outDir}: ${(err as Error).message}`);
  }
  // The saved bytes, not the object in memory, are what a user will replay.
  const saved = loadScenario(readFileSync(file, 'utf8'));
  const { result, top } = judge(spec, saved, options.applier);
  if (top?.invariant !== invariant) {
    throw new HarnessError(`saved counterexample ${file} does not reproduce ${invariant} (got ${result.verdict})`);
  }
  return {
    run,
    invariant,
    file,
    repro: replayCommand(file, { applier }),
    shrunk: failing.shrunk,
    before: failing.before,
    after: scenarioSize(saved),
    tries: failing.tries,
    scenario: saved,
    result,
  };
}

/** A configuration as people read it: "hardened", or "hardened + policy.json" with --policy. */
export const configLabel = (config: string, policyFile?: string): string => (policyFile === undefined ? config : `${config} + ${policyFile}`);

/** "shrunk: a -> b (n runs)" or "not shrunk: a". */
export function shrinkLine(c: Counterexample): string {
  if (!c.shrunk) return `not shrunk: ${formatSize(c.after)}`;
  return `shrunk: ${formatSize(c.before)} -> ${formatSize(c.after)} (${c.tries} runs)`;
}
