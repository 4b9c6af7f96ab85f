// The trace: the simulator's record of what happened, and the only thing the
// oracle reads. It is the contract between src/sim (which writes it and never
// judges) and src/model (which judges it and never runs the simulator).
// Types only. Byte strings are lowercase hex; full node ids are decimal strings
// so the trace is plain JSON.

/** A registry row as stored: 27-byte key and 12-byte value, hex. */
export interface TraceRow {
  keyHex: string;
  valueHex: string;
}

/**
 * The replicated part of production main's sidecar (what 0x04/0x05 decide
 * on; local epochs are the node's own and decide nothing), keys by id.
 */
export interface TraceSidecar {
  activeRaft: number;
  activeStorage: number;
  keys: { dekId: number; purpose: 'raft' | 'storage'; wrappedHex: string }[];
  raftCutoverIndex: number;
  storageCutoverIndex: number;
  storageEnvelopeActive: boolean;
}

/** The outcome of one apply, as the engine saw it. */
export type TraceApplyResult =
  | { kind: 'kv'; opcode: number }
  | { kind: 'registered'; outcome: 'insert' | 'advance' | 'noop' }
  | { kind: 'halt'; reason: string; message: string };

/**
 * Why the engine acknowledged an entry without applying it:
 * 'registry-applied-index' = the target row's persisted applied index is >= the entry's index.
 */
export type TraceApplySkip = 'registry-applied-index';

/**
 * The start-up guards, as a guard-check or replay-guard-check event names
 * them: Stage 6A's §9.1 guards, and production main's own-slot rollback
 * checks before the bump and after the local replay (addendum §4 rows 9 and
 * 12), its sidecar-behind-log check (row 13), the raft epoch's check
 * against the node's own row under the raft DEK (row 15) and the raft
 * cutover of the newest snapshot's header against the sidecar's (row 1),
 * and the bump's own check of the epoch it moves from (row 10).
 */
export type GuardName =
  | 'exhaustion'
  | 'bump-exhausted'
  | 'member-collision'
  | 'registry-collision'
  | 'rollback'
  | 'own-row-pre-bump'
  | 'own-row-after-replay'
  | 'sidecar-behind-log'
  | 'raft-epoch'
  | 'cutover-divergence';

/**
 * How a restart chose its state and initial applied index under production
 * main's cold start (engine option coldStart 'durable-applied-index'): 'none'
 * (no local snapshot: the persisted store, from index 0), 'skip' (the durable
 * applied index M is at or above the snapshot's: the persisted store, from M),
 * 'restore' (M absent or below: the snapshot's image replaced the store, from
 * the snapshot's index).
 */
export type ColdStartMode = 'none' | 'skip' | 'restore';

/** Every event carries its position, virtual time (ms) and, when it has one, the node. */
interface At {
  /** Virtual time in milliseconds since the run started. */
  t: number;
}
interface AtNode extends At {
  node: string;
}

/** What made a process crash, if not a scheduled crash. */
export type CrashCauseName =
  | 'after-vote'
  | 'after-ack'
  | 'after-install'
  | 'after-snapshot-persist'
  | 'after-apply'
  | 'after-elect'
  | 'after-commit'
  | 'before-sync'
  | 'fsync-error'
  | 'leader-kill';

/** A Raft membership change (src/sim/raft/conf.ts). */
export type TraceConfOp = 'add-learner' | 'promote' | 'remove';

