// Shared machinery of the cluster property suites (properties/<suite>.<part>.properties.test.ts):
// environment knobs, one fast-check run of a suite over runScenario, tallies of
// the decision paths reached (src/model/paths.ts) with vacuity floors, and failure reports that save the shrunk scenario
// and end with the one command that replays it. Framework-free, so the scripts
// (record-variant-fixtures) and the kill table reuse it.
//
// Environment:
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
//                (./detect.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import fc from 'fast-check';
import { formatViolation } from '../src/model/oracle.ts';
import type { InvariantName, Violation } from '../src/model/oracle.ts';
import { PATHS, PATH_NAMES, pathCounts } from '../src/model/paths.ts';
import type { TraceStats } from '../src/model/trace-stats.ts';
import type { ApplierFactory } from '../src/applier/index.ts';
import { replayCommand } from '../src/cli/counterexample.ts';
import { startExternalApplier } from '../src/external/index.ts';
import { POLICY_PRESET_NAMES, isPolicyPresetName, presetPolicy, runScenario, scenarioArbitrary, serializeScenario } from '../src/scenario/index.ts';
import type { PolicyPresetName, RunResult, Scenario, ScenarioArbitraryOptions } from '../src/scenario/index.ts';
import { policyHas } from '../src/scenario/needs.ts';

export const ROOT = new URL('../', import.meta.url);
export const FAILURE_DIR = 'regsim-failures';
export const DEFAULT_BASE_SEED = 20250901;
/** Below this many runs the floors are reported, not enforced (too few runs to expect a rate). */
export const MIN_RUNS_FOR_FLOORS = 50;

// --- decision paths ----------------------------------------------------------------

/** Per decision path (src/model/paths.ts): in how many runs it was reached at least once, and how often in all. */
export interface Tally {
  runs: number;
  runsWith: Record<string, number>;
  events: Record<string, number>;
}

export function emptyTally(): Tally {
  const zero = () => Object.fromEntries(PATH_NAMES.map((k) => [k, 0])) as Record<string, number>;
  return { runs: 0, runsWith: zero(), events: zero() };
}

export function addToTally(tally: Tally, stats: TraceStats): void {
  tally.runs++;
  const counts = pathCounts(stats);
  PATH_NAMES.forEach((name, k) => {
    const n = counts[k] ?? 0;
    tally.events[name] = (tally.events[name] ?? 0) + n;
    if (n > 0) tally.runsWith[name] = (tally.runsWith[name] ?? 0) + 1;
  });
}

/** Floors, by decision path: the least fraction of runs in which each must be reached. */
export type Floors = Partial<Record<string, number>>;

const label = (name: string): string => PATHS.find((p) => p.name === name)?.label ?? name;

/** The configuration the suites run under when REGSIM_CONFIG is not set (scenarioArbitrary's default). */
export const DEFAULT_SUITES_CONFIG: PolicyPresetName = 'hardened';

/** `floors` without those on paths that exist only under a design option `config` lacks (src/model/paths.ts `needs`). */
export function floorsUnder(floors: Floors, config: PolicyPresetName): Floors {
  const policy = presetPolicy(config);
  return Object.fromEntries(Object.entries(floors).filter(([name]) => policyHas(PATHS.find((p) => p.name === name)?.needs, policy)));
}

/** The floors `tally` misses, one line each (empty: the guard passes). */
export function unmetFloors(tally: Tally, floors: Floors): string[] {
  const out: string[] = [];
  for (const [name, floor] of Object.entries(floors)) {
    if (floor === undefined) continue;
    if (!PATH_NAMES.includes(name)) throw new Error(`floor on unknown decision path "${name}"`);
    const need = Math.max(1, Math.ceil(floor * tally.runs));
    if ((tally.runsWith[name] ?? 0) < need) {
      out.push(`${name} (${label(name)}): ${tally.runsWith[name] ?? 0} of ${tally.runs} runs, floor ${pct(floor)} (${need} runs)`);
    }
  }
  return out;
}

/**
 * fc.statistics-style table: each path with a floor (or, without floors,
 * every path), the share of runs it was reached in, its floor; then how many
 * of the other paths were reached.
 */
