// Raft safety, judged from a trace alone (pure functions over TraceEvent[]).
// The simulator never calls these; the oracle runs them as invariant 6 and
// the sim tests run them on every seed.
//
//  - election-safety:      at most one leader per term.
//  - log-matching:         two logs holding an entry with the same index and
//                          term hold the same entry (same digest).
//  - commit-durability:    a committed entry is never lost or changed: all
//                          commit events for an index agree; no node truncates
//                          an index it knew committed; nobody appends a
//                          different entry of the same or a later term at an
//                          index already committed (a stale leader's older
//                          term may: it never commits).
//  - leader-completeness:  a new leader's log holds every entry committed
//                          before its election.
//  - state-machine-safety: every node applies the same entry at the same index.
//
// Logs are rebuilt per node from append / truncate / snapshot-install events;
// a restore brings back the log as it was at the named backup, or an empty
// log when it says the Raft state was discarded (`raft: 'discarded'`: the
// simulator's restores, where the node rejoins as a fresh member). Note that a
// restore that brings Raft state back from an old backup breaks Raft's own
// assumptions (a disk must never go back in time), so these checks may
// legitimately fire after one of those.
import type { TraceEvent } from '../trace/types.ts';

export type RaftCheck =
  | 'election-safety'
  | 'log-matching'
  | 'commit-durability'
  | 'leader-completeness'
  | 'state-machine-safety';

export interface RaftViolation {
  check: RaftCheck;
  /** Virtual time of the event that exposed it. */
  t: number;
  node?: string;
  index?: number;
  message: string;
}

interface NodeLog {
  /** Entries after `offset` (index offset+1+i); terms and digests. */
  terms: number[];
  digests: string[];
  offset: number;
  commit: number;
}

function emptyLog(): NodeLog {
  return { terms: [], digests: [], offset: 0, commit: 0 };
}

function copyLog(log: NodeLog): NodeLog {
  return { terms: log.terms.slice(), digests: log.digests.slice(), offset: log.offset, commit: log.commit };
}

export interface RaftCheckOptions {
  /** Stop after this many violations (default 50). */
  limit?: number;
}

