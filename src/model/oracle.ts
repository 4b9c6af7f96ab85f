// The invariant oracle: judges a finished trace (the simulator's record of a
// run) against spec §7 and liveness. It never runs anything: every checker is
// a pure, deterministic pass over the events, sharing one committed log (built
// from commit events: the reference history), one reference timeline (the
// model's registry after each committed index) and one per-node lifecycle
// annotation (see invariants/context.ts). Violations come back
// ordered by event index, then by invariant (catalog order).
import type { TraceEvent } from '../trace/types.ts';
import { INVARIANT_NAMES } from './invariant-catalog.ts';
import type { InvariantName } from './invariant-catalog.ts';
import { checkReplicaAgreement } from './invariants/agreement.ts';
import { checkCollisionsHalt } from './invariants/collision.ts';
import { buildContext, violation } from './invariants/context.ts';
import { checkDekInForce } from './invariants/dek-in-force.ts';
import type { CheckContext, ModelTimeline, OracleOptions, Violation } from './invariants/context.ts';
import { checkFailClosedHalts } from './invariants/fail-closed.ts';
import { checkLiveness } from './invariants/liveness.ts';
import { checkNonceReuse } from './invariants/nonce.ts';
import { writeCountFindings } from './invariants/write-count.ts';
import { checkRaftLog } from './invariants/raft.ts';
import { checkTraffic } from './invariants/traffic.ts';
import { checkSealGate } from './invariants/seal-gate.ts';
import { checkAppliedLog } from './invariants/state-checker.ts';
import { checkReplayIdempotence } from './invariants/replay.ts';
import { checkNoSilentRollback } from './invariants/rollback.ts';
import { assertWellFormed } from './trace-shape.ts';

export type { OracleOptions, Violation } from './invariants/context.ts';
export { MalformedTraceError } from './invariants/context.ts';
export type { InvariantName } from './invariant-catalog.ts';

export type Checker = (trace: readonly TraceEvent[], ctx: CheckContext) => Violation[];

/** One checker per invariant (each is its own module under ./invariants). */
export const CHECKERS: Readonly<Record<InvariantName, Checker>> = {
  'no-nonce-reuse': (trace, ctx) => [
    ...checkNonceReuse(trace, ctx),
    ...checkSealGate(trace, ctx),
    ...writeCountFindings(trace).map((f) => violation('no-nonce-reuse', 'write-count-sequence', f.eventIndex, f.node, f.message)),
  ],
  'replay-idempotence': checkReplayIdempotence,
  'no-silent-rollback': checkNoSilentRollback,
  'collisions-halt': checkCollisionsHalt,
  'replica-agreement': (trace, ctx) => [...checkReplicaAgreement(trace, ctx), ...checkDekInForce(trace, ctx)],
  'fail-closed-halts': checkFailClosedHalts,
  'raft-safety': (trace, ctx) => [...checkRaftLog(trace, ctx), ...checkAppliedLog(trace, ctx)],
  liveness: (trace, ctx) => [...checkLiveness(trace, ctx), ...checkTraffic(trace, ctx)],
};

/**
 * Every violation of the trace, ordered by event index, then catalog order.
 * Throws MalformedTraceError (a harness error) if the trace breaks the trace
 * contract (trace-shape.ts): it is then no evidence about the system under test.
 */
export function checkTrace(trace: readonly TraceEvent[], options: OracleOptions = {}): Violation[] {
  return judgeTrace(trace, options).violations;
}

/** checkTrace's violations, and the reference timeline it judged them by (trace statistics reuse it: one pass over the committed log). */
export function judgeTrace(trace: readonly TraceEvent[], options: OracleOptions = {}): { violations: Violation[]; timeline: ModelTimeline } {
  assertWellFormed(trace);
  const ctx = buildContext(trace, options);
  const names = options.only ? INVARIANT_NAMES.filter((n) => options.only?.includes(n)) : INVARIANT_NAMES;
  const out: Violation[] = [];
  for (const name of names) out.push(...CHECKERS[name](trace, ctx));
  const rank = new Map(INVARIANT_NAMES.map((n, i) => [n, i]));
  // Array.prototype.sort is stable: ties keep each checker's own event order.
  const violations = out.sort(
    (a, b) => a.eventIndex - b.eventIndex || (rank.get(a.invariant) ?? 0) - (rank.get(b.invariant) ?? 0),
  );
  return { violations, timeline: ctx.timeline };
}

/** The verdict class of a set of violations (architecture: failure classes). */
export function verdictOf(violations: readonly Violation[]): 'ok' | 'safety-violation' | 'liveness-violation' {
  if (violations.some((v) => v.kind === 'safety')) return 'safety-violation';
  return violations.length > 0 ? 'liveness-violation' : 'ok';
}

/** One line for a report: "[§7.1 replay-idempotence] event #12 (n2): message". */
export function formatViolation(v: Violation): string {
  return `[${v.section} ${v.invariant}] event #${v.eventIndex}${v.node !== undefined ? ` (${v.node})` : ''}: ${v.message}`;
}

export { INVARIANTS, INVARIANT_NAMES, invariantInfo, isInvariantName } from './invariant-catalog.ts';
