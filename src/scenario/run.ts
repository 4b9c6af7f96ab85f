// One scenario, end to end: compile, simulate, judge with the oracle.
import type { ApplierFactory } from '../applier/index.ts';
import { checkTrace, verdictOf } from '../model/oracle.ts';
import type { Violation } from '../model/oracle.ts';
import { traceStats } from '../model/trace-stats.ts';
import type { TraceStats } from '../model/trace-stats.ts';
import { simulate } from '../sim/simulator.ts';
import type { SimStats } from '../sim/simulator.ts';
import { traceHash } from '../sim/trace.ts';
import type { TraceEvent } from '../trace/types.ts';
import { compileScenario } from './compile.ts';
import { splitGivenUp } from './given-up.ts';
import type { Scenario } from './types.ts';
import { resolveVariant } from './variants.ts';

export interface RunOptions {
  /** A catalog variant (default 'correct'). */
  variant?: string;
  /** An applier to test instead of the variant's. */
  applier?: ApplierFactory;
}

export interface RunResult {
  verdict: 'ok' | 'safety-violation' | 'liveness-violation';
  violations: Violation[];
  /** Violations the scenario's own policy gives up by design (given-up.ts): not counted in the verdict. */
  expected: Violation[];
  traceHash: string;
  trace: TraceEvent[];
  /** Rare-event counts (did the run reach the situations the invariants are about?). */
  stats: TraceStats;
  simStats: SimStats;
  simulatedMs: number;
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  const variant = resolveVariant(opts.variant ?? 'correct');
  const result = simulate(compileScenario(scenario, { variant, applier: opts.applier }));
  const { counted: violations, expected } = splitGivenUp(checkTrace(result.trace), scenario);
  return {
    verdict: verdictOf(violations),
    violations,
    expected,
    traceHash: traceHash(result.trace),
    trace: result.trace,
    stats: traceStats(result.trace),
    simStats: result.stats,
    simulatedMs: result.stats.virtualMs,
  };
}
