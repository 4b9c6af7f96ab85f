// Counts of the rare events in a trace: vacuity guards use them to show that a
// property suite actually reached the situations its invariants are about
// (a crash-replay of a registration, a committed collision, a stale restore...).
// Pure and deterministic; record keys appear in first-occurrence order.
import { isRotationMarkerHex } from '../trace/rotation-marker.ts';
import { entryHexDigest } from '../trace/digest.ts';
import { slotOfId } from '../trace/ids.ts';
import { isProbeRequest } from '../trace/probe.ts';
import type { TraceEvent } from '../trace/types.ts';
import { entryModelFor } from './entry-model.ts';
import { modelKeyHex } from './registration.ts';
import { CommittedLog, decodeRegistrationEntry, keyFields, ModelTimeline, traceRowsDigest } from './invariants/context.ts';
import { raftEpochNotAbove } from './invariants/guard-decisions.ts';

/** The epoch boundaries a narrower or signed integer type breaks: an advance from below to at or above. */
export const EPOCH_BOUNDARIES = [0x80, 0x100, 0x8000] as const;

export interface TraceStats {
  events: number;
  /** Committed non-empty entries. */
  entriesCommitted: number;
  /** Committed non-empty entries by class: registration, registration-malformed, registration-unknown-version, bootstrap, rotation, reserved, lease, kv, other-opcode. */
  committedByClass: Record<string, number>;
  /** Client proposals of the empty entry (the engine must skip it, as it skips Raft's no-ops). */
  emptyEntriesProposed: number;
  /** Applies by what the applier (or engine) returned: insert, advance, noop, skipped, kv, lease, other-opcode, halt:<reason>. */
  appliesByOutcome: Record<string, number>;
  /** Committed registrations the model accepts as an advance across an epoch boundary, by boundary (hex). */
  boundaryAdvances: Record<string, number>;
  /** Committed registrations of epoch 0xFFFF (the last one before exhaustion). */
  lastEpochRegistrations: number;
  /** Committed collisions whose two full ids are equal in the low 32 bits. */
  collisionsEqualLow32: number;
  /** Committed collisions whose two full ids differ in exactly one bit. */
  collisionsOneBitApart: number;
  /** Committed well-formed registrations under a DEK id above 16 bits / at or above 0xFFFF0000. */
  registrationsDekAbove16: number;
  registrationsDekNear32: number;
  /** Committed well-formed registrations of a full id with the top bit set. */
  registrationsTopBitId: number;
  /** Epoch bumps to an epoch the node had bumped to before under that DEK (a restored sidecar). */
  epochRebumps: number;
  /** Adds the admission check let through (an add-node after its checks). */
  admissionsPassed: number;
  /** Crashes of a node whose own registration it had proposed and not yet applied (the window a late sidecar write would lose). */
  crashesRegistrationInFlight: number;
  truncations: number;
  /** Followers a leader caught up by log over entries its own snapshot covers (catch-up events). */
  catchUpsBehindSnapshot: number;
  /** Crashes that cut unsynced entries off a node's log. */
  walEntriesLost: number;
  /** Entries back in a node's log after a crash undid an unsynced truncation. */
  walEntriesRecovered: number;
  /** Crashes that tore the WAL record being written. */
  tornWrites: number;
  /** Crashes by trigger: after-vote, after-apply, leader-kill. */
  crashesByCause: Record<string, number>;
  /** Store faults the disk injected, by kind (error, corrupt). */
  storeFaultsByKind: Record<string, number>;
  /** 1 if a liveness probe entry was committed. */
  probeCommitted: number;
  /** The most restarts of one node, and the most local snapshots (taken or installed) one node went through. */
  maxRestartsPerNode: number;
  maxSnapshotsPerNode: number;
  /** Distinct indices holding a well-formed registration (among applied indices: commit events carry no payload). */
  registrationsCommitted: number;
  /** Applies of a registration at an index the same node had already applied before a crash (or restore). */
  registrationReplaysAfterCrash: number;
  /** Of those, replays that came back as a no-op. */
  registrationReplayNoops: number;
  /** The same for bootstrap and rotation entries (0x04/0x05), which main's applier re-applies on its sidecar too. */
  keyEntryReplaysAfterCrash: number;
  /** DEK rotations that committed and moved nodes to a new DEK (rotate-dek events of the storage DEK). */
  dekRotations: number;
  /** Raft DEK rotations (0x05/0x01 of raft purpose) that committed and re-pointed a node's raft DEK (rotate-dek events of purpose raft). */
  raftRotations: number;
  /** Storage cutovers (enable-storage-envelope, 0x05/0x04) committed that the model applies without a halt. */
  cutoversCommitted: number;
  /** Raft cutovers (enable-raft-envelope, 0x05/0x05) committed that the model applies without a halt. */
  raftCutoversCommitted: number;
  /** Proposals a leader sealed under its raft DEK (nonce events of proposals). */
  raftSeals: number;
  /** Of those, seals by a node that had sealed proposals in an earlier process (before a crash). */
  raftSealsAfterRestart: number;
  /** Of those, seals under a raft DEK a raft rotation brought in. */
  raftSealsRotated: number;
  /** Starts whose raft epoch after the local replay was not above the node's own row under the raft DEK (what row 15 refuses). */
  raftEpochsNotAbove: number;
  /** Committed registrations the model halts as collision. */
  collisionAttemptsCommitted: number;
  /** Committed registrations the model halts as rollback. */
  rollbackAttemptsCommitted: number;
  /** Committed registrations the model accepts as an equal-epoch no-op. */
  noopRegistrationsCommitted: number;
  /** Registration payloads committed again at a later index (a retried proposal). */
  duplicateRegistrationCommits: number;
  snapshotTakes: number;
  snapshotInstalls: number;
  snapshotInstallsWithRegistryRows: number;
  /** Snapshot installs that brought a node past a DEK rotation marker it had not applied (it must take the snapshot's DEK). */
  snapshotInstallsPastRotation: number;
  crashes: number;
  lostWrites: number;
  restarts: number;
  /** Restarts by production main's cold-start mode (none, skip, restore; only under coldStart 'durable-applied-index'). */
  coldStartsByMode: Record<string, number>;
  backups: number;
  restores: number;
  /** Membership changes committed through the log (the first apply of each), by op: add-learner, promote, remove. */
  confChangesByOp: Record<string, number>;
  /** Leaders that proposed their own removal. */
  selfRemovals: number;
  /** Conflict truncations that dropped a configuration entry from a node's log (its membership change undone there). */
  confEntriesTruncated: number;
  /** Removed members whose process exits, by why: applied-removal (it learnt of it), operator (it never did). */
  memberExitsByWhy: Record<string, number>;
  /** Restores that brought the old Raft state back too (naive), and restores of another node's backup. */
  naiveRestores: number;
  restoresOntoOther: number;
  /** Restores of figure-8's voter (restoreVoter). */
  trapRestores: number;
  /** Restores whose registry differs from what the node held just before (the disk really went back). */
  staleDiskRestores: number;
  leaderElections: number;
  /** Partitions that cut the leader of the moment off with a minority (isolate-leader). */
  leaderIsolations: number;
  /** Of those, figure-8 traps (the crash points of Raft's figure 8 armed with the cut). */
  figure8Traps: number;
  epochBumps: number;
  registerProposals: number;
  /** Halt events, by reason. */
  haltsByReason: Record<string, number>;
  guardRefusalsByGuard: Record<string, number>;
  noncesIssued: number;
}

