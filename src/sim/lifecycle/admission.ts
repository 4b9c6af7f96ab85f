// Production main's admission check (addendum §6.1, stage 7c), policy
// membership.admission 'leader-check': before adding a node, the leader
// reads its own local registry row (active storage DEK, low16(new)) and
// refuses the change if another full id owns it (a current or any former
// member: rows are never deleted), skips ahead if the new node owns it, and
// otherwise pre-registers the new node at epoch 0 (one attempt, no retry),
// adding the node only once that registration has applied at the leader.
// Choices where the addendum is not code-level: the admin RPC is retried
// every RETRY_MS while no leader is up (an operator retrying AddVoter), and
// a pre-registration whose one attempt times out aborts the add for good
// (main returns the error to the caller; regsim's operator does not retry
// it). Under main's FSM the check runs under the active storage DEK, then
// under the active raft DEK the bootstrap installed (§6.1 step 4), each on
// the same leader (an add whose leader's process ends half-way is aborted);
// under Stage 6A's, under the cluster's one DEK.
import { decodeRegistryValue, low16, registryKey } from '../../applier/index.ts';
import { toHex } from '../../applier/hex.ts';
import { fullIdHex } from '../../trace/ids.ts';
import type { TraceRow } from '../../trace/types.ts';
import type { RegistryStore } from '../../applier/index.ts';

/** What the leader's check decides, with the row it read (absent: none). */
export type Admission = { row?: TraceRow } & (
  | { kind: 'admit' }
  | { kind: 'refuse'; detail: string }
  | { kind: 'pre-register' }
);

/** §6.1 step 3 on the leader's local registry. */
export function admissionCheck(leaderRegistry: Pick<RegistryStore, 'get'>, dekId: number, fullNodeId: bigint): Admission {
  const key = registryKey(dekId, low16(fullNodeId));
  const value = leaderRegistry.get(key);
  if (value === undefined) return { kind: 'pre-register' };
  const row = { keyHex: toHex(key), valueHex: toHex(value) };
  const owner = decodeRegistryValue(value).fullNodeId;
  if (owner === fullNodeId) return { kind: 'admit', row };
  const slot = low16(fullNodeId).toString(16).padStart(4, '0');
  return { kind: 'refuse', row, detail: `the leader's row (dek ${dekId}, 0x${slot}) belongs to full id ${fullIdHex(owner)}: ErrWriterUint16Collision, nothing proposed` };
}

/** How long the operator waits before asking again when no leader is up. */
export const RETRY_MS = 20;
