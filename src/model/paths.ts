// Coverage of decision paths (TigerBeetle's coverage marks, the "sometimes"
// assertions of Antithesis): every path the applier, the engine and the
// lifecycle can take, and every corner of the input domain a wrong type would
// break, counted per run from the trace (TraceStats). An exploration that says
// "ok" without having reached a path has tested nothing about it, so the
// verdict of an exploration that misses a path it is judged by is
// `inconclusive` (src/explore), and the property suites set floors on them.
import type { TraceStats } from './trace-stats.ts';

export type PathGroup = 'applier' | 'committed' | 'domain' | 'guard' | 'engine' | 'fault';

/**
 * A design option a path exists only under (the scenario layer decides
 * whether a configuration has it): 'skip-applied' (engine.registryReplay),
 * 'durable-applied-index' (engine.coldStart: production main's cold start),
 * 'last-snapshot-cold-start' (without it: a restart resumes at the last
 * local snapshot on the store as persisted),
 * 'admission-check' (membership.admission: production main's check on the
 * leader before an add; 'main-admission-check': with main's FSM, whose leader
 * checks under its storage and its raft DEK), 'no-admission-check' (without it: with it the
 * leader refuses a colliding joiner before its start-up guard could),
 * 'stage6a-fsm' (Stage 6A's FSM and lifecycle: every well-formed 0x04/0x05
 * halts without a KEK; under main every node has a KEK),
 * 'main-fsm' (production main's FSM: real 0x04/0x05 entries every node applies).
 */
export type PathNeed =
  | 'skip-applied'
  | 'durable-applied-index'
  | 'last-snapshot-cold-start'
  | 'admission-check'
  | 'main-admission-check'
  | 'no-admission-check'
  | 'stage6a-fsm'
  | 'main-fsm';

export interface PathInfo {
  /** Stable name: variants declare the paths they change by it. */
  name: string;
  group: PathGroup;
  /** One line for the path table. */
  label: string;
  count: (s: TraceStats) => number;
  needs?: PathNeed;
}

const of = (rec: Record<string, number>, key: string): number => rec[key] ?? 0;
const applied = (key: string) => (s: TraceStats) => of(s.appliesByOutcome, key);
const committed = (key: string) => (s: TraceStats) => of(s.committedByClass, key);

