// Operator actions on disks (the operator fault domain): a backup copies a
// node's whole disk; a restore brings one back. The registry and the
// encryption sidecar come back as they were (the sidecar epoch goes back: the
// §9.1 fault), but Raft's own state cannot: a Raft disk that goes back in time
// breaks Raft (a vote cast twice in one term, an acknowledged committed entry
// forgotten, so a minority elects a leader without it). The realistic
// procedure, modelled here, is that the restored node rejoins as a fresh
// member (etcd: remove it, add it back as a learner, promote it once caught
// up): its Raft log, HardState and local snapshot are discarded (it catches up
// from the leader, by log or snapshot, replaying onto the restored registry),
// it comes back in the highest term it may have reached (so a leader it had
// already left behind cannot count it in a majority), and it neither votes
// nor campaigns until its term is past every term it may have voted in and
// it holds every entry committed before the restore
// (RejoinState; both bounds are what the operator's membership change
// guarantees, taken from the simulator's global view). The trace's restore
// event says so (`raft: 'discarded'`). Two operator mistakes are modelled
// too: the naive restore that brings the old Raft state back with the rest
// (`keepRaft`; Raft does not tolerate it), and a backup restored onto another
// machine (that node gets the other's sidecar and registry; it rejoins).
import type { SimNode } from '../process/node.ts';
import type { Disk } from '../storage/disk.ts';
import { diskRows } from '../storage/store.ts';
import type { TraceRecorder } from '../trace.ts';

interface LogEnd {
  index: number;
  term: number;
}

export class DiskOperator {
  private readonly backups = new Map<string, { node: string; at: number; disk: Disk }>();
  /** The highest index any node has seen committed, and its entry's term. */
  private highestCommit: LogEnd = { index: 0, term: 0 };

  constructor(
    private readonly trace: TraceRecorder,
    private readonly now: () => number,
    /** The restore-forgets-term variant: the restored node comes back at term 0. */
    private readonly forgetsTerm = false,
  ) {}

  /** A node's commit index moved to `index` (an entry of `term`). */
  noteCommit(index: number, term: number): void {
    if (index > this.highestCommit.index) this.highestCommit = { index, term };
  }

  backup(node: SimNode, name: string): void {
    this.backups.set(name, { node: node.name, at: this.now(), disk: node.disk.copy() });
    this.trace.record({ kind: 'backup', name, node: node.name, t: this.now() });
  }

  /**
   * Replaces `node`'s disk by backup `name` (of `node`, or of another
   * machine's). `trap`: figure-8's restored voter (the trace says so).
   */
  restore(node: SimNode, name: string, keepRaft = false, trap = false): void {
    const backup = this.backups.get(name);
    if (backup === undefined) throw new RangeError(`no backup named "${name}"`);
    if (node.up) node.crash();
    const from = backup.node === node.name ? undefined : backup.node;
    if (keepRaft && from === undefined) {
      node.replaceDisk(backup.disk.copy());
      this.trace.record({ backupAt: backup.at, kind: 'restore', name, node: node.name, rows: diskRows(node.disk), t: this.now() });
      return;
    }
    const old = node.disk.raft;
    // What the node is owed, as a log end (term, index) a candidate must reach
    // for its vote: the highest index ever committed (not just what the disks
    // now say: an earlier restore may have wiped the only commit index that
    // knew it), and the end of the log it loses, whose entries it may have
    // acknowledged with a reply still in flight: such an entry can commit after
    // the restore, counting this node in its majority (a floor at the highest
    // commit alone let a minority elect a leader without it). An earlier
    // rejoin's floor carries over.
    const oldLastIndex = old.offset + old.entries.length;
    const oldEnd = { index: oldLastIndex, term: old.entries[old.entries.length - 1]?.term ?? old.offsetTerm };
    let owed = this.highestCommit;
    for (const end of [oldEnd, old.rejoin === undefined ? undefined : { index: old.rejoin.catchUpIndex, term: old.rejoin.catchUpTerm }]) {
      if (end !== undefined && (end.term > owed.term || (end.term === owed.term && end.index > owed.index))) owed = end;
    }
    // It comes back in the highest term it may have reached, so that it
    // refuses a deposed leader's appends as it did before the restore: at
    // term 0 it would acknowledge them, and a leader it had already left
    // behind could count it in a majority (run 92700 of the clean run: an
    // old-term entry committed over a newer leader's).
    const voteAboveTerm = Math.max(old.term, old.rejoin?.voteAboveTerm ?? 0, backup.disk.raft.term);
    const disk = backup.disk.copy();
    disk.raft = {
      term: this.forgetsTerm ? 0 : voteAboveTerm,
      vote: -1,
      commit: 0,
      entries: [],
      offset: 0,
      offsetTerm: 0,
      rejoin: { voteAboveTerm, catchUpIndex: owed.index, catchUpTerm: owed.term },
    };
    // Raft's snapshot goes with its log, and so does an install it had persisted but not finished.
    disk.snapshot = null;
    disk.pendingInstall = undefined;
    node.replaceDisk(disk);
    this.trace.record({
      backupAt: backup.at,
      from,
      kind: 'restore',
      name,
      node: node.name,
      raft: 'discarded',
      rows: diskRows(node.disk),
      t: this.now(),
      ...(trap ? { trap: true as const } : {}),
    });
  }
}
