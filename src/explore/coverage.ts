// Coverage of an exploration: how often each decision path (src/model/paths.ts)
// was reached, over all runs and in how many runs, and which of the paths the
// exploration is judged by were never reached. A verdict of "ok" over runs
// that never reached what it judges is worse than none, so an exploration
// that misses one is `inconclusive`: for the correct applier, every path the
// configuration can take; for a variant, the paths its bug changes.
import { PATHS, pathCounts } from '../model/paths.ts';
import type { PathGroup } from '../model/paths.ts';
import { presetPolicy } from '../scenario/index.ts';
import type { PolicyPresetName } from '../scenario/index.ts';
import { policyHas } from '../scenario/needs.ts';
import { variantPaths } from '../scenario/variants.ts';

export { pathCounts };

export interface PathTally {
  name: string;
  group: PathGroup;
  label: string;
  /** Occurrences over all runs. */
  count: number;
  /** Runs where it happened at least once. */
  runs: number;
}

/** Path counts added up run by run (nothing per run is kept), in PATHS order. */
export class PathTotals {
  private readonly count: number[] = PATHS.map(() => 0);
  private readonly runs: number[] = PATHS.map(() => 0);

  add(counts: readonly number[]): void {
    PATHS.forEach((_, k) => {
      const n = counts[k] ?? 0;
      this.count[k] = (this.count[k] ?? 0) + n;
      if (n > 0) this.runs[k] = (this.runs[k] ?? 0) + 1;
    });
  }

  tally(): PathTally[] {
    return PATHS.map(({ name, group, label }, k) => ({ name, group, label, count: this.count[k] ?? 0, runs: this.runs[k] ?? 0 }));
  }
}

/** The paths an exploration of `variant` under `config` is judged by (see the header). */
export function judgedPaths(variant: string, config: PolicyPresetName): string[] {
  const policy = presetPolicy(config);
  const possible = PATHS.filter((p) => policyHas(p.needs, policy)).map((p) => p.name);
  const declared = variantPaths(variant);
  return declared === undefined ? possible : declared.filter((p: string) => possible.includes(p));
}

/** The judged paths no run reached. */
export function unreachedPaths(tally: readonly PathTally[], judged: readonly string[]): string[] {
  return judged.filter((name) => (tally.find((t) => t.name === name)?.runs ?? 0) === 0);
}

export type ExplorationVerdict = 'ok' | 'safety-violation' | 'liveness-violation' | 'inconclusive';

/**
 * The verdict of an exploration: the worst failure, else `inconclusive` if a
 * judged path was never reached (naming them), else ok.
 */
export function explorationVerdict(
  failures: readonly { verdict: string }[],
  tally: readonly PathTally[],
  judged: readonly string[],
): { verdict: ExplorationVerdict; unreached: string[] } {
  if (failures.some((f) => f.verdict === 'safety-violation')) return { verdict: 'safety-violation', unreached: [] };
  if (failures.length > 0) return { verdict: 'liveness-violation', unreached: [] };
  const unreached = unreachedPaths(tally, judged);
  return { verdict: unreached.length > 0 ? 'inconclusive' : 'ok', unreached };
}
