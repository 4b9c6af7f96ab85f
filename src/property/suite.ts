// A property over generated cluster scenarios, for any vitest (or other)
// suite: one fast-check run over runScenario, every run judged by the whole
// oracle, a tally of the decision paths reached with vacuity floors on them,
// and a failure report that saves the shrunk scenario and ends with the one
// command that replays it. Framework-free: it throws, the test runner reports.
//
// Environment (knobs()):
//   REGSIM_RUNS  multiplier of every suite's run count (default 1; 4 = four
//                times as many, 0.25 a quarter). Floors are fractions of the
//                runs, so they scale with it; below MIN_RUNS_FOR_FLOORS runs a
//                suite reports its counts but does not enforce floors.
//   REGSIM_SEED  base seed (integer, default 20250901): each suite's fast-check
//                seed is derived from it and the suite's name, so CI is
//                reproducible and suites explore different scenarios.
//   FC_SEED      fast-check seed of the suite, overriding the derived one.
//   FC_PATH      fast-check replay path (with FC_SEED): re-runs exactly the
//                failing case and its shrink path; floors are not checked.
//   REGSIM_APPLIER  an external applier command (docs/external-applier.md):
//                the suites run it instead of the built-in applier, like
//                `regsim explore --applier "cmd args..."`.
//   REGSIM_CONFIG  the configuration the suites generate scenarios under
//                (a preset name, like `regsim explore --config`; default
//                hardened). A floor on a decision path that exists only under
//                a design option the configuration lacks is reported, not
//                enforced; the kill table and the variant fixtures follow it
//                (properties/detect.ts).
import fc from 'fast-check';
import type { ApplierFactory } from '../applier/index.ts';
import { metaOf, replayCommand, saveCounterexampleFile } from '../counterexample/index.ts';
import { formatCommand, startExternalApplier } from '../external/index.ts';
import { formatViolation } from '../model/oracle.ts';
import type { InvariantName, Violation } from '../model/oracle.ts';
import { POLICY_PRESET_NAMES, isPolicyPresetName, runScenario, scenarioArbitrary } from '../scenario/index.ts';
import type { PolicyPresetName, RunResult, Scenario, ScenarioArbitraryOptions } from '../scenario/index.ts';
import { addToTally, emptyTally, floorsUnder, formatTally, unmetFloors } from './tally.ts';
import type { Floors, Tally } from './tally.ts';

/** Where failing scenarios are saved, relative to the working directory (vitest's: the project root). */
export const FAILURE_DIR = 'regsim-failures';
export const DEFAULT_BASE_SEED = 20250901;
/** Below this many runs the floors are reported, not enforced (too few runs to expect a rate). */
export const MIN_RUNS_FOR_FLOORS = 50;

/** One property suite: a family of invariants, the scenarios that make its rare events common, its floors. */
export interface SuiteSpec {
  /** Short name: file names, seeds, messages. */
  name: string;
  /** The test file that runs it (for the fast-check replay hint); its parts' files are named after it (suitePart). */
  file: string;
  /** The invariant family it targets (reports list its violations first). */
  family: readonly InvariantName[];
  /** Runs at REGSIM_RUNS=1. */
  runs: number;
  arbitrary: ScenarioArbitraryOptions;
  /** Vacuity floors, by decision path. */
  floors: Floors;
}

export interface Knobs {
  scale: number;
  baseSeed: number;
  fcSeed?: number;
  fcPath?: string;
  /** External applier command (REGSIM_APPLIER). */
  applier?: string;
  /** REGSIM_CONFIG (absent: DEFAULT_SUITES_CONFIG). */
  config?: PolicyPresetName;
}

/** The configuration the suites run under when REGSIM_CONFIG is not set (scenarioArbitrary's default). */
export const DEFAULT_SUITES_CONFIG: PolicyPresetName = 'hardened';

export function knobs(env: NodeJS.ProcessEnv = process.env): Knobs {
  const num = (name: string, ok: (n: number) => boolean): number | undefined => {
    const text = env[name];
    if (text === undefined || text.trim() === '') return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || !ok(n)) throw new Error(`${name}=${text} is not valid`);
    return n;
  };
  const fcPath = env.FC_PATH?.trim() || undefined;
  const fcSeed = num('FC_SEED', Number.isInteger);
  if (fcPath !== undefined && fcSeed === undefined) throw new Error('FC_PATH needs FC_SEED (the seed of the failing run)');
  const config = env.REGSIM_CONFIG?.trim() || undefined;
  if (config !== undefined && !isPolicyPresetName(config)) throw new Error(`REGSIM_CONFIG=${config} is not valid (known: ${POLICY_PRESET_NAMES.join(', ')})`);
  return {
    scale: num('REGSIM_RUNS', (n) => n > 0) ?? 1,
    baseSeed: num('REGSIM_SEED', Number.isInteger) ?? DEFAULT_BASE_SEED,
    fcSeed,
    fcPath,
    applier: env.REGSIM_APPLIER?.trim() || undefined,
    ...(config !== undefined ? { config } : {}),
  };
}

