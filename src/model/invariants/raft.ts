// §7.6 raft-safety, the log's half, over the trace only. The one Raft safety
// checker: the simulator records, it never judges (the sim tests run this one
// through checkTrace). Codes in brackets.
//  - election safety: at most one node becomes leader in a term ['two-leaders'];
//  - log matching: every append/commit event for the same (index, term) has
//    the same digest ['log-mismatch'];
//  - committed entries never change or get lost:
//     - every commit event for an index has the same term and digest
//       ['commit-changed'];
//     - no node truncates an entry of its log that is the committed one
//       ['committed-truncated'], nor truncates at or below an index it had
//       itself committed (or installed in a snapshot) ['truncated-below-commit'];
//       a crash that loses unsynced entries (truncate `crash`) may lose
//       committed ones others hold, never one the node had committed itself;
//     - nobody appends, at an index already committed, an entry of a later
//       term than the one it was committed in ['committed-overwritten'] (a
//       different entry of the same term there is a 'log-mismatch'; a stale
//       leader of an older term may: it never commits, and is truncated once
//       it learns the newer term);
//  - leader completeness: a new leader's log holds every entry committed in
//    an earlier term than its own (entries at or below its snapshot count as
//    held) ['leader-incomplete'];
// The term an entry was committed in is that of the leader whose commit
// event for it comes first (followers learn a commit after the leader
// recorded it): it can be later than the entry's own term, and a stale
// leader of a term in between may legitimately append over it or win an
// election without it (clean run 66546: CheckQuorum off, a cut-off term-3
// leader kept appending after term 4 had committed term-2 entries).
//  - state machine safety: see state-checker.ts (every node applies exactly
//    the committed log, in order).
// Logs are rebuilt per node from append / truncate / snapshot-install events
// (a node's disk survives crashes). A restore with `raft: 'discarded'` (the
// simulator's restores: the node rejoins as a fresh member) leaves an empty
// log with nothing committed; a restore that brings the Raft state back from
// a backup the trace recorded brings back the log as it was at that backup
// (a Raft disk going back in time breaks Raft's own assumptions, so these
// checks may legitimately fire after one of those); a restore of Raft state
// from a backup the trace does not show leaves the log unknown, and the log
// checks (truncation, leader completeness) skip the node until a snapshot
// install gives it a known log again.
import type { TraceEvent } from '../../trace/types.ts';
import { violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

interface At {
  node: string;
  eventIndex: number;
}

/** A node's log as the trace shows it. */
interface NodeLog {
  /** Entries after `offset` (index offset+1+i): terms and digests. */
  terms: number[];
  digests: string[];
  /** Last index covered by an installed snapshot. */
  offset: number;
  /** Highest index this node committed (or installed). */
  commit: number;
  /** False after a restore whose Raft state the trace cannot rebuild. */
  known: boolean;
}

const emptyLog = (): NodeLog => ({ terms: [], digests: [], offset: 0, commit: 0, known: true });
const copyLog = (log: NodeLog): NodeLog => ({ ...log, terms: log.terms.slice(), digests: log.digests.slice() });
const truncateLog = (log: NodeLog, fromIndex: number): void => {
  const k = Math.max(0, fromIndex - log.offset - 1);
  if (k < log.terms.length) {
    log.terms.length = k;
    log.digests.length = k;
  }
};

export function checkRaftLog(trace: readonly TraceEvent[], _ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const leaders = new Map<number, At>();
  // keyed by index * 2^32 + term (exact for indices below 2^21)
  const byIndexTerm = new Map<number, At & { digest: string }>();
  const committed = new Map<number, At & { term: number; digest: string; committedIn: number }>();
  /** Each node's latest term as leader. */
  const leaderTerm = new Map<string, number>();
  let maxCommitted = 0;
  const logs = new Map<string, NodeLog>();
  /** Logs at each backup, by `node#name` and `node@t`. */
  const backups = new Map<string, NodeLog>();

  const logOf = (node: string): NodeLog => {
    let m = logs.get(node);
    if (!m) logs.set(node, (m = emptyLog()));
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
      case 'became-leader': {
        leaderTerm.set(ev.node, ev.term);
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
        const log = logOf(ev.node);
        if (!log.known) break;
        const last = log.offset + log.terms.length;
        for (let index = log.offset + 1; index <= maxCommitted; index++) {
          const c = committed.get(index);
          if (!c || c.committedIn >= ev.term) continue;
          const k = index - log.offset - 1;
          if (index > last || log.terms[k] !== c.term || log.digests[k] !== c.digest) {
            const has = index > last ? `its log ends at index ${last}` : `it holds term ${log.terms[k]} digest ${log.digests[k]} there`;
            out.push(
              violation(
                'raft-safety', 'leader-incomplete',
                e,
                ev.node,
                `leader completeness: ${ev.node} became leader of term ${ev.term} without the committed entry at index ${index} (term ${c.term} digest ${c.digest}, event #${c.eventIndex}); ${has}`,
              ),
            );
            break;
          }
        }
        break;
      }
      case 'append': {
        matching(e, ev.node, ev.index, ev.term, ev.digest, 'appended');
        const c = committed.get(ev.index);
        if (c && ev.term > c.committedIn)
          out.push(
            violation(
              'raft-safety', 'committed-overwritten',
              e,
              ev.node,
              `${ev.node} appended term ${ev.term} digest ${ev.digest} at index ${ev.index}, already committed as term ${c.term} digest ${c.digest} (event #${c.eventIndex})`,
            ),
          );
        const log = logOf(ev.node);
        const k = ev.index - log.offset - 1;
        if (k < 0 || k > log.terms.length) break; // below the snapshot, or past a hole
        if (k < log.terms.length) {
          if (log.terms[k] === ev.term && log.digests[k] === ev.digest) break; // already there: Raft keeps the tail
          truncateLog(log, ev.index); // a conflict replaces the tail (the simulator records a truncate first)
        }
        log.terms.push(ev.term);
        log.digests.push(ev.digest);
        break;
      }
      case 'truncate': {
        const log = logOf(ev.node);
        if (log.known) {
          let lost: number | undefined;
          for (let index = Math.max(ev.fromIndex, log.offset + 1); index <= log.offset + log.terms.length; index++) {
            const c = committed.get(index);
            const k = index - log.offset - 1;
            if (c && c.term === log.terms[k] && c.digest === log.digests[k]) {
              lost = index;
              break;
            }
          }
          // A crash may lose entries the node never synced, and so never acknowledged, even
          // committed ones (others hold them); never one it had itself committed.
          if (lost !== undefined && ev.crash !== true)
            out.push(
              violation(
                'raft-safety', 'committed-truncated',
                e,
                ev.node,
                `${ev.node} truncated its log from index ${ev.fromIndex}, dropping the committed entry at index ${lost} (term ${committed.get(lost)?.term}, committed at event #${committed.get(lost)?.eventIndex})`,
              ),
            );
          else if (ev.fromIndex <= log.commit)
            out.push(
              violation(
                'raft-safety', 'truncated-below-commit',
                e,
                ev.node,
                `${ev.node} truncated its log from index ${ev.fromIndex}, but had itself committed entries up to index ${log.commit}`,
              ),
            );
        }
        truncateLog(log, ev.fromIndex);
        break;
      }
      case 'commit': {
        matching(e, ev.node, ev.index, ev.term, ev.digest, 'committed');
        const first = committed.get(ev.index);
        if (!first) {
          const committedIn = Math.max(ev.term, leaderTerm.get(ev.node) ?? 0);
          committed.set(ev.index, { node: ev.node, eventIndex: e, term: ev.term, digest: ev.digest, committedIn });
          if (ev.index > maxCommitted) maxCommitted = ev.index;
        } else if (first.term !== ev.term || first.digest !== ev.digest)
          out.push(
            violation(
              'raft-safety', 'commit-changed',
              e,
              ev.node,
              `committed entry changed: ${ev.node} committed index ${ev.index} as term ${ev.term} digest ${ev.digest}, but ${first.node} committed term ${first.term} digest ${first.digest} (event #${first.eventIndex})`,
            ),
          );
        const log = logOf(ev.node);
        if (ev.index > log.commit) log.commit = ev.index;
        break;
      }
      case 'snapshot-install':
      case 'snapshot-persist': {
        const log = logOf(ev.node);
        logs.set(ev.node, { terms: [], digests: [], offset: ev.index, commit: Math.max(log.commit, ev.index), known: true });
        break;
      }
      case 'backup': {
        const log = copyLog(logOf(ev.node));
        backups.set(`${ev.node}@${ev.t}`, log);
        backups.set(`${ev.node}#${ev.name}`, log);
        break;
      }
      case 'restore': {
        if (ev.raft === 'discarded') {
          logs.set(ev.node, emptyLog());
          break;
        }
        const saved = (ev.name !== undefined ? backups.get(`${ev.node}#${ev.name}`) : undefined) ?? backups.get(`${ev.node}@${ev.backupAt}`);
        logs.set(ev.node, saved ? copyLog(saved) : { ...emptyLog(), known: false });
        break;
      }
      default:
        break;
    }
  }
  return out;
}
