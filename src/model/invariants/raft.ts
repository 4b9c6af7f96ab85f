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
//  - quorums, against the configuration the trace shows (conf-propose names
//    each configuration entry; a node's configuration is its log's last one,
//    committed or not, folded here independently of the engine's conf.ts):
//     - a leader commits an entry of its own term only once a majority of the
//       voters of its configuration appended it ['commit-without-quorum'];
//     - a node becomes leader only while it is a voter of its configuration or
//       of the one as of its commit index (a member whose removal is appended
//       but not committed may still win) ['leader-not-voter'];
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
// checks (truncation, leader completeness, quorums) skip the node until a
// snapshot install gives it a known log again. An installed snapshot's
// configuration is the committed one at its index; a discarded Raft state
// starts over at the run's initial one.
import type { TraceConfOp, TraceEvent } from '../../trace/types.ts';
import { violation } from './context.ts';
import type { CheckContext, ConfChangeEvent, Violation } from './context.ts';

interface At {
  node: string;
  eventIndex: number;
}

/** A configuration as slot bitmasks. */
interface Members {
  voters: number;
  learners: number;
}

/** One membership change: a learner joins, a learner becomes a voter, a member leaves (single-server changes). */
function changed(m: Members, op: TraceConfOp, slot: number): Members {
  const bit = 1 << slot;
  if (op === 'add-learner') return (m.voters | m.learners) & bit ? m : { voters: m.voters, learners: m.learners | bit };
  if (op === 'promote') return m.learners & bit ? { voters: m.voters | bit, learners: m.learners & ~bit } : m;
  return { voters: m.voters & ~bit, learners: m.learners & ~bit };
}

function popcount(mask: number): number {
  let n = 0;
  for (let v = mask; v !== 0; v &= v - 1) n++;
  return n;
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
  /** The commit index the node holds now (a crash may take an unsynced one back). */
  commitNow: number;
  /** The configuration at `offset`. */
  base: Members;
  /** The log's configuration entries past `offset`, in order, each with the configuration it makes. */
  confs: { index: number; members: Members }[];
  /** False after a restore whose Raft state the trace cannot rebuild. */
  known: boolean;
}

const emptyLog = (base: Members): NodeLog => ({ terms: [], digests: [], offset: 0, commit: 0, commitNow: 0, base, confs: [], known: true });
const copyLog = (log: NodeLog): NodeLog => ({ ...log, terms: log.terms.slice(), digests: log.digests.slice(), confs: log.confs.slice() });
const truncateLog = (log: NodeLog, fromIndex: number): void => {
  const k = Math.max(0, fromIndex - log.offset - 1);
  if (k < log.terms.length) {
    log.terms.length = k;
    log.digests.length = k;
  }
  while (log.confs.length > 0 && (log.confs[log.confs.length - 1] as { index: number }).index >= fromIndex) log.confs.pop();
};
/** The configuration of the log up to `index` (its last configuration entry at or below it). */
const membersAt = (log: NodeLog, index = Number.POSITIVE_INFINITY): Members => {
  for (let i = log.confs.length - 1; i >= 0; i--) {
    const c = log.confs[i] as { index: number; members: Members };
    if (c.index <= index) return c.members;
  }
  return log.base;
};
const slotNames = (mask: number, nodes: readonly string[]): string =>
  `{${nodes.filter((_, i) => (mask >> i) & 1).join(', ')}}`;

export function checkRaftLog(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const check = new RaftLogCheck(trace, ctx);
  for (let e = 0; e < trace.length; e++) check.event(e, trace[e] as TraceEvent);
  return check.out;
}

type Ev<K extends TraceEvent['kind']> = Extract<TraceEvent, { kind: K }>;

/**
 * The pass over the trace, a method per event kind that needs one: as one
 * function with every case inline, V8 optimised the whole check again after
 * each deoptimisation, on the cores the runs need.
 */
class RaftLogCheck {
  readonly out: Violation[] = [];
  private readonly leaders = new Map<number, At>();
  // keyed by index * 2^32 + term (exact for indices below 2^21); `holders`: the slots that appended it
  private readonly byIndexTerm = new Map<number, At & { digest: string; holders: number }>();
  private readonly nodes: readonly string[];
  private readonly slot: Map<string, number>;
  private readonly initial: Members;
  // The committed log's configuration changes (context.ts): an installed snapshot brings the configuration committed at its index.
  private readonly committedChanges: ReturnType<CheckContext['log']['confChanges']>;
  private readonly committed = new Map<number, At & { term: number; digest: string; committedIn: number }>();
  /** Each node's latest term as leader. */
  private readonly leaderTerm = new Map<string, number>();
  private maxCommitted = 0;
  private readonly logs = new Map<string, NodeLog>();
  /** Logs at each backup, by `node#name` and `node@t`. */
  private readonly backups = new Map<string, NodeLog>();

