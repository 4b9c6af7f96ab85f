// The simulated fault model, one row per fault: where it lives, how a
// scenario injects it, what it does, what it can reveal and which decision
// paths (src/model/paths.ts) show it fired. The README's fault table and
// `regsim invariants --faults` are rendered from it (a test keeps the README
// in step), so a new fault is documented where it is added.

export interface FaultInfo {
  fault: string;
  /** Where it is implemented, relative to src/sim/. */
  module: string;
  injected: string;
  model: string;
  /** The invariants and bug variants it can expose. */
  reveals: string;
  /** Decision paths that count it (empty: no dedicated path). */
  paths: readonly string[];
}

export const FAULTS: readonly FaultInfo[] = [
  {
    fault: 'message delay / reordering',
    module: '`network/`',
    injected: 'every message; `reorderRate`, `reorderExtraMs`',
    model: 'uniform delay in [min, max] ms; links are FIFO unless a message is picked for reordering',
    reveals: '§7.6 log matching and commit rules under out-of-order delivery; §7.4 agreement',
    paths: ['leader-change'],
  },
  {
    fault: 'message loss',
    module: '`network/`',
    injected: '`lossRate`',
    model: 'each message dropped independently',
    reveals: 'liveness (the probe must still commit); client retries that commit twice (§7.1)',
    paths: ['committed:duplicate', 'probe'],
  },
  {
    fault: 'duplication',
    module: '`network/`',
    injected: '`dupRate`',
    model: 'a second copy arrives later',
    reveals: '§7.6 idempotent message handling (a duplicate append or vote); liveness: a duplicate answered as a new message starts traffic that never dies out, a message storm (`raft-stale-ack-resends`)',
    paths: [],
  },
  {
    fault: 'symmetric partition',
    module: '`network/partitions.ts`',
    injected: '`partition` (groups)',
    model: 'messages between groups dropped when sent and when they arrive',
    reveals: "§7.6 one leader per term, a deposed leader's entries truncated (`apply-before-commit`); liveness after the heal",
    paths: ['truncation', 'leader-change'],
  },
  {
    fault: 'one-way partition',
    module: '`network/partitions.ts`',
    injected: '`one-way` (from, to)',
    model: 'messages from → to dropped',
    reveals: 'PreVote and the vote lease (liveness), stale leaders (§7.6)',
    paths: ['leader-change'],
  },
  {
    fault: 'heal',
    module: '`network/partitions.ts`',
    injected: '`heal`; also at faults-end',
    model: 'every cut removed; at faults-end loss, duplication and reordering drop to 0',
    reveals: 'liveness: the bound starts when the faults end',
    paths: ['probe'],
  },
  {
    fault: 'crash (power loss)',
    module: '`process/node.ts`, `storage/disk.ts`',
    injected: '`crash` (optional `restartAfterMs`)',
    model: 'volatile state lost; synced writes kept; each pending (unsynced) table write lost by a seeded coin; the Raft WAL keeps a seeded prefix of its unsynced records (see the next row)',
    reveals: '§7.1 re-application on the persisted store, §7.5 halts across restarts, §7.0 the epoch bump durable before its registration (`epoch-written-at-registration`), a registration loop that outlives its process (`registration-outlives-process`); lost unsynced writes (`unsynced-registry-writes`, `unsynced-epoch-bump`)',
    paths: ['replay', 'lost-writes', 'crash:registration-in-flight'],
  },
  {
    fault: "Raft WAL: unsynced records, torn records (`crashes` family)",
    module: '`storage/raft-wal.ts`, `process/node.ts`',
    injected: '`crashes.pendingLossRate`, `crashes.tornRate`; every crash',
    model:
      "HardState and log entries are WAL records, fsynced as etcd's Ready loop does: before the node sends, commits or applies anything that depends on them (MustSync: new entries, term or vote); a commit index that alone moved stays unsynced. A crash keeps a seeded prefix of the unsynced records (entries first, then the HardState), so it can take back a commit index, lose a leader's or a follower's fresh entries, or undo an unsynced truncation (the old tail is back); the record it cut may be torn, which recovery finds by its checksum and drops. Snapshots are saved and synced whole",
    reveals:
      "§7.6 raft-safety and the state checker on logs and commit indices that go back in a crash; a lazy fsync (`ack-before-persist`), a recovery that keeps a torn record (`wal-accepts-torn-record`)",
    paths: ['lost-writes', 'wal:entries-lost', 'wal:tail-recovered', 'torn-write'],
  },
  {
    fault: 'crash points',
    module: '`process/crash-points.ts`',
    injected: '`crash-after-apply`, `crash-after-ack`, `crash-after-snapshot-persist`, `crash-after-install`, `crash-before-sync`; `isolate-leader` `crashAtHeal`',
    model: "armed triggers: the node crashes right after it next applies a registration (before a snapshot covers it), acknowledges appended log entries, persists a snapshot received from the leader (before its state machine takes it: a restart must finish the install from the persisted snapshot), or hands an installed snapshot to its state machine (in the middle of the install), or right before its next fsync of Raft's WAL (its records written, nothing sent); `crashAtHeal` arms a cut-off leader at the heal to crash right before its next fsync that overwrites synced log entries (the append that truncates its stale tail); disarmed at faults-end",
    reveals: 'the replay window after an apply (§7.1), an acknowledged entry lost (`ack-before-persist`, §7.6), a half-done install (`install-before-persist`, `install-not-resumed`), WAL recovery (`wal-accepts-torn-record`)',
    paths: ['crash:after-apply', 'crash:after-ack', 'crash:after-snapshot-persist', 'crash:after-install', 'crash:before-sync'],
  },
  {
    fault: 'halt (process exit)',
    module: '`process/node.ts`',
    injected: 'the applier returns a halt',
    model: 'apply loop stops at that entry without advancing; the process exits',
    reveals: '§7.5 fail closed, §7.4 replicas halt for the same reason (`skip-entry-on-halt`, `drop-halting-registration`)',
    paths: ['halt:rollback', 'halt:collision'],
  },
  {
    fault: 'restart',
    module: '`process/node.ts`, `process/cold-start.ts`',
    injected: '`restart`',
    model:
      "Raft state reloaded; applied index = last local snapshot; later committed entries re-applied on the persisted store (under production's cold start: from the durable applied index M, or from the snapshot whose image replaces the store, see above)",
    reveals:
      "§7.1 and the state checker's restart index, the §9.1 start-up guards (rollback, exhaustion, collision); production's cold start (`halt-advances-applied-index`) and its guards after the local replay (`post-replay-guard-lt`, `sidecar-scan-ignores-compacted`, `post-replay-guard-reads-raft-row`, `post-replay-guard-reads-open-rows`)",
    paths: ['replay', 'guard:rollback', 'cold-start:skip', 'cold-start:restore'],
  },
  {
    fault: 'local snapshot',
    module: '`process/node.ts`',
    injected: 'every K applied entries (K drawn per run), or `snapshot`',
    model: 'registry rows captured, log compacted behind',
    reveals: 'the end of the replay window; a snapshot without rows (`snapshot-omits-registry`)',
    paths: ['install:rows'],
  },
  {
    fault: 'InstallSnapshot',
    module: '`raft/raft.ts`, `process/node.ts`',
    injected: 'automatic, when a follower needs compacted entries',
    model: "follower's registry replaced; applied index jumps",
    reveals: '§7.1 rows after an install, §7.2 rows never lost, §7.5 an install cannot clear a halt the log implies',
    paths: ['install:rows'],
  },
  {
    fault: 'backup / restore',
    module: '`operator/disk-restore.ts`',
    injected: "`backup` (name), `restore` (name, optional `raft: 'keep'`), `rewind-leader` (the leader of the moment backed up, restored `afterMs` later)",
    model: "a backup is a whole-disk copy (Raft state, log, snapshot, registry, sidecar). A restore leaves the node down until a restart; by default it brings back the registry, snapshot and sidecar and the node rejoins with empty Raft state (how an operator re-seeds a member). Two operator mistakes are generated too: a backup of *another* node restored onto this machine, and the naive restore `raft: 'keep'` that brings the old term, vote and log back, which Raft does not tolerate, so such a scenario gives up §7.6 raft-safety, and every invariant from the first raft-safety violation on (reported as expected, `src/scenario/given-up.ts`)",
    reveals: '§7.0 a stale sidecar epoch reused (`no-startup-guard`, `guard-reads-local-registry`), §7.2 restored rows, §7.6 a naive restore',
    paths: ['restore:stale', 'restore:naive', 'restore:onto-other', 'epoch:rebump'],
  },
  {
    fault: 'long histories',
    module: "`../scenario/arbitrary.ts` (generation only)",
    injected: 'the `long` raw field (1 run in 20)',
    model: "the run's fault template repeated for 10 rounds, each shifted to the next node: many restarts, snapshots and restores per node (path `long-history`)",
    reveals: 'every invariant over many snapshot generations, epochs and restarts per node',
    paths: ['long-history'],
  },
  {
    fault: 'client retry',
    module: '`client/proposals.ts`',
    injected: 'automatic (`proposalTimeoutMs`, `maxAttempts`)',
    model: 'an attempt not applied in time is re-proposed elsewhere: duplicate commits',
    reveals: '§7.1 a registration committed twice: the equal epoch must be a no-op (`lte-rollback`)',
    paths: ['committed:duplicate', 'noop'],
  },
  {
    fault: 'leader change',
    module: '`raft/raft.ts`',
    injected: 'automatic',
    model: "election timeouts [150, 300] ms, heartbeat 50 ms; a deposed leader's uncommitted entries are truncated",
    reveals: '§7.6 leader completeness and truncation of uncommitted entries',
    paths: ['leader-change', 'truncation'],
  },
  {
    fault: 'DEK rotation',
    module: '`lifecycle/`',
    injected: '`rotate-dek`',
    model: 'an operator marker entry; every replica switches DEK at the same index and re-registers (a real `0x05` entry halts in Stage 6A); a snapshot install past a marker moves the node to the DEK in force',
    reveals: '§7.0 epochs per DEK, re-registration at the same index on every replica, §7.4 every replica seals under the DEK in force (`install-keeps-dek`), §7.0 the write_count starts again at a switch (`dek-switch-keeps-write-count`)',
    paths: ['committed:rotation', 'install:rotation'],
  },
  {
    fault: 'raft cutover',
    module: '`lifecycle/`',
    injected: '`enable-raft-envelope`, `rotate-raft-dek` (generated under `production`)',
    model: "production main's operator call (0x05/0x05) through the leader; from then on each leader seals what it proposes under the raft DEK with its own raft nonce, a start bumps the raft epoch, a watcher registers it and proposals wait for that registration; the leader's raft rotate-dek (0x05/0x01, raft purpose) re-points every node's raft DEK, and the gate closes until each registers there; a snapshot's header records the cutover the state machine installed, so a node that took it by snapshot is refused by row 1 (nothing under Stage 6A)",
    reveals: '§7.0 raft nonces across restarts, restores and raft rotations, rows 1 and 15, the §5.5 gate (`raft-epoch-not-bumped`, `raft-epoch-guard-off`, `raft-rotation-keeps-registration`, `cutover-guard-off`, `header-wrap-follows-rotation`)',
    paths: ['raft-cutover', 'nonce:raft', 'nonce:raft-restarted', 'guard:raft-epoch', 'guard:cutover-divergence', 'raft-rotation', 'nonce:raft-rotated'],
  },
  {
    fault: 'node added',
    module: '`lifecycle/`, `operator/membership.ts`, `raft/conf.ts`',
    injected: '`add-node` (a colliding raft id from a shipped table; `learner`: a learner for good)',
    model: "the operator adds the node as a learner through a configuration entry and starts it; once its guards pass it registers (the entry paired with the membership change) and the operator promotes it to voter when the leader sees it caught up. A configuration takes effect on append, one uncommitted change at a time",
    reveals: '§7.3 a low-16 collision committed and halted everywhere (`no-collision-check`); §7.6 a learner counted in a majority (`learner-counts-in-quorum`) or leading (`learner-campaigns`); production main\'s admission check under every active DEK, its pre-registration awaited (`admission-storage-dek-only`, `admission-pre-registration-not-awaited`)',
    paths: ['committed:collision', 'halt:collision', 'membership:add', 'membership:promote', 'admission:passed'],
  },
  {
    fault: 'node removed',
    module: '`lifecycle/`, `operator/membership.ts`',
    injected: '`remove-node`',
    model: "the operator removes the node through a configuration entry and never restarts it; its process runs on until it applies its own removal (or, never learning of it, is stopped a grace period after the removal committed); a leader that removes itself steps down once that commits; its rows stay",
    reveals: "the collision guard's scope over former members (§7.0), liveness with fewer voters, §7.6 across configurations",
    paths: ['membership:remove', 'membership:self-removal', 'membership:removed-ran-on'],
  },
  {
    fault: 'member replaced',
    module: '`lifecycle/`, `operator/membership.ts`',
    injected: '`replace-node` (`cutMs`: the leader cut off with its learners at that moment)',
    model: 'once a leader leads and the joiner (a learner) has caught up, the operator asks for its promotion and the old member\'s removal at once; correct Raft takes them one after the other',
    reveals: '§7.6 two voter changes in flight at once, whose majorities need not meet (`concurrent-conf-changes`); a change the cut-off leader\'s side appended and a truncation dropped, kept in force (`truncation-keeps-conf`)',
    paths: ['membership:promote', 'membership:remove', 'membership:truncated'],
  },
  {
    fault: 'election storm',
    module: '`simulator.ts` (Raft timing), `network/`',
    injected: '`storm` … `storm-end`',
    model: 'for a while election time-outs are short and close together and messages slow',
    reveals: '§7.6 under many elections; liveness once it ends',
    paths: ['leader-change'],
  },
  {
    fault: 'leader kill',
    module: '`nemesis/leader-faults.ts`, `process/node.ts`',
    injected: '`crash-leader`',
    model: 'crashes whichever node leads at that moment, with a quick restart',
    reveals: '§7.6 and client retries across a leader change',
    paths: ['crash:leader'],
  },
  {
    fault: 'crash after a vote',
    module: '`process/crash-points.ts`',
    injected: '`crash-after-vote`',
    model: 'a node crashes right after it next grants a vote (a vote must survive the restart)',
    reveals: '§7.6 one leader per term (`raft-forget-vote`)',
    paths: ['crash:after-vote'],
  },
  {
    fault: 'leader isolation',
    module: '`nemesis/leader-faults.ts`, `network/partitions.ts`',
    injected: '`isolate-leader` (keep, lastsMs; withLearners: its learners cut off with it; atConfChange: at the next membership change a leader appends, generated in half the runs that change membership)',
    model: 'the node that leads at that moment (with atConfChange: the leader that just appended a membership change, before the append leaves it) is cut off with `keep` followers (at most a minority) for `lastsMs`: it keeps taking proposals only they hold while the rest elect another leader',
    reveals: "§7.6 the histories of Raft's figure 8: a deposed leader's entries on a minority, truncated or, with the crashes below, carried to a majority in a later term; a membership change a truncation drops (`truncation-keeps-conf`)",
    paths: ['partition:leader', 'membership:truncated'],
  },
  {
    fault: "crash at a leader's worst moments",
    module: '`process/crash-points.ts`',
    injected: '`crash-after-elect`, `crash-after-commit`',
    model: "a node crashes right after it next wins an election (its empty entry appended, nothing sent) or right after it next advances the commit index as leader (before it sends the news or more entries); a crashed process sends nothing, so the step it dies in sends nothing",
    reveals: '§7.6 the commit rule (an entry of an earlier term counted on a majority is overwritten later), leader completeness',
    paths: ['crash:after-elect', 'crash:after-commit'],
  },
  {
    fault: "Raft's figure 8",
    module: '`nemesis/leader-faults.ts`, `process/crash-points.ts`, `operator/disk-restore.ts`',
    injected: '`figure-8` (keep, lastsMs, restartAfterMs, restoreVoter)',
    model: "a leader isolation with crash points armed so the history of the Raft paper's figure 8 unfolds: the majority's next leader crashes right after winning (its entry on no other node), after the heal the cut-off side's next leader crashes right after its first commit, and both come back after `restartAfterMs`; with `restoreVoter` (half the generated traps) a node that voted for the dead leader gets its disk back from a backup taken at the cut (Raft state discarded) and restarts before the heal",
    reveals: '§7.6 commit durability under a commit rule that counts replicas of an old-term entry (`raft-commit-old-term`), and under a restore that forgets the term the node had reached, so the cut-off leader counts it in a majority (`restore-forgets-term`)',
    paths: ['figure-8', 'figure-8:restore'],
  },
  {
    fault: 'PreVote off',
    module: '`raft/raft.ts`',
    injected: 'scenario `raft.preVote: false` (generated in one run in four)',
    model: 'elections without the PreVote round, as etcd runs without `PreVote`',
    reveals: "§7.6 the vote's own up-to-date check, which PreVote screens (a vote granted to a stale log is caught only without it)",
    paths: [],
  },
  {
    fault: 'CheckQuorum off',
    module: '`raft/raft.ts`',
    injected: 'scenario `raft.checkQuorum: false` (generated in one run in four, and in every run with a `figure-8` `restoreVoter` trap)',
    model: "a leader that hears no majority stays leader (etcd's default) until a message of a higher term reaches it; the vote lease stays on (the dissertation's §4.2.3; etcd ties it to CheckQuorum)",
    reveals: "§7.6 what a deposed leader's entries may do after a heal: counted by a node that forgot its term (`restore-forgets-term`), or by an old-term commit rule",
    paths: [],
  },
  {
    fault: 'small append batches',
    module: '`raft/raft.ts`',
    injected: 'scenario `raft.maxBatch` (generated: 1, 2, 3 or 8 in one run in two)',
    model: "AppendEntries carry at most this many entries, so a new leader's older entries reach a majority before its own empty entry does",
    reveals: "§7.6 the commit rule's current-term check; probe and catch-up paths entry by entry",
    paths: [],
  },
  {
    fault: 'a log kept behind snapshots',
    module: '`process/node.ts`',
    injected: 'scenario `raft.catchUpEntries` (generated: 4, 16, 64 or 256 in one run in four)',
    model: "a local snapshot compacts the log only up to that many entries before it (etcd server's SnapshotCatchUpEntries), so a follower less far behind than that catches up by log, not by a snapshot install",
    reveals: "§7.6 probing back over a divergent tail entry by entry, log matching across a snapshot index; §7.3 a restart whose log reaches below its snapshot replays only what follows the snapshot",
    paths: ['catch-up:behind-snapshot'],
  },
  {
    fault: 'store faults (`storage` family)',
    module: '`storage/faults.ts`, `storage/store.ts`',
    injected: 'rates `errorRate`, `corruptRate`, `fsyncErrorRate`; the atlas `nodes`',
    model: "while an entry is applied, a registry read or write fails, or a read returns a row of another length than 12 bytes; each injected fault is a `store-fault` trace event (so the oracle tells the environment's halts from the applier's), a halt on one is followed by a supervisor restart. An fsync of Raft's WAL may fail: the process dies as etcd does (a crash, its unsynced records kept, lost or torn) and its supervisor restarts it. The fault atlas: only the disks of `nodes`, at most a minority of the members (generated: a random minority), ever fail, so a quorum keeps working disks. None after faults-end",
    reveals: "§7.5 fail closed on an environmental halt, §7.4 the difference explained by the injected fault, re-application after the supervisor's restart; Raft and the replay across a failed fsync",
    paths: ['store:error', 'store:corrupt', 'halt:store-fault', 'halt:corrupt-row', 'fsync-error'],
  },
  {
    fault: 'unusual entries (`entries` family)',
    module: '`client/proposals.ts` (a client commits them)',
    injected: '`propose` (hex)',
    model: 'a client commits an entry outside the happy path: a registration of any payload length 0–20 or any version byte, bootstrap 0x04 and rotation 0x05 bodies, reserved 0x06/0x07, the HLC lease 0x02, opcodes 0x08–0xFF, the empty entry; every replica must fail closed on the same ones',
    reveals: 'fail closed on every byte the decoder sees (`any-version`), §7.4 every replica halts on the same entries',
    paths: ['committed:malformed', 'committed:unknown-version', 'committed:reserved', 'committed:empty'],
  },
  {
    fault: 'near ids',
    module: '`lifecycle/` (tables: `colliding-ids.ts`, `near-ids.ts`)',
    injected: '`add-node` of a joiner from a table, or `cluster.fullIds`',
    model: "joiners whose full id equals a member's in the low 16, 32 or 48 bits (real raft ids: `scripts/find-colliding-ids.ts`, `scripts/find-near-ids.ts`, cross-checked with Go's `hash/fnv` in `fixtures/node-id-vectors.json`) or differs in exactly one bit, for every bit (given directly as `cluster.fullIds`, as if the raft id hashed to it); member ids of any bit pattern",
    reveals: '§7.3 with ids equal in the low 32 bits or one bit apart (`short-id-compare`)',
    paths: ['ids:low32-equal', 'ids:one-bit', 'ids:top-bit'],
  },
  {
    fault: 'epoch and DEK boundaries',
    module: '`lifecycle/`',
    injected: '`cluster.initialEpochs`, `crash-loop` (generated under `production`), `cluster.initialDek`, `rotate-dek` `dekId`',
    model: 'sidecars that start just below 0x80, 0x100, 0x8000 or 0x10000 each with as many quick restarts (with crashes on) as its next registrations need to cross the boundary; under main, where a bootstrap writes epoch 0, the member crash-loops there instead (its starts die right after the bump, fast-forwarded, so its epochs encrypt nothing) and its restarts follow; DEK ids 0, 0xFFFF, 0x10000, 0x10001, 2^31 ± 1 and near 2^32, rotations by 1, 0x10000 or 2^31',
    reveals: '§7.2 across 0x7FFF/0x8000 (`signed-epoch`), exhaustion at 0xFFFF (`exhaustion-guard-off-by-one`), DEK ids above 16 bits (`dek-truncated-key`)',
    paths: ['epoch:0x8000', 'epoch:0xffff', 'guard:exhaustion', 'dek:above-16-bits', 'dek:near-2^32'],
  },
];

/** The fault table as Markdown (README, `regsim invariants --faults --markdown`). */
export function faultsMarkdown(): string {
  const lines = ['| fault | module (`src/sim/`) | how it is injected | model | can reveal |', '|---|---|---|---|---|'];
  for (const f of FAULTS) lines.push(`| ${f.fault} | ${f.module} | ${f.injected} | ${f.model} | ${f.reveals} |`);
  return `${lines.join('\n')}\n`;
}
