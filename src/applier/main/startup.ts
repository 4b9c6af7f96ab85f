// Production main's start-up primitives (addendum §4) and the restart the
// golden vectors model: what a process does with its durable state (sidecar,
// registry) before it serves. The guards refuse by throwing StartupError.
import { CodecError, OPCODE, decodeRegistryValue, low16, registryKey } from '../codec.ts';
import type { RegistryStore } from '../types.ts';
import type { KekUnwrapper } from './kek.ts';
import { Keystore } from './keystore.ts';
import { raftCutoverDek, writeSidecar } from './sidecar.ts';
import type { Sidecar, SidecarStore } from './sidecar.ts';

export type StartupRefusal =
  | 'local-epoch-exhausted'
  | 'local-epoch-rollback'
  | 'node-id-collision'
  | 'sidecar-behind-raft-log'
  | 'kek-mismatch'
  | 'corrupt-row'
  /** The DEK to bump is 0 (not bootstrapped) or has no sidecar key. */
  | 'no-such-dek';

export class StartupError extends Error {
  override name = 'StartupError';
  constructor(
    readonly reason: StartupRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** Raises keys[dekId].local_epoch by one and writes the sidecar, before the process encrypts anything; returns the new epoch. */
export function bumpLocalEpoch(sidecar: SidecarStore, dekId: number): number {
  if (dekId === 0) throw new StartupError('no-such-dek', 'cannot bump DEK 0: the cluster is not bootstrapped');
  const doc = sidecar.read();
  const key = doc?.keys.get(dekId);
  if (doc === undefined || key === undefined) throw new StartupError('no-such-dek', `the sidecar has no key for DEK ${dekId}`);
  // Only a rotation recovers an exhausted epoch: the next one would repeat nonces.
  if (key.localEpoch === 0xffff) throw new StartupError('local-epoch-exhausted', `DEK ${dekId}: local_epoch is 0xFFFF`);
  const localEpoch = key.localEpoch + 1;
  writeSidecar(sidecar, { ...doc, keys: new Map(doc.keys).set(dekId, { ...key, localEpoch }) });
  return localEpoch;
}

export interface RollbackCheck {
  registry: RegistryStore;
  fullNodeId: bigint;
  /** The sidecar's active storage DEK, its local_epoch for it, and whether the storage envelope is active. */
  activeStorage: number;
  sidecarLocalEpoch: number;
  storageEnvelopeActive: boolean;
}

/**
 * Production's CheckLocalEpochRollback primitive: the sidecar epoch must be
 * strictly above the node's own row's last_seen. Before the storage cutover a
 * missing or foreign row passes; after it, both refuse. (main.go's own guards
 * refuse a foreign row always and allow equality before the bump: row 9.)
 */
export function checkLocalEpochRollback(c: RollbackCheck): void {
  // Inferred, no vector: with no active storage DEK there is no row to compare.
  if (c.activeStorage === 0) return;
  const stored = c.registry.get(registryKey(c.activeStorage, low16(c.fullNodeId)));
  const refuse = (why: string): never => {
    throw new StartupError('local-epoch-rollback', `DEK ${c.activeStorage}, full id ${c.fullNodeId}: ${why}`);
  };
  if (stored === undefined) return c.storageEnvelopeActive ? refuse('no registry row after the storage cutover') : undefined;
  let row;
  try {
    row = decodeRegistryValue(stored);
  } catch (err) {
    if (err instanceof CodecError) throw new StartupError('corrupt-row', err.message);
    throw err;
  }
  if (row.fullNodeId !== c.fullNodeId) return c.storageEnvelopeActive ? refuse(`the row belongs to full id ${row.fullNodeId}`) : undefined;
  if (c.sidecarLocalEpoch <= row.lastSeen) refuse(`sidecar local_epoch ${c.sidecarLocalEpoch} is not above last_seen ${row.lastSeen}`);
}

/**
 * The node-id collision guard's primitive: two distinct full ids sharing their
 * low 16 bits. The same id twice is one node. Zero ids count (the vectors'
 * zero-and-0x10000 collides): the "zeros ignored" of guard 8 is the caller's
 * filtering, not this primitive's.
 */
export function checkNodeIdCollision(fullNodeIds: readonly bigint[]): void {
  const owner = new Map<number, bigint>();
  for (const id of fullNodeIds) {
    const other = owner.get(low16(id));
    if (other !== undefined && other !== id) {
      throw new StartupError('node-id-collision', `full ids ${other} and ${id} share node id 0x${low16(id).toString(16).padStart(4, '0')}`);
    }
    owner.set(low16(id), id);
  }
}

/** First bytes of the entries the sidecar must have seen (0x03 is excluded: it never touches the sidecar). */
export const SIDECAR_RELEVANT_OPCODES: readonly number[] = [OPCODE.bootstrap, OPCODE.rotation, OPCODE.reserved6, OPCODE.reserved7];

/**
 * The data of the local log's entry at `index`; undefined if it is no longer
 * in the log (compacted). An entry with no data is an empty array.
 */
export type RaftLogScanner = (index: number) => Uint8Array | undefined;

/**
 * Guard 13: refuses when the sidecar's raft_applied_index is behind the
 * engine's applied index and the gap holds an entry that writes the sidecar
 * (or cannot be read: compacted, or no scanner). 0 is a legacy sidecar: skipped.
 */
export function checkSidecarBehindRaftLog(sidecarRaftAppliedIndex: number, engineAppliedIndex: number, scanner: RaftLogScanner | undefined): void {
  if (sidecarRaftAppliedIndex === 0 || sidecarRaftAppliedIndex >= engineAppliedIndex) return;
  function refuse(why: string): never {
    throw new StartupError('sidecar-behind-raft-log', `sidecar at index ${sidecarRaftAppliedIndex}, engine at ${engineAppliedIndex}: ${why}`);
  }
  if (scanner === undefined) refuse('no log scanner to prove the gap harmless');
  for (let index = sidecarRaftAppliedIndex + 1; index <= engineAppliedIndex; index++) {
    const entry = scanner(index) ?? refuse(`entry ${index} is compacted`);
    const first = entry[0];
    if (first !== undefined && SIDECAR_RELEVANT_OPCODES.includes(first)) refuse(`entry ${index} (opcode 0x0${first}) is not in the sidecar`);
  }
}

export const NONCE_LENGTH = 12;

/** The nonces of one process load: node16 u16 ‖ local_epoch u16 ‖ write_count u64, write_count starting at 1. */
export function nonceFactory(nodeId16: number, localEpoch: number): () => Uint8Array {
  let writeCount = 0n;
  return () => {
    const nonce = new Uint8Array(NONCE_LENGTH);
    const view = new DataView(nonce.buffer);
    view.setUint16(0, nodeId16);
    view.setUint16(2, localEpoch);
    view.setBigUint64(4, ++writeCount);
    return nonce;
  };
}

/** A fresh keystore holding every DEK of `doc`, unwrapped by `kek` (guard 5: one that fails refuses the start). */
export function hydrateKeystore(doc: Sidecar | undefined, kek: KekUnwrapper): Keystore {
  const keystore = new Keystore();
  for (const [id, key] of doc?.keys ?? []) {
    let dek: Uint8Array;
    try {
      dek = kek.unwrap(key.wrapped);
    } catch (err) {
      throw new StartupError('kek-mismatch', `the KEK cannot unwrap DEK ${id}: ${err instanceof Error ? err.message : String(err)}`);
    }
    keystore.set(id, dek);
  }
  return keystore;
}

/** What a process start leaves in memory: the keystore and the epochs it pinned. */
export interface ProcessStart {
  keystore: Keystore;
  localEpoch: number;
  raftLocalEpoch: number;
}

/**
 * A process start as production does it before its engines open (§4 row 10):
 * a fresh keystore hydrated from the sidecar, then BumpLocalEpoch on the
 * active storage DEK, and on the active raft DEK once the raft cutover is
 * recorded. Inferred (no vector can tell): an epoch that is not bumped is 0,
 * as production passes no WithLocalEpoch/WithRaftLocalEpoch for it.
 */
export function startProcess(sidecar: SidecarStore, kek: KekUnwrapper): ProcessStart {
  const doc = sidecar.read();
  const keystore = hydrateKeystore(doc, kek);
  const localEpoch = doc !== undefined && doc.activeStorage !== 0 ? bumpLocalEpoch(sidecar, doc.activeStorage) : 0;
  const raftDek = raftCutoverDek(doc);
  const raftLocalEpoch = raftDek !== 0 ? bumpLocalEpoch(sidecar, raftDek) : 0;
  return { keystore, localEpoch, raftLocalEpoch };
}
