// Production main's start-up guards on the node's own durable state
// (addendum §4), as pure functions over what each reads, and the pass that
// runs after the local replay. The order of the whole sequence:
//   before the KEK load: 1 the newest local snapshot's raft cutover header
//   against the sidecar's (a node without a sidecar reads 0 [inferred]);
//   before the engines: 6 exhaustion, 8 collision (persistedPeers), 9 own row (pre-bump),
//   then 10 the bump (lifecycle.ts startMain: a refusal bumps nothing; the
//   bump itself refuses to move past 0xFFFF, 'bump-exhausted');
//   11 the engine opens and replays the committed tail of its own log;
//   after the replay: 12 own row again (post-bump), 13 sidecar behind log,
//   15 the raft epoch against its own row under the raft DEK (once the raft
//   cutover is recorded).
// Rows 2-5 and 7 (KEK file and filesystem checks) guard an operator's
// set-up, which regsim does not vary: they always pass here. Row 14 compares
// the restored snapshot's header with the sidecar again after the replay;
// regsim reads "differ" as row 1's test (a header of 0 is an image from
// before the cutover, not a divergence [inferred]), and the replay cannot
// change a sidecar's non-zero cutover index (§2.6 step 4) nor a header, so
// row 14 refuses only where row 1 already has: it is not run. Row 16 is
// unreachable after row 12.
import { decodeRegistryValue, fromHex, low16, registryKey } from '../../applier/index.ts';
import type { RegistryRow } from '../../applier/index.ts';
import { toHex } from '../../applier/hex.ts';
import { raftCutoverDek } from '../../applier/main/sidecar.ts';
import { StartupError, checkSidecarBehindRaftLog } from '../../applier/main/startup.ts';
import { fullIdHex } from '../../trace/ids.ts';
import type { GuardName, TraceEvent, TraceRow } from '../../trace/types.ts';
import type { SimNode } from '../process/node.ts';
import { foldConf, isMember } from '../raft/conf.ts';
import type { Conf } from '../raft/conf.ts';
import type { Disk } from '../storage/disk.ts';
import { sidecarFile } from '../storage/sidecar-file.ts';
import type { VariantFlags } from '../variants.ts';
import type { Refusal } from './guards.ts';

/**
 * Row 8's member list: the voters and learners of the node's persisted raft
 * peers file, else the bootstrap list (the initial configuration). regsim's
 * peers file is the configuration the node's own disk holds as of its
 * commit index (its snapshot's, then the configuration entries of its log
 * up to there) [inferred: the addendum names the file, not when it is
 * written]. A stale disk sees stale members.
 */
export function persistedPeers(disk: Disk, initialConf: Conf, nodes: readonly SimNode[]): SimNode[] {
  const hs = disk.raft;
  const count = Math.min(Math.max(0, hs.commit - hs.offset), hs.entries.length);
  const conf = foldConf(hs.confBase ?? initialConf, hs.entries, count);
  return nodes.filter((n) => isMember(conf, n.idx));
}

type ReplayGuardCheckEvent = Extract<TraceEvent, { kind: 'replay-guard-check' }>;

/** The hex key of the node's own row under `dekId`. */
export function ownRowKeyHex(dekId: number, fullNodeId: bigint): string {
  return toHex(registryKey(dekId, low16(fullNodeId)));
}

/**
 * Rows 9 and 12: the node's own row under the active storage DEK. Refuses
 * when the row is missing once the storage envelope is active, when it
 * belongs to another full id (always: main.go's guards, unlike the
 * CheckLocalEpochRollback primitive), and when the sidecar's epoch has gone
 * back: below last_seen before the bump (equality allowed: a registered
 * node's sidecar equals its row), at or below it after the replay (the bump
 * must have moved it above). (`lenient`: the post-replay-guard-lt bug,
 * row 12 allowing equality as row 9 does.)
 */
export function ownRowGuard(
  when: 'pre-bump' | 'after-replay',
  fullNodeId: bigint,
  row: RegistryRow | undefined,
  sidecarEpoch: number,
  envelope: boolean,
  lenient = false,
): Refusal | undefined {
  const refuse = (detail: string): Refusal => ({ guard: when === 'pre-bump' ? 'rollback' : 'rollback-after-replay', detail });
  if (row === undefined) return envelope ? refuse('no registry row of its own after the storage cutover') : undefined;
  if (row.fullNodeId !== fullNodeId) return refuse(`its row belongs to full id ${fullIdHex(row.fullNodeId)}`);
  const strict = when === 'after-replay' && !lenient;
  if (strict ? sidecarEpoch > row.lastSeen : sidecarEpoch >= row.lastSeen) return undefined;
  return refuse(`sidecar local_epoch ${sidecarEpoch} ${strict ? '<=' : '<'} registry last_seen ${row.lastSeen}${when === 'after-replay' ? ' after the replay' : ''}`);
}

/**
 * Row 15: once the raft cutover is recorded, the raft epoch (the sidecar's
 * local_epoch of active.raft, as row 12 reads the storage one) must be above
 * last_seen of the node's own row under the raft DEK. [inferred] The addendum
 * names only that comparison: a missing row, or one another full id owns,
 * passes here (row 12 refuses a foreign row in the node's slot under the
 * storage DEK, and every path that writes one slot writes both).
 */
export function raftEpochGuard(fullNodeId: bigint, row: RegistryRow | undefined, raftEpoch: number): Refusal | undefined {
  if (row === undefined || row.fullNodeId !== fullNodeId || raftEpoch > row.lastSeen) return undefined;
  return { guard: 'raft-epoch-rollback', detail: `raft local_epoch ${raftEpoch} <= registry last_seen ${row.lastSeen} under the raft DEK after the replay` };
}