export type TraceEvent =
  // --- run framing --------------------------------------------------------
  /**
   * `learners`: the Raft slots that never vote or count toward a quorum (absent: none).
   * `electionTimeoutMs`: the run's election time-out range outside storms (the
   * unit liveness bounds are counted in; absent: the default [150, 300]).
   * `fullIds`: nodes whose full id (decimal) is not FNV-1a-64 of their name.
   */
  | (At & {
      kind: 'run-start';
      seed: string;
      nodes: string[];
      variant: string;
      learners?: string[];
      electionTimeoutMs?: [number, number];
      fullIds?: Record<string, string>;
      /** The engine resumes at production main's durable applied index (absent: at the last local snapshot). */
      coldStart?: 'durable-applied-index';
      /**
       * coldStart 'durable-applied-index': the members whose disk starts with
       * the initial local snapshot (production's at index 1 [inferred]; regsim's
       * at index 0, of the empty state: index 1 is the first leader's empty entry).
       */
      initialSnapshot?: string[];
      /** The nodes apply through production main's FSM (bootstrap and rotation for real; absent: Stage 6A's). */
      fsm?: 'main';
    })
  /** No fault is injected after this time; liveness is judged from here. */
  | (At & { kind: 'faults-end' })
  /**
   * The messages the cluster sent in the TRAFFIC_WINDOW_MS of virtual time
   * that end at `t` (every whole window of the run), or, in a run cut short,
   * from `from` to the cut.
   */
  | (At & { kind: 'traffic'; sent: number; from?: number })
  /** `cut`: the run spent its event budget in a message storm and ended there, before its time limit. */
  | (At & { kind: 'run-end'; nodes: TraceNodeSummary[]; cut?: true })
  // --- raft ---------------------------------------------------------------
  | (AtNode & { kind: 'became-leader'; term: number })
  /**
   * An entry placed in `node`'s log at `index` (after any truncation).
   * `crash`: found in the log by the recovery after a crash (an unsynced
   * truncation that never reached the disk left it there, or a recovery
   * that skips checksums kept a torn record), with the entry as it reads
   * (`entryHex`; it may be no entry any client proposed).
   */
  | (AtNode & { kind: 'append'; index: number; term: number; digest: string; crash?: true; entryHex?: string })
  /**
   * `node` dropped its log entries from `fromIndex` on: a conflict with its
   * leader's log, or (`crash`) a crash that lost unsynced ones.
   */
  | (AtNode & { kind: 'truncate'; fromIndex: number; crash?: true })
  /** `node` learnt that `index` is committed (one event per newly committed index). */
  | (AtNode & { kind: 'commit'; index: number; term: number; digest: string })
  /** A client proposal accepted by the leader `node` (a retry is a new proposal). */
  | (AtNode & { kind: 'propose'; requestId: string; entryHex: string })
  // --- the state machine --------------------------------------------------
  /**
   * `node` applied the committed entry at `index`. `rowsHash` is rowsDigest()
   * of the node's registry after the apply; `write` is the registry write the
   * apply made, if any. A halting apply is recorded here and then as `halt`.
   * `skipped` (engine option registryReplay 'skip-applied'): the engine did not
   * hand the entry to the applier, because the registry row it targets was
   * persisted by an entry at this index or later (the index stored with the
   * row): the entry has already taken effect, and the engine acknowledged it
   * as a `registered`/`noop` apply.
   */
  | (AtNode & {
      kind: 'apply';
      index: number;
      term: number;
      entryHex: string;
      result: TraceApplyResult;
      write?: TraceRow;
      /** The rows the entry wrote before `write`, in order (only an entry that writes several rows: main's bootstrap). */
      earlierWrites?: TraceRow[];
      rowsHash: string;
      skipped?: TraceApplySkip;
    })
  /** The apply loop stopped at `index` (not applied) and the process exited. */
  | (AtNode & { kind: 'halt'; index: number; reason: string })
  | (AtNode & { kind: 'snapshot-take'; index: number; term: number; rowsHash: string })
  /** Leader `node` sent `to` entries from `fromIndex` by log, though its snapshot at `snapshotIndex` covers them (a kept log). */
  | (AtNode & { kind: 'catch-up'; to: string; fromIndex: number; snapshotIndex: number })
  /** `node`'s state machine was replaced by `from`'s snapshot; applied index jumps to `index`. */
  | (AtNode & { kind: 'snapshot-install'; index: number; term: number; from: string; rows: TraceRow[] })
  /**
   * Raft persisted `from`'s snapshot (its log now starts at `index`) and the
   * node crashed before its state machine took it. Recorded only then: an
   * install that runs through is one `snapshot-install` event. A restart
   * finishes the install (a `snapshot-install` event before the `restart`).
   */
  | (AtNode & { kind: 'snapshot-persist'; index: number; term: number; from: string })
  // --- processes and disks ------------------------------------------------
  /**
   * Volatile state is gone; `lostWrites` pending (unsynced) writes of the
   * registry store and sidecar were dropped, and `lostRecords` unsynced
   * records of Raft's WAL (absent: none). `torn`: the WAL record being
   * written was half written, and recovery found it by its checksum.
   * `commit`: the commit index on the disk, when the crash took it back (an
   * unsynced commit index lost: the node learns those commits again).
   * `cause`: an armed trigger, nemesis or failed fsync (absent: a scheduled crash).
   */
  | (AtNode & { kind: 'crash'; lostWrites: number; lostRecords?: number; torn?: true; commit?: number; cause?: CrashCauseName })
  /**
   * The process came back from its disk: applied index restarts at
   * `appliedIndex`, with `rows` in its store. `coldStart`: how production
   * main's cold start chose them (run-start `coldStart`; absent otherwise).
   */
  | (AtNode & { kind: 'restart'; appliedIndex: number; rows: TraceRow[]; coldStart?: ColdStartMode })
  /**
   * Run-start `fsm` 'main': a process built main's applier over the sidecar
   * on its disk (null: no file yet), after its start-up hook (the epoch bump,
   * a joiner's provisioning). What the node's own 0x04/0x05 applies start from.
   */
  | (AtNode & { kind: 'sidecar-load'; sidecar: TraceSidecar | null })
  /** A copy of `node`'s whole disk was taken and kept under `name` (for a later restore). */
  | (AtNode & { kind: 'backup'; name: string })
  /**
   * The whole disk was replaced by a backup taken at virtual time `backupAt`.
   * `raft: 'discarded'`: the backup's Raft state (log, HardState, local
   * snapshot) was thrown away and the node rejoins Raft as a fresh member,
   * catching up from the leader; only the registry (`rows`) and the
   * encryption sidecar come back from the backup. Absent: the whole disk,
   * Raft state included, came back as it was (a naive restore, which Raft
   * itself does not tolerate). `from`: the backup is another node's disk,
   * restored onto this machine (Raft state always discarded then).
   */
  | (AtNode & { kind: 'restore'; backupAt: number; rows: TraceRow[]; name?: string; raft?: 'discarded'; from?: string; trap?: true })
  /**
   * A fault the simulated disk injected into `node`'s registry store during
   * the apply in progress: a read or write that failed ('error'), or a read
   * that returned a corrupted value ('corrupt': a value of another length
   * than 12 bytes; the stored row itself is intact). The apply that follows
   * may halt for it (store-fault, corrupt-row): the environment's doing.
   */
  | (AtNode & { kind: 'store-fault'; op: 'get' | 'set'; fault: 'error' | 'corrupt'; keyHex: string })
  // --- network --------------------------------------------------------------
  | (At & { kind: 'partition'; groups: string[][]; oneWay?: { from: string; to: string }; leader?: string; trap?: boolean })
  | (At & { kind: 'heal' })
  // --- node lifecycle and encryption (the workload) --------------------------
  /**
   * Process start: the sidecar epoch for `dekId` was bumped to `epoch` and
   * synced. `starts`: a crash loop, that many starts in a row each died right
   * after its bump, before the engine opened (nothing sent or encrypted), the
   * last at `epoch`.
   */
  | (AtNode & { kind: 'epoch-bump'; dekId: number; epoch: number; starts?: number })
  /** A start-up guard refused to start the node. */
  | (AtNode & { kind: 'guard-refused'; guard: string; detail: string })
  /**
   * A pass of the §9.1 start-up guards (src/sim/lifecycle/guard-check.ts):
   * the guards judged, in order, up to `refused` (the first that refused; a
   * guard-refused event follows), and what they read. `fullNodeId` and the
   * members' ids in fullIdHex form; `epoch`: the bumped epoch (absent when
   * exhaustion refused before the bump); `rows`: the registry the registry
   * guards read, `through` the committed index it is the registry of when it
   * was caught up to the cluster (absent: the node's local registry);
   * `sidecar`: the epochs the rollback guard read under DEKs other than the
   * active one; `compare`: the rollback guard's comparison; `envelope`
   * (production main): the sidecar's storage_envelope_active, which guard 9
   * reads with the node's own row (`rows`: that row, or none); `cutover`
   * (production main, row 1): the raft cutover index of the newest local
   * snapshot's header and of the sidecar (0: none, or no sidecar).
   */
  | (AtNode & {
      kind: 'guard-check';
      guards: GuardName[];
      fullNodeId: string;
      dekId: number;
      epochBefore: number;
      epoch?: number;
      members?: { fullNodeId: string; node: string }[];
      rows?: TraceRow[];
      through?: number;
      sidecar?: Record<string, number>;
      compare?: 'after-bump' | 'before-bump';
      envelope?: boolean;
      cutover?: { snapshot: number; sidecar: number };
      refused?: GuardName;
    })
  /**
   * Production main's guards after the local replay (addendum §4 rows 12 and
   * 13; src/sim/lifecycle/main-start.ts), in order up to `refused`, and what
   * they read: the sidecar re-read after the replay (its active storage DEK
   * `dekId`, its local_epoch there `epoch`, storage_envelope_active
   * `envelope`, raft_applied_index `sidecarIndex`), the node's own row under
   * that DEK in the live store (`row`, absent if none), the engine's applied
   * index, the last index its log has compacted away and the last index it
   * holds (an entry outside the two cannot be read).
   */
  | (AtNode & {
      kind: 'replay-guard-check';
      guards: GuardName[];
      fullNodeId: string;
      dekId: number;
      epoch: number;
      envelope: boolean;
      row?: TraceRow;
      sidecarIndex: number;
      appliedIndex: number;
      compactedThrough: number;
      logLastIndex: number;
      /** Once the sidecar records the raft cutover: the raft DEK, its local_epoch, and the node's own row under it (row 15). */
      raft?: { dekId: number; epoch: number; row?: TraceRow };
      refused?: GuardName;
    })
  /** The node asked the leader to commit Register(dek, full id, epoch). */
  | (AtNode & { kind: 'register-propose'; dekId: number; epoch: number; attempt: number })
  /**
   * A DEK rotation committed: nodes now register and encrypt under `dekId`
   * (`purpose` 'raft', production main only: they seal their proposals under it).
   */
  | (At & { kind: 'rotate-dek'; dekId: number; purpose?: 'raft' })
  /**
   * Production main's admission check (addendum §6.1) for joiner `node` on
   * `leader`'s local registry under `dekId`: the row it read in the joiner's
   * slot (absent: none) and what it decided. One event per DEK checked, in
   * order; the add follows the last 'admit' or 'pre-register'.
   */
  | (AtNode & { kind: 'admission-check'; leader: string; dekId: number; fullNodeId: string; row?: TraceRow; decision: 'admit' | 'refuse' | 'pre-register' })
  /** The operator added `node` (its membership change follows through the log). */
  | (AtNode & { kind: 'add-node'; fullNodeId: string })
  /** The operator decommissions `node`: it is never restarted; its removal goes through the log (its registry rows stay). */
  | (AtNode & { kind: 'remove-node' })
  /**
   * Leader `node` appended a configuration entry (Raft membership, one node
   * at a time): `target` joins as a learner, is promoted to voter, or is removed.
   */
  | (AtNode & { kind: 'conf-propose'; index: number; term: number; op: TraceConfOp; target: string; entryHex: string })
  /** `node`'s apply loop reached the configuration entry at `index`. */
  | (AtNode & { kind: 'conf-apply'; index: number; op: TraceConfOp; target: string })
  /** A removed member's process exits: it applied its own removal, or the operator stopped it once the removal committed. */
  | (AtNode & { kind: 'member-exit'; why: 'applied-removal' | 'operator' })
  /**
   * A replica encrypted the KV value at `index` with nonce
   * (nodeId16 ‖ epoch ‖ writeCount) under `dekId`; `proposal`: leader `node`
   * sealed the entry it proposed at `index` under its raft DEK (production
   * main's raft envelope).
   */
  | (AtNode & {
      kind: 'nonce';
      index: number;
      dekId: number;
      nodeId16: number;
      epoch: number;
      writeCount: string;
      proposal?: true;
    });

export interface TraceNodeSummary {
  node: string;
  up: boolean;
  halted: boolean;
  appliedIndex: number;
  commitIndex: number;
  rowsHash: string;
  /**
   * True while the node, restored from a backup, still rejoins Raft (it
   * neither campaigns nor votes freely until it has caught up; see the
   * restore event's `raft: 'discarded'`). Absent otherwise.
   */
  rejoining?: boolean;
}

export type TraceEventKind = TraceEvent['kind'];

/** The event type of one kind. */
export type TraceEventOf<K extends TraceEventKind> = Extract<TraceEvent, { kind: K }>;
