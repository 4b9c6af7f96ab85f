// Raft's write-ahead log on the simulated disk (the storage fault domain).
// Raft mutates its HardState and log in place (RaftDiskState); what of it is
// durable is the image taken at the last fsync. As in etcd's WAL, a step's
// writes are records appended in order, the new entries first and then the
// HardState, and they are fsynced only when they must be (etcd's MustSync:
// new entries, or a new term or vote; a commit index that alone moved is
// written but not synced). A crash keeps a seeded prefix of the unsynced
// records; the record being written when the power went may be torn, which
// its checksum shows on restart, so recovery drops it with everything after
// it. Synced records are never lost.
//
// Raft only ever appends to its entries array (push); a truncation, a
// compaction or an installed snapshot replaces the array. So the durable
// image is (array, length) plus a few numbers, taken in O(1) at each fsync.
import type { Entry, RaftDiskState } from '../raft/log.ts';
import type { Rng } from '../prng.ts';
import { entryDigest } from '../../trace/digest.ts';
import { toHex } from '../../applier/hex.ts';

interface Image {
  /** The state this image is of (a restore puts a new state on the disk, synced). */
  of: RaftDiskState;
  term: number;
  vote: number;
  commit: number;
  offset: number;
  entries: Entry[];
  length: number;
}

/** What a crash did to the WAL's unsynced records. */
export interface WalLoss {
  /** Unsynced records lost (a torn one included). */
  lost: number;
  /** The first record not kept was half written (its checksum shows it on restart). */
  torn: boolean;
  /** The commit index on the disk, if the crash took it back. */
  commit?: number;
  /** If the log changed: its first index that did. */
  fromIndex?: number;
  /** What the log holds from `fromIndex` on: a truncation that never reached the disk leaves the old tail. */
  recovered: Entry[];
}

const NO_LOSS: WalLoss = Object.freeze({ lost: 0, torn: false, recovered: Object.freeze([]) as unknown as Entry[] });

export interface WalCrashOptions {
  /** Chance, record by record in order, that the crash cut the WAL off there. */
  lossRate: number;
  /** Chance that the record the crash cut off was half written (torn). */
  tornRate: number;
  /** Broken recovery (variant wal-accepts-torn-record): a torn entry is not checked and stays, its data cut short. */
  acceptTorn: boolean;
}

export class RaftWal {
  private synced: Image;

  constructor(state: RaftDiskState) {
    this.synced = image(state);
  }

  /** Whether `state` has records that must be fsynced before anything is sent (etcd's MustSync). */
  mustSync(state: RaftDiskState): boolean {
    const s = this.current(state);
    return state.entries !== s.entries || state.entries.length !== s.length || state.term !== s.term || state.vote !== s.vote;
  }

  /**
   * Whether the unsynced records overwrite synced log entries (a truncation
   * and what replaced it): a crash before they land brings the old tail back.
   */
  truncates(state: RaftDiskState): boolean {
    const s = this.current(state);
    return state.entries !== s.entries && commonPrefix(state.entries, s) < s.length;
  }

  /** Whether anything written is not yet synced (a commit index alone included). */
  dirty(state: RaftDiskState): boolean {
    return this.mustSync(state) || state.commit !== this.current(state).commit;
  }

  /** fsync: every record written so far is durable. */
  sync(state: RaftDiskState): void {
    this.synced = image(state);
  }

  /**
   * Power loss: what the disk holds of `state`, as a new object (the dead
   * process's Raft may still finish its step on the old one).
   */
  crash(state: RaftDiskState, rng: Rng, opts: WalCrashOptions): { state: RaftDiskState; loss: WalLoss } {
    const s = this.current(state);
    // The records since the fsync: the entries past the common prefix, then the HardState.
    const p = state.entries === s.entries ? s.length : commonPrefix(state.entries, s);
    const fresh = state.entries.length - p;
    const records = fresh + (state.term !== s.term || state.vote !== s.vote || state.commit !== s.commit ? 1 : 0);
    let kept = 0;
    while (kept < records && !rng.chance(opts.lossRate)) kept++;
    const disk: RaftDiskState = { ...state, entries: state.entries.slice() };
    if (kept === records) return { state: disk, loss: NO_LOSS };
    const torn = opts.tornRate > 0 && rng.chance(opts.tornRate);
    // The HardState record comes last: it is lost, and so are the entries from the cut on.
    disk.term = s.term;
    disk.vote = s.vote;
    const keptEntries = Math.min(kept, fresh);
    let loss: WalLoss = { lost: records - kept, torn, recovered: [] };
    if (keptEntries < fresh) {
      const cut = state.entries[p + keptEntries] as Entry;
      const recovered = torn && opts.acceptTorn ? [tornEntry(cut, rng)] : keptEntries === 0 ? s.entries.slice(p, s.length) : [];
      // A first new record that never landed leaves the synced log as it was (a truncated tail too).
      disk.entries = (keptEntries === 0 ? s.entries.slice(0, p) : state.entries.slice(0, p + keptEntries)).concat(recovered);
      loss = { ...loss, fromIndex: s.offset + p + keptEntries + 1, recovered };
    }
    disk.commit = Math.min(s.commit, s.offset + disk.entries.length);
    if (disk.commit < state.commit) loss = { ...loss, commit: disk.commit };
    return { state: disk, loss };
  }

  private current(state: RaftDiskState): Image {
    if (this.synced.of !== state) this.synced = image(state);
    else if (this.synced.offset !== state.offset) throw new Error('raft WAL: the log was compacted without an fsync');
    return this.synced;
  }
}

/** How many leading entries `entries` shares with the synced image (the same objects: Raft never rewrites one). */
function commonPrefix(entries: readonly Entry[], s: Image): number {
  const m = Math.min(s.length, entries.length);
  let p = 0;
  while (p < m && entries[p] === s.entries[p]) p++;
  return p;
}

function image(state: RaftDiskState): Image {
  return { of: state, term: state.term, vote: state.vote, commit: state.commit, offset: state.offset, entries: state.entries, length: state.entries.length };
}

/** A torn copy of `e` as a recovery that skips checksums reads it: same index and term, data cut short. */
function tornEntry(e: Entry, rng: Rng): Entry {
  const data = e.data.slice(0, rng.int(0, Math.max(0, e.data.length - 1)));
  return { ...e, data, hex: toHex(data), digest: entryDigest(data) };
}
