// The engine side of registryReplay 'skip-applied' (EngineOptions in
// config.ts). Every registry write stores, with the row and in the same disk
// write, the log index of the entry that made it. A registration entry at
// index i whose target row stores an index >= i has already taken effect:
// the row holds the state after it (or after a later write to the same row,
// which was computed on top of it). The engine then acknowledges the entry as
// a no-op instead of re-running §3's dispatch on a row that is ahead of it.
//
// Why per row and not one index per node: a crash that loses an unsynced row
// write (the unsynced-registry-writes bug) loses that row's index with it, and
// no other row's index can claim the lost entry, so replay rebuilds it exactly
// as under 'reapply'. For an entry at i > the row's index, the row has not been
// written since that index, so it is exactly the row a single in-order
// application has just before i: re-applying gives the in-order result
// (halts included: a halting apply writes nothing, so it halts again).
import { OPCODE, REGISTRATION_PAYLOAD_LENGTH, REGISTRATION_VERSION, low16, registryKey } from '../../applier/index.ts';
import { internedHex } from '../hex.ts';

/**
 * The registry key hex an entry's registration targets, if the entry is a
 * well-formed registration (opcode 0x03, 15-byte body, version 1). Anything
 * else is undefined: never skipped, the applier decides (and halts on garbage).
 */
export function registrationKeyHex(data: Uint8Array): string | undefined {
  if (data.length !== 1 + REGISTRATION_PAYLOAD_LENGTH || data[0] !== OPCODE.registration || data[1] !== REGISTRATION_VERSION) {
    return undefined;
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const dekId = view.getUint32(2);
  const fullNodeId = view.getBigUint64(6);
  return internedHex(registryKey(dekId, low16(fullNodeId)));
}

/** Whether a registration at `index` has already taken effect on a row storing `appliedAt`. */
export function alreadyApplied(index: number, appliedAt: number): boolean {
  return appliedAt >= index;
}
