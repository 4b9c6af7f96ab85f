// §7.6 raft-safety, over the trace only (src/model may not import the
// simulator's own checkers in src/sim/raft-checks.ts; the two should be
// deduplicated once both settle):
//  - election safety: at most one node becomes leader in a term;
//  - log matching: every append/commit event for the same (index, term) has
//    the same digest;
//  - committed entries never change: every commit event for an index has the
//    same term and digest, and no node truncates an entry of its log that is
//    the committed one (a leader lacked a committed entry);
//  - state machine safety: every apply at an index carries the same entry and
//    term, and that term is the committed term;
//  - no skipped entries: a node applies indices in order; jumping over an index
//    that some node applied (an index nobody applied is an entry the engine
//    filters, e.g. Raft's empty leader entries) is a violation, unless the jump
//    crosses the node's own halt (fail-closed-halts reports that).
// A restore replaces a node's disk with an unknown older log: its log mirror
// and applied index are forgotten until its next restart.
// Codes: 'two-leaders', 'log-mismatch', 'commit-changed', 'committed-truncated',
// 'apply-mismatch', 'apply-term', 'skipped-entry'.
import type { TraceEvent } from '../../trace/types.ts';
import { describeEntry, violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

interface At {
  node: string;
  eventIndex: number;
}

export function checkRaftSafety(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const leaders = new Map<number, At>();
  // keyed by index * 2^32 + term (exact for indices below 2^21)
  const byIndexTerm = new Map<number, At & { digest: string }>();
  const committed = new Map<number, At & { term: number; digest: string }>();
  const applied = new Map<number, At & { term: number; entryHex: string }>();
  /** Each node's log as the trace shows it: terms[i] / digests[i] of index i (holes allowed). */
  const logs = new Map<string, { terms: number[]; digests: string[] }>();
  const appliedIndex = new Map<string, number | undefined>();
  const lastHalt = new Map<string, number>();

  const logOf = (node: string): { terms: number[]; digests: string[] } => {
    let m = logs.get(node);
    if (!m) logs.set(node, (m = { terms: [], digests: [] }));
    return m;
  };
  const matching = (e: number, node: string, index: number, term: number, digest: string, what: string): void => {
    const key = index * 4294967296 + term;
    const first = byIndexTerm.get(key);
    if (!first) byIndexTerm.set(key, { node, eventIndex: e, digest });
    else if (first.digest !== digest)
      out.push(
        violation(
          'raft-safety', 'log-mismatch',
          e,
          node,
          `log matching: ${node} ${what} index ${index} term ${term} with digest ${digest}, but ${first.node} has digest ${first.digest} there (event #${first.eventIndex})`,
        ),
      );
  };

  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    switch (ev.kind) {
      case 'run-start':
        for (const node of ev.nodes) appliedIndex.set(node, 0);
        break;
      case 'add-node':
        appliedIndex.set(ev.node, 0);
        break;
      case 'became-leader': {
        const first = leaders.get(ev.term);
        if (!first) leaders.set(ev.term, { node: ev.node, eventIndex: e });
        else if (first.node !== ev.node)
          out.push(
            violation(
              'raft-safety', 'two-leaders',
              e,
              ev.node,
              `two leaders in term ${ev.term}: ${ev.node} became leader, but ${first.node} already had (event #${first.eventIndex})`,
            ),
          );
        break;
      }
      case 'append': {
        matching(e, ev.node, ev.index, ev.term, ev.digest, 'appended');
        const log = logOf(ev.node);
        log.terms[ev.index] = ev.term;
        log.digests[ev.index] = ev.digest;
        break;
      }
      case 'truncate': {
        const log = logOf(ev.node);
        let lost: number | undefined;
        for (let index = ev.fromIndex; index < log.terms.length; index++) {
          const c = committed.get(index);
          if (c && c.term === log.terms[index] && c.digest === log.digests[index]) {
            lost = index;
            break;
          }
        }
        if (ev.fromIndex < log.terms.length) {
          log.terms.length = Math.max(0, ev.fromIndex);
          log.digests.length = Math.max(0, ev.fromIndex);
        }
        if (lost !== undefined)
          out.push(
            violation(
              'raft-safety', 'committed-truncated',
              e,
              ev.node,
              `${ev.node} truncated its log from index ${ev.fromIndex}, dropping the committed entry at index ${lost} (term ${committed.get(lost)?.term}, committed at event #${committed.get(lost)?.eventIndex})`,
            ),
          );
        break;
      }
      case 'commit': {
        matching(e, ev.node, ev.index, ev.term, ev.digest, 'committed');
        const first = committed.get(ev.index);
        if (!first) committed.set(ev.index, { node: ev.node, eventIndex: e, term: ev.term, digest: ev.digest });
        else if (first.term !== ev.term || first.digest !== ev.digest)
          out.push(
            violation(
              'raft-safety', 'commit-changed',
              e,
              ev.node,
              `committed entry changed: ${ev.node} committed index ${ev.index} as term ${ev.term} digest ${ev.digest}, but ${first.node} committed term ${first.term} digest ${first.digest} (event #${first.eventIndex})`,
            ),
          );
        break;
      }
      case 'apply': {
        const first = applied.get(ev.index);
        const c = committed.get(ev.index);
        if (!first) applied.set(ev.index, { node: ev.node, eventIndex: e, term: ev.term, entryHex: ev.entryHex });
        if (first && (first.entryHex !== ev.entryHex || first.term !== ev.term)) {
          out.push(
            violation(
              'raft-safety', 'apply-mismatch',
              e,
              ev.node,
              `${ev.node} applied ${describeEntry(ev.entryHex)} (term ${ev.term}) at index ${ev.index}, but ${first.node} applied ${describeEntry(first.entryHex)} (term ${first.term}) there (event #${first.eventIndex})`,
            ),
          );
        } else if (c && c.term !== ev.term) {
          out.push(
            violation(
              'raft-safety', 'apply-term',
              e,
              ev.node,
              `${ev.node} applied index ${ev.index} from term ${ev.term}, but the committed entry there is from term ${c.term} (event #${c.eventIndex})`,
            ),
          );
        } else {
          const before = appliedIndex.get(ev.node);
          const halt = lastHalt.get(ev.node);
          if (before !== undefined && ev.index > before + 1 && !(halt !== undefined && halt > before && halt < ev.index)) {
            for (let k = before + 1; k < ev.index; k++) {
              if (!ctx.timeline.hasEntry(k)) continue;
              out.push(
                violation(
                  'raft-safety', 'skipped-entry',
                  e,
                  ev.node,
                  `${ev.node} applied index ${ev.index} right after index ${before}, skipping the committed entry at index ${k}`,
                ),
              );
              break;
            }
          }
        }
        if (ev.result.kind === 'halt') lastHalt.set(ev.node, ev.index);
        else appliedIndex.set(ev.node, Math.max(ev.index, appliedIndex.get(ev.node) ?? 0));
        break;
      }
      case 'halt':
        lastHalt.set(ev.node, ev.index);
        break;
      case 'snapshot-install':
        appliedIndex.set(ev.node, ev.index);
        break;
      case 'restart':
        appliedIndex.set(ev.node, ev.appliedIndex);
        break;
      case 'restore':
        appliedIndex.set(ev.node, undefined);
        logs.delete(ev.node);
        break;
      default:
        break;
    }
  }
  return out;
}