export const PATHS: readonly PathInfo[] = [
  // What the applier returned (spec §2, §3).
  { name: 'insert', group: 'applier', label: 'registration inserted (case 1)', count: applied('insert') },
  { name: 'advance', group: 'applier', label: 'registration advanced (case 2)', count: applied('advance') },
  { name: 'noop', group: 'applier', label: 'equal epoch, idempotent no-op (case 2\')', count: applied('noop') },
  { name: 'halt:rollback', group: 'applier', label: 'halt: rollback (case 3)', count: applied('halt:rollback') },
  { name: 'halt:collision', group: 'applier', label: 'halt: collision (case 4)', count: applied('halt:collision') },
  { name: 'halt:malformed', group: 'applier', label: 'halt: malformed payload', count: applied('halt:malformed') },
  { name: 'halt:unknown-version', group: 'applier', label: 'halt: unknown payload version', count: applied('halt:unknown-version') },
  { name: 'halt:kek-not-configured', group: 'applier', label: 'halt: bootstrap/rotation without a KEK', count: applied('halt:kek-not-configured'), needs: 'stage6a-fsm' },
  { name: 'halt:unknown-opcode', group: 'applier', label: 'halt: reserved opcode 0x06/0x07', count: applied('halt:unknown-opcode') },
  { name: 'halt:store-fault', group: 'applier', label: 'halt: store read/write failed', count: applied('halt:store-fault') },
  { name: 'halt:corrupt-row', group: 'applier', label: 'halt: stored row not 12 bytes', count: applied('halt:corrupt-row') },
  { name: 'kv', group: 'applier', label: 'KV write handed back (0x00/0x01)', count: applied('kv') },
  { name: 'lease', group: 'applier', label: 'HLC lease handed back (0x02)', count: applied('lease') },
  { name: 'other-opcode', group: 'applier', label: 'opcode >= 0x08 handed back', count: applied('other-opcode') },
  // What was committed (a halt path needs its entry in the log first).
  { name: 'committed:collision', group: 'committed', label: 'collision committed', count: (s) => s.collisionAttemptsCommitted },
  { name: 'committed:rollback', group: 'committed', label: 'rollback committed', count: (s) => s.rollbackAttemptsCommitted },
  { name: 'committed:duplicate', group: 'committed', label: 'registration committed twice (a retry)', count: (s) => s.duplicateRegistrationCommits },
  { name: 'committed:malformed', group: 'committed', label: 'registration of another length committed', count: committed('registration-malformed') },
  { name: 'committed:unknown-version', group: 'committed', label: 'registration of another version committed', count: committed('registration-unknown-version') },
  { name: 'committed:bootstrap', group: 'committed', label: 'bootstrap entry (0x04) committed', count: committed('bootstrap') },
  { name: 'committed:rotation', group: 'committed', label: 'rotation entry (0x05) committed', count: committed('rotation') },
  { name: 'committed:reserved', group: 'committed', label: 'reserved opcode (0x06/0x07) committed', count: committed('reserved') },
  { name: 'committed:empty', group: 'committed', label: 'empty client entry proposed', count: (s) => s.emptyEntriesProposed },
  // Corners of the input domain.
  { name: 'epoch:0x80', group: 'domain', label: 'epoch advanced across 0x7F/0x80', count: (s) => of(s.boundaryAdvances, '0x80') },
  { name: 'epoch:0x100', group: 'domain', label: 'epoch advanced across 0xFF/0x100', count: (s) => of(s.boundaryAdvances, '0x100') },
  { name: 'epoch:0x8000', group: 'domain', label: 'epoch advanced across 0x7FFF/0x8000', count: (s) => of(s.boundaryAdvances, '0x8000') },
  { name: 'epoch:0xffff', group: 'domain', label: 'epoch 0xFFFF registered', count: (s) => s.lastEpochRegistrations },
  { name: 'ids:low32-equal', group: 'domain', label: 'collision of ids equal in the low 32 bits', count: (s) => s.collisionsEqualLow32 },
  { name: 'ids:one-bit', group: 'domain', label: 'collision of ids one bit apart', count: (s) => s.collisionsOneBitApart },
  { name: 'ids:top-bit', group: 'domain', label: 'registration of a full id >= 2^63', count: (s) => s.registrationsTopBitId },
  { name: 'dek:above-16-bits', group: 'domain', label: 'registration under a DEK id > 0xFFFF', count: (s) => s.registrationsDekAbove16 },
  { name: 'dek:near-2^32', group: 'domain', label: 'registration under a DEK id >= 0xFFFF0000', count: (s) => s.registrationsDekNear32 },
  // Start-up guards (§9.1).
  { name: 'guard:rollback', group: 'guard', label: 'start refused: rollback guard', count: (s) => of(s.guardRefusalsByGuard, 'rollback') },
  { name: 'guard:collision', group: 'guard', label: 'start refused: collision guard', count: (s) => of(s.guardRefusalsByGuard, 'collision'), needs: 'no-admission-check' },
  { name: 'guard:exhaustion', group: 'guard', label: 'start refused: exhaustion guard', count: (s) => of(s.guardRefusalsByGuard, 'exhaustion') },
  {
    name: 'guard:cutover-divergence',
    group: 'guard',
    label: "start refused before the KEK load: the newest snapshot's raft cutover is not the sidecar's (row 1)",
    count: (s) => of(s.guardRefusalsByGuard, 'cutover-divergence'),
    needs: 'main-fsm',
  },
  {
    name: 'guard:after-replay',
    group: 'guard',
    label: 'start refused after the local replay: own row (row 12)',
    count: (s) => of(s.guardRefusalsByGuard, 'rollback-after-replay'),
    needs: 'main-fsm',
  },
  {
    name: 'guard:sidecar-behind-log',
    group: 'guard',
    label: 'start refused after the local replay: sidecar behind the log (row 13)',
    count: (s) => of(s.guardRefusalsByGuard, 'sidecar-behind-log'),
    needs: 'main-fsm',
  },
  {
    name: 'guard:raft-epoch',
    group: 'guard',
    label: 'start after the local replay with its raft epoch not above its row (row 15 refuses)',
    count: (s) => s.raftEpochsNotAbove,
    needs: 'main-fsm',
  },
  {
    name: 'guard:admission',
    group: 'guard',
    label: "add refused: the leader's row in the new node's slot is another's",
    count: (s) => of(s.guardRefusalsByGuard, 'admission'),
    needs: 'admission-check',
  },
  {
    name: 'admission:passed',
    group: 'guard',
    label: 'add let through by the admission check (the slot empty or the new node\'s own)',
    count: (s) => s.admissionsPassed,
    needs: 'admission-check',
  },
  // The engine around the applier.
  { name: 'replay', group: 'engine', label: 'registration re-applied after a crash', count: (s) => s.registrationReplaysAfterCrash },
  { name: 'replay:noop', group: 'engine', label: 'replayed registration came back a no-op', count: (s) => s.registrationReplayNoops },
  {
    name: 'replay:key-entry',
    group: 'engine',
    label: 'bootstrap or rotation (0x04/0x05) re-applied after a crash',
    count: (s) => s.keyEntryReplaysAfterCrash,
    needs: 'main-fsm',
  },
  { name: 'rotation', group: 'engine', label: 'DEK rotation committed, nodes moved to the new DEK', count: (s) => s.dekRotations },
  { name: 'cutover', group: 'engine', label: 'storage cutover (0x05/0x04) committed: nodes encrypt from then on', count: (s) => s.cutoversCommitted, needs: 'main-fsm' },
  { name: 'raft-cutover', group: 'engine', label: 'raft cutover (0x05/0x05) committed: leaders seal their proposals', count: (s) => s.raftCutoversCommitted, needs: 'main-fsm' },
  { name: 'nonce:raft', group: 'engine', label: 'proposals sealed under the raft DEK', count: (s) => s.raftSeals, needs: 'main-fsm' },
  {
    name: 'nonce:raft-restarted',
    group: 'engine',
    label: 'proposals sealed by a node that sealed some before a crash',
    count: (s) => s.raftSealsAfterRestart,
    needs: 'main-fsm',
  },
  { name: 'raft-rotation', group: 'engine', label: 'raft DEK rotation (0x05/0x01, raft) committed, nodes moved to the new raft DEK', count: (s) => s.raftRotations, needs: 'main-fsm' },
  { name: 'nonce:raft-rotated', group: 'engine', label: 'proposals sealed under a raft DEK a rotation brought in', count: (s) => s.raftSealsRotated, needs: 'main-fsm' },
  { name: 'skipped', group: 'engine', label: 'registration acknowledged as already applied', count: applied('skipped'), needs: 'skip-applied' },
  {
    name: 'cold-start:skip',
    group: 'engine',
    label: 'restart kept its store, resumed at the durable applied index',
    count: (s) => of(s.coldStartsByMode, 'skip'),
    needs: 'durable-applied-index',
  },
  {
    name: 'cold-start:restore',
    group: 'engine',
    label: 'restart replaced its store by its snapshot (durable index behind)',
    count: (s) => of(s.coldStartsByMode, 'restore'),
    needs: 'durable-applied-index',
  },
  { name: 'install:rows', group: 'engine', label: 'snapshot installed with registry rows', count: (s) => s.snapshotInstallsWithRegistryRows },
  { name: 'install:rotation', group: 'engine', label: 'snapshot install that brought a node past a DEK rotation it had not applied', count: (s) => s.snapshotInstallsPastRotation, needs: 'stage6a-fsm' },
  {
    name: 'catch-up:behind-snapshot',
    group: 'engine',
    label: "a follower caught up by log over entries the leader's snapshot covers",
    count: (s) => s.catchUpsBehindSnapshot,
  },
  { name: 'truncation', group: 'engine', label: 'log truncated (a deposed leader\'s entries)', count: (s) => s.truncations },
  { name: 'leader-change', group: 'engine', label: 'leader elected more than once', count: (s) => (s.leaderElections > 1 ? 1 : 0) },
  { name: 'probe', group: 'engine', label: 'liveness probe committed after faults', count: (s) => s.probeCommitted },
  { name: 'nonce', group: 'engine', label: 'nonces issued', count: (s) => s.noncesIssued },
  {
    name: 'long-history',
    group: 'engine',
    label: 'a node through 10+ restarts and 3+ snapshots',
    count: (s) => (s.maxRestartsPerNode >= 10 && s.maxSnapshotsPerNode >= 3 ? 1 : 0),
  },
  // Faults that fired.
  { name: 'membership:add', group: 'fault', label: 'learner added through the log', count: (s) => of(s.confChangesByOp, 'add-learner') },
  { name: 'membership:promote', group: 'fault', label: 'learner promoted to voter through the log', count: (s) => of(s.confChangesByOp, 'promote') },
  { name: 'membership:remove', group: 'fault', label: 'member removed through the log', count: (s) => of(s.confChangesByOp, 'remove') },
  { name: 'membership:self-removal', group: 'fault', label: 'a leader proposed its own removal', count: (s) => s.selfRemovals },
  { name: 'membership:truncated', group: 'fault', label: 'a conflict truncation dropped a membership change from a log', count: (s) => s.confEntriesTruncated },
  {
    name: 'membership:removed-ran-on',
    group: 'fault',
    label: 'a removed node ran on until it applied its own removal',
    count: (s) => of(s.memberExitsByWhy, 'applied-removal'),
  },
  { name: 'restore:stale', group: 'fault', label: 'disk restored from a stale backup', count: (s) => s.staleDiskRestores },
  { name: 'restore:naive', group: 'fault', label: 'disk restored with its old Raft state', count: (s) => s.naiveRestores },
  { name: 'restore:onto-other', group: 'fault', label: "a node's backup restored onto another machine", count: (s) => s.restoresOntoOther },
  { name: 'epoch:rebump', group: 'fault', label: 'epoch bumped to one used before', count: (s) => s.epochRebumps },
  { name: 'crash:after-vote', group: 'fault', label: 'crash right after granting a vote', count: (s) => of(s.crashesByCause, 'after-vote') },
  {
    name: 'crash:registration-in-flight',
    group: 'fault',
    label: 'crash of a node whose own registration was proposed and not yet applied there',
    count: (s) => s.crashesRegistrationInFlight,
  },
  { name: 'crash:after-apply', group: 'fault', label: 'crash right after applying a registration', count: (s) => of(s.crashesByCause, 'after-apply') },
  { name: 'crash:after-ack', group: 'fault', label: 'crash right after acknowledging log entries', count: (s) => of(s.crashesByCause, 'after-ack') },
  { name: 'crash:after-install', group: 'fault', label: 'crash in a snapshot install', count: (s) => of(s.crashesByCause, 'after-install') },
  {
    name: 'crash:after-snapshot-persist',
    group: 'fault',
    label: 'crash between persisting a received snapshot and installing it',
    count: (s) => of(s.crashesByCause, 'after-snapshot-persist'),
  },
  { name: 'crash:leader', group: 'fault', label: 'leader killed', count: (s) => of(s.crashesByCause, 'leader-kill') },
  { name: 'crash:after-elect', group: 'fault', label: 'leader crash right after winning its election', count: (s) => of(s.crashesByCause, 'after-elect') },
  { name: 'crash:after-commit', group: 'fault', label: 'leader crash right after advancing the commit index', count: (s) => of(s.crashesByCause, 'after-commit') },
  { name: 'partition:leader', group: 'fault', label: 'leader cut off with a minority', count: (s) => s.leaderIsolations },
  { name: 'figure-8', group: 'fault', label: "Raft's figure 8 set up (leader cut off, crash points armed)", count: (s) => s.figure8Traps },
  { name: 'figure-8:restore', group: 'fault', label: "figure 8 with the new leader's voter restored from a backup", count: (s) => s.trapRestores },
  { name: 'store:error', group: 'fault', label: 'store read/write failure injected', count: (s) => of(s.storeFaultsByKind, 'error') },
  { name: 'store:corrupt', group: 'fault', label: 'corrupted row read injected', count: (s) => of(s.storeFaultsByKind, 'corrupt') },
  { name: 'lost-writes', group: 'fault', label: 'unsynced writes lost in a crash', count: (s) => s.lostWrites },
  { name: 'crash:before-sync', group: 'fault', label: "crash right before an fsync of Raft's WAL", count: (s) => of(s.crashesByCause, 'before-sync') },
  { name: 'wal:entries-lost', group: 'fault', label: 'unsynced log entries lost in a crash', count: (s) => s.walEntriesLost },
  { name: 'wal:tail-recovered', group: 'fault', label: 'a crash undid an unsynced truncation (old tail back)', count: (s) => s.walEntriesRecovered },
  { name: 'torn-write', group: 'fault', label: 'WAL record torn by a crash (found by its checksum)', count: (s) => s.tornWrites },
  { name: 'fsync-error', group: 'fault', label: "failed fsync of Raft's WAL (the process dies)", count: (s) => of(s.crashesByCause, 'fsync-error') },
];

export const PATH_NAMES: readonly string[] = PATHS.map((p) => p.name);

export function isPathName(name: string): boolean {
  return PATH_NAMES.includes(name);
}

/** One run's path counts, in PATHS order (compact enough to post from a worker per run). */
export function pathCounts(stats: TraceStats): number[] {
  return PATHS.map((p) => p.count(stats));
}