/** The fast-check seed of a suite: FNV-1a of "<base>:<name>", 31 bits. */
export function suiteSeed(baseSeed: number, name: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${baseSeed}:${name}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h & 0x7fffffff;
}

export interface RunSuiteOptions {
  /** A catalog variant (default 'correct'). */
  variant?: string;
  /** An applier to run instead of the variant's (an external one). */
  applier?: ApplierFactory;
  /** Overrides the (scaled) run count. */
  runs?: number;
  seed?: number;
  /** A fast-check path to replay. */
  path?: string;
  /** Shrink a failure (default true; the kill table only needs detection). */
  shrink?: boolean;
  /** Overrides the suite's arbitrary options (e.g. a family switched off, for the guard's own test). */
  arbitrary?: ScenarioArbitraryOptions;
}

export interface SuiteOutcome {
  suite: string;
  variant: string;
  seed: number;
  /** Rare events over the runs before the first failure (shrinking runs are not counted). */
  tally: Tally;
  failure?: {
    /** Runs until the failing one, inclusive (runs-to-detection). */
    runs: number;
    shrinks: number;
    path: string;
    scenario: Scenario;
    /** The judged violations of the shrunk scenario (empty if the run threw). */
    violations: Violation[];
    error?: string;
  };
}

/** Thrown by a suite's predicate: the judged violations of the run. */
class ViolationsFound extends Error {
  constructor(readonly violations: Violation[]) {
    super(violations.map(formatViolation).join('\n'));
  }
}


/** One fast-check run of the suite's property: no judged violation in any generated scenario. */
export function runSuite(spec: SuiteSpec, opts: RunSuiteOptions = {}): SuiteOutcome {
  const variant = opts.variant ?? 'correct';
  const seed = opts.seed ?? suiteSeed(DEFAULT_BASE_SEED, spec.name);
  const tally = emptyTally();
  let failing = false;
  const property = fc.property(scenarioArbitrary(opts.arbitrary ?? spec.arbitrary), (scenario) => {
    let result: RunResult;
    try {
      result = runScenario(scenario, { variant, applier: opts.applier });
    } catch (err) {
      failing = true;
      throw err;
    }
    // The whole oracle judges every run (what a scenario's policy gives up by design is `expected`, not counted).
    const violations = result.violations;
    if (!failing) addToTally(tally, result.stats);
    if (violations.length > 0) {
      failing = true;
      throw new ViolationsFound(violations);
    }
  });
  const details = fc.check(property, {
    seed,
    numRuns: opts.runs ?? spec.runs,
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    endOnFailure: opts.shrink === false,
  });
  const outcome: SuiteOutcome = { suite: spec.name, variant, seed, tally };
  if (details.failed && details.counterexample !== null) {
    const [scenario] = details.counterexample;
    const found = details.errorInstance instanceof ViolationsFound ? details.errorInstance : undefined;
    const error = found === undefined ? String(details.errorInstance) : undefined;
    outcome.failure = {
      runs: details.numRuns,
      shrinks: details.numShrinks,
      path: details.counterexamplePath,
      scenario,
      violations: found?.violations ?? [],
      ...(error !== undefined ? { error } : {}),
    };
  } else if (details.failed) {
    throw new Error(`suite ${spec.name}: fast-check stopped without a counterexample (interrupted or too many skips)`);
  }
  return outcome;
}

/** The violations of a failure, the suite's family first. */
function ranked(spec: SuiteSpec, violations: readonly Violation[]): Violation[] {
  const rank = (v: Violation): number => (spec.family.includes(v.invariant) ? 0 : 1);
  return [...violations].sort((a, b) => rank(a) - rank(b));
}

/** The line that re-runs a suite's failing case; it carries the external applier too: without it the copied line would pass. */
export function rerunLine(spec: SuiteSpec, outcome: SuiteOutcome, applierCommand?: string, config?: PolicyPresetName): string {
  const applier = applierCommand === undefined ? '' : `REGSIM_APPLIER=${formatCommand([applierCommand])} `;
  const preset = config === undefined ? '' : `REGSIM_CONFIG=${config} `;
  return `${applier}${preset}FC_SEED=${outcome.seed} FC_PATH=${outcome.failure?.path ?? ''} npx vitest run ${spec.file}`;
}

