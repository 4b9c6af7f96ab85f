// The registry store a node's applier writes to: a RegistryStore over the
// node's disk table. Writes are synced (the production contract) unless the
// unsynced-registry-writes variant is on. It remembers the last write (for the
// trace's apply event) and caches the digest of its rows until they change.
// Under registryReplay 'skip-applied' the engine sets `stampIndex` to the index
// of the entry being applied, and every write stores that index with the row,
// in the same disk write (see StoredValue.appliedAt).
import { StoreFault } from '../../applier/types.ts';
import type { RegistryStore } from '../../applier/types.ts';
import type { TraceRow } from '../../trace/types.ts';
import type { Disk, StoredValue } from './disk.ts';
import { fromHex } from '../../applier/hex.ts';
import { internedHex, internedRow, sortedRowsDigest } from '../hex.ts';
import type { StoreFaultKind, StoreFaults } from './faults.ts';

/** Where a store reports the faults it injected (the node records them in the trace). */
export interface StoreFaultSink {
  faults: StoreFaults;
  injected(op: 'get' | 'set', fault: StoreFaultKind, keyHex: string): void;
}

// digest-before -> key -> value -> digest-after, shared by all stores of the
// process (replicas go through the same row sets in the same order). Nested
// maps keyed by strings that already exist avoid building a key per lookup.
// Bounded; results never depend on its contents.
const transitions = new Map<string, Map<string, Map<string, string>>>();
let transitionCount = 0;
const TRANSITIONS_LIMIT = 1 << 16;

function transitionGet(prev: string, key: string, value: string): string | undefined {
  return transitions.get(prev)?.get(key)?.get(value);
}

function transitionSet(prev: string, key: string, value: string, next: string): void {
  if (transitionCount >= TRANSITIONS_LIMIT) {
    transitions.clear();
    transitionCount = 0;
  }
  let byKey = transitions.get(prev);
  if (byKey === undefined) transitions.set(prev, (byKey = new Map()));
  let byValue = byKey.get(key);
  if (byValue === undefined) byKey.set(key, (byValue = new Map()));
  byValue.set(value, next);
  transitionCount++;
}

export class SimRegistryStore implements RegistryStore {
  /** The last write since clearLastWrite(), for the apply event. */
  lastWrite: TraceRow | undefined = undefined;
  /** The writes before lastWrite since the engine cleared both (an entry that writes several rows). */
  readonly earlierWrites: TraceRow[] = [];
  /** The log index to store with each write (registryReplay 'skip-applied'); undefined stores none. */
  stampIndex: number | undefined = undefined;
  /** Set by the engine while an entry is applied: only then may the disk inject a fault. */
  applying = false;
  private digestCache: string | null = null;
  /** The digest before the last write (null: unknown, or more than one write since). */
  private prevDigest: string | null = null;

  constructor(
    private readonly disk: Disk,
    private readonly synced: boolean,
    private readonly faults?: StoreFaultSink,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const keyHex = this.keyHex(key);
    const v = this.disk.registry.view.get(keyHex);
    const fault = this.applying ? this.faults?.faults.onGet() : undefined;
    // Only a stored row can come back corrupted.
    if (fault !== undefined && (fault === 'error' || v !== undefined)) {
      this.faults?.injected('get', fault, keyHex);
      if (fault === 'error') throw new StoreFault(`read of ${keyHex} failed (injected)`);
      return this.faults?.faults.corrupt((v as StoredValue).bytes);
    }
    return v === undefined ? undefined : v.bytes.slice();
  }

  /** The row on disk: no fault is drawn (see RegistryStore.peek). */
  peek(key: Uint8Array): Uint8Array | undefined {
    return this.disk.registry.view.get(this.keyHex(key))?.bytes.slice();
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const keyHex = this.keyHex(key);
    if (this.applying && this.faults?.faults.onSet() !== undefined) {
      this.faults.injected('set', 'error', keyHex);
      throw new StoreFault(`write of ${keyHex} failed (injected)`);
    }
    const interned = internedRow(keyHex, value);
    const at = this.stampIndex;
    // One write: the row and its applied index are kept or lost together.
    const stored: StoredValue = at === undefined ? interned : Object.freeze({ ...interned, appliedAt: at });
    this.disk.registry.write(keyHex, stored, this.synced);
    if (this.lastWrite !== undefined) this.earlierWrites.push(this.lastWrite);
    this.lastWrite = stored.row;
    this.prevDigest = this.digestCache;
    this.digestCache = null;
  }

  /** Replaces every row (a snapshot install), with the applied index of each row if the snapshot carries them. */
  replaceAll(rows: readonly TraceRow[], appliedAt?: readonly number[]): void {
    const entries: [string, StoredValue][] = rows.map((r, i) => {
      const interned = internedRow(r.keyHex, fromHex(r.valueHex));
      const at = appliedAt?.[i];
      return [r.keyHex, at === undefined ? interned : Object.freeze({ ...interned, appliedAt: at })];
    });
    this.disk.registry.replaceAll(entries, this.synced);
    this.digestCache = null;
    this.prevDigest = null;
  }

  /** Every row, sorted by key. */
  rows(): TraceRow[] {
    const view = this.disk.registry.view;
    const keys = [...view.keys()].sort();
    return keys.map((keyHex) => (view.get(keyHex) as StoredValue).row);
  }

  /** The applied index stored with the row under `keyHex` (0: no row, or none stored). */
  appliedAtOf(keyHex: string): number {
    return this.disk.registry.view.get(keyHex)?.appliedAt ?? 0;
  }

  /** The applied index stored with every row, in rows() order (0 where none is stored). */
  rowsAppliedAt(): number[] {
    const view = this.disk.registry.view;
    return [...view.keys()].sort().map((keyHex) => (view.get(keyHex) as StoredValue).appliedAt ?? 0);
  }

  /** rowsDigest of the current rows (cached until the next write). */
  digest(): string {
    let d = this.digestCache;
    if (d !== null) return d;
    const prev = this.prevDigest;
    const w = this.lastWrite;
    this.prevDigest = null;
    if (prev !== null && w !== undefined) {
      d = transitionGet(prev, w.keyHex, w.valueHex) ?? null;
      if (d === null) {
        d = sortedRowsDigest(this.rows());
        transitionSet(prev, w.keyHex, w.valueHex, d);
      }
    } else {
      d = sortedRowsDigest(this.rows());
    }
    this.digestCache = d;
    return d;
  }

  private keyHex(key: Uint8Array): string {
    return internedHex(key);
  }
}

/** Rows of a disk's registry, sorted by key (for restart and restore events). */
export function diskRows(disk: Disk): TraceRow[] {
  return new SimRegistryStore(disk, true).rows();
}