/** Every Raft safety violation the trace shows, in trace order. Empty means safe. */
export function checkRaftSafety(trace: readonly TraceEvent[], options: RaftCheckOptions = {}): RaftViolation[] {
  const limit = options.limit ?? 50;
  const out: RaftViolation[] = [];
  const report = (v: RaftViolation): void => {
    if (out.length < limit) out.push(v);
  };
  const leaders = new Map<number, string>();
  const byIndexTerm = new Map<string, string>();
  const committed = new Map<number, { term: number; digest: string }>();
  let maxCommitted = 0;
  const applied = new Map<number, { entryHex: string; term: number; node: string }>();
  const logs = new Map<string, NodeLog>();
  const backups = new Map<string, NodeLog>();
  const logOf = (node: string): NodeLog => {
    let log = logs.get(node);
    if (log === undefined) {
      log = emptyLog();
      logs.set(node, log);
    }
    return log;
  };

  for (const ev of trace) {
    if (out.length >= limit) break;
    switch (ev.kind) {
      case 'became-leader': {
        const other = leaders.get(ev.term);
        if (other !== undefined && other !== ev.node) {
          report({
            check: 'election-safety',
            t: ev.t,
            node: ev.node,
            message: `${ev.node} became leader of term ${ev.term}, which ${other} already leads`,
          });
        }
        if (other === undefined) leaders.set(ev.term, ev.node);
        const log = logOf(ev.node);
        const last = log.offset + log.terms.length;
        for (let i = log.offset + 1; i <= maxCommitted; i++) {
          const c = committed.get(i);
          if (c === undefined) continue;
          const k = i - log.offset - 1;
          if (i > last || log.terms[k] !== c.term || log.digests[k] !== c.digest) {
            report({
              check: 'leader-completeness',
              t: ev.t,
              node: ev.node,
              index: i,
              message: `${ev.node} became leader of term ${ev.term} without committed entry ${i} (term ${c.term})`,
            });
            break;
          }
        }
        break;
      }
      case 'append': {
        const key = `${ev.index}:${ev.term}`;
        const seen = byIndexTerm.get(key);
        if (seen === undefined) byIndexTerm.set(key, ev.digest);
        else if (seen !== ev.digest) {
          report({
            check: 'log-matching',
            t: ev.t,
            node: ev.node,
            index: ev.index,
            message: `${ev.node} appended entry ${ev.digest} at index ${ev.index} term ${ev.term}, where another log holds ${seen}`,
          });
        }
        // Only a newer term's entry replaces a committed one: a stale leader
        // (or its follower) that has not heard of the newer term may still
        // append its own uncommitted entry at that index, which Raft allows
        // (it is truncated once the node learns the newer term).
        const c = committed.get(ev.index);
        if (c !== undefined && ev.term >= c.term && (c.term !== ev.term || c.digest !== ev.digest)) {
          report({
            check: 'commit-durability',
            t: ev.t,
            node: ev.node,
            index: ev.index,
            message: `${ev.node} appended (term ${ev.term}, ${ev.digest}) at index ${ev.index}, already committed as (term ${c.term}, ${c.digest})`,
          });
        }
        const log = logOf(ev.node);
        const k = ev.index - log.offset - 1;
        if (k >= 0) {
          // An append replaces the tail (the simulator records a truncate first on conflict).
          log.terms.length = Math.min(log.terms.length, k);
          log.digests.length = log.terms.length;
          if (log.terms.length === k) {
            log.terms.push(ev.term);
            log.digests.push(ev.digest);
          }
        }
        break;
      }
      case 'truncate': {
        const log = logOf(ev.node);
        if (ev.fromIndex <= log.commit) {
          report({
            check: 'commit-durability',
            t: ev.t,
            node: ev.node,
            index: ev.fromIndex,
            message: `${ev.node} truncated its log from ${ev.fromIndex}, but had entries up to ${log.commit} committed`,
          });
        }
        const k = Math.max(0, ev.fromIndex - log.offset - 1);
        log.terms.length = Math.min(log.terms.length, k);
        log.digests.length = log.terms.length;
        break;
      }
      case 'commit': {
        const c = committed.get(ev.index);
        if (c === undefined) {
          committed.set(ev.index, { term: ev.term, digest: ev.digest });
          if (ev.index > maxCommitted) maxCommitted = ev.index;
        } else if (c.term !== ev.term || c.digest !== ev.digest) {
          report({
            check: 'commit-durability',
            t: ev.t,
            node: ev.node,
            index: ev.index,
            message: `${ev.node} committed (term ${ev.term}, ${ev.digest}) at index ${ev.index}, committed elsewhere as (term ${c.term}, ${c.digest})`,
          });
        }
        const log = logOf(ev.node);
        if (ev.index > log.commit) log.commit = ev.index;
        break;
      }
      case 'snapshot-install': {
        const log = logOf(ev.node);
        log.terms = [];
        log.digests = [];
        log.offset = ev.index;
        log.commit = Math.max(log.commit, ev.index);
        break;
      }
      case 'snapshot-take': {
        // Compaction: the entries stay committed; keep them for the checks.
        break;
      }
      case 'backup':
        backups.set(`${ev.node}@${ev.t}`, copyLog(logOf(ev.node)));
        if (ev.name !== undefined) backups.set(`${ev.node}#${ev.name}`, copyLog(logOf(ev.node)));
        break;
      case 'restore': {
        const saved =
          (ev.name !== undefined ? backups.get(`${ev.node}#${ev.name}`) : undefined) ?? backups.get(`${ev.node}@${ev.backupAt}`);
        logs.set(ev.node, saved !== undefined && ev.raft !== 'discarded' ? copyLog(saved) : emptyLog());
        break;
      }
      case 'apply': {
        const prev = applied.get(ev.index);
        if (prev === undefined) applied.set(ev.index, { entryHex: ev.entryHex, term: ev.term, node: ev.node });
        else if (prev.entryHex !== ev.entryHex || prev.term !== ev.term) {
          report({
            check: 'state-machine-safety',
            t: ev.t,
            node: ev.node,
            index: ev.index,
            message: `${ev.node} applied ${ev.entryHex} (term ${ev.term}) at index ${ev.index}; ${prev.node} applied ${prev.entryHex} (term ${prev.term})`,
          });
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}