/** The counts of `trace`; `timeline` is its reference timeline when the caller has it (judgeTrace's), else built here. */
export function traceStats(trace: readonly TraceEvent[], timeline: ModelTimeline = new ModelTimeline(new CommittedLog(trace), entryModelFor(trace))): TraceStats {
  const stats: TraceStats = {
    events: trace.length,
    entriesCommitted: 0,
    committedByClass: {},
    emptyEntriesProposed: 0,
    appliesByOutcome: {},
    boundaryAdvances: {},
    lastEpochRegistrations: 0,
    collisionsEqualLow32: 0,
    collisionsOneBitApart: 0,
    registrationsDekAbove16: 0,
    registrationsDekNear32: 0,
    registrationsTopBitId: 0,
    epochRebumps: 0,
    crashesRegistrationInFlight: 0,
    admissionsPassed: 0,
    truncations: 0,
    catchUpsBehindSnapshot: 0,
    walEntriesLost: 0,
    walEntriesRecovered: 0,
    tornWrites: 0,
    crashesByCause: {},
    storeFaultsByKind: {},
    probeCommitted: 0,
    maxRestartsPerNode: 0,
    maxSnapshotsPerNode: 0,
    registrationsCommitted: 0,
    registrationReplaysAfterCrash: 0,
    keyEntryReplaysAfterCrash: 0,
    dekRotations: 0,
    raftRotations: 0,
    cutoversCommitted: 0,
    raftCutoversCommitted: 0,
    raftSeals: 0,
    raftSealsAfterRestart: 0,
    raftSealsRotated: 0,
    raftEpochsNotAbove: 0,
    registrationReplayNoops: 0,
    collisionAttemptsCommitted: 0,
    rollbackAttemptsCommitted: 0,
    noopRegistrationsCommitted: 0,
    duplicateRegistrationCommits: 0,
    snapshotTakes: 0,
    snapshotInstalls: 0,
    snapshotInstallsWithRegistryRows: 0,
    snapshotInstallsPastRotation: 0,
    crashes: 0,
    lostWrites: 0,
    restarts: 0,
    coldStartsByMode: {},
    backups: 0,
    restores: 0,
    confChangesByOp: {},
    selfRemovals: 0,
    confEntriesTruncated: 0,
    memberExitsByWhy: {},
    naiveRestores: 0,
    restoresOntoOther: 0,
    trapRestores: 0,
    leaderIsolations: 0,
    figure8Traps: 0,
    staleDiskRestores: 0,
    leaderElections: 0,
    epochBumps: 0,
    registerProposals: 0,
    haltsByReason: {},
    guardRefusalsByGuard: {},
    noncesIssued: 0,
  };
  const bump = (rec: Record<string, number>, key: string): void => {
    rec[key] = (rec[key] ?? 0) + 1;
  };
  const maxApplied = new Map<string, number>();
  const bumped = new Set<string>();
  const perNode = (m: Map<string, number>, node: string): number => {
    const n = (m.get(node) ?? 0) + 1;
    m.set(node, n);
    return n;
  };
  const restartsOf = new Map<string, number>();
  const snapshotsOf = new Map<string, number>();
  const confApplied = new Set<number>();
  /** Configuration entries by index * 2^32 + term, and each node's, by index, in its log. */
  const confKeys = new Set<number>();
  const confsInLog = new Map<string, number[]>();
  const confsOf = (node: string): number[] => {
    let l = confsInLog.get(node);
    if (l === undefined) confsInLog.set(node, (l = []));
    return l;
  };
  const probes = new Set<string>();
  const replayUpTo = new Map<string, number>();
  const rowsHash = new Map<string, string>();
  /** Each node's 16-bit slot (from its guard checks), and the DEK of the registration it has in flight. */
  const slotOf = new Map<string, number>();
  const inFlight = new Map<string, number>();
  /** Joiners whose admission check has begun. */
  const admissionUnderWay = new Set<string>();
  /** Nodes that sealed a proposal in their current process, and in an earlier one. */
  const sealing = new Set<string>();
  const sealedEarlier = new Set<string>();
  const rotatedRaftDeks = new Set<number>();
  /** Indices of the rotation markers some node applied. */
  const markerIndices: number[] = [];

  for (const ev of trace) {
    switch (ev.kind) {
      case 'apply': {
        const replayed = (replayUpTo.get(ev.node) ?? 0) >= ev.index;
        if (replayed && ev.entryHex.startsWith('03')) {
          stats.registrationReplaysAfterCrash++;
          if (ev.result.kind === 'registered' && ev.result.outcome === 'noop') stats.registrationReplayNoops++;
        }
        if (replayed && (ev.entryHex.startsWith('04') || ev.entryHex.startsWith('05'))) stats.keyEntryReplaysAfterCrash++;
        if (isRotationMarkerHex(ev.entryHex) && !markerIndices.includes(ev.index)) markerIndices.push(ev.index);
        maxApplied.set(ev.node, Math.max(maxApplied.get(ev.node) ?? 0, ev.index));
        rowsHash.set(ev.node, ev.rowsHash);
        if (inFlight.has(ev.node) && [...(ev.earlierWrites ?? []), ...(ev.write ? [ev.write] : [])].some((w) => {
          const k = keyFields(w.keyHex);
          return k !== undefined && k.dekId === inFlight.get(ev.node) && k.nodeId16 === slotOf.get(ev.node);
        })) inFlight.delete(ev.node);
        bump(stats.appliesByOutcome, applyOutcome(ev));
        break;
      }
      case 'crash':
        if (sealing.delete(ev.node)) sealedEarlier.add(ev.node);
        if (inFlight.delete(ev.node)) stats.crashesRegistrationInFlight++;
        stats.crashes++;
        if (ev.cause !== undefined) bump(stats.crashesByCause, ev.cause);
        stats.lostWrites += ev.lostWrites + (ev.lostRecords ?? 0);
        if (ev.torn === true) stats.tornWrites++;
        replayUpTo.set(ev.node, maxApplied.get(ev.node) ?? 0);
        break;
      case 'restart':
        stats.restarts++;
        if (ev.coldStart !== undefined) bump(stats.coldStartsByMode, ev.coldStart);
        stats.maxRestartsPerNode = Math.max(stats.maxRestartsPerNode, perNode(restartsOf, ev.node));
        rowsHash.set(ev.node, traceRowsDigest(ev.rows));
        break;
      case 'partition':
        if (ev.leader !== undefined) stats.leaderIsolations++;
        if (ev.trap === true) stats.figure8Traps++;
        break;
      case 'restore': {
        if (ev.raft === 'discarded') confsInLog.delete(ev.node);
        stats.restores++;
        if (ev.raft === undefined) stats.naiveRestores++;
        if (ev.from !== undefined) stats.restoresOntoOther++;
        if (ev.trap === true) stats.trapRestores++;
        const digest = traceRowsDigest(ev.rows);
        const before = rowsHash.get(ev.node);
        if (before !== undefined && before !== digest) stats.staleDiskRestores++;
        rowsHash.set(ev.node, digest);
        replayUpTo.set(ev.node, Math.max(replayUpTo.get(ev.node) ?? 0, maxApplied.get(ev.node) ?? 0));
        break;
      }
      case 'conf-propose':
        if (ev.op === 'remove' && ev.target === ev.node) stats.selfRemovals++;
        confKeys.add(ev.index * 4294967296 + ev.term);
        confsOf(ev.node).push(ev.index); // the leader's own append came just before
        break;
      case 'conf-apply':
        if (!confApplied.has(ev.index)) {
          confApplied.add(ev.index);
          bump(stats.confChangesByOp, ev.op);
        }
        break;
      case 'member-exit':
        bump(stats.memberExitsByWhy, ev.why);
        break;
      case 'backup':
        stats.backups++;
        break;
      case 'catch-up':
        stats.catchUpsBehindSnapshot++;
        break;
      case 'snapshot-take':
        stats.snapshotTakes++;
        stats.maxSnapshotsPerNode = Math.max(stats.maxSnapshotsPerNode, perNode(snapshotsOf, ev.node));
        break;
      case 'snapshot-install':
        confsInLog.delete(ev.node);
        stats.snapshotInstalls++;
        stats.maxSnapshotsPerNode = Math.max(stats.maxSnapshotsPerNode, perNode(snapshotsOf, ev.node));
        if (ev.rows.length > 0) stats.snapshotInstallsWithRegistryRows++;
        if (markerIndices.some((m) => m > (maxApplied.get(ev.node) ?? 0) && m <= ev.index)) stats.snapshotInstallsPastRotation++;
        rowsHash.set(ev.node, traceRowsDigest(ev.rows));
        break;
      case 'became-leader':
        stats.leaderElections++;
        break;
      case 'epoch-bump': {
        stats.epochBumps++;
        const key = `${ev.node}|${ev.dekId}|${ev.epoch}`;
        if (bumped.has(key)) stats.epochRebumps++;
        bumped.add(key);
        break;
      }
      case 'append':
        if (ev.crash === true) stats.walEntriesRecovered++;
        if (confKeys.has(ev.index * 4294967296 + ev.term)) confsOf(ev.node).push(ev.index);
        break;
      case 'truncate': {
        if (ev.crash === true) stats.walEntriesLost++;
        else stats.truncations++;
        const confs = confsOf(ev.node);
        let dropped = false;
        while (confs.length > 0 && (confs[confs.length - 1] as number) >= ev.fromIndex) {
          confs.pop();
          dropped = true;
        }
        if (dropped && ev.crash !== true) stats.confEntriesTruncated++;
        break;
      }
      case 'store-fault':
        bump(stats.storeFaultsByKind, ev.fault);
        break;
      case 'propose':
        if (ev.entryHex === '') stats.emptyEntriesProposed++;
        if (isProbeRequest(ev.requestId)) probes.add(entryHexDigest(ev.entryHex));
        break;
      case 'commit':
        if (probes.has(ev.digest)) stats.probeCommitted = 1;
        break;
      case 'admission-check':
        admissionUnderWay.add(ev.node);
        break;
      case 'add-node':
        if (admissionUnderWay.delete(ev.node)) stats.admissionsPassed++;
        break;
      case 'guard-check':
        slotOf.set(ev.node, slotOfId(ev.fullNodeId));
        break;
      case 'register-propose':
        stats.registerProposals++;
        inFlight.set(ev.node, ev.dekId);
        break;
      case 'halt':
        bump(stats.haltsByReason, ev.reason);
        break;
      case 'guard-refused':
        bump(stats.guardRefusalsByGuard, ev.guard);
        admissionUnderWay.delete(ev.node);
        break;
      case 'replay-guard-check':
        if (raftEpochNotAbove(ev) !== undefined) stats.raftEpochsNotAbove++;
        break;
      case 'nonce':
        stats.noncesIssued++;
        if (ev.proposal === true) {
          stats.raftSeals++;
          if (sealedEarlier.has(ev.node)) stats.raftSealsAfterRestart++;
          if (rotatedRaftDeks.has(ev.dekId)) stats.raftSealsRotated++;
          sealing.add(ev.node);
        }
        break;
      case 'rotate-dek':
        if (ev.purpose === 'raft') {
          stats.raftRotations++;
          rotatedRaftDeks.add(ev.dekId);
        } else stats.dekRotations++;
        break;
      default:
        break;
    }
  }

  // The committed log, once: what the model makes of each entry.
  const payloads = new Set<string>();
  for (let index = 1; index <= timeline.lastIndex; index++) {
    const entryHex = timeline.entryAt(index);
    if (entryHex === undefined) continue;
    stats.entriesCommitted++;
    bump(stats.committedByClass, entryClass(entryHex));
    const halts = timeline.step(index)?.result?.kind === 'halt';
    if (entryHex.startsWith(CUTOVER_PREFIX) && !halts) stats.cutoversCommitted++;
    if (entryHex.startsWith(RAFT_CUTOVER_PREFIX) && !halts) stats.raftCutoversCommitted++;
    const reg = decodeRegistrationEntry(entryHex);
    if (!reg) continue;
    stats.registrationsCommitted++;
    if (payloads.has(entryHex)) stats.duplicateRegistrationCommits++;
    payloads.add(entryHex);
    if (reg.dekId > 0xffff) stats.registrationsDekAbove16++;
    if (reg.dekId >= 0xffff0000) stats.registrationsDekNear32++;
    if (reg.fullNodeId >= 1n << 63n) stats.registrationsTopBitId++;
    if (reg.epoch === 0xffff) stats.lastEpochRegistrations++;
    const result = timeline.step(index)?.result;
    const before = timeline.step(index - 1)?.rows.get(modelKeyHex(reg.dekId, reg.nodeId16));
    if (result?.kind === 'halt' && result.reason === 'collision') {
      stats.collisionAttemptsCommitted++;
      const other = before?.fullNodeId ?? reg.fullNodeId;
      const diff = other ^ reg.fullNodeId;
      if ((diff & 0xffffffffn) === 0n) stats.collisionsEqualLow32++;
      if (diff !== 0n && (diff & (diff - 1n)) === 0n) stats.collisionsOneBitApart++;
    } else if (result?.kind === 'halt' && result.reason === 'rollback') stats.rollbackAttemptsCommitted++;
    else if (result?.kind === 'registered' && result.outcome === 'noop') stats.noopRegistrationsCommitted++;
    else if (result?.kind === 'registered' && result.outcome === 'advance' && before !== undefined) {
      for (const b of EPOCH_BOUNDARIES) if (before.lastSeen < b && reg.epoch >= b) bump(stats.boundaryAdvances, `0x${b.toString(16)}`);
    }
  }
  return stats;
}