  constructor(
    trace: readonly TraceEvent[],
    private readonly ctx: CheckContext,
  ) {
    const start = trace[0]?.kind === 'run-start' ? trace[0] : undefined;
    this.nodes = start?.nodes ?? [];
    this.slot = new Map(this.nodes.map((name, i) => [name, i]));
    const learnerMask = (start?.learners ?? []).reduce((m, name) => m | (1 << (this.slot.get(name) ?? 0)), 0);
    // Joiners that have not joined yet count as learners here: only voters make a quorum, and their add is then a no-op.
    this.initial = { voters: ((1 << this.nodes.length) - 1) & ~learnerMask, learners: learnerMask };
    this.committedChanges = ctx.log.confChanges();
  }

  /** `m` with `change` made (a change naming no node of the run changes nothing). */
  private withChange(m: Members, change: ConfChangeEvent): Members {
    const s = this.slot.get(change.target);
    return s === undefined ? m : changed(m, change.op, s);
  }

  private committedMembersAt(index: number): Members {
    let m = this.initial;
    for (const [i, change] of this.committedChanges) if (i <= index) m = this.withChange(m, change);
    return m;
  }

  private logOf(node: string): NodeLog {
    let m = this.logs.get(node);
    if (!m) this.logs.set(node, (m = emptyLog(this.initial)));
    return m;
  }

  private matching(e: number, node: string, index: number, term: number, digest: string, what: string): At & { holders: number } {
    const key = index * 4294967296 + term;
    const first = this.byIndexTerm.get(key);
    if (!first) {
      const at = { node, eventIndex: e, digest, holders: 0 };
      this.byIndexTerm.set(key, at);
      return at;
    }
    if (first.digest !== digest)
      this.out.push(
        violation(
          'raft-safety', 'log-mismatch',
          e,
          node,
          `log matching: ${node} ${what} index ${index} term ${term} with digest ${digest}, but ${first.node} has digest ${first.digest} there (event #${first.eventIndex})`,
        ),
      );
    return first;
  }

  event(e: number, ev: TraceEvent): void {
    switch (ev.kind) {
      case 'became-leader':
        return this.becameLeader(e, ev);
      case 'append':
        return this.append(e, ev);
      case 'truncate':
        return this.truncate(e, ev);
      case 'commit':
        return this.commit(e, ev);
      case 'snapshot-install':
      case 'snapshot-persist': {
        const log = this.logOf(ev.node);
        const base = this.committedMembersAt(ev.index);
        this.logs.set(ev.node, { terms: [], digests: [], offset: ev.index, commit: Math.max(log.commit, ev.index), commitNow: ev.index, base, confs: [], known: true });
        break;
      }
      case 'crash': {
        if (ev.commit !== undefined) this.logOf(ev.node).commitNow = ev.commit;
        break;
      }
      case 'backup': {
        const log = copyLog(this.logOf(ev.node));
        this.backups.set(`${ev.node}@${ev.t}`, log);
        this.backups.set(`${ev.node}#${ev.name}`, log);
        break;
      }
      case 'restore': {
        if (ev.raft === 'discarded') {
          this.logs.set(ev.node, emptyLog(this.initial));
          break;
        }
        const saved = (ev.name !== undefined ? this.backups.get(`${ev.node}#${ev.name}`) : undefined) ?? this.backups.get(`${ev.node}@${ev.backupAt}`);
        this.logs.set(ev.node, saved ? copyLog(saved) : { ...emptyLog(this.initial), known: false });
        break;
      }
      default:
        return;
    }
  }

