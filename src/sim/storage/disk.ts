// The simulated disk of one node. Every write is either synced (durable when
// the call returns) or pending (in the page cache). A crash keeps every synced
// write and, for each pending write in order, flips a seeded coin: kept or
// lost. A clean process exit (a halt) loses nothing: the OS still flushes the
// page cache. Raft's own state (term, vote, commit, log) is a write-ahead log
// with its own records and fsyncs (raft-wal.ts); a snapshot is written and
// synced whole; the key-value tables (registry store, sidecar) go through
// DiskTable.
import type { Sidecar } from '../../applier/main/sidecar.ts';
import type { Rng } from '../prng.ts';
import type { RaftDiskState, Snapshot } from '../raft/log.ts';
import { RaftWal } from './raft-wal.ts';
import type { WalCrashOptions, WalLoss } from './raft-wal.ts';

interface PendingOp<V> {
  /** undefined key: the whole table was cleared. */
  key: string | undefined;
  /** undefined value: the key was deleted. */
  value: V | undefined;
}

let versions = 0;
const nextVersion = (): number => ++versions;

/** A key-value file with synced and pending writes. Values must be treated as immutable. */
export class DiskTable<V> {
  /** What a reader sees now (synced plus pending writes). */
  view: Map<string, V>;
  /** The durable state, kept only while there are pending writes. */
  private base: Map<string, V> | null = null;
  private pending: PendingOp<V>[] = [];
  /**
   * Changes with every change of what a reader sees, and is never the same
   * for two tables (drawn from one counter of the process): a cache over the
   * rows is current while the version it was made at is. Only ever compared.
   */
  version = nextVersion();

  constructor(view?: Map<string, V>) {
    this.view = view ?? new Map();
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get(key: string): V | undefined {
    return this.view.get(key);
  }

  write(key: string, value: V, synced: boolean): void {
    this.version = nextVersion();
    if (!synced) this.stage({ key, value });
    else if (this.base !== null) this.base.set(key, value);
    this.view.set(key, value);
  }

  delete(key: string, synced: boolean): void {
    this.version = nextVersion();
    if (!synced) this.stage({ key, value: undefined });
    else if (this.base !== null) this.base.delete(key);
    this.view.delete(key);
  }

  /** Replaces the whole table (a snapshot install). */
  replaceAll(entries: Iterable<[string, V]>, synced: boolean): void {
    this.version = nextVersion();
    if (synced) {
      this.base = null;
      this.pending = [];
      this.view = new Map(entries);
      return;
    }
    this.stage({ key: undefined, value: undefined });
    this.view.clear();
    for (const [key, value] of entries) {
      this.stage({ key, value });
      this.view.set(key, value);
    }
  }

  /** fsync: every pending write becomes durable. */
  sync(): void {
    this.base = null;
    this.pending = [];
  }

  /** Power loss: each pending write is kept or lost by a coin of `rng`. Returns how many were lost. */
  crash(rng: Rng, lossRate: number): number {
    if (this.base === null) return 0;
    this.version = nextVersion();
    const durable = this.base;
    let lost = 0;
    for (const op of this.pending) {
      if (rng.chance(lossRate)) {
        lost++;
        continue;
      }
      if (op.key === undefined) durable.clear();
      else if (op.value === undefined) durable.delete(op.key);
      else durable.set(op.key, op.value);
    }
    this.view = durable;
    this.base = null;
    this.pending = [];
    return lost;
  }

  /** A copy of what is on the disk now (pending writes included: a copy reads the page cache). */
  copy(): DiskTable<V> {
    return new DiskTable(new Map(this.view));
  }

  /** Keys in sorted order (the canonical iteration order). */
  sortedKeys(): string[] {
    return [...this.view.keys()].sort();
  }

  private stage(op: PendingOp<V>): void {
    if (this.base === null) this.base = new Map(this.view);
    this.pending.push(op);
  }
}

/**
 * A registry value as stored: bytes, their hex and the trace row (made once,
 * shared, immutable). Under the engine option registryReplay 'skip-applied'
 * the stored value also carries `appliedAt`, the log index of the entry whose
 * apply wrote it: part of the same disk write as the row (one pending op,
 * kept or lost with it by a crash), never of the 12-byte value.
 */
export interface StoredValue {
  readonly bytes: Uint8Array;
  readonly hex: string;
  readonly row: { readonly keyHex: string; readonly valueHex: string };
  readonly appliedAt?: number;
}

export class Disk {
  raft: RaftDiskState = { term: 0, vote: -1, commit: 0, entries: [], offset: 0, offsetTerm: 0 };
  /** What of `raft` is durable. */
  readonly wal = new RaftWal(this.raft);
  /** The node's last local snapshot (taken or installed), or null. */
  snapshot: Snapshot | null = null;
  /** The registry store: keys are the 27-byte registry keys in hex. */
  registry = new DiskTable<StoredValue>();
  /** The encryption sidecar (local epochs and the like), for lifecycle hooks. Writes should be synced. */
  sidecar = new DiskTable<number>();
  /**
   * Production main's sidecar document (configuration `production`): one file,
   * rewritten whole, under one key (sidecar-file.ts). Empty under Stage 6A.
   */
  mainSidecar = new DiskTable<Sidecar>();
  /**
   * The FSM store's durable applied index M (production's `_meta_applied_index`,
   * engine option coldStart 'durable-applied-index'): written synced, in the
   * same batch as the data write that moves it; undefined until first written.
   */
  durableApplied: number | undefined = undefined;
  /**
   * A snapshot received from node `from` that Raft persisted and the state
   * machine has not taken yet (a crash came between the two): a restart
   * finishes the install, as etcd's server recovers its backend from a
   * snapshot newer than the backend.
   */
  pendingInstall: { snapshot: Snapshot; from: number } | undefined = undefined;

  /** Power loss: the tables' pending writes lost (each by a coin), and what the Raft WAL lost. */
  crash(rng: Rng, opts: WalCrashOptions): { lostWrites: number; wal: WalLoss } {
    // An empty table draws no coin: Stage 6A runs (no main sidecar) keep their random streams.
    const lostWrites = this.registry.crash(rng, opts.lossRate) + this.sidecar.crash(rng, opts.lossRate) + this.mainSidecar.crash(rng, opts.lossRate);
    const { state, loss } = this.wal.crash(this.raft, rng, opts);
    this.raft = state;
    return { lostWrites, wal: loss };
  }

  /** A clean exit: the page cache reaches the disk. */
  flush(): void {
    this.registry.sync();
    this.sidecar.sync();
    this.mainSidecar.sync();
    this.wal.sync(this.raft);
  }

  /** A full copy (a backup). Log entries and snapshots are immutable and shared. */
  copy(): Disk {
    const d = new Disk();
    const r = this.raft;
    d.raft = {
      term: r.term,
      vote: r.vote,
      commit: r.commit,
      entries: r.entries.slice(),
      offset: r.offset,
      offsetTerm: r.offsetTerm,
    };
    if (r.confBase !== undefined) d.raft.confBase = r.confBase;
    if (r.rejoin !== undefined) d.raft.rejoin = { ...r.rejoin };
    d.snapshot = this.snapshot;
    d.durableApplied = this.durableApplied;
    d.pendingInstall = this.pendingInstall;
    d.registry = this.registry.copy();
    d.sidecar = this.sidecar.copy();
    d.mainSidecar = this.mainSidecar.copy();
    // The copy's tables are durable as written; so is its Raft state (its WAL was built over the empty one).
    d.wal.sync(d.raft);
    return d;
  }
}
