// Simulator-level bug switches. The applier has its own variants
// (src/applier/variants.ts); these break the engine or Raft around it.

export const SIM_VARIANTS = {
  'unsynced-registry-writes': 'registry store writes are left in the page cache (lost on a crash by a coin flip)',
  'snapshot-omits-registry': "snapshots carry no registry rows, so an installed snapshot empties the follower's registry",
  'skip-entry-on-halt': 'a halting apply is skipped: the engine advances its applied index past it and keeps going',
  'apply-before-commit': 'the apply loop applies every entry in the log, committed or not',
  'drop-halting-registration': 'a registration whose apply halts is silently dropped: no halt, the applied index moves past it (fail open)',
  'ack-before-persist': "a node fsyncs Raft's WAL lazily: it acknowledges appended entries (and sends votes) before they are synced, so a crash may lose them",
  'wal-accepts-torn-record': "the WAL recovery after a crash skips checksums: a half-written (torn) entry stays in the log, its data cut short, under its index and term",
  'install-before-persist': 'a follower hands an installed snapshot to the state machine before Raft persists it',
  'install-not-resumed':
    'a restart ignores a received snapshot that Raft persisted but the state machine had not taken when the node crashed: it resumes at the snapshot on the store as it was',
  'raft-commit-without-majority': 'a leader commits its entries as soon as it appends them, without a majority',
  'raft-forget-vote': 'a node forgets whom it voted for when it restarts (vote not persisted)',
  'restore-forgets-term':
    'a disk restored by the safe procedure comes back at term 0, not at the term the node had reached, so it accepts a deposed leader\'s entries and counts in its majority',
  'learner-counts-in-quorum': "a leader counts its learners' acknowledgements toward the majority that commits an entry (the majority is still of the voters)",
  'concurrent-conf-changes': 'a leader takes a membership change while an earlier one is still uncommitted (no one-at-a-time rule)',
  'truncation-keeps-conf':
    "a follower's conflict truncation keeps its configuration: a membership change the truncation dropped stays in force (appended changes are applied on top)",
  'learner-campaigns': "a learner's election timer fires as a voter's does: it asks the voters for their votes and leads once a majority of them grant it",
  'raft-stale-ack-resends':
    'a leader answers a stale append acknowledgement (duplicated or reordered) with an append, as any other: every duplicate begets a message, a storm that does not die out',
  'raft-commit-old-term': "a leader counts an entry of an earlier term as committed once a majority holds it (Raft's figure 8: no current-term check)",
  'exhaustion-guard-off-by-one': 'the exhaustion guard refuses only past 0xFFFF (`>` for `>=`), so a node at 0xFFFF bumps, wrapping to 0',
  'collision-guard-low32': "the registry collision guard compares the low 32 bits of the full ids, not the 16-bit slot: an id sharing only the low 16 bits passes",
  'rollback-guard-active-dek-only': 'the rollback guard compares only the row under the active DEK, not the rows the node has under older DEKs',
  'unsynced-epoch-bump': "the start-up epoch bump is written to the sidecar without fsync (a crash may take the node's epoch back to one it used)",
  'registration-outlives-process':
    "a node's registration loop goes on after its process ended or moved on (it never asks whether the registration is still wanted): a dead process's epoch is proposed again, after its successor registered a higher one",
  'admission-storage-dek-only':
    "production main's admission check reads the leader's row in the new node's slot under the active storage DEK only, not under the raft DEK (§6.1 step 4): a slot another full id owns there is let through",
  'post-replay-guard-reads-open-rows':
    "production main's row 12 reads the node's own row as the disk held it when the process opened, not in the store after the local replay",
  'admission-pre-registration-not-awaited':
    "production main's admission check proposes the new node's epoch-0 pre-registration and adds the node at once, without waiting for it to apply at the leader",
  'dek-switch-keeps-write-count':
    "Stage 6A's DEK switch bumps the new DEK's epoch but keeps the process's write_count instead of counting again from the first value",
  'epoch-written-at-registration':
    "the start-up epoch bump reaches the sidecar only once the node applies its own registration: a crash before that restarts from the old epoch and bumps to the one its predecessor registered (and may have encrypted under)",
  'halt-advances-applied-index':
    "a halting apply still moves the durable applied index to the halting entry (engine coldStart 'durable-applied-index'), so the restart resumes past it",
  'post-replay-guard-lt':
    "production main's rollback guard after the local replay (row 12) allows equality, as the one before the bump does: a sidecar a replayed bootstrap reset to the batch's epoch passes",
  'sidecar-scan-ignores-compacted':
    "production main's sidecar-behind-log guard (row 13) reads a compacted entry in the gap as harmless, so a sidecar that missed a rotation a snapshot brought in passes",
  'raft-epoch-not-bumped':
    "production main's start-up bump leaves the raft DEK's local_epoch alone after the raft cutover: a restarted leader seals its proposals with the raft nonces its last process used",
  'raft-epoch-guard-off':
    "production main's row 15 (the raft epoch against the node's own row under the raft DEK, after the local replay) always passes: a start whose raft epoch is not above last_seen goes on",
  'cutover-guard-off':
    "production main's row 1 (the newest local snapshot's raft cutover header against the sidecar's, before the KEK load) always passes: a node whose state machine took the raft cutover from a snapshot its sidecar never recorded starts",
  'raft-rotation-keeps-registration':
    "production main's state cache keeps a process marked registered across a raft rotate-dek: its leader seals proposals under the new raft DEK before its registration there commits",
  'header-wrap-follows-rotation':
    "a raft rotate-dek re-points a raft wrap the node took from a snapshot header (its sidecar records no cutover) to the new raft DEK, its registration under the old one kept: its leader seals under a DEK it has no row for",
  'post-replay-guard-reads-raft-row':
    "production main's row 12 reads the node's own row under the raft DEK (once the raft cutover is recorded), not under the active storage DEK",
  'install-keeps-dek':
    "a snapshot install does not move the node's process to the DEK the snapshot's rotation markers put in force: it keeps sealing under the retired DEK",
} as const;

