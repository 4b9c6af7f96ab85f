// §7.6 raft-safety, the state machine's half (TigerBeetle's StateChecker is
// the model): every node applies exactly the committed log, in order, and
// nothing else. The reference is the committed log (CommittedLog: built from
// commit events, never from applies), so an engine that applies an entry
// before it is committed, applies another entry than the committed one, or
// passes a committed entry without applying or halting on it is caught even
// when every node does the same. Per node the checker follows what the node
// knows is committed (its commit events, snapshot installs) and its applied
// index (applies, installs, restarts), and cross-checks every place the
// simulator states an applied or commit index against them. Codes:
//  - 'apply-uncommitted': an apply of an index the node had not learnt was
//    committed (none of its commit events, nor an install, covers it);
//  - 'apply-mismatch': the applied entry's digest is not the committed
//    entry's at that index; 'apply-term': its term is not the committed term;
//  - 'skipped-entry': an apply that jumps over a committed non-empty entry
//    (empty entries, Raft's leader no-ops, are filtered by the engine and
//    have no apply), unless the jump crosses the node's own halt
//    (fail-closed-halts reports that);
//  - 'applied-twice': an apply of an index the node had already applied, with
//    no restart or state replacement in between;
//  - 'applied-index-unexplained': a snapshot taken, or the run-end summary,
//    at an applied index the node's applies do not explain (an engine that
//    moved its applied index past a committed entry without an apply);
//  - 'restart-index': a restart that resumes from another index than the
//    node's last persisted snapshot (spec §4: the applied index starts at the
//    last local snapshot), or, when run-start says the engine keeps
//    production main's durable applied index, from another index or in
//    another mode than its cold start gives (cold-start.ts: addendum §3.2);
//  - 'commit-index-unexplained': the run-end summary's commit index is not
//    the highest index the node's commit events and installs show (less what
//    a crash took back: the crash event's `commit`).
import type { TraceEvent } from '../../trace/types.ts';
import { entryHexDigest } from '../../trace/digest.ts';
import { DurableIndexModel } from './cold-start.ts';
import { describeEntry, violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

interface NodeState {
  /** Highest index the node knows is committed (undefined: unknown, after a restore of Raft state the trace cannot rebuild). */
  commit: number | undefined;
  /** Its applied index (undefined: unknown until the next restart, after a restore). */
  applied: number | undefined;
  /** Index of its last persisted local snapshot (taken or installed). */
  snapshot: number | undefined;
  /** The index it last halted at, if it has not applied past it since. */
  halt: number | undefined;
}

export function checkAppliedLog(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const log = ctx.log;
  const nodes = new Map<string, NodeState>();
  const backups = new Map<string, { commit: number | undefined; snapshot: number | undefined }>();
  const digests = new Map<string, string>();
  const digestOf = (entryHex: string): string => {
    let d = digests.get(entryHex);
    if (d === undefined) digests.set(entryHex, (d = entryHexDigest(entryHex)));
    return d;
  };
  const fresh = (): NodeState => ({ commit: 0, applied: 0, snapshot: 0, halt: undefined });
  const stateOf = (node: string): NodeState => {
    let s = nodes.get(node);
    if (!s) nodes.set(node, (s = fresh()));
    return s;
  };
  /** Whether the node's applied index may move from `from` to `to` without an apply: only empty entries in between. */
  const explained = (from: number, to: number): boolean => to >= from && log.onlyEmptyBetween(from, to);
  let durable: DurableIndexModel | undefined;

  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    switch (ev.kind) {
      case 'run-start':
        if (ev.coldStart === 'durable-applied-index') durable = new DurableIndexModel();
        for (const n of ev.nodes) {
          // Under production's cold start only the initial members start with a snapshot (the initial one, at 0).
          const none = durable !== undefined && !(ev.initialSnapshot ?? []).includes(n);
          nodes.set(n, none ? { ...fresh(), snapshot: undefined } : fresh());
        }
        break;
      case 'commit': {
        const s = stateOf(ev.node);
        if (s.commit === undefined || ev.index > s.commit) s.commit = ev.index;
        break;
      }
      case 'apply': {
        const s = stateOf(ev.node);
        const committedTerm = log.termAt(ev.index);
        if (s.commit !== undefined && ev.index > s.commit) {
          out.push(
            violation(
              'raft-safety', 'apply-uncommitted',
              e,
              ev.node,
              `${ev.node} applied index ${ev.index} (${describeEntry(ev.entryHex)}) before it knew that index was committed (its commit index was ${s.commit})`,
            ),
          );
        } else if (committedTerm !== undefined && log.digestAt(ev.index) !== digestOf(ev.entryHex)) {
          const committed = log.entryAt(ev.index);
          out.push(
            violation(
              'raft-safety', 'apply-mismatch',
              e,
              ev.node,
              `${ev.node} applied ${describeEntry(ev.entryHex)} at index ${ev.index}, but the committed entry there is ${committed === undefined ? 'the empty entry' : describeEntry(committed)} (event #${log.commitEventOf(ev.index)})`,
            ),
          );
        } else if (committedTerm !== undefined && committedTerm !== ev.term) {
          out.push(
            violation(
              'raft-safety', 'apply-term',
              e,
              ev.node,
              `${ev.node} applied index ${ev.index} from term ${ev.term}, but the committed entry there is from term ${committedTerm} (event #${log.commitEventOf(ev.index)})`,
            ),
          );
        } else if (s.applied !== undefined && ev.index <= s.applied) {
          out.push(
            violation(
              'raft-safety', 'applied-twice',
              e,
              ev.node,
              `${ev.node} applied index ${ev.index} again, with applied index ${s.applied} and no restart or snapshot install in between`,
            ),
          );
        } else if (s.applied !== undefined && !explained(s.applied, ev.index - 1)) {
          const crossesHalt = s.halt !== undefined && s.halt > s.applied && s.halt < ev.index;
          if (!crossesHalt) {
            let k = s.applied + 1;
            while (k < ev.index && log.isEmptyEntry(k)) k++;
            out.push(
              violation(
                'raft-safety', 'skipped-entry',
                e,
                ev.node,
                `${ev.node} applied index ${ev.index} right after index ${s.applied}, passing the committed entry at index ${k}${log.entryAt(k) !== undefined ? ` (${describeEntry(log.entryAt(k) as string)})` : ''} without applying or halting on it`,
              ),
            );
          }
        }
        if (ev.result.kind === 'halt') s.halt = ev.index;
        else if (s.applied === undefined || ev.index > s.applied) s.applied = ev.index;
        break;
      }
      case 'halt':
        stateOf(ev.node).halt = ev.index;
        break;
      case 'crash': {
        // An unsynced commit index lost in the crash: the node knows less is committed.
        const s = stateOf(ev.node);
        if (ev.commit !== undefined && s.commit !== undefined && ev.commit < s.commit) s.commit = ev.commit;
        break;
      }
      case 'snapshot-take': {
        const s = stateOf(ev.node);
        if (s.applied !== undefined && ev.index > s.applied && !explained(s.applied, ev.index)) {
          out.push(
            violation(
              'raft-safety', 'applied-index-unexplained',
              e,
              ev.node,
              `${ev.node} took a snapshot at index ${ev.index}, but its applies reached only index ${s.applied}: its applied index moved past committed entries it never applied`,
            ),
          );
        }
        if (s.applied === undefined || ev.index > s.applied) s.applied = ev.index;
        s.snapshot = ev.index;
        break;
      }
      case 'snapshot-install': {
        const s = stateOf(ev.node);
        s.applied = ev.index;
        s.snapshot = ev.index;
        s.commit = Math.max(s.commit ?? 0, ev.index);
        break;
      }
      case 'snapshot-persist': {
        // Raft's half of an install: the state machine has not taken it (a restart must).
        const s = stateOf(ev.node);
        s.snapshot = ev.index;
        s.commit = Math.max(s.commit ?? 0, ev.index);
        break;
      }
      case 'restart': {
        const s = stateOf(ev.node);
        if (durable !== undefined) {
          const want = durable.predict(ev.node, s.snapshot);
          if ((ev.appliedIndex !== want.appliedIndex || ev.coldStart !== want.mode)) {
            out.push(
              violation(
                'raft-safety', 'restart-index',
                e,
                ev.node,
                `${ev.node} restarted with applied index ${ev.appliedIndex} (cold start ${ev.coldStart ?? 'unstated'}), but its durable applied index and last persisted snapshot (${s.snapshot === undefined ? 'none' : `index ${s.snapshot}`}) give ${want.appliedIndex} (${want.mode}; addendum §3.2)`,
              ),
            );
          }
        } else if (s.snapshot !== undefined && ev.appliedIndex !== s.snapshot) {
          out.push(
            violation(
              'raft-safety', 'restart-index',
              e,
              ev.node,
              `${ev.node} restarted with applied index ${ev.appliedIndex}, but its last persisted snapshot is at index ${s.snapshot} (spec §4: replay starts at the last local snapshot)`,
            ),
          );
        }
        s.applied = ev.appliedIndex;
        // Under production's cold start a 'skip' resumes above the snapshot, which stays where it was.
        if (durable === undefined) s.snapshot = ev.appliedIndex;
        break;
      }
      case 'backup': {
        const s = stateOf(ev.node);
        backups.set(`${ev.node}#${ev.name}`, { commit: s.commit, snapshot: s.snapshot });
        break;
      }
      case 'restore': {
        const s = stateOf(ev.node);
        // A discarded Raft state takes its snapshots with it: production's cold start then has none (the spec's resumes at 0).
        const saved = ev.raft === 'discarded' ? { commit: 0, snapshot: durable !== undefined ? undefined : 0 } : ev.name !== undefined ? backups.get(`${ev.node}#${ev.name}`) : undefined;
        s.commit = saved?.commit;
        s.snapshot = saved?.snapshot;
        s.applied = undefined;
        s.halt = undefined;
        break;
      }
      case 'run-end':
        for (const sum of ev.nodes) {
          const s = stateOf(sum.node);
          if (s.applied !== undefined && !explained(s.applied, sum.appliedIndex)) {
            const why =
              sum.appliedIndex > s.applied
                ? `its applies reached only index ${s.applied}: its applied index moved past committed entries it never applied`
                : `it had applied up to index ${s.applied}`;
            out.push(
              violation('raft-safety', 'applied-index-unexplained', e, sum.node, `${sum.node} ended the run with applied index ${sum.appliedIndex}, but ${why}`),
            );
          }
          if (s.commit !== undefined && sum.commitIndex !== s.commit) {
            out.push(
              violation(
                'raft-safety', 'commit-index-unexplained',
                e,
                sum.node,
                `${sum.node} ended the run with commit index ${sum.commitIndex}, but its commit events and snapshot installs reach index ${s.commit}`,
              ),
            );
          }
        }
        break;
      default:
        break;
    }
    durable?.observe(ev);
  }
  return out;
}
