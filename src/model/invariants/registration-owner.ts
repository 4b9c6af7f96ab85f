// §7.2 no-silent-rollback, the proposer's half: a node proposes Register(dek,
// self, epoch) only from a running process, at the epoch that process holds
// under that DEK. An attempt made for a process that crashed, halted or was
// refused (a retry loop that outlived it), or at an epoch its successor has
// since bumped past, is a registration of an epoch the node no longer holds:
// committed after the successor's, it is a rollback every replica must halt
// on; committed before it, it re-registers an epoch the successor's guards
// then judge by.
// A process's epochs come from its bumps (a start's, a DEK switch's); a DEK
// the trace shows no bump under (production main's rotation re-points the
// process at its pinned epoch) is not judged.
// An attempt recorded at the very time its process crashed is that process's:
// the crash fired inside the submit (a crash point on the leader's append),
// before the attempt was recorded.
// One violation per node and (DEK, epoch). Code: 'stale-registration'.
import type { TraceEvent } from '../../trace/types.ts';
import { processEndedBy } from './node-states.ts';

export interface StaleRegistration {
  eventIndex: number;
  node: string;
  message: string;
}

export function staleRegistrations(trace: readonly TraceEvent[]): StaleRegistration[] {
  const out: StaleRegistration[] = [];
  /** node -> its running process's epoch per DEK (absent: no process runs). */
  const running = new Map<string, Map<number, number>>();
  /** node -> when its last process ended, and its epochs then. */
  const ended = new Map<string, { t: number; epochs: Map<number, number> }>();
  const reported = new Set<string>();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    const gone = processEndedBy(ev);
    if (gone !== undefined) {
      const epochs = running.get(gone);
      if (epochs !== undefined) ended.set(gone, { t: ev.t, epochs });
      running.delete(gone);
      continue;
    }
    switch (ev.kind) {
      case 'epoch-bump': {
        // A crash loop's bump is a start that died right after it.
        if (ev.starts !== undefined) break;
        let epochs = running.get(ev.node);
        if (epochs === undefined) running.set(ev.node, (epochs = new Map()));
        epochs.set(ev.dekId, ev.epoch);
        break;
      }
      case 'guard-check':
      case 'sidecar-load':
        // A start that passed its guards (main's unbootstrapped start bumps nothing).
        if (ev.kind === 'sidecar-load' || ev.refused === undefined) running.set(ev.node, running.get(ev.node) ?? new Map());
        break;
      case 'register-propose': {
        const epochs = running.get(ev.node);
        const held = epochs?.get(ev.dekId);
        if (epochs !== undefined && (held === undefined || held === ev.epoch)) break;
        const last = ended.get(ev.node);
        if (epochs === undefined && last !== undefined && last.t === ev.t && last.epochs.get(ev.dekId) === ev.epoch) break;
        const key = `${ev.node}|${ev.dekId}|${ev.epoch}`;
        if (reported.has(key)) break;
        reported.add(key);
        const why = epochs === undefined ? 'no process of it runs' : `its running process holds epoch ${held} there`;
        out.push({
          eventIndex: e,
          node: ev.node,
          message: `${ev.node} proposed Register(dek ${ev.dekId}, epoch ${ev.epoch}) (attempt ${ev.attempt}), but ${why}: only a running process registers, at the epoch it holds`,
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}
