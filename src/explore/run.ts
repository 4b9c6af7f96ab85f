// One run of an exploration: run i's scenario is drawn by fast-check from the
// scenario arbitrary with the run's own seed (seed.ts) and judged by the
// oracle. Drawing through fc.check (not fc.sample) means the same call with a
// failing predicate is fast-check's own shrinking of that very scenario.
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import type { ApplierFactory } from '../applier/index.ts';
import { verdictOf } from '../model/oracle.ts';
import type { Violation } from '../model/oracle.ts';
import { runScenario, scenarioArbitrary, timed } from '../scenario/index.ts';
import type { PhaseTimer, PolicyOverrides, PolicyPresetName, RunResult, Scenario, ScenarioArbitraryOptions } from '../scenario/index.ts';
import { pathCounts } from './coverage.ts';
import { runRandom, runSeed, runSeedHex } from './seed.ts';

/** What an exploration runs: plain data, so a worker can rebuild it. */
export interface RunSpec {
  seed: number;
  /** A catalog variant (src/scenario/variants.ts). */
  variant: string;
  /** Members at boot (default: the arbitrary's range). */
  nodes?: number;
  /** The named policy configuration scenarios are generated under (default: the arbitrary's). */
  config?: PolicyPresetName;
  /** Policy fields changed on top of `config`'s (explore --policy). */
  policy?: PolicyOverrides;
  /** Fault families forced on (true) or off (false); the rest are left to the swarm. */
  families?: ScenarioArbitraryOptions['families'];
  /**
   * Half of the runs switch the §9.1 rollback and collision start-up guards
   * off (half of those the exhaustion guard too). The guards stop a stale or
   * colliding registration before it commits, so only without them does the
   * applier's own halt get exercised.
   */
  guardSwarm?: boolean;
  /**
   * Mutation testing: only violations of invariants the correct applier does
   * not violate on the same scenario count, so a variant is not credited with
   * what the configuration does anyway (or what switching a guard off gives up).
   */
  differential?: boolean;
}

export type Verdict = RunResult['verdict'];

export interface RunSummary {
  index: number;
  /** The 64-bit seed the run drew its scenario from (seed.ts), in hex. */
  runSeed: string;
  traceHash: string;
  /** The verdict of the violations that count (all of them, unless differential). */
  verdict: Verdict;
  /** The invariant a failing run is judged by (see `judge`). */
  invariant?: string;
  eventIndex?: number;
  /** Differential runs: the variant failed, but only where the correct applier fails too. */
  masked?: boolean;
  simulatedMs: number;
  /** Decision-path counts, in PATHS order (coverage.ts). */
  paths: number[];
  /** Wall time of the run (not reproducible: records only, never in the digest). */
  wallMs: number;
}

export const isFailure = (s: RunSummary): boolean => s.verdict !== 'ok';

/** The violation a run is judged by: its first violation of the verdict's class. */
export function headline(result: Pick<RunResult, 'verdict' | 'violations'>): Violation | undefined {
  if (result.verdict === 'ok') return undefined;
  const kind = result.verdict === 'safety-violation' ? 'safety' : 'liveness';
  return result.violations.find((v) => v.kind === kind);
}

export interface Judgement {
  result: RunResult;
  /** The violations that count (differential: those of invariants the correct applier keeps). */
  counted: Violation[];
  verdict: Verdict;
  top?: Violation;
}

/** Runs `scenario` under the spec's variant and judges it (`onPhase`: the wall time of each phase, see runScenario). */
export function judge(spec: Pick<RunSpec, 'variant' | 'differential'>, scenario: Scenario, applier?: ApplierFactory, onPhase?: PhaseTimer): Judgement {
  const result = runScenario(scenario, { variant: spec.variant, applier, onPhase });
  let counted = result.violations;
  if (spec.differential && counted.length > 0) {
    const baseline = new Set(runScenario(scenario, { applier, onPhase }).violations.map((v) => v.invariant));
    counted = counted.filter((v) => !baseline.has(v.invariant));
  }
  const verdict = verdictOf(counted);
  return { result, counted, verdict, top: headline({ verdict, violations: counted }) };
}

/**
 * The guard swarm: the rollback and collision guards off (so committed
 * rollbacks and collisions reach the applier), sometimes the exhaustion guard
 * too (so an epoch wraps past 0xFFFF and must halt as a rollback).
 */
const GUARDS_OFF = { guards: { rollback: false, collision: false } };
const ALL_GUARDS_OFF = { guards: { rollback: false, collision: false, exhaustion: false } };

/** `over` on top of the spec's policy fields (the guard swarm's guards over --policy's). */
function withPolicy(spec: RunSpec, over?: PolicyOverrides): PolicyOverrides | undefined {
  const base = spec.policy;
  if (base === undefined || over === undefined) return over ?? base;
  return { ...base, guards: { ...base.guards, ...over.guards } };
}

