// The bootstrap cohort (addendum §5.1): the one 0x04 entry the operator's
// admin RPC proposes at cluster start, registering every boot member under
// both DEKs at epoch 0 (GetCapability reports local_epoch 0 for every member,
// so a discovered batch carries 0). The RPC, not the applier, refuses a batch
// with a zero id, two equal full ids or two equal low-16 values (§2.3): then
// no entry is proposed and the cluster stays unbootstrapped. And the 0x05
// entries that follow: the storage and raft cutovers the operator calls, the
// storage and raft rotations a leader started with the rotate-on-startup flag
// proposes (§5.4).
import { DEK_PURPOSE, OPCODE, ROTATION_SUBTAG, encodeBootstrap, encodeRotation, low16 } from '../../applier/index.ts';
import type { DekPurposeCode, Registration, RotationSubTag } from '../../applier/index.ts';

const U32_MAX = 0xffffffff;
const encoder = new TextEncoder();

/** The raft DEK beside storage DEK `storage`: the next id (the one below at the top of the u32 range). */
export function raftDekFor(storage: number): number {
  return storage === U32_MAX ? storage - 1 : storage + 1;
}

/** A wrapped DEK the fake KEK unwraps (it pads or cuts the bytes to 32): deterministic per DEK id. */
export function wrappedDek(dekId: number): Uint8Array {
  return encoder.encode(`regsim/dek/${dekId}`);
}

/** Why the admin RPC refuses `members`' batch under `storage`, or undefined if it accepts it (0 ids are refused at the gRPC boundary, §2.7). */
export function batchRefusal(storage: number, members: readonly bigint[]): string | undefined {
  if (storage === 0) return 'DEK id 0 is reserved';
  if (members.some((id) => id === 0n)) return 'a member has full id 0';
  if (new Set(members).size !== members.length) return 'two members share a full id';
  if (new Set(members.map(low16)).size !== members.length) return 'two members share their low 16 bits';
  return undefined;
}

/** The bootstrap entry (opcode byte ‖ payload) for `members` under `storage` and its raft DEK; undefined if the RPC refuses the batch. */
export function bootstrapEntry(storage: number, members: readonly bigint[]): Uint8Array | undefined {
  if (batchRefusal(storage, members) !== undefined) return undefined;
  const raft = raftDekFor(storage);
  // Two rows per member, storage first, then raft, at epoch 0 (adapter/encryption_admin.go).
  const batch: Registration[] = members.flatMap((fullNodeId) => [
    { dekId: storage, fullNodeId, localEpoch: 0 },
    { dekId: raft, fullNodeId, localEpoch: 0 },
  ]);
  const payload = encodeBootstrap({ storageDekId: storage, wrappedStorage: wrappedDek(storage), raftDekId: raft, wrappedRaft: wrappedDek(raft), batch });
  return withOpcode(OPCODE.bootstrap, payload);
}

/**
 * A rotate-dek entry (0x05/0x01, §1.3) of `purpose` to `dekId`, as
 * `--encryption-rotate-on-startup` proposes it (§5.4): the proposer's own
 * registration under the new DEK at the epoch its process pinned (its raft
 * epoch for a raft rotation).
 */
export function rotateDekEntry(purpose: DekPurposeCode, dekId: number, proposer: bigint, epoch: number): Uint8Array {
  return rotationEntry(ROTATION_SUBTAG.rotateDek, purpose, dekId, wrappedDek(dekId), proposer, epoch);
}

/** The storage cutover (enable-storage-envelope, 0x05/0x04, §2.5) under `dekId`, with the caller's registration. */
export function cutoverEntry(dekId: number, proposer: bigint, epoch: number): Uint8Array {
  return storageRotationEntry(ROTATION_SUBTAG.enableStorageEnvelope, dekId, new Uint8Array(0), proposer, epoch);
}

/** The raft cutover (enable-raft-envelope, 0x05/0x05, §2.6) under raft DEK `dekId`, with the caller's registration at its raft epoch. */
export function raftCutoverEntry(dekId: number, proposer: bigint, raftEpoch: number): Uint8Array {
  return rotationEntry(ROTATION_SUBTAG.enableRaftEnvelope, DEK_PURPOSE.raft, dekId, new Uint8Array(0), proposer, raftEpoch);
}

/** A 0x05 entry of storage purpose with `proposer`'s registration under `dekId` at `epoch`. */
function storageRotationEntry(subTag: RotationSubTag, dekId: number, wrapped: Uint8Array, proposer: bigint, epoch: number): Uint8Array {
  return rotationEntry(subTag, DEK_PURPOSE.storage, dekId, wrapped, proposer, epoch);
}

function rotationEntry(subTag: RotationSubTag, purpose: DekPurposeCode, dekId: number, wrapped: Uint8Array, proposer: bigint, epoch: number): Uint8Array {
  const proposerRow = { dekId, fullNodeId: proposer, localEpoch: epoch };
  return withOpcode(OPCODE.rotation, encodeRotation({ subTag, dekId, purpose, wrapped, proposer: proposerRow }));
}

function withOpcode(opcode: number, payload: Uint8Array): Uint8Array {
  const entry = new Uint8Array(1 + payload.length);
  entry[0] = opcode;
  entry.set(payload, 1);
  return entry;
}
