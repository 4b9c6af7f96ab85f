// The §9.1 start-up guards as pure functions: each returns why the node must
// refuse to start, or undefined. The lifecycle decides when they run and what
// registry they read (policy.ts).
import { low16 } from '../../applier/index.ts';
import { fullIdHex } from '../../trace/ids.ts';
import type { GuardPolicy } from './policy.ts';
import type { RegistryView } from './registry-view.ts';

const MAX_EPOCH = 0xffff;

export interface Refusal {
  /**
   * not-a-member: a removed (or never added) node's process will not start;
   * rollback-after-replay, sidecar-behind-log, raft-epoch-rollback:
   * production main's guards after the local replay (main-start.ts);
   * cutover-divergence: production main's row 1, before the KEK load;
   * bump-exhausted: main's row 10, the bump's own check.
   */
  guard: 'rollback' | 'exhaustion' | 'bump-exhausted' | 'collision' | 'not-a-member' | 'rollback-after-replay' | 'sidecar-behind-log' | 'raft-epoch-rollback' | 'cutover-divergence';
  detail: string;
}

/**
 * Exhaustion runs before the bump: there is no epoch left to bump to.
 * (`offByOne`: the exhaustion-guard-off-by-one bug.) Under main's FSM no
 * rotation recovers the node: it cannot start to apply one, and a rotation
 * copies the epoch pinned at start into the new key (addendum §2.4, §5.8).
 */
export function exhaustionGuard(epochBefore: number, offByOne = false, mainFsm = false): Refusal | undefined {
  if (offByOne ? epochBefore <= MAX_EPOCH : epochBefore < MAX_EPOCH) return undefined;
  const recovery = mainFsm ? 'the sidecar must be provisioned again (a rotation copies the epoch)' : 'only a DEK rotation recovers';
  return { guard: 'exhaustion', detail: `local_epoch is already 0x${epochBefore.toString(16)}: ${recovery}` };
}

/** fsm 'main', row 10: BumpLocalEpoch has no epoch past 0xFFFF to move to (reached only if row 6 let 0xFFFF through). */
export function bumpExhaustedGuard(epochBefore: number): Refusal | undefined {
  if (epochBefore < MAX_EPOCH) return undefined;
  return { guard: 'bump-exhausted', detail: `the bump from local_epoch 0x${epochBefore.toString(16)} has no epoch to move to` };
}

/** Another current member with the same low 16 bits. */
export function memberCollisionGuard(fullNodeId: bigint, members: readonly { raftId: string; fullNodeId: bigint }[]): Refusal | undefined {
  const mine = low16(fullNodeId);
  const other = members.find((m) => m.fullNodeId !== fullNodeId && low16(m.fullNodeId) === mine);
  if (other === undefined) return undefined;
  return { guard: 'collision', detail: `node id 0x${hex16(mine)} collides with member ${other.raftId} (full ${fullIdHex(other.fullNodeId)})` };
}

/** A registry row in the node's slot owned by another full id (a current or former member). (`low32`: the collision-guard-low32 bug.) */
export function registryCollisionGuard(fullNodeId: bigint, view: RegistryView, low32 = false): Refusal | undefined {
  const mine = low16(fullNodeId);
  const same = (r: { fullNodeId: bigint }): boolean => (low32 ? (r.fullNodeId & 0xffffffffn) === (fullNodeId & 0xffffffffn) : r.fullNodeId === fullNodeId);
  const row = view.rows().find((r) => r.nodeId16 === mine && !same(r));
  if (row === undefined) return undefined;
  return {
    guard: 'collision',
    detail: `node id 0x${hex16(mine)} is registered to full id ${fullIdHex(row.fullNodeId)} under dek ${row.dekId}`,
  };
}

/**
 * Rollback, for every DEK the registry has a row of this node under: refuse if
 * the compared epoch is <= last_seen. Under the active DEK the compared epoch is
 * the bumped one (after-bump) or the sidecar's before the bump (before-bump);
 * under any other DEK, nothing was bumped, so `after-bump` compares the next
 * epoch the node would take there (sidecar + 1). (`activeOnly`: the
 * rollback-guard-active-dek-only bug.)
 */
export function rollbackGuard(
  compare: GuardPolicy['compare'],
  fullNodeId: bigint,
  sidecar: (dekId: number) => number,
  active: { dekId: number; before: number; bumped: number },
  view: RegistryView,
  activeOnly = false,
): Refusal | undefined {
  for (const row of view.rows()) {
    if (row.fullNodeId !== fullNodeId) continue;
    const isActive = row.dekId === active.dekId;
    if (activeOnly && !isActive) continue;
    const stored = isActive ? active.before : sidecar(row.dekId);
    const next = isActive ? active.bumped : stored + 1;
    const compared = compare === 'after-bump' ? next : stored;
    if (compared > row.lastSeen) continue;
    const what = compare === 'after-bump' ? 'bumped local_epoch' : 'local_epoch before the bump';
    return {
      guard: 'rollback',
      detail: `dek ${row.dekId}: ${what} ${compared} <= registry last_seen ${row.lastSeen}`,
    };
  }
  return undefined;
}

function hex16(n: number): string {
  return n.toString(16).padStart(4, '0');
}