export function formatTally(title: string, tally: Tally, floors: Floors = {}): string {
  const shown = Object.keys(floors).length > 0 ? Object.keys(floors) : [...PATH_NAMES];
  const width = Math.max(...shown.map((k) => k.length + label(k).length + 3)) + 3;
  const lines = [title];
  for (const name of shown) {
    const text = `${name} (${label(name)})`;
    const share = tally.runs === 0 ? 0 : (tally.runsWith[name] ?? 0) / tally.runs;
    const floor = floors[name] === undefined ? '' : `  (floor ${pct(floors[name])})`;
    lines.push(`  ${text}${'.'.repeat(Math.max(1, width - text.length))}${pct(share).padStart(7)}  ${tally.runsWith[name] ?? 0} runs, ${tally.events[name] ?? 0} times${floor}`);
  }
  const others = PATH_NAMES.filter((n) => !shown.includes(n));
  if (others.length > 0) {
    const reached = others.filter((n) => (tally.runsWith[n] ?? 0) > 0);
    lines.push(`  other paths reached: ${reached.length} of ${others.length}${reached.length < others.length ? ` (not: ${others.filter((n) => !reached.includes(n)).join(', ')})` : ''}`);
  }
  return lines.join('\n');
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

// --- suites ----------------------------------------------------------------------------

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

/** Parts each cluster suite is split into: files small enough for `vitest --shard` to balance. */
export const SUITE_PARTS = 2;

/**
 * Part `part` (1-based) of a suite: its share of the runs, its own seed (the
 * seed is derived from the name) and its own test file. Floors are fractions
 * of the runs, so every part is held to the same ones.
 */
export function suitePart(spec: SuiteSpec, part: number, parts = SUITE_PARTS): SuiteSpec {
  const share = (k: number): number => Math.floor((k * spec.runs) / parts);
  return { ...spec, name: `${spec.name}.${part}`, file: spec.file.replace(/\.properties\.test\.ts$/, `.${part}.properties.test.ts`), runs: share(part) - share(part - 1) };
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

/** Saves `scenario` canonically under regsim-failures/ and returns its path relative to the project root. */
export function saveFailure(stem: string, scenario: Scenario): string {
  const dir = new URL(`${FAILURE_DIR}/`, ROOT);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${stem}.json`, dir);
  writeFileSync(file, serializeScenario(scenario));
  return relative(ROOT.pathname, file.pathname);
}

/** The failure report: the violations (the suite's family first), how to re-run the suite, and last the replay command. */
export function failureMessage(spec: SuiteSpec, outcome: SuiteOutcome, file: string, applierCommand?: string, config?: PolicyPresetName): string {
  const f = outcome.failure;
  if (f === undefined) throw new Error('no failure to report');
  const rank = (v: Violation): number => (spec.family.includes(v.invariant) ? 0 : 1);
  const violations = [...f.violations].sort((a, b) => rank(a) - rank(b));
  const shown = violations.slice(0, 5).map((v) => `  ${formatViolation(v)}`);
  if (violations.length > shown.length) shown.push(`  (+${violations.length - shown.length} more)`);
  const variant = outcome.variant === 'correct' ? '' : ` against variant ${outcome.variant}`;
  return [
    `property suite "${spec.name}" (${spec.family.join(', ')})${variant} failed after ${f.runs} runs, shrunk ${f.shrinks} times:`,
    ...(f.error !== undefined ? [`  the run threw: ${f.error}`] : shown),
    `Re-run this suite's failing case: ${config === undefined ? '' : `REGSIM_CONFIG=${config} `}FC_SEED=${outcome.seed} FC_PATH=${f.path} npx vitest run ${spec.file}`,
    `Shrunk scenario saved to ${file}; replay it with:`,
    replayCommand(file, outcome.variant, applierCommand),
  ].join('\n');
}

export interface CheckOptions {
  env?: Knobs;
  /** Where the rare-event table goes (default console.log). */
  log?: (text: string) => void;
  /** Check a bug variant instead of the correct applier (the guard's own tests). */
  variant?: string;
}

/**
 * The body of a suite's test: runs it with the environment's knobs, prints the
 * rare-event table, throws the failure report (after saving the scenario), then
 * enforces the floors.
 */
export function checkSuite(spec: SuiteSpec, opts: CheckOptions = {}): SuiteOutcome {
  const env = opts.env ?? knobs();
  const seed = env.fcSeed ?? suiteSeed(env.baseSeed, spec.name);
  const runs = Math.max(1, Math.round(spec.runs * env.scale));
  const external = env.applier === undefined ? undefined : startExternalApplier(env.applier);
  let outcome: SuiteOutcome;
  try {
    const arbitrary = env.config === undefined ? undefined : { ...spec.arbitrary, config: env.config };
    outcome = runSuite(spec, { seed, runs, path: env.fcPath, variant: opts.variant, applier: external?.factory, arbitrary });
  } finally {
    external?.close();
  }
  const config = env.config ?? DEFAULT_SUITES_CONFIG;
  const title = `[regsim ${spec.name}] ${outcome.tally.runs} runs, seed ${seed}${env.config === undefined ? '' : `, config ${env.config}`}`;
  (opts.log ?? console.log)(formatTally(title, outcome.tally, spec.floors));
  if (outcome.failure !== undefined) {
    const file = saveFailure(`${spec.name}-${seed}`, outcome.failure.scenario);
    throw new Error(failureMessage(spec, outcome, file, env.applier, env.config));
  }
  if (env.fcPath === undefined && outcome.tally.runs >= MIN_RUNS_FOR_FLOORS) {
    const unmet = unmetFloors(outcome.tally, floorsUnder(spec.floors, config));
    if (unmet.length > 0) {
      throw new Error(`vacuity guard of suite "${spec.name}" (seed ${seed}): rare events below their floors\n  ${unmet.join('\n  ')}`);
    }
  }
  return outcome;
}