  private becameLeader(e: number, ev: Ev<'became-leader'>): void {
    this.leaderTerm.set(ev.node, ev.term);
    const first = this.leaders.get(ev.term);
    if (!first) this.leaders.set(ev.term, { node: ev.node, eventIndex: e });
    else if (first.node !== ev.node)
      this.out.push(
        violation(
          'raft-safety', 'two-leaders',
          e,
          ev.node,
          `two leaders in term ${ev.term}: ${ev.node} became leader, but ${first.node} already had (event #${first.eventIndex})`,
        ),
      );
    const log = this.logOf(ev.node);
    if (!log.known) return;
    const me = this.slot.get(ev.node);
    if (me !== undefined) {
      const latest = membersAt(log);
      const asCommitted = membersAt(log, log.commitNow);
      if ((((latest.voters | asCommitted.voters) >> me) & 1) === 0)
        this.out.push(
          violation(
            'raft-safety', 'leader-not-voter',
            e,
            ev.node,
            `${ev.node} became leader of term ${ev.term}, but is a voter neither of its log's configuration (voters ${slotNames(latest.voters, this.nodes)}) nor of the one as of its commit index ${log.commitNow} (voters ${slotNames(asCommitted.voters, this.nodes)})`,
          ),
        );
    }
    const last = log.offset + log.terms.length;
    for (let index = log.offset + 1; index <= this.maxCommitted; index++) {
      const c = this.committed.get(index);
      if (!c || c.committedIn >= ev.term) continue;
      const k = index - log.offset - 1;
      if (index > last || log.terms[k] !== c.term || log.digests[k] !== c.digest) {
        const has = index > last ? `its log ends at index ${last}` : `it holds term ${log.terms[k]} digest ${log.digests[k]} there`;
        this.out.push(
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
  }

  private append(e: number, ev: Ev<'append'>): void {
    const held = this.matching(e, ev.node, ev.index, ev.term, ev.digest, 'appended');
    held.holders |= 1 << (this.slot.get(ev.node) ?? 0);
    const c = this.committed.get(ev.index);
    if (c && ev.term > c.committedIn)
      this.out.push(
        violation(
          'raft-safety', 'committed-overwritten',
          e,
          ev.node,
          `${ev.node} appended term ${ev.term} digest ${ev.digest} at index ${ev.index}, already committed as term ${c.term} digest ${c.digest} (event #${c.eventIndex})`,
        ),
      );
    const log = this.logOf(ev.node);
    const k = ev.index - log.offset - 1;
    if (k < 0 || k > log.terms.length) return; // below the snapshot, or past a hole
    if (k < log.terms.length) {
      if (log.terms[k] === ev.term && log.digests[k] === ev.digest) return; // already there: Raft keeps the tail
      truncateLog(log, ev.index); // a conflict replaces the tail (the simulator records a truncate first)
    }
    log.terms.push(ev.term);
    log.digests.push(ev.digest);
    // A leader's own append comes before its conf-propose: the committed log knows every proposed change by digest.
    const change = this.ctx.log.confChangeOf(ev.digest);
    if (change) log.confs.push({ index: ev.index, members: this.withChange(membersAt(log), change) });
  }

  private truncate(e: number, ev: Ev<'truncate'>): void {
    const log = this.logOf(ev.node);
    if (log.known) {
      let lost: number | undefined;
      for (let index = Math.max(ev.fromIndex, log.offset + 1); index <= log.offset + log.terms.length; index++) {
        const c = this.committed.get(index);
        const k = index - log.offset - 1;
        if (c && c.term === log.terms[k] && c.digest === log.digests[k]) {
          lost = index;
          break;
        }
      }
      // A crash may lose entries the node never synced, and so never acknowledged, even
      // committed ones (others hold them); never one it had itself committed.
      if (lost !== undefined && ev.crash !== true)
        this.out.push(
          violation(
            'raft-safety', 'committed-truncated',
            e,
            ev.node,
            `${ev.node} truncated its log from index ${ev.fromIndex}, dropping the committed entry at index ${lost} (term ${this.committed.get(lost)?.term}, committed at event #${this.committed.get(lost)?.eventIndex})`,
          ),
        );
      else if (ev.fromIndex <= log.commit)
        this.out.push(
          violation(
            'raft-safety', 'truncated-below-commit',
            e,
            ev.node,
            `${ev.node} truncated its log from index ${ev.fromIndex}, but had itself committed entries up to index ${log.commit}`,
          ),
        );
    }
    truncateLog(log, ev.fromIndex);
  }

  private commit(e: number, ev: Ev<'commit'>): void {
    const held = this.matching(e, ev.node, ev.index, ev.term, ev.digest, 'committed');
    const first = this.committed.get(ev.index);
    const log = this.logOf(ev.node);
    if (!first && ev.term === this.leaderTerm.get(ev.node) && log.known) {
      // The first commit of an entry of the committer's own leader term: the leader's count.
      const voters = membersAt(log).voters;
      const quorum = Math.floor(popcount(voters) / 2) + 1;
      if (popcount(held.holders & voters) < quorum)
        this.out.push(
          violation(
            'raft-safety', 'commit-without-quorum',
            e,
            ev.node,
            `leader ${ev.node} committed index ${ev.index} (term ${ev.term}) held by ${slotNames(held.holders & voters, this.nodes)} of the voters ${slotNames(voters, this.nodes)} of its configuration: ${quorum} make a majority`,
          ),
        );
    }
    if (!first) {
      const committedIn = Math.max(ev.term, this.leaderTerm.get(ev.node) ?? 0);
      this.committed.set(ev.index, { node: ev.node, eventIndex: e, term: ev.term, digest: ev.digest, committedIn });
      if (ev.index > this.maxCommitted) this.maxCommitted = ev.index;
    } else if (first.term !== ev.term || first.digest !== ev.digest)
      this.out.push(
        violation(
          'raft-safety', 'commit-changed',
          e,
          ev.node,
          `committed entry changed: ${ev.node} committed index ${ev.index} as term ${ev.term} digest ${ev.digest}, but ${first.node} committed term ${first.term} digest ${first.digest} (event #${first.eventIndex})`,
        ),
      );
    if (ev.index > log.commit) log.commit = ev.index;
    if (ev.index > log.commitNow) log.commitNow = ev.index;
  }
}
