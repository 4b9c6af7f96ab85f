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
  const pass = new EventPass(trace.length);
  for (const ev of trace) pass.event(ev);
  countCommitted(pass.stats, timeline);
  return pass.stats;
}

function emptyStats(events: number): TraceStats {
  return {
    events,
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
}

const bump = (rec: Record<string, number>, key: string): void => {
  rec[key] = (rec[key] ?? 0) + 1;
};

/** `m`'s count for `node`, plus one (stored). */
const perNode = (m: Map<string, number>, node: string): number => {
  const n = (m.get(node) ?? 0) + 1;
  m.set(node, n);
  return n;
};

type Ev<K extends TraceEvent['kind']> = Extract<TraceEvent, { kind: K }>;

/**
 * One pass over the events, in order, with what each count needs to remember.
 * A method per event kind rather than one switch with every case inline: the
 * JIT compiles the hot ones alone (the single function took V8 over a second
 * to optimise, once per thread and again after every deoptimisation).
 */
class EventPass {
  readonly stats: TraceStats;
  private readonly maxApplied = new Map<string, number>();
  private readonly bumped = new Set<string>();
  private readonly restartsOf = new Map<string, number>();
  private readonly snapshotsOf = new Map<string, number>();
  private readonly confApplied = new Set<number>();
  /** Configuration entries by index * 2^32 + term, and each node's, by index, in its log. */
  private readonly confKeys = new Set<number>();
  private readonly confsInLog = new Map<string, number[]>();
  private readonly probes = new Set<string>();
  private readonly replayUpTo = new Map<string, number>();
  private readonly rowsHash = new Map<string, string>();
  /** Each node's 16-bit slot (from its guard checks), and the DEK of the registration it has in flight. */
  private readonly slotOf = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  /** Joiners whose admission check has begun. */
  private readonly admissionUnderWay = new Set<string>();
  /** Nodes that sealed a proposal in their current process, and in an earlier one. */
  private readonly sealing = new Set<string>();
  private readonly sealedEarlier = new Set<string>();
  private readonly rotatedRaftDeks = new Set<number>();
  /** Indices of the rotation markers some node applied. */
  private readonly markerIndices: number[] = [];

  constructor(events: number) {
    this.stats = emptyStats(events);
  }

  event(ev: TraceEvent): void {
    const stats = this.stats;
    switch (ev.kind) {
      case 'apply':
        return this.apply(ev);
      case 'crash':
        return this.crash(ev);
      case 'restart':
        stats.restarts++;
        if (ev.coldStart !== undefined) bump(stats.coldStartsByMode, ev.coldStart);
        stats.maxRestartsPerNode = Math.max(stats.maxRestartsPerNode, perNode(this.restartsOf, ev.node));
        this.rowsHash.set(ev.node, traceRowsDigest(ev.rows));
        return;
      case 'partition':
        if (ev.leader !== undefined) stats.leaderIsolations++;
        if (ev.trap === true) stats.figure8Traps++;
        return;
      case 'restore':
        return this.restore(ev);
      case 'conf-propose':
        if (ev.op === 'remove' && ev.target === ev.node) stats.selfRemovals++;
        this.confKeys.add(ev.index * 4294967296 + ev.term);
        this.confsOf(ev.node).push(ev.index); // the leader's own append came just before
        return;
      case 'conf-apply':
        if (!this.confApplied.has(ev.index)) {
          this.confApplied.add(ev.index);
          bump(stats.confChangesByOp, ev.op);
        }
        return;
      case 'member-exit':
        return bump(stats.memberExitsByWhy, ev.why);
      case 'backup':
        stats.backups++;
        return;
      case 'catch-up':
        stats.catchUpsBehindSnapshot++;
        return;
      case 'snapshot-take':
        stats.snapshotTakes++;
        stats.maxSnapshotsPerNode = Math.max(stats.maxSnapshotsPerNode, perNode(this.snapshotsOf, ev.node));
        return;
      case 'snapshot-install':
        return this.snapshotInstall(ev);
      case 'became-leader':
        stats.leaderElections++;
        return;
      case 'epoch-bump': {
        stats.epochBumps++;
        const key = `${ev.node}|${ev.dekId}|${ev.epoch}`;
        if (this.bumped.has(key)) stats.epochRebumps++;
        this.bumped.add(key);
        return;
      }
      case 'append':
        if (ev.crash === true) stats.walEntriesRecovered++;
        if (this.confKeys.has(ev.index * 4294967296 + ev.term)) this.confsOf(ev.node).push(ev.index);
        return;
      case 'truncate':
        return this.truncate(ev);
      case 'store-fault':
        return bump(stats.storeFaultsByKind, ev.fault);
      case 'propose':
        if (ev.entryHex === '') stats.emptyEntriesProposed++;
        if (isProbeRequest(ev.requestId)) this.probes.add(entryHexDigest(ev.entryHex));
        return;
      case 'commit':
        if (this.probes.has(ev.digest)) stats.probeCommitted = 1;
        return;
      case 'admission-check':
        this.admissionUnderWay.add(ev.node);
        return;
      case 'add-node':
        if (this.admissionUnderWay.delete(ev.node)) stats.admissionsPassed++;
        return;
      case 'guard-check':
        this.slotOf.set(ev.node, slotOfId(ev.fullNodeId));
        return;
      case 'register-propose':
        stats.registerProposals++;
        this.inFlight.set(ev.node, ev.dekId);
        return;
      case 'halt':
        return bump(stats.haltsByReason, ev.reason);
      case 'guard-refused':
        bump(stats.guardRefusalsByGuard, ev.guard);
        this.admissionUnderWay.delete(ev.node);
        return;
      case 'replay-guard-check':
        if (raftEpochNotAbove(ev) !== undefined) stats.raftEpochsNotAbove++;
        return;
      case 'nonce':
        return this.nonce(ev);
      case 'rotate-dek':
        if (ev.purpose === 'raft') {
          stats.raftRotations++;
          this.rotatedRaftDeks.add(ev.dekId);
        } else stats.dekRotations++;
        return;
      default:
        return;
    }
  }

  private confsOf(node: string): number[] {
    let l = this.confsInLog.get(node);
    if (l === undefined) this.confsInLog.set(node, (l = []));
    return l;
  }

  private apply(ev: Ev<'apply'>): void {
    const stats = this.stats;
    const replayed = (this.replayUpTo.get(ev.node) ?? 0) >= ev.index;
    if (replayed && ev.entryHex.startsWith('03')) {
      stats.registrationReplaysAfterCrash++;
      if (ev.result.kind === 'registered' && ev.result.outcome === 'noop') stats.registrationReplayNoops++;
    }
    if (replayed && (ev.entryHex.startsWith('04') || ev.entryHex.startsWith('05'))) stats.keyEntryReplaysAfterCrash++;
    if (isRotationMarkerHex(ev.entryHex) && !this.markerIndices.includes(ev.index)) this.markerIndices.push(ev.index);
    this.maxApplied.set(ev.node, Math.max(this.maxApplied.get(ev.node) ?? 0, ev.index));
    this.rowsHash.set(ev.node, ev.rowsHash);
    const dekId = this.inFlight.get(ev.node);
    if (dekId !== undefined && this.wroteOwnRow(ev, dekId)) this.inFlight.delete(ev.node);
    bump(stats.appliesByOutcome, applyOutcome(ev));
  }

  /** Whether the apply wrote the node's own row under `dekId` (its in-flight registration landed). */
  private wroteOwnRow(ev: Ev<'apply'>, dekId: number): boolean {
    const slot = this.slotOf.get(ev.node);
    return [...(ev.earlierWrites ?? []), ...(ev.write ? [ev.write] : [])].some((w) => {
      const k = keyFields(w.keyHex);
      return k !== undefined && k.dekId === dekId && k.nodeId16 === slot;
    });
  }

  private crash(ev: Ev<'crash'>): void {
    const stats = this.stats;
    if (this.sealing.delete(ev.node)) this.sealedEarlier.add(ev.node);
    if (this.inFlight.delete(ev.node)) stats.crashesRegistrationInFlight++;
    stats.crashes++;
    if (ev.cause !== undefined) bump(stats.crashesByCause, ev.cause);
    stats.lostWrites += ev.lostWrites + (ev.lostRecords ?? 0);
    if (ev.torn === true) stats.tornWrites++;
    this.replayUpTo.set(ev.node, this.maxApplied.get(ev.node) ?? 0);
  }

  private restore(ev: Ev<'restore'>): void {
    const stats = this.stats;
    if (ev.raft === 'discarded') this.confsInLog.delete(ev.node);
    stats.restores++;
    if (ev.raft === undefined) stats.naiveRestores++;
    if (ev.from !== undefined) stats.restoresOntoOther++;
    if (ev.trap === true) stats.trapRestores++;
    const digest = traceRowsDigest(ev.rows);
    const before = this.rowsHash.get(ev.node);
    if (before !== undefined && before !== digest) stats.staleDiskRestores++;
    this.rowsHash.set(ev.node, digest);
    this.replayUpTo.set(ev.node, Math.max(this.replayUpTo.get(ev.node) ?? 0, this.maxApplied.get(ev.node) ?? 0));
  }

  private snapshotInstall(ev: Ev<'snapshot-install'>): void {
    const stats = this.stats;
    this.confsInLog.delete(ev.node);
    stats.snapshotInstalls++;
    stats.maxSnapshotsPerNode = Math.max(stats.maxSnapshotsPerNode, perNode(this.snapshotsOf, ev.node));
    if (ev.rows.length > 0) stats.snapshotInstallsWithRegistryRows++;
    const applied = this.maxApplied.get(ev.node) ?? 0;
    if (this.markerIndices.some((m) => m > applied && m <= ev.index)) stats.snapshotInstallsPastRotation++;
    this.rowsHash.set(ev.node, traceRowsDigest(ev.rows));
  }

  private truncate(ev: Ev<'truncate'>): void {
    const stats = this.stats;
    if (ev.crash === true) stats.walEntriesLost++;
    else stats.truncations++;
    const confs = this.confsOf(ev.node);
    let dropped = false;
    while (confs.length > 0 && (confs[confs.length - 1] as number) >= ev.fromIndex) {
      confs.pop();
      dropped = true;
    }
    if (dropped && ev.crash !== true) stats.confEntriesTruncated++;
  }

  private nonce(ev: Ev<'nonce'>): void {
    const stats = this.stats;
    stats.noncesIssued++;
    if (ev.proposal !== true) return;
    stats.raftSeals++;
    if (this.sealedEarlier.has(ev.node)) stats.raftSealsAfterRestart++;
    if (this.rotatedRaftDeks.has(ev.dekId)) stats.raftSealsRotated++;
    this.sealing.add(ev.node);
  }
}

/** The committed log, once: what the model makes of each entry. */
function countCommitted(stats: TraceStats, timeline: ModelTimeline): void {
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
}

/** Opcode 0x05, version 0x01, sub-tag 0x04: enable-storage-envelope. */
const CUTOVER_PREFIX = '050104';
/** Opcode 0x05, version 0x01, sub-tag 0x05: enable-raft-envelope. */
const RAFT_CUTOVER_PREFIX = '050105';

/** What an apply event returned, as one word (the engine's skip is its own outcome). */
function applyOutcome(ev: Ev<'apply'>): string {
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
