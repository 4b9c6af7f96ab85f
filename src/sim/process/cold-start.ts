// Where a restarted process's apply loop resumes. Under the engine option
// coldStart 'last-snapshot' (spec §4) it is the last local snapshot, on the
// persisted store. Under 'durable-applied-index' it is production main's cold
// start (addendum §3.2, engine.go `coldStartApplied`), which reads the FSM
// store's durable applied index M beside the newest local snapshot S:
//  - no snapshot at all: the persisted store, untouched; resume at 0 (a
//    member of the initial cluster always has one: the simulator gives its
//    disk the initial snapshot, initialSnapshot in node.ts; a fresh joiner or
//    a disk whose Raft state was discarded has none until it installs one);
//  - M readable and M >= S ('skip'): the persisted store, untouched; resume at M;
//  - M absent or M < S ('restore'): the store is replaced by the snapshot's
//    whole image (rows and M); resume at S.
// The apply loop then hands the FSM only entries above the resume point (the
// skip rule, §3.3; an HLC lease or a configuration change at or below it
// re-runs only for its in-memory effect, which the simulator has none of).
import type { ColdStartMode } from '../../trace/types.ts';
import type { Disk } from '../storage/disk.ts';
import type { SimRegistryStore } from '../storage/store.ts';

export interface ColdStart {
  /** The initial applied index (A0). */
  appliedIndex: number;
  /** Absent under 'last-snapshot'. */
  mode?: ColdStartMode;
}

/** Production's choice of state and A0 at a cold start (see the header); a 'restore' replaces the store now. */
export function durableColdStart(disk: Disk, store: SimRegistryStore): ColdStart {
  const snap = disk.snapshot;
  if (snap === null) return { appliedIndex: 0, mode: 'none' };
  const m = disk.durableApplied;
  if (m !== undefined && m >= snap.index) return { appliedIndex: m, mode: 'skip' };
  store.replaceAll(snap.rows, snap.rowsAppliedAt);
  disk.durableApplied = snap.appliedIndex;
  return { appliedIndex: snap.index, mode: 'restore' };
}

/** Where `disk`'s apply loop resumes under the engine's cold-start option. */
export function coldStart(durable: boolean, disk: Disk, store: SimRegistryStore): ColdStart {
  return durable ? durableColdStart(disk, store) : { appliedIndex: disk.snapshot?.index ?? 0 };
}