export type SimVariant = keyof typeof SIM_VARIANTS;

/** The broken-Raft variants: the Raft safety checks must catch each of them. */
export const RAFT_VARIANTS: readonly SimVariant[] = [
  'raft-commit-old-term',
  'raft-commit-without-majority',
  'raft-forget-vote',
  'restore-forgets-term',
  'wal-accepts-torn-record',
  'learner-counts-in-quorum',
  'concurrent-conf-changes',
  'truncation-keeps-conf',
  'learner-campaigns',
];

export function isSimVariant(name: string): name is SimVariant {
  return Object.hasOwn(SIM_VARIANTS, name);
}

/** Switches resolved to booleans (what the modules read). */
export interface VariantFlags {
  unsyncedRegistryWrites: boolean;
  snapshotOmitsRegistry: boolean;
  skipEntryOnHalt: boolean;
  applyBeforeCommit: boolean;
  dropHaltingRegistration: boolean;
  ackBeforePersist: boolean;
  installBeforePersist: boolean;
  installNotResumed: boolean;
  commitWithoutMajority: boolean;
  commitOldTerm: boolean;
  forgetVote: boolean;
  restoreForgetsTerm: boolean;
  walAcceptsTornRecord: boolean;
  learnerCountsInQuorum: boolean;
  concurrentConfChanges: boolean;
  truncationKeepsConf: boolean;
  learnerCampaigns: boolean;
  staleAckResends: boolean;
  unsyncedEpochBump: boolean;
  epochWrittenAtRegistration: boolean;
  registrationOutlivesProcess: boolean;
  admissionStorageDekOnly: boolean;
  postReplayGuardReadsOpenRows: boolean;
  admissionPreRegistrationNotAwaited: boolean;
  dekSwitchKeepsWriteCount: boolean;
  exhaustionOffByOne: boolean;
  collisionGuardLow32: boolean;
  rollbackGuardActiveOnly: boolean;
  haltAdvancesAppliedIndex: boolean;
  postReplayGuardLt: boolean;
  sidecarScanIgnoresCompacted: boolean;
  raftEpochNotBumped: boolean;
  raftEpochGuardOff: boolean;
  cutoverGuardOff: boolean;
  raftRotationKeepsRegistration: boolean;
  headerWrapFollowsRotation: boolean;
  installKeepsDek: boolean;
  postReplayGuardReadsRaftRow: boolean;
}

export function variantFlags(variants: readonly SimVariant[]): VariantFlags {
  for (const v of variants) if (!isSimVariant(v)) throw new Error(`unknown simulator variant "${String(v)}"`);
  const on = (v: SimVariant): boolean => variants.includes(v);
  return {
    unsyncedRegistryWrites: on('unsynced-registry-writes'),
    snapshotOmitsRegistry: on('snapshot-omits-registry'),
    skipEntryOnHalt: on('skip-entry-on-halt'),
    applyBeforeCommit: on('apply-before-commit'),
    dropHaltingRegistration: on('drop-halting-registration'),
    ackBeforePersist: on('ack-before-persist'),
    installBeforePersist: on('install-before-persist'),
    installNotResumed: on('install-not-resumed'),
    commitWithoutMajority: on('raft-commit-without-majority'),
    commitOldTerm: on('raft-commit-old-term'),
    forgetVote: on('raft-forget-vote'),
    restoreForgetsTerm: on('restore-forgets-term'),
    walAcceptsTornRecord: on('wal-accepts-torn-record'),
    learnerCountsInQuorum: on('learner-counts-in-quorum'),
    concurrentConfChanges: on('concurrent-conf-changes'),
    truncationKeepsConf: on('truncation-keeps-conf'),
    learnerCampaigns: on('learner-campaigns'),
    staleAckResends: on('raft-stale-ack-resends'),
    unsyncedEpochBump: on('unsynced-epoch-bump'),
    epochWrittenAtRegistration: on('epoch-written-at-registration'),
    registrationOutlivesProcess: on('registration-outlives-process'),
    admissionStorageDekOnly: on('admission-storage-dek-only'),
    postReplayGuardReadsOpenRows: on('post-replay-guard-reads-open-rows'),
    admissionPreRegistrationNotAwaited: on('admission-pre-registration-not-awaited'),
    dekSwitchKeepsWriteCount: on('dek-switch-keeps-write-count'),
    exhaustionOffByOne: on('exhaustion-guard-off-by-one'),
    collisionGuardLow32: on('collision-guard-low32'),
    rollbackGuardActiveOnly: on('rollback-guard-active-dek-only'),
    haltAdvancesAppliedIndex: on('halt-advances-applied-index'),
    postReplayGuardLt: on('post-replay-guard-lt'),
    sidecarScanIgnoresCompacted: on('sidecar-scan-ignores-compacted'),
    raftEpochNotBumped: on('raft-epoch-not-bumped'),
    raftEpochGuardOff: on('raft-epoch-guard-off'),
    cutoverGuardOff: on('cutover-guard-off'),
    raftRotationKeepsRegistration: on('raft-rotation-keeps-registration'),
    headerWrapFollowsRotation: on('header-wrap-follows-rotation'),
    installKeepsDek: on('install-keeps-dek'),
    postReplayGuardReadsRaftRow: on('post-replay-guard-reads-raft-row'),
  };
}
