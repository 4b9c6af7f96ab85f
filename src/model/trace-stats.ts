// Counts of the rare events in a trace: vacuity guards use them to show that a
// property suite actually reached the situations its invariants are about
// (a crash-replay of a registration, a committed collision, a stale restore...).
// Pure and deterministic; record keys appear in first-occurrence order.
import type { TraceEvent } from '../trace/types.ts';
import { CommittedLog, decodeRegistrationEntry, ModelTimeline, traceRowsDigest } from './invariants/context.ts';

export interface TraceStats {
  events: number;
  /** Distinct indices some node applied. */
  entriesApplied: number;
  /** Distinct indices holding a well-formed registration (among applied indices: commit events carry no payload). */
  registrationsCommitted: number;
  /** Applies of a registration at an index the same node had already applied before a crash (or restore). */
  registrationReplaysAfterCrash: number;
  /** Of those, replays that came back as a no-op. */
  registrationReplayNoops: number;
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
  crashes: number;
  lostWrites: number;
  restarts: number;
  backups: number;
  restores: number;
  /** Restores whose registry differs from what the node held just before (the disk really went back). */
  staleDiskRestores: number;
  leaderElections: number;
  epochBumps: number;
  registerProposals: number;
  /** Halt events, by reason. */
  haltsByReason: Record<string, number>;
  guardRefusalsByGuard: Record<string, number>;
  noncesIssued: number;
}

export function traceStats(trace: readonly TraceEvent[]): TraceStats {
  const stats: TraceStats = {
    events: trace.length,
    entriesApplied: 0,
    registrationsCommitted: 0,
    registrationReplaysAfterCrash: 0,
    registrationReplayNoops: 0,
    collisionAttemptsCommitted: 0,
    rollbackAttemptsCommitted: 0,
    noopRegistrationsCommitted: 0,
    duplicateRegistrationCommits: 0,
    snapshotTakes: 0,
    snapshotInstalls: 0,
    snapshotInstallsWithRegistryRows: 0,
    crashes: 0,
    lostWrites: 0,
    restarts: 0,
    backups: 0,
    restores: 0,
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
  const replayUpTo = new Map<string, number>();
  const rowsHash = new Map<string, string>();

  for (const ev of trace) {
    switch (ev.kind) {
      case 'apply': {
        if (ev.entryHex.startsWith('03') && (replayUpTo.get(ev.node) ?? 0) >= ev.index) {
          stats.registrationReplaysAfterCrash++;
          if (ev.result.kind === 'registered' && ev.result.outcome === 'noop') stats.registrationReplayNoops++;
        }
        maxApplied.set(ev.node, Math.max(maxApplied.get(ev.node) ?? 0, ev.index));
        rowsHash.set(ev.node, ev.rowsHash);
        break;
      }
      case 'crash':
        stats.crashes++;
        stats.lostWrites += ev.lostWrites;
        replayUpTo.set(ev.node, maxApplied.get(ev.node) ?? 0);
        break;
      case 'restart':
        stats.restarts++;
        rowsHash.set(ev.node, traceRowsDigest(ev.rows));
        break;
      case 'restore': {
        stats.restores++;
        const digest = traceRowsDigest(ev.rows);
        const before = rowsHash.get(ev.node);
        if (before !== undefined && before !== digest) stats.staleDiskRestores++;
        rowsHash.set(ev.node, digest);
        replayUpTo.set(ev.node, Math.max(replayUpTo.get(ev.node) ?? 0, maxApplied.get(ev.node) ?? 0));
        break;
      }
      case 'backup':
        stats.backups++;
        break;
      case 'snapshot-take':
        stats.snapshotTakes++;
        break;
      case 'snapshot-install':
        stats.snapshotInstalls++;
        if (ev.rows.length > 0) stats.snapshotInstallsWithRegistryRows++;
        rowsHash.set(ev.node, traceRowsDigest(ev.rows));
        break;
      case 'became-leader':
        stats.leaderElections++;
        break;
      case 'epoch-bump':
        stats.epochBumps++;
        break;
      case 'register-propose':
        stats.registerProposals++;
        break;
      case 'halt':
        bump(stats.haltsByReason, ev.reason);
        break;
      case 'guard-refused':
        bump(stats.guardRefusalsByGuard, ev.guard);
        break;
      case 'nonce':
        stats.noncesIssued++;
        break;
      default:
        break;
    }
  }

  // The committed log, once: what the model makes of each registration.
  const timeline = new ModelTimeline(new CommittedLog(trace));
  const payloads = new Set<string>();
  for (let index = 1; index <= timeline.lastIndex; index++) {
    const entryHex = timeline.entryAt(index);
    if (entryHex === undefined) continue;
    stats.entriesApplied++;
    if (!decodeRegistrationEntry(entryHex)) continue;
    stats.registrationsCommitted++;
    if (payloads.has(entryHex)) stats.duplicateRegistrationCommits++;
    payloads.add(entryHex);
    const result = timeline.step(index)?.result;
    if (result?.kind === 'halt' && result.reason === 'collision') stats.collisionAttemptsCommitted++;
    else if (result?.kind === 'halt' && result.reason === 'rollback') stats.rollbackAttemptsCommitted++;
    else if (result?.kind === 'registered' && result.outcome === 'noop') stats.noopRegistrationsCommitted++;
  }
  return stats;
}
