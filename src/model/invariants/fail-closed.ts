// §7.5 fail-closed-halts: once node n halts at index i (an apply with a halt
// result, or a halt event; environmental halts too), n's applied index must
// not pass i until the halt is resolved. Observations of the applied index:
// apply events, snapshot takes, the applied index a restart resumes from, and
// the run-end summary.
//
// What resolves a halt (decisions):
//  - a successful apply of index i itself (the entry went through on a later
//    attempt, e.g. after a transient store fault; whether that success was
//    right is replay-idempotence's question);
//  - a snapshot install at an index >= i, when the committed log does not
//    itself halt at i (the halt was the node's own: a store fault, or a store
//    that was ahead of the entry): the state machine is replaced by a state
//    that already includes index i as applied by the snapshot's source; the
//    node did not skip the entry, it adopted someone else's application. A
//    halt that a single in-order application of the committed log makes (a
//    committed collision, rollback or malformed entry) halts every replica
//    there, so no correct snapshot can be past it: installing one does not
//    resolve the halt, it carries a fail-open from elsewhere.
// What does not: a restart (the same entry is applied again and must halt
// again), a restore from backup (the node rewinds and must reach i again), an
// install below i. A halt at a lower index while one is pending replaces it
// (the lower one is the stricter bound).
// One violation per halt episode.
// Code: 'applied-past-halt'.
import type { TraceEvent } from '../../trace/types.ts';
import { violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

interface Pending {
  index: number;
  reason: string;
  eventIndex: number;
  reported: boolean;
}

export function checkFailClosedHalts(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const pending = new Map<string, Pending>();

  const halt = (node: string, index: number, reason: string, e: number): void => {
    const p = pending.get(node);
    if (p && p.index <= index) return;
    pending.set(node, { index, reason, eventIndex: e, reported: false });
  };
  /** `index` is an applied index (counts the entry as done) unless `isApply` (the entry being applied). */
  const past = (node: string, e: number, index: number, what: string, isApply = false): void => {
    const p = pending.get(node);
    if (!p || p.reported || (isApply ? index <= p.index : index < p.index)) return;
    p.reported = true;
    out.push(
      violation(
        'fail-closed-halts', 'applied-past-halt',
        e,
        node,
        `${node} ${what} ${index} after halting at index ${p.index} (${p.reason}, event #${p.eventIndex}) without applying that entry`,
      ),
    );
  };

  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    switch (ev.kind) {
      case 'apply':
        past(ev.node, e, ev.index, 'applied index', true);
        if (ev.result.kind === 'halt') halt(ev.node, ev.index, ev.result.reason, e);
        else if (pending.get(ev.node)?.index === ev.index) pending.delete(ev.node);
        break;
      case 'halt':
        halt(ev.node, ev.index, ev.reason, e);
        break;
      case 'snapshot-take':
        past(ev.node, e, ev.index, 'took a snapshot at index');
        break;
      case 'restart':
        past(ev.node, e, ev.appliedIndex, 'restarted with applied index');
        break;
      case 'snapshot-install': {
        const p = pending.get(ev.node);
        if (p !== undefined && p.index <= ev.index && ctx.timeline.step(p.index)?.result?.kind !== 'halt') pending.delete(ev.node);
        break;
      }
      case 'run-end':
        for (const s of ev.nodes) past(s.node, e, s.appliedIndex, 'ended the run with applied index');
        break;
      default:
        break;
    }
  }
  return out;
}
