// Liveness: judged on the run-end summary, and only if the trace has a
// faults-end event (the simulator's quiet period starts there). Every node that
// is up and not halted must have applied up to the highest commit index among
// those nodes. With `livenessBoundMs`, each of them must also have got there no
// later than faults-end + bound (the time its applied index last rose to the
// highest index anyone applied up to that target; filtered entries, which have
// no apply event, are not waited for).
// Codes: 'not-caught-up', 'caught-up-late'.
import type { TraceEvent } from '../../trace/types.ts';
import { violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

export function checkLiveness(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  if (ctx.options.liveness === false) return [];
  let faultsEnd: number | undefined;
  let end: { e: number; ev: Extract<TraceEvent, { kind: 'run-end' }> } | undefined;
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind === 'faults-end') faultsEnd = ev.t;
    else if (ev.kind === 'run-end') end = { e, ev };
  }
  if (faultsEnd === undefined || end === undefined) return [];
  const healthy = end.ev.nodes.filter((s) => s.up && !s.halted);
  if (healthy.length === 0) return [];
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