/** Opcode 0x05, version 0x01, sub-tag 0x04: enable-storage-envelope. */
const CUTOVER_PREFIX = '050104';
/** Opcode 0x05, version 0x01, sub-tag 0x05: enable-raft-envelope. */
const RAFT_CUTOVER_PREFIX = '050105';

/** What an apply event returned, as one word (the engine's skip is its own outcome). */
function applyOutcome(ev: Extract<TraceEvent, { kind: 'apply' }>): string {
  if (ev.skipped !== undefined) return 'skipped';
  const r = ev.result;
  if (r.kind === 'registered') return r.outcome;
  if (r.kind === 'halt') return `halt:${r.reason}`;
  return r.opcode <= 0x01 ? 'kv' : r.opcode === 0x02 ? 'lease' : 'other-opcode';
}

/** The class of a committed non-empty entry, by its opcode (and, for 0x03, whether it decodes). */
function entryClass(entryHex: string): string {
  const opcode = Number.parseInt(entryHex.slice(0, 2), 16);
  if (opcode === 0x03) {
    if (entryHex.length !== 32) return 'registration-malformed';
    return entryHex.startsWith('0301') ? 'registration' : 'registration-unknown-version';
  }
  return (
    { 0: 'kv', 1: 'kv', 2: 'lease', 4: 'bootstrap', 5: 'rotation', 6: 'reserved', 7: 'reserved' }[opcode] ?? 'other-opcode'
  );
}
