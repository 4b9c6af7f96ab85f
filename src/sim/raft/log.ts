// Raft's persistent data, shared by the consensus module (raft.ts, which
// reads and writes it) and the simulated disk (storage/disk.ts, which holds
// it): log entries, snapshots, HardState. Types only.
import type { TraceRow } from '../../trace/types.ts';
import type { Conf, ConfChange } from './conf.ts';

/** A log entry. Entries are immutable and shared between the nodes' logs. */
export interface Entry {
  readonly index: number;
  readonly term: number;
  /** Opcode byte and body; empty for a leader's no-op entry. */
  readonly data: Uint8Array;
  readonly hex: string;
  /** Short SHA-256 of `data`: the trace's entry digest. */
  readonly digest: string;
  /** The client attempt that proposed it (null for a leader's no-op). */
  readonly origin: object | null;
  /** A configuration entry (conf.ts): the engine applies it, the applier never sees it. */
  readonly conf?: ConfChange;
}

/** A state machine snapshot: the registry rows at `index` (immutable, shared). */
export interface Snapshot {
  readonly index: number;
  readonly term: number;
  /** Sorted by key. Empty under the snapshot-omits-registry variant. */
  readonly rows: readonly TraceRow[];
  readonly rowsHash: string;
  /** The configuration at `index` (undefined: the cluster's initial one). */
  readonly conf?: Conf;
  /**
   * registryReplay 'skip-applied': the applied index stored with each row
   * (parallel to `rows`), carried so that the installing node keeps knowing
   * which entries its new rows already reflect (a snapshot taken inside its
   * source's replay window holds rows ahead of its index). Absent otherwise.
   */
  readonly rowsAppliedAt?: readonly number[];
  /**
   * coldStart 'durable-applied-index': the durable applied index M the image
   * holds (the snapshot is a whole-store image, M included), as it was when
   * the image was taken, before the persist raised M to `index`; undefined if
   * the store had none. Absent under 'last-snapshot'.
   */
  readonly appliedIndex?: number;
  /**
   * fsm 'main': the raft cutover index the snapshot file's header records
   * (addendum §3.2, §4 row 1): the cutover the state machine had installed
   * when the image was taken, 0 or absent for none.
   */
  readonly raftCutover?: number;
}

/** The log as stored: entries after `offset` (the last compacted index, whose term is `offsetTerm`). */
export interface RaftLogState {
  entries: Entry[];
  offset: number;
  offsetTerm: number;
  /** The configuration at `offset`, which compaction folds in (undefined: the cluster's initial one). */
  confBase?: Conf;
}

/**
 * A node whose disk was restored from a backup rejoins Raft as a fresh
 * member (Simulator.restore): it neither votes nor campaigns until both hold,
 * then the marker is cleared for good.
 */
export interface RejoinState {
  /** It may have voted in any term up to this one before its Raft state was discarded. */
  voteAboveTerm: number;
  /**
   * The later (by term, then index) of the highest index committed anywhere at
   * the restore and the end of the log the restore discarded, with its
   * entry's term: every entry committed before the restore, and every entry
   * the node may have acknowledged (and so may commit after it, counting this
   * node), is at or below it. While
   * rejoining, the node judges candidates as if its log ended there (as if it
   * held the committed prefix, which a fresh member would be given), and it
   * campaigns only once its own commit index has reached it.
   */
  catchUpIndex: number;
  catchUpTerm: number;
}

/**
 * Raft's persistent state: HardState (term, vote, commit) and the log, as the
 * process sees it; what of it is durable is the disk's WAL (storage/raft-wal.ts).
 * Raft appends to `entries` in place but replaces the array for any other
 * change (truncation, compaction, snapshot), which the WAL relies on.
 */
export interface RaftDiskState extends RaftLogState {
  term: number;
  /** Node index voted for in `term`, or -1. */
  vote: number;
  commit: number;
  /** Set while a restored node rejoins (no vote, no campaign); see RejoinState. */
  rejoin?: RejoinState;
}
