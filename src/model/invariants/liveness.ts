// Liveness: judged on the run-end summary, and only if the trace has a
// faults-end event (the simulator's quiet period starts there). Every node that
// is up and not halted must have applied up to the highest commit index among
// those nodes. With `livenessBoundMs`, each of them must also have got there no
// later than faults-end + bound (the time its applied index last rose to the
// highest index anyone applied up to that target; filtered entries, which have
// no apply event, are not waited for).
//
// Only a cluster that can make progress is judged: at run-end a quorum of the
// voters (run-start nodes that are not learners; quorum = a majority of them)
// must be up, not halted and not rejoining after a restore. Without one, no
// leader can be elected or commit, so nothing can catch up: the cause is the
// environment or a decision judged elsewhere (voters refused by a start-up
// guard, removed for good, halted fail-closed, or a restore that took the
// only other copy of committed entries), never a node that is merely slow,
// and a stalled node is not a finding of this invariant. Safety is judged
// regardless; a halt's decision is replay-idempotence / agreement's.
// Codes: 'not-caught-up', 'caught-up-late'.
import type { TraceEvent, TraceNodeSummary } from '../../trace/types.ts';
import { violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

export function checkLiveness(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  if (ctx.options.liveness === false) return [];
  let faultsEnd: number | undefined;
  let end: { e: number; ev: Extract<TraceEvent, { kind: 'run-end' }> } | undefined;
  let start: Extract<TraceEvent, { kind: 'run-start' }> | undefined;
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind === 'faults-end') faultsEnd = ev.t;
    else if (ev.kind === 'run-end') end = { e, ev };
    else if (ev.kind === 'run-start') start = ev;
  }
  if (faultsEnd === undefined || end === undefined) return [];
  const healthy = end.ev.nodes.filter((s) => s.up && !s.halted);
  if (healthy.length === 0) return [];
  if (!canProgress(start, end.ev.nodes)) return [];
  const target = Math.max(...healthy.map((s) => s.commitIndex));
  const out: Violation[] = [];
  const lagging = new Set<string>();
  for (const s of healthy) {
    if (s.appliedIndex >= target) continue;
    lagging.add(s.node);
    out.push(
      violation(
        'liveness', 'not-caught-up',
        end.e,
        s.node,
        `${s.node} is up and not halted at run-end (t=${end.ev.t}) with applied index ${s.appliedIndex}, behind commit index ${target}; faults ended at t=${faultsEnd}`,
      ),
    );
  }
  const bound = ctx.options.livenessBoundMs;
  if (bound === undefined) return out;

  // When did each healthy node last reach the target?
  let goal = target;
  while (goal > 0 && !ctx.timeline.hasEntry(goal)) goal--;
  const applied = new Map<string, number>();
  const reachedAt = new Map<string, number>();
  const update = (node: string, index: number, t: number): void => {
    const before = applied.get(node) ?? 0;
    applied.set(node, index);
    if (index >= goal && before < goal) reachedAt.set(node, t);
    else if (index < goal) reachedAt.delete(node);
  };
  for (let e = 0; e < end.e; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind === 'apply' && ev.result.kind !== 'halt') update(ev.node, ev.index, ev.t);
    else if (ev.kind === 'snapshot-install') update(ev.node, ev.index, ev.t);
    else if (ev.kind === 'restart') update(ev.node, ev.appliedIndex, ev.t);
    else if (ev.kind === 'restore') update(ev.node, 0, ev.t);
  }
  const deadline = faultsEnd + bound;
  for (const s of healthy) {
    if (lagging.has(s.node)) continue;
    const t = reachedAt.get(s.node) ?? 0;
    if (t <= deadline) continue;
    out.push(
      violation(
        'liveness', 'caught-up-late',
        end.e,
        s.node,
        `${s.node} reached commit index ${target} at t=${t}, later than faults-end (t=${faultsEnd}) + ${bound} ms = t=${deadline}`,
      ),
    );
  }
  return out;
}

/** A quorum of the voters is up, not halted and not rejoining at run-end (true if the trace lacks run-start). */
function canProgress(
  start: Extract<TraceEvent, { kind: 'run-start' }> | undefined,
  nodes: readonly TraceNodeSummary[],
): boolean {
  if (start === undefined) return true;
  const learners = new Set(start.learners ?? []);
  const voters = start.nodes.filter((n) => !learners.has(n));
  const byName = new Map(nodes.map((s) => [s.node, s]));
  let live = 0;
  for (const v of voters) {
    const s = byName.get(v);
    if (s !== undefined && s.up && !s.halted && s.rejoining !== true) live++;
  }
  return live >= (voters.length >> 1) + 1;
}
