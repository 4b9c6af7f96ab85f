// Built-in against external, run by run: the same generated scenario under
// regsim's applier and under an external one, compared by behaviour (halt
// messages left out: behaviourOf), with the first event where the two traces
// part. What `explore --compare` reports.
import type { ApplierFactory } from '../applier/index.ts';
import { runScenario } from '../scenario/index.ts';
import type { RunResult } from '../scenario/index.ts';
import { behaviourHash, behaviourOf, canonicalJson } from '../sim/trace.ts';
import type { TraceEvent } from '../trace/types.ts';
import { scenarioOf } from './run.ts';
import type { RunSpec, Verdict } from './run.ts';

export interface RunComparison {
  run: number;
  same: boolean;
  builtin: Side;
  external: Side;
  /** Where the traces part (absent when they are the same). */
  firstDifference?: Difference;
}

interface Side {
  verdict: Verdict;
  /** The behaviour hash of the trace (behaviourHash). */
  behaviourHash: string;
  events: number;
}

export interface Difference {
  eventIndex: number;
  /** The event on each side, behaviour only; null past the end of that trace. */
  builtin: TraceEvent | null;
  external: TraceEvent | null;
}

/** The first index where the two traces differ in behaviour, if any. */
export function firstDifference(a: readonly TraceEvent[], b: readonly TraceEvent[]): Difference | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] === undefined ? null : behaviourOf(a[i] as TraceEvent);
    const y = b[i] === undefined ? null : behaviourOf(b[i] as TraceEvent);
    if (x === null || y === null || canonicalJson(x) !== canonicalJson(y)) return { eventIndex: i, builtin: x, external: y };
  }
  return undefined;
}

const side = (r: RunResult): Side => ({ verdict: r.verdict, behaviourHash: behaviourHash(r.trace), events: r.trace.length });

/** Run `index` of the exploration `spec` under both appliers. */
export function compareRun(spec: RunSpec, index: number, builtin: ApplierFactory | undefined, external: ApplierFactory): RunComparison {
  const scenario = scenarioOf(spec, index);
  const a = runScenario(scenario, { variant: spec.variant, applier: builtin });
  const b = runScenario(scenario, { variant: spec.variant, applier: external });
  const difference = firstDifference(a.trace, b.trace);
  return { run: index, same: difference === undefined, builtin: side(a), external: side(b), ...(difference ? { firstDifference: difference } : {}) };
}