export function arbitraryOf(spec: RunSpec): fc.Arbitrary<Scenario> {
  const options = { nodes: spec.nodes, config: spec.config, families: spec.families };
  const arbitrary = scenarioArbitrary({ ...options, policy: withPolicy(spec) });
  if (!spec.guardSwarm) return arbitrary;
  return fc.oneof(
    { weight: 2, arbitrary },
    { weight: 1, arbitrary: scenarioArbitrary({ ...options, policy: withPolicy(spec, GUARDS_OFF) }) },
    { weight: 1, arbitrary: scenarioArbitrary({ ...options, policy: withPolicy(spec, ALL_GUARDS_OFF) }) },
  );
}

/**
 * fc.check of run `index` with `predicate`: one generated scenario, shrunk if
 * the predicate fails (unless `endOnFailure`). An exception inside the
 * predicate is a harness problem, never a failing scenario: it is rethrown.
 */
export function checkRun(
  spec: RunSpec,
  index: number,
  predicate: (scenario: Scenario) => boolean,
  endOnFailure: boolean,
): Scenario | undefined {
  let error: { err: unknown } | undefined;
  const details = fc.check(
    fc.property(arbitraryOf(spec), (scenario) => {
      if (error) return true;
      try {
        return predicate(scenario);
      } catch (err) {
        // Passing stops the shrinker from chasing the exception.
        error = { err };
        return true;
      }
    }),
    { ...runRandom(runSeed(spec.seed, index)), numRuns: 1, endOnFailure },
  );
  if (error) throw error.err;
  return details.failed ? details.counterexample?.[0] : undefined;
}

/** Run `index`'s scenario, as generated. */
export function scenarioOf(spec: RunSpec, index: number): Scenario {
  let generated: Scenario | undefined;
  checkRun(spec, index, (scenario) => ((generated = scenario), true), true);
  if (!generated) throw new Error(`run ${index} produced no scenario`);
  return generated;
}

/** A run that could not be judged (a harness error, such as a malformed trace): names the run, so it can be reproduced. */
export class RunError extends Error {
  override name = 'RunError';
  constructor(
    readonly run: number,
    message: string,
  ) {
    super(message.startsWith(`run ${run}: `) ? message : `run ${run}: ${message}`);
  }
}

/** Generates and judges run `index` (`onPhase`: the wall time of each phase, fast-check's drawing as 'generate'). */
export function exploreRun(spec: RunSpec, index: number, applier?: ApplierFactory, onPhase?: PhaseTimer): RunSummary {
  let summary: Omit<RunSummary, 'wallMs'> | undefined;
  const started = performance.now();
  checkRun(
    spec,
    index,
    (scenario) => {
      onPhase?.('generate', performance.now() - started);
      let judged: Judgement;
      try {
        judged = judge(spec, scenario, applier, onPhase);
      } catch (err) {
        throw new RunError(index, err instanceof Error ? err.message : String(err));
      }
      const { result, verdict, top } = judged;
      summary = timed(onPhase, 'summarise', () => ({
        index,
        runSeed: runSeedHex(runSeed(spec.seed, index)),
        traceHash: result.traceHash,
        verdict,
        simulatedMs: result.simulatedMs,
        paths: pathCounts(result.stats),
        ...(top ? { invariant: top.invariant, eventIndex: top.eventIndex } : {}),
        ...(result.verdict !== 'ok' && !top ? { masked: true } : {}),
      }));
      return true;
    },
    true,
  );
  if (!summary) throw new Error(`run ${index} produced no scenario`);
  return { ...summary, wallMs: Math.round((performance.now() - started) * 1000) / 1000 };
}

/**
 * The shrinking predicate: the scenario is still judged by the invariant the
 * `reference` judgement was (so the shrink does not wander off to another
 * bug), and violates nothing the reference did not (cutting the quiet period
 * must not add a liveness failure).
 */
export function failsLike(
  spec: Pick<RunSpec, 'variant' | 'differential'>,
  reference: Judgement,
  applier?: ApplierFactory,
): (scenario: Scenario) => boolean {
  const allowed = new Set(reference.result.violations.map((v) => v.invariant));
  return (scenario) => {
    const j = judge(spec, scenario, applier);
    return j.top?.invariant === reference.top?.invariant && j.result.violations.every((v) => allowed.has(v.invariant));
  };
}

/** Runs [start, end) in order, stopping after the first failure unless `keepGoing`. */
export async function runRange(
  spec: RunSpec,
  range: { start: number; end: number; keepGoing: boolean },
  applier: ApplierFactory | undefined,
  onRun: (summary: RunSummary) => void,
  onPhase?: PhaseTimer,
): Promise<void> {
  for (let i = range.start; i < range.end; i++) {
    const summary = exploreRun(spec, i, applier, onPhase);
    onRun(summary);
    if (isFailure(summary) && !range.keepGoing) return;
    // Between runs, let progress output and worker messages through.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