/**
 * Saves a suite's shrunk failing scenario as a counterexample file in `dir`
 * (`<suite>-<seed>-<hash>.json`, naming its variant, invariant, applier and
 * re-run line) and returns its path.
 */
export function saveFailure(spec: SuiteSpec, outcome: SuiteOutcome, applierCommand?: string, dir: string = FAILURE_DIR, config?: PolicyPresetName): string {
  const f = outcome.failure;
  if (f === undefined) throw new Error('no failure to save');
  const invariant = ranked(spec, f.violations)[0]?.invariant;
  const meta = metaOf({
    variant: outcome.variant,
    ...(applierCommand === undefined ? {} : { applier: applierCommand }),
    ...(invariant === undefined ? {} : { invariant }),
    ...(config === undefined ? {} : { config }),
    foundBy: { command: rerunLine(spec, outcome, applierCommand, config), shrunk: true },
  });
  return saveCounterexampleFile(dir, `${spec.name}-${outcome.seed}`, f.scenario, meta);
}

/** The failure report: the violations (the suite's family first), how to re-run the suite, and last the replay command. */
export function failureMessage(spec: SuiteSpec, outcome: SuiteOutcome, file: string, applierCommand?: string, config?: PolicyPresetName): string {
  const f = outcome.failure;
  if (f === undefined) throw new Error('no failure to report');
  const violations = ranked(spec, f.violations);
  const shown = violations.slice(0, 5).map((v) => `  ${formatViolation(v)}`);
  if (violations.length > shown.length) shown.push(`  (+${violations.length - shown.length} more)`);
  const variant = outcome.variant === 'correct' ? '' : ` against variant ${outcome.variant}`;
  return [
    `property suite "${spec.name}" (${spec.family.join(', ')})${variant} failed after ${f.runs} runs, shrunk ${f.shrinks} times:`,
    ...(f.error !== undefined ? [`  the run threw: ${f.error}`] : shown),
    `Re-run this suite's failing case: ${rerunLine(spec, outcome, applierCommand, config)}`,
    `Shrunk scenario saved to ${file}; replay it with:`,
    replayCommand(file, { applier: applierCommand }),
  ].join('\n');
}

export interface CheckOptions {
  env?: Knobs;
  /** Where the rare-event table goes (default console.log). */
  log?: (text: string) => void;
  /** Check a bug variant instead of the correct applier (the guard's own tests). */
  variant?: string;
  /** Where a failing scenario is saved (default FAILURE_DIR, under the working directory). */
  outDir?: string;
}

/** The scenarios a suite runs under the knobs (REGSIM_RUNS scales them). */
export const suiteRuns = (spec: SuiteSpec, env: Knobs): number => Math.max(1, Math.round(spec.runs * env.scale));

/**
 * The body of a suite's test: runs it with the environment's knobs, prints the
 * rare-event table, throws the failure report (after saving the scenario), then
 * enforces the floors.
 */
export function checkSuite(spec: SuiteSpec, opts: CheckOptions = {}): SuiteOutcome {
  const env = opts.env ?? knobs();
  const seed = env.fcSeed ?? suiteSeed(env.baseSeed, spec.name);
  const runs = suiteRuns(spec, env);
  const external = env.applier === undefined ? undefined : startExternalApplier(env.applier);
  let outcome: SuiteOutcome;
  try {
    const arbitrary = env.config === undefined ? undefined : { ...spec.arbitrary, config: env.config };
    outcome = runSuite(spec, { seed, runs, path: env.fcPath, variant: opts.variant, applier: external?.factory, arbitrary });
  } finally {
    external?.close();
  }
  const title = `[regsim ${spec.name}] ${outcome.tally.runs} runs, seed ${seed}${env.config === undefined ? '' : `, config ${env.config}`}`;
  (opts.log ?? console.log)(formatTally(title, outcome.tally, spec.floors));
  if (outcome.failure !== undefined) {
    const file = saveFailure(spec, outcome, env.applier, opts.outDir, env.config);
    throw new Error(failureMessage(spec, outcome, file, env.applier, env.config));
  }
  if (env.fcPath === undefined && outcome.tally.runs >= MIN_RUNS_FOR_FLOORS) {
    const unmet = unmetFloors(outcome.tally, floorsUnder(spec.floors, env.config ?? DEFAULT_SUITES_CONFIG));
    if (unmet.length > 0) {
      throw new Error(`vacuity guard of suite "${spec.name}" (seed ${seed}): rare events below their floors\n  ${unmet.join('\n  ')}`);
    }
  }
  return outcome;
}
