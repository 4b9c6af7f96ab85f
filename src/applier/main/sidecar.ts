// The sidecar: one durable document per node (production: a JSON file written
// by temp file, fsync, rename, fsync of the directory). It is not part of any
// FSM snapshot. The applier reads and writes it only through a SidecarStore
// the caller provides, so a simulator can keep it on its simulated disk.

export type DekPurpose = 'storage' | 'raft';

export interface SidecarKey {
  purpose: DekPurpose;
  wrapped: Uint8Array;
  /** This node's epoch under the DEK (u16), bumped at every process start. */
  localEpoch: number;
}

export interface Sidecar {
  /** Format version: 2 is written (1..2 are read by production). */
  version: number;
  /** Moved only by 0x04/0x05 applies, and only forward (advanceAppliedIndex). */
  raftAppliedIndex: number;
  storageEnvelopeActive: boolean;
  storageEnvelopeCutoverIndex: number;
  raftEnvelopeCutoverIndex: number;
  /** Active DEK ids; 0 = none. */
  activeStorage: number;
  activeRaft: number;
  keys: ReadonlyMap<number, SidecarKey>;
}

export const SIDECAR_VERSION = 2;

export interface SidecarStore {
  /** The sidecar, or undefined when the node has none yet (a missing file). */
  read(): Sidecar | undefined;
  /** Durable before it returns. A failing store throws StoreFault. */
  write(sidecar: Sidecar): void;
  /** The document without a read's side effects (no injected fault): what an external applier is sent ahead. */
  peek?(): Sidecar | undefined;
}

/** A write the document's own rules refuse: nothing is written. */
export class SidecarInvalidError extends Error {
  override name = 'SidecarInvalidError';
}

/** What a node's sidecar holds before its first bootstrap apply. */
export function emptySidecar(): Sidecar {
  return {
    version: SIDECAR_VERSION,
    raftAppliedIndex: 0,
    storageEnvelopeActive: false,
    storageEnvelopeCutoverIndex: 0,
    raftEnvelopeCutoverIndex: 0,
    activeStorage: 0,
    activeRaft: 0,
    keys: new Map(),
  };
}

/** A deep copy, so no caller aliases a stored document. */
export function copySidecar(s: Sidecar): Sidecar {
  return { ...s, keys: new Map([...s.keys].map(([id, k]) => [id, { ...k, wrapped: k.wrapped.slice() }])) };
}

/** The rules production checks before every write: key ids are non-zero u32s, each active id names a key of its purpose. */
export function validateSidecar(s: Sidecar): void {
  for (const id of s.keys.keys()) {
    if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw new SidecarInvalidError(`key id ${id} is not a non-zero u32`);
  }
  for (const [purpose, id] of [['storage', s.activeStorage], ['raft', s.activeRaft]] as const) {
    if (id === 0) continue;
    const key = s.keys.get(id);
    if (key === undefined) throw new SidecarInvalidError(`active ${purpose} DEK ${id} has no key`);
    if (key.purpose !== purpose) throw new SidecarInvalidError(`active ${purpose} DEK ${id} is a ${key.purpose} key`);
  }
}

/** Validates, then writes (always as the current format version). */
export function writeSidecar(store: SidecarStore, s: Sidecar): void {
  validateSidecar(s);
  store.write({ ...s, version: SIDECAR_VERSION });
}

/** `raft_applied_index` moves to `raftIndex` only if it is non-zero and above the current value (0 means "no index supplied"). */
export function advanceAppliedIndex(current: number, raftIndex: number): number {
  return raftIndex !== 0 && raftIndex > current ? raftIndex : current;
}

/**
 * The process-wide mirror of the sidecar's storage state that the write path
 * reads (production's state cache). The applier refreshes a caller-provided
 * one after each sidecar write it makes; it never reads it.
 */
export interface StateCache {
  activeStorage: number;
  storageEnvelopeActive: boolean;
}

/** The raft DEK the sidecar records the raft cutover under (0: no cutover recorded, or no raft DEK). */
export function raftCutoverDek(sidecar: Sidecar | undefined): number {
  return sidecar !== undefined && sidecar.raftEnvelopeCutoverIndex !== 0 ? sidecar.activeRaft : 0;
}

export function stateOf(sidecar: Sidecar | undefined): StateCache {
  return { activeStorage: sidecar?.activeStorage ?? 0, storageEnvelopeActive: sidecar?.storageEnvelopeActive ?? false };
}

export class MemorySidecarStore implements SidecarStore {
  private doc: Sidecar | undefined;

  read(): Sidecar | undefined {
    return this.doc && copySidecar(this.doc);
  }

  peek(): Sidecar | undefined {
    return this.read();
  }

  write(sidecar: Sidecar): void {
    this.doc = copySidecar(sidecar);
  }
}
