// The contract of production main's applier (addendum §1.5, §2, §7): what the
// caller hands it (stores it owns, so the applier keeps no state of its own)
// and what each committed entry produces. Types only.
import type { HaltReason, RegistrationOutcome, RegistryStore } from '../types.ts';
import type { KekUnwrapper } from './kek.ts';
import type { Keystore } from './keystore.ts';
import type { SidecarStore, StateCache } from './sidecar.ts';

/** Stage 6A's halt reasons, plus those of main's bootstrap, rotation and dispatcher. */
export type MainHaltReason =
  | HaltReason
  /** A rotation sub-tag the decoder does not implement (rewrap 0x02, retire 0x03, anything unknown). */
  | 'unknown-subtag'
  /** The KEK could not unwrap a DEK. */
  | 'kek-unwrap'
  /** A DEK id already loaded with other key bytes. */
  | 'key-conflict'
  /** DEK id 0, the "not bootstrapped" sentinel. */
  | 'reserved-key-id'
  /** Input validation of a bootstrap or rotation (see `detail`). */
  | 'rejected'
  /** A rotation on a node with no sidecar yet. */
  | 'sidecar-missing'
  /** The sidecar write would break the sidecar's own rules. */
  | 'sidecar-invalid'
  /** An encryption opcode reached an FSM built without an applier. */
  | 'no-applier';

/**
 * Which validation rule of a bootstrap or rotation refused it (the vectors'
 * names; 'bootstrap-key-missing', which no vector shows, is regsim's).
 */
export type RejectDetail =
  | 'bootstrap-same-dek-ids'
  | 'bootstrap-batch-foreign-dek'
  | 'already-bootstrapped'
  | 'bootstrap-key-missing'
  | 'bootstrap-wrapped-mismatch'
  | 'proposer-dek-mismatch'
  | 'purpose-mismatch'
  | 'wrapped-not-empty'
  | 'raft-index-zero';

/** One registry row an entry applied, in order (production returns only an error; these are read off the store traffic). */
export interface RowResult {
  key: Uint8Array;
  result: RegistrationOutcome | 'halted';
  /** The value written, for insert and advance. */
  value?: Uint8Array;
}

export type MainApplyResponse =
  /** No data, so not routed anywhere; never a halt (§1.5). */
  | { kind: 'empty' }
  /** 0x02, the HLC lease: not encryption, not a data write. */
  | { kind: 'lease' }
  /** 0x00, 0x01 and every byte >= 0x08: the KV request decoder's. */
  | { kind: 'kv'; opcode: number }
  /** An encryption entry applied without error: every row it applied. */
  | { kind: 'applied'; rows: RowResult[] }
  /** Fail closed. `rows` are those applied before the halt, the last one the halting row if a row halted. */
  | { kind: 'halt'; reason: MainHaltReason; detail?: RejectDetail; message: string; rows: RowResult[] };

/**
 * What main's applier is built with. Registration (0x03) needs only the
 * registry; bootstrap and rotation need kek, keystore and sidecar together
 * (production's WithKEK, WithKeystore, WithSidecarPath), else a well-formed
 * 0x04/0x05 halts kek-not-configured.
 */
export interface MainApplierDeps {
  registry: RegistryStore;
  kek?: KekUnwrapper;
  keystore?: Keystore;
  sidecar?: SidecarStore;
  /** Refreshed after each sidecar write the applier makes. */
  stateCache?: StateCache;
  /** The storage and raft epochs this process pinned at start (WithLocalEpoch, WithRaftLocalEpoch); default 0. */
  localEpoch?: number;
  raftLocalEpoch?: number;
}

/** Applies one committed entry at its Raft index (0: unknown). */
export interface MainFsm {
  apply(raftIndex: number, entry: Uint8Array): MainApplyResponse;
  /** As EntryApplier.proposed: the entry appended at the leader, to prepare its applies (production has no such call). */
  proposed?(raftIndex: number, entry: Uint8Array): void;
  /** As EntryApplier.settle: the run is over, check what was answered ahead of its checks. */
  settle?(): void;
}

/** Builds the FSM over an applier with these dependencies; `undefined` builds an FSM without an applier. */
export type MainFsmFactory = (deps: MainApplierDeps | undefined) => MainFsm;
