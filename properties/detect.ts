// Detecting a bug variant with the default property suites, as the kill table
// (variants.kill.test.ts) and the fixture recorder (scripts/record-variant-fixtures.ts)
// do. Every suite's scenarios are drawn as its property draws them (same
// arbitrary, same default seed: fc.sample yields fc.check's run sequence) and
// the suites advance in lockstep, one run each per round, so a variant only
// one suite reaches costs (suites x runs-to-detection) scenarios, not the
// other suites' whole budgets. A run catches the variant when the variant
// shows a judged violation of an invariant the correct applier does not
// violate on the same scenario (differential: a catch is the variant's doing).
import fc from 'fast-check';
import type { InvariantName } from '../src/model/oracle.ts';
import { VARIANTS, presetPolicy, runScenario, scenarioArbitrary, variantAppliesTo } from '../src/scenario/index.ts';
import type { RunResult, Scenario } from '../src/scenario/index.ts';
import { DEFAULT_BASE_SEED, DEFAULT_SUITES_CONFIG, knobs, suiteSeed } from './support.ts';
import type { SuiteSpec } from './support.ts';
import { SUITES, SUITE_ORDER } from './suites.ts';
import type { SuiteName } from './suites.ts';

export interface Detection {
  variant: string;
  suite: SuiteName;
  seed: number;
  /** 1-based index of the catching run in its suite's property (runs-to-detection). */
  run: number;
  /** Scenarios run over all suites, lockstep, until the catch. */
  scenariosRun: number;
  scenario: Scenario;
  /** The invariants the variant violates and the correct applier does not. */
  invariants: InvariantName[];
  result: RunResult;
}

/**
 * Variants the suites are known not to catch within their budgets, and why.
 * Listed, not hidden: the table prints them, vitest reports them as skipped.
 */
export const KNOWN_ESCAPES: Readonly<Record<string, string>> = {};

/** The configuration the suites generate scenarios under: REGSIM_CONFIG, else scenarioArbitrary's default. */
export const SUITES_CONFIG = knobs().config ?? DEFAULT_SUITES_CONFIG;

/**
 * The bug variants the kill table and the fixtures cover under the suites'
 * configuration: all but `correct`, the known escapes and the variants whose
 * bug needs a design option the configuration lacks (`elsewhere`).
 */
export function killTableVariants(): { covered: string[]; elsewhere: string[] } {
  const policy = presetPolicy(SUITES_CONFIG);
  const names = VARIANTS.map((v) => v.name).filter((n) => n !== 'correct' && !(n in KNOWN_ESCAPES));
  return { covered: names.filter((n) => variantAppliesTo(n, policy)), elsewhere: names.filter((n) => !variantAppliesTo(n, policy)) };
}

/** A recorded variant fixture (fixtures/variants/expected.json holds one per variant). */
export interface VariantFixture {
  variant: string;
  /** The suite whose property caught it, and its run (runs-to-detection). */
  suite: string;
  run: number;
  verdict: string;
  invariant: InvariantName;
  traceHash: string;
}

/** The invariants `variant` violates on `scenario` that the correct applier does not. */
export function differentialViolations(scenario: Scenario, variant: string): { invariants: InvariantName[]; result: RunResult } {
  const result = runScenario(scenario, { variant });
  const mine = new Set(result.violations.map((v) => v.invariant));
  if (mine.size === 0) return { invariants: [], result };
  const baseline = new Set(runScenario(scenario).violations.map((v) => v.invariant));
  return { invariants: [...mine].filter((i) => !baseline.has(i)), result };
}

/** The first run of the default suites (each at its default seed and budget, `budget` x runs) that catches `variant`. */
export function detect(variant: string, budget = 1): Detection | undefined {
  const streams = SUITE_ORDER.map((suite) => {
    const spec: SuiteSpec = SUITES[suite];
    const seed = suiteSeed(DEFAULT_BASE_SEED, spec.name);
    const scenarios = fc.sample(scenarioArbitrary({ ...spec.arbitrary, config: SUITES_CONFIG }), { seed, numRuns: Math.round(spec.runs * budget) });
    return { suite, spec, seed, scenarios };
  });
  const longest = Math.max(...streams.map((s) => s.scenarios.length));
  let scenariosRun = 0;
  for (let i = 0; i < longest; i++) {
    for (const { suite, spec, seed, scenarios } of streams) {
      const scenario = scenarios[i];
      if (scenario === undefined) continue;
      scenariosRun++;
      const { invariants, result } = differentialViolations(scenario, variant);
      if (invariants.length > 0) return { variant, suite, seed, run: i + 1, scenariosRun, scenario, invariants, result };
    }
  }
  return undefined;
}
