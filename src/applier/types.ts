// The applier's public contract: what the simulator (or any caller) hands it
// and what it hands back. Types only; the logic lives beside this file.
import type { SidecarStore } from './main/sidecar.ts';

/** A decoded registration payload (opcode 0x03 body). */
export interface Registration {
  dekId: number; // u32
  fullNodeId: bigint; // u64
  localEpoch: number; // u16
}

/** A decoded registry row value. */
export interface RegistryRow {
  fullNodeId: bigint; // u64
  firstSeen: number; // u16
  lastSeen: number; // u16
}

/**
 * The applier's only state. `set` must be durable before it returns (the
 * production store uses a synced write). A failing store throws StoreFault.
 */
export interface RegistryStore {
  get(key: Uint8Array): Uint8Array | undefined;
  set(key: Uint8Array, value: Uint8Array): void;
  /**
   * The row as stored, without a get's side effects (no injected fault, no
   * trace): what an external applier is sent ahead of its apply. Optional; a
   * store without it answers the child's reads one call at a time.
   */
  peek?(key: Uint8Array): Uint8Array | undefined;
}

/** Thrown by a RegistryStore whose read or write failed. */
export class StoreFault extends Error {
  override name = 'StoreFault';
}

export type HaltReason =
  | 'collision'
  | 'rollback'
  | 'malformed'
  | 'unknown-version'
  | 'kek-not-configured'
  | 'unknown-opcode'
  | 'store-fault'
  | 'corrupt-row';

export type RegistrationOutcome = 'insert' | 'advance' | 'noop';

/** What applying one committed Raft entry produced. */
export type ApplyResponse =
  /** An ordinary entry (KV write, HLC lease, ...): the caller applies it. */
  | { kind: 'kv'; opcode: number }
  /** A registration applied without error. */
  | { kind: 'registered'; outcome: RegistrationOutcome }
  /** Fail closed: the engine must stop without advancing its applied index. */
  | { kind: 'halt'; reason: HaltReason; message: string };

/**
 * Where an entry sits in the engine's log, for appliers that look ahead (the
 * external bridge sends the entries after an ordinary one in one batch).
 * The built-in appliers ignore it.
 */
export interface ApplyAt {
  /** The entry's Raft index. */
  index: number;
  /** The committed entry `offset` places after this one, if the engine will apply it next (nothing intervening). */
  next(offset: number): Uint8Array | undefined;
}

/** Applies one committed entry (opcode byte followed by its body). */
export interface EntryApplier {
  apply(entry: Uint8Array, at?: ApplyAt): ApplyResponse;
  /**
   * The node, as leader, has just appended `entry` at `index`, before it
   * commits: an applier may prepare the entry's applies (the external bridge
   * sends them to its child ahead). It must not change what any apply
   * returns; the built-in appliers have none.
   */
  proposed?(index: number, entry: Uint8Array): void;
  /**
   * The run is over: an applier that answered ahead of its checks (the
   * external bridge, speculating) checks what is left now, and throws
   * SpeculationMissed if an answer it gave was not its child's. The
   * simulator calls it once per distinct function, at the end of a run.
   */
  settle?(): void;
}

/**
 * An applier answered an apply from a prediction that its child's own answer
 * then contradicted: the run is void. Simulate it again from the start; the
 * applier answers the next run exactly (its child alone), so the run that
 * counts is the child's own.
 */
export class SpeculationMissed extends Error {
  override name = 'SpeculationMissed';
}

/**
 * What a node process hands an applier besides its registry. The built-in
 * appliers read only the sidecar.
 */
export interface ApplierNode {
  /** The node's sidecar file: production main's applier writes it (absent: a Stage 6A node). */
  sidecar?: SidecarStore;
  /**
   * Which node of which simulated cluster the process is: an applier that
   * serves several nodes at once (the external bridge) groups them by it. An
   * applier with a seat is settled at the end of its run (EntryApplier.settle).
   * `scratch`: not the node's own applier but one the simulator folds the
   * node's committed log with, over a copy of its rows (the lifecycle's
   * caught-up view).
   */
  seat?: { cluster: object; node: string; scratch?: true };
}

/** Builds an applier over one node's store; throws if the store is missing. */
export type ApplierFactory = (store: RegistryStore, node?: ApplierNode) => EntryApplier;