/**
 * Row 1: the raft cutover index of the newest local snapshot's header
 * (`snapshot`, 0: none) against the sidecar's (`sidecar`, 0: none;
 * undefined: no sidecar file, read as 0 [inferred]): refused when the header
 * records one the sidecar does not.
 */
export function cutoverGuard(snapshot: number, sidecar: number | undefined): Refusal | undefined {
  if (snapshot === 0 || snapshot === (sidecar ?? 0)) return undefined;
  const mine = sidecar === undefined ? 'the node has no sidecar' : sidecar === 0 ? 'the sidecar none' : `the sidecar at index ${sidecar}`;
  return { guard: 'cutover-divergence', detail: `the newest local snapshot's header records the raft cutover at index ${snapshot}, ${mine}` };
}

/** Row 13, through production's primitive; `scan` reads the local log (undefined: compacted). */
export function sidecarBehindLogGuard(sidecarIndex: number, appliedIndex: number, scan: (index: number) => Uint8Array | undefined): Refusal | undefined {
  try {
    checkSidecarBehindRaftLog(sidecarIndex, appliedIndex, scan);
    return undefined;
  } catch (err) {
    if (err instanceof StartupError) return { guard: 'sidecar-behind-log', detail: err.message };
    throw err;
  }
}

/** The node's own row in `rows` (hex), decoded; undefined if absent or not a row at all. */
export function ownRowIn(rows: readonly TraceRow[], keyHex: string): { trace: TraceRow; row: RegistryRow | undefined } | undefined {
  const trace = rows.find((r) => r.keyHex === keyHex);
  if (trace === undefined) return undefined;
  try {
    return { trace, row: decodeRegistryValue(fromHex(trace.valueHex)) };
  } catch {
    return { trace, row: undefined };
  }
}

/** What rows 9 and 12 compare: the decoded row; one that does not decode is not the node's, so foreign. */
export function ownRowOrForeign(own: { row: RegistryRow | undefined } | undefined): RegistryRow | undefined {
  if (own === undefined) return undefined;
  return own.row ?? { fullNodeId: -1n, firstSeen: 0, lastSeen: 0 };
}

/**
 * Rows 12, 13 and 15 on the node as its local replay left it: the sidecar
 * re-read, its own rows in the live store, the engine's applied index and its
 * log. Nothing to check while the sidecar names no storage DEK (Phase 0
 * before the bootstrap applied). [inferred] A node whose replay applied the
 * bootstrap it had never applied before is checked too: its sidecar is then
 * at 0, equal to the batch's row, and row 12 refuses, as for any bootstrap
 * replayed above A0 (§4 "bootstrap replay trap").
 */
export function afterReplayGuards(
  t: number,
  node: SimNode,
  fullNodeId: bigint,
  rollback: boolean,
  flags: VariantFlags,
  /** The variant post-replay-guard-reads-open-rows: the rows the disk held before the replay. */
  rowsAtOpen?: readonly TraceRow[],
): { event: ReplayGuardCheckEvent; refusal: Refusal | undefined } | undefined {
  const doc = sidecarFile(node.disk);
  const raft = node.raft;
  if (doc === undefined || doc.activeStorage === 0 || raft === null) return undefined;
  const dekId = doc.activeStorage;
  const epoch = doc.keys.get(dekId)?.localEpoch ?? 0;
  const envelope = doc.storageEnvelopeActive;
  const rows = rowsAtOpen ?? node.store?.rows() ?? [];
  const own = ownRowIn(rows, ownRowKeyHex(flags.postReplayGuardReadsRaftRow && doc.activeRaft !== 0 ? doc.activeRaft : dekId, fullNodeId));
  const guards: GuardName[] = [];
  let refusal: Refusal | undefined;
  if (rollback) {
    guards.push('own-row-after-replay');
    refusal = ownRowGuard('after-replay', fullNodeId, ownRowOrForeign(own), epoch, envelope, flags.postReplayGuardLt);
  }
  if (refusal === undefined) {
    guards.push('sidecar-behind-log');
    const scan = (index: number): Uint8Array | undefined => {
      if (flags.sidecarScanIgnoresCompacted && index <= raft.hs.offset) return new Uint8Array(0);
      const e = raft.entryAt(index);
      return e === undefined ? undefined : e.conf !== undefined ? new Uint8Array(0) : e.data;
    };
    refusal = sidecarBehindLogGuard(doc.raftAppliedIndex, node.applied, scan);
  }
  const raftDek = raftCutoverDek(doc);
  const raftEpoch = doc.keys.get(raftDek)?.localEpoch ?? 0;
  const raftOwn = raftDek === 0 ? undefined : ownRowIn(rows, ownRowKeyHex(raftDek, fullNodeId));
  if (refusal === undefined && raftDek !== 0 && rollback) {
    guards.push('raft-epoch');
    refusal = flags.raftEpochGuardOff ? undefined : raftEpochGuard(fullNodeId, raftOwn?.row, raftEpoch);
  }
  const event: ReplayGuardCheckEvent = {
    appliedIndex: node.applied,
    compactedThrough: raft.hs.offset,
    dekId,
    envelope,
    epoch,
    fullNodeId: fullIdHex(fullNodeId),
    guards,
    kind: 'replay-guard-check',
    logLastIndex: raft.lastIndex(),
    node: node.name,
    ...(raftDek !== 0 ? { raft: { dekId: raftDek, epoch: raftEpoch, ...(raftOwn !== undefined ? { row: raftOwn.trace } : {}) } } : {}),
    ...(refusal !== undefined ? { refused: guards[guards.length - 1] } : {}),
    ...(own !== undefined ? { row: own.trace } : {}),
    sidecarIndex: doc.raftAppliedIndex,
    t,
  };
  return { event, refusal };
}
