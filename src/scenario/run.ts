// One scenario, end to end: compile, simulate, judge with the oracle.
import { performance } from 'node:perf_hooks';
import { SpeculationMissed } from '../applier/index.ts';
import type { ApplierFactory } from '../applier/index.ts';
import { judgeTrace, verdictOf } from '../model/oracle.ts';
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
  /** Told the wall time of each phase (the bench's breakdown); the run is the same with or without it. */
  onPhase?: PhaseTimer;
}

/** The phases of a run, all-in: drawing and compiling the scenario, the simulation, the oracle, the summary (hash, counts, totals). */
export type Phase = 'generate' | 'simulate' | 'judge' | 'summarise';
export type PhaseTimer = (phase: Phase, ms: number) => void;

/** `fn()`, its wall time told to `onPhase` as `phase`; without a timer just `fn()`. */
export function timed<T>(onPhase: PhaseTimer | undefined, phase: Phase, fn: () => T): T {
  if (onPhase === undefined) return fn();
  const t0 = performance.now();
  const out = fn();
  onPhase(phase, performance.now() - t0);
  return out;
}

export interface RunResult {
  verdict: 'ok' | 'safety-violation' | 'liveness-violation';
  violations: Violation[];
  /** Violations the scenario's own policy gives up by design (given-up.ts): not counted in the verdict. */
  expected: Violation[];
  /** SHA-256 of the trace's canonical serialization (traceHash), computed when first read. */
  readonly traceHash: string;
  trace: TraceEvent[];
  /** Rare-event counts (did the run reach the situations the invariants are about?). */
  stats: TraceStats;
  simStats: SimStats;
  simulatedMs: number;
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  const { onPhase } = opts;
  const variant = resolveVariant(opts.variant ?? 'correct');
  const compile = () => compileScenario(scenario, { variant, applier: opts.applier });
  const config = timed(onPhase, 'generate', compile);
  const result = timed(onPhase, 'simulate', () => {
    try {
      return simulate(config);
    } catch (err) {
      // An external applier's prediction was wrong: the run is void, and the applier answers the next one from its child alone.
      if (!(err instanceof SpeculationMissed)) throw err;
      return simulate(compile());
    }
  });
  const { counted: violations, expected, timeline } = timed(onPhase, 'judge', () => {
    const judged = judgeTrace(result.trace);
    return { ...splitGivenUp(judged.violations, scenario), timeline: judged.timeline };
  });
  return timed(onPhase, 'summarise', () => {
    let hash: string | undefined;
    return {
      verdict: verdictOf(violations),
      violations,
      expected,
      // Hashing the trace costs about a tenth of a run: computed when first read (explore's digest, replay), never for a property suite's run or a shrink step.
      get traceHash(): string {
        return (hash ??= traceHash(result.trace));
      },
      trace: result.trace,
      stats: traceStats(result.trace, timeline),
      simStats: result.stats,
      simulatedMs: result.stats.virtualMs,
    };
  });
}
