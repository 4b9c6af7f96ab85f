// Shrinking a failure found by an exploration: fast-check's shrink of the
// run's own draw (checkRun with the failing predicate), then delta debugging
// on the document (minimize.ts). Both keep "fails like the original run".
import type { ApplierFactory } from '../applier/index.ts';
import type { Scenario } from '../scenario/index.ts';
import { minimizeScenario } from './minimize.ts';
import { checkRun, failsLike, judge } from './run.ts';
import type { RunSpec } from './run.ts';

/** Predicate calls fast-check's shrink may spend; past it every candidate "passes", which ends the shrink. */
export const SHRINK_BUDGET = 400;

export interface Shrunk {
  original: Scenario;
  scenario: Scenario;
  /** Scenarios run while shrinking. */
  tries: number;
}

/** Shrinks failing run `index` of `spec`; throws if the run does not fail again (the harness would not be deterministic). */
export function shrinkRun(spec: RunSpec, index: number, applier?: ApplierFactory): Shrunk {
  let original: Scenario | undefined;
  let fails: ((scenario: Scenario) => boolean) | undefined;
  let tries = 0;
  const shrunk = checkRun(
    spec,
    index,
    (scenario) => {
      tries++;
      if (original === undefined) {
        // The first call is the run as generated: the reference every shrink must keep failing like.
        original = scenario;
        const reference = judge(spec, scenario, applier);
        if (reference.verdict === 'ok') return true;
        fails = failsLike(spec, reference, applier);
        return false;
      }
      return tries > SHRINK_BUDGET || fails?.(scenario) !== true;
    },
    false,
  );
  if (!original || !shrunk || !fails) throw new Error(`run ${index} of seed ${spec.seed} did not fail again: the harness is not deterministic`);
  const minimized = minimizeScenario(shrunk, fails);
  return { original, scenario: minimized.scenario, tries: Math.min(tries, SHRINK_BUDGET) + minimized.tries };
}
