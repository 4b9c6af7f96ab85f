// What happens to a failure an exploration found: shrink it (or keep it as
// generated), save the canonical scenario, replay the saved file to be sure
// it reproduces, and build the one command that replays it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplierFactory } from '../applier/index.ts';
import { formatCommand } from '../external/index.ts';
import { formatSize, judge, scenarioOf, scenarioSize, shrinkRun } from '../explore/index.ts';
import type { RunSpec, RunSummary, ScenarioSize } from '../explore/index.ts';
import { loadScenario, serializeScenario } from '../scenario/index.ts';
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
}

/** The command printed under every failure (and shown in reports). */
export function replayCommand(file: string, variant: string, applierCommand?: string, config?: string): string {
  const applier = applierCommand === undefined ? [] : ['--applier', applierCommand];
  const preset = config === undefined ? [] : ['--config', config];
  return `npx regsim ${formatCommand(['replay', file, '--variant', variant, ...preset, ...applier])}`;
}

export function recordFailure(spec: RunSpec, failure: Pick<RunSummary, 'index' | 'invariant'>, options: RecordOptions): Counterexample {
  const shrunk = options.shrink ? shrinkRun(spec, failure.index, options.applier) : undefined;
  const original = shrunk?.original ?? scenarioOf(spec, failure.index);
  const scenario = shrunk?.scenario ?? original;
  const made = { shrunk: shrunk !== undefined, before: scenarioSize(original), tries: shrunk?.tries ?? 0 };
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
}

/** Saves the scenario canonically, replays the saved bytes to be sure they fail the same way, and builds the replay command. */
export function saveCounterexample(spec: RunSpec, failing: FailingScenario, options: Omit<RecordOptions, 'shrink'>): Counterexample {
  const { run, invariant } = failing;
  const file = join(options.outDir, `${spec.variant}-s${spec.seed}-r${run}.json`);
  try {
    mkdirSync(options.outDir, { recursive: true });
    writeFileSync(file, serializeScenario(failing.scenario));
  } catch (err) {
    throw new UsageError(`cannot save counterexample to ${file}: ${(err as Error).message}`);
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
    repro: replayCommand(file, spec.variant, options.applierCommand),
    shrunk: failing.shrunk,
    before: failing.before,
    after: scenarioSize(saved),
    tries: failing.tries,
    scenario: saved,
    result,
  };
}

/** "shrunk: a -> b (n runs)" or "not shrunk: a". */
export function shrinkLine(c: Counterexample): string {
  if (!c.shrunk) return `not shrunk: ${formatSize(c.after)}`;
  return `shrunk: ${formatSize(c.before)} -> ${formatSize(c.after)} (${c.tries} runs)`;
}
