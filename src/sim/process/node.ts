// One node: its disk (which outlives processes) and, while it is up, its
// process: Raft, the apply loop of spec §4, local snapshots and the registry
// store. A crash (power loss) or a halt (process exit) throws the process
// away; a restart builds a new one from the disk.
import type { ApplyAt, ApplyResponse, EntryApplier } from '../../applier/types.ts';
import type { TraceApplyResult } from '../../trace/types.ts';
import { Disk } from '../storage/disk.ts';
import { toHex } from '../../applier/hex.ts';
import { EMPTY_ENTRY_DIGEST, entryDigest } from '../../trace/digest.ts';
import { confEntryData } from '../raft/conf.ts';
import type { ConfChange } from '../raft/conf.ts';
import { FOLLOWER, LEADER, MSG_APP, RaftNode } from '../raft/raft.ts';
import type { Entry, Snapshot } from '../raft/log.ts';
import type { Message, RaftHost } from '../raft/raft.ts';
import { coldStart } from './cold-start.ts';
import type { CrashCause } from './crash-points.ts';
import type { NodeEnv } from './env.ts';
import { alreadyApplied, registrationKeyHex } from '../storage/registry-replay.ts';
import { DiskSidecarStore, sidecarFile, traceSidecar } from '../storage/sidecar-file.ts';
import { SimRegistryStore, diskRows } from '../storage/store.ts';

const EMPTY = new Uint8Array(0);
/** ack-before-persist: how long acknowledged log entries stay unsynced. */
const LAZY_SYNC_MS = 3;
const EMPTY_DIGEST = EMPTY_ENTRY_DIGEST;

// Results are shared, frozen objects where possible (fewer allocations in long traces).
const REGISTERED: Record<string, TraceApplyResult> = {
  insert: Object.freeze({ kind: 'registered', outcome: 'insert' }),
  advance: Object.freeze({ kind: 'registered', outcome: 'advance' }),
  noop: Object.freeze({ kind: 'registered', outcome: 'noop' }),
};
const SKIPPED_NOOP: ApplyResponse = Object.freeze({ kind: 'registered', outcome: 'noop' });
const KV: TraceApplyResult[] = [];
for (let op = 0; op < 256; op++) KV.push(Object.freeze({ kind: 'kv', opcode: op }));

function traceResult(r: ApplyResponse): TraceApplyResult {
  switch (r.kind) {
    case 'kv':
      return KV[r.opcode] ?? { kind: 'kv', opcode: r.opcode };
    case 'registered':
      return REGISTERED[r.outcome] ?? { kind: 'registered', outcome: r.outcome };
    case 'halt':
      return { kind: 'halt', message: r.message, reason: r.reason };
  }
}

export class SimNode implements RaftHost {
  disk = new Disk();
  up = false;
  /** The last process exit was a halt. */
  halted = false;
  incarnation = 0;
  raft: RaftNode | null = null;
  applied = 0;
  store: SimRegistryStore | null = null;
  private applier: EntryApplier | null = null;
  /** Set by Raft when the commit index moves; the simulator runs the apply loop after Raft returns. */
  applyPending = false;
  /**
   * Set by a lifecycle hook at process start: Raft runs (votes, replicates) but
   * the apply loop waits until the hook clears it and calls runApply (a start-up
   * guard that needs a caught-up registry). Reset at every start.
   */
  holdApply = false;
  // timers: an event carries the token it was scheduled with; a stale token is ignored
  electionTimerAt = -1;
  electionToken = 0;
  heartbeatToken = 0;
  /** ack-before-persist: an fsync is on its way. */
  private lazySync = false;
  /**
   * The received snapshot the state machine took last: persisting it after
   * (install-before-persist, or the same snapshot received again) leaves
   * nothing pending. Kept across restarts, as it was written.
   */
  private tookSnapshot: Snapshot | null = null;
  /**
   * fsm 'main': the raft cutover the state machine took from a snapshot's
   * header: at a cold start from the newest local snapshot (restored or
   * skipped over, addendum §3.2), at an install from the installed one.
   */
  private headerRaftCutover = 0;
  /** Per follower (raft index), the snapshot index its last catch-up mark was recorded at (recordCatchUp). */
  private readonly catchUps = new Map<number, number>();

  /** fsm 'main': the raft cutover the state machine took from a snapshot header (0: none). */
  get raftCutoverFromHeader(): number {
    return this.headerRaftCutover;
  }
  /** Counters for stats. */
  registrationsApplied = 0;
  appliesTotal = 0;
  /** The entry being applied and the committed ones after it, for appliers that look ahead (ApplyAt). */
  private applyTo = 0;
  private readonly at: ApplyAt = {
    index: 0,
    next: (offset) => (this.at.index + offset <= this.applyTo ? this.raft?.entryAt(this.at.index + offset)?.data : undefined),
  };

  constructor(
    private readonly sim: NodeEnv<SimNode>,
    readonly idx: number,
    readonly name: string,
  ) {}

  // --- process lifecycle ----------------------------------------------------------

  /** Boot (incarnation 1) or restart: load the disk, resume applying from the last snapshot. */
  start(): void {
    if (this.up) return;
    const sim = this.sim;
    const restart = this.incarnation > 0;
    this.incarnation++;
    this.up = true;
    this.halted = false;
    this.holdApply = false;
    if (restart && sim.flags.forgetVote) this.disk.raft.vote = -1;
    const faults = sim.storeFaults;
    const sink =
      faults === undefined || !faults.mayFail(this.name)
        ? undefined
        : {
            faults,
            injected: (op: 'get' | 'set', fault: 'error' | 'corrupt', keyHex: string): void =>
              sim.trace.record({ fault, keyHex, kind: 'store-fault', node: this.name, op, t: sim.now }),
          };
    this.store = new SimRegistryStore(this.disk, !sim.flags.unsyncedRegistryWrites, sink);
    const fsmRowsBeforeOpen = sim.mainFsm ? this.store.rows() : undefined;
    const pending = this.disk.pendingInstall;
    if (pending !== undefined) {
      // An install a crash interrupted after Raft persisted its snapshot: the state machine takes it now
      // (the bug install-not-resumed: the store stays as it was, behind the snapshot it resumes from).
      if (sim.flags.installNotResumed) this.disk.pendingInstall = undefined;
      else {
        this.takeSnapshotImage(pending.snapshot, pending.from);
        sim.installed(this.name, pending.snapshot.index);
      }
    }
    const start = coldStart(this.durableIndex(), this.disk, this.store);
    this.applied = start.appliedIndex;
    this.headerRaftCutover = this.disk.snapshot?.raftCutover ?? 0;
    if (restart) {
      sim.trace.record({ appliedIndex: this.applied, coldStart: start.mode, kind: 'restart', node: this.name, rows: this.store.rows(), t: sim.now });
    }
    const verdict = sim.started(this.name, {
      incarnation: this.incarnation,
      restart,
      appliedIndex: this.applied,
      ...(fsmRowsBeforeOpen !== undefined ? { fsmRowsBeforeOpen } : {}),
    });
    if (verdict === 'refuse') {
      this.exit();
      return;
    }
    if (sim.mainFsm) sim.trace.record({ kind: 'sidecar-load', node: this.name, sidecar: traceSidecar(this.disk), t: sim.now });
    const seat = { cluster: sim, node: this.name };
    this.applier = sim.applierFactory(this.store, sim.mainFsm ? { sidecar: new DiskSidecarStore(this.disk), seat } : { seat });
    if (this.applier.settle !== undefined) sim.settleAtEnd(this.applier.settle);
    this.electionTimerAt = -1;
    this.raft = new RaftNode(
      this.idx,
      this.name,
      sim.nodeCount,
      this.disk.raft,
      this,
      {
        maxBatch: sim.raftParams.maxBatch,
        preVote: sim.raftParams.preVote,
        checkQuorum: sim.raftParams.checkQuorum,
        installBeforePersist: sim.flags.installBeforePersist,
        commitWithoutMajority: sim.flags.commitWithoutMajority,
        commitOldTerm: sim.flags.commitOldTerm,
        staleAckResends: sim.flags.staleAckResends,
        initialConf: sim.initialConf,
        learnerCountsInQuorum: sim.flags.learnerCountsInQuorum,
        truncationKeepsConf: sim.flags.truncationKeepsConf,
        learnerCampaigns: sim.flags.learnerCampaigns,
        concurrentConfChanges: sim.flags.concurrentConfChanges,
      },
      sim.raftParams.electionTimeoutMs[0],
    );
    // Replay: everything committed after the snapshot is applied again on top of the persisted store.
    if (this.applied < this.disk.raft.commit) this.runApply();
    // A halt or a crash point may have ended the process during the replay.
    if (this.up && sim.replayed(this.name) === 'refuse') this.stop();
  }

  /** Power loss: volatile state gone, each pending write kept or lost by a coin. `cause`: the trigger that fired, if any. */
  crash(cause?: CrashCause): void {
    if (!this.up) return;
    this.exit();
    const sim = this.sim;
    const { lostWrites, wal } = this.disk.crash(sim.faultsRng, {
      lossRate: sim.pendingLossRate,
      tornRate: sim.tornRate,
      acceptTorn: sim.flags.walAcceptsTornRecord,
    });
    const torn = wal.torn ? { torn: true as const } : {};
    const commit = wal.commit !== undefined ? { commit: wal.commit } : {};
    const lostRecords = wal.lost > 0 ? { lostRecords: wal.lost } : {};
    sim.trace.record({ cause, ...commit, kind: 'crash', lostWrites, ...lostRecords, node: this.name, t: sim.now, ...torn });
    if (wal.fromIndex !== undefined) {
      // The log on the disk: unsynced entries gone, or the tail an unsynced truncation had dropped back.
      sim.trace.record({ crash: true, fromIndex: wal.fromIndex, kind: 'truncate', node: this.name, t: sim.now });
      for (const e of wal.recovered) {
        sim.trace.record({ crash: true, digest: e.digest, entryHex: e.hex, index: e.index, kind: 'append', node: this.name, t: sim.now, term: e.term });
      }
    }
    sim.crashed(this.name);
  }

  /** A clean process exit (a start-up guard refusing after the process joined Raft): nothing is lost. */
  stop(): void {
    if (!this.up) return;
    this.disk.flush();
    this.exit();
  }

  /** The process is gone (crash, halt or refused start). */
  private exit(): void {
    this.up = false;
    this.raft = null;
    this.applier = null;
    this.store = null;
    this.applyPending = false;
    this.electionTimerAt = -1;
    this.lazySync = false;
  }

  /** Replaces the disk (restore from backup); the node must be down. */
  replaceDisk(disk: Disk): void {
    if (this.up) throw new Error(`replaceDisk on running node ${this.name}`);
    this.disk = disk;
  }

  // --- the apply loop (spec §4) ----------------------------------------------------

  runApply(): void {
    this.applyPending = false;
    const sim = this.sim;
    const trace = sim.trace;
    for (;;) {
      const raft = this.raft;
      const applyTo = sim.flags.applyBeforeCommit && raft !== null ? raft.lastIndex() : (raft?.hs.commit ?? 0);
      if (raft === null || this.holdApply || this.applied >= applyTo) return;
      const index = this.applied + 1;
      const e = raft.entryAt(index);
      if (e === undefined) throw new Error(`${this.name}: committed entry ${index} missing from the log`);
      if (e.conf !== undefined) {
        // A configuration entry is the engine's (Raft took it into effect when it was appended).
        this.applied = index;
        sim.confApplied(this, index, e.conf);
        if (!this.up) return;
        this.maybeSnapshot();
        continue;
      }
      if (e.data.length === 0) {
        // An empty entry (a leader's no-op, or a client's): never handed to the applier.
        this.applied = index;
        if (e.origin !== null) sim.entryApplied(this, e);
        this.maybeSnapshot();
        continue;
      }
      const store = this.store as SimRegistryStore;
      store.lastWrite = undefined;
      store.earlierWrites.length = 0;
      if (sim.engine.registryReplay === 'skip-applied') {
        const keyHex = registrationKeyHex(e.data);
        if (keyHex !== undefined && alreadyApplied(index, store.appliedAtOf(keyHex))) {
          this.acknowledgeApplied(index, e);
          if (!this.up) return;
          continue;
        }
        // Every write of this apply stores `index` with its row, in the same disk write.
        store.stampIndex = index;
      }
      store.applying = true;
      this.at.index = index;
      this.applyTo = applyTo;
      const result = (this.applier as EntryApplier).apply(e.data, this.at);
      store.applying = false;
      store.stampIndex = undefined;
      this.appliesTotal++;
      if (result.kind === 'halt' && sim.flags.dropHaltingRegistration && e.data[0] === 0x03) {
        // The bug: the halt is swallowed and the entry counted as applied, with no trace of the apply.
        this.applied = index;
        continue;
      }
      // Keys in sorted order: the canonical serializer then takes its fast path.
      trace.record({
        entryHex: e.hex,
        index,
        kind: 'apply',
        node: this.name,
        result: traceResult(result),
        rowsHash: store.digest(),
        t: sim.now,
        term: e.term,
        write: store.lastWrite,
        earlierWrites: store.earlierWrites.length > 0 ? store.earlierWrites.slice() : undefined,
      });
      if (result.kind === 'halt') {
        // The bug: the halting entry's index reaches the durable applied index.
        if (sim.flags.haltAdvancesAppliedIndex && this.durableIndex()) this.disk.durableApplied = index;
        if (!sim.flags.skipEntryOnHalt) {
          this.halt(index, result.reason);
          return;
        }
      } else if (result.kind === 'registered') {
        this.registrationsApplied++;
      } else if (result.opcode <= 0x01 && this.durableIndex()) {
        // A data write (0x00/0x01) commits its store batch with M in it, synced (addendum §3.1).
        this.disk.durableApplied = index;
      }
      this.applied = index;
      if (result.kind !== 'halt') {
        sim.applied(this.name, { index, term: e.term, entry: e.data, entryHex: e.hex, result });
        if (!this.up) return;
      }
      if (e.origin !== null) sim.entryApplied(this, e);
      this.maybeSnapshot();
    }
  }

  /**
   * Fail closed at the committed entry `index` (not applied): recorded as a
   * halt, and the process exits. The apply loop calls it when the applier
   * halts; the lifecycle calls it for a node whose apply loop is held (waiting
   * for its registration) and whose committed log holds, past its applied
   * index, an entry on which the loop will halt: the node stops where it is,
   * without applying (and encrypting) the entries before that one.
   */
  halt(index: number, reason: string): void {
    const sim = this.sim;
    sim.trace.record({ index, kind: 'halt', node: this.name, reason, t: sim.now });
    // The process exits; the page cache still reaches the disk.
    this.disk.flush();
    this.exit();
    this.halted = true;
    sim.halted(this.name, index, reason);
    // A halt on a fault the disk injected: the supervisor restarts the process.
    const faults = sim.storeFaults;
    if (faults !== undefined && (reason === 'store-fault' || reason === 'corrupt-row')) {
      sim.after(faults.restartDelayMs(), () => sim.restart(this.name));
    }
  }

  /**
   * registryReplay 'skip-applied': the registration at `index` has already
   * taken effect (its target row stores an applied index >= `index`). The
   * applier is not run; the entry counts as applied, with a no-op result.
   */
  private acknowledgeApplied(index: number, e: Entry): void {
    const sim = this.sim;
    const store = this.store as SimRegistryStore;
    this.appliesTotal++;
    this.registrationsApplied++;
    sim.trace.record({
      entryHex: e.hex,
      index,
      kind: 'apply',
      node: this.name,
      result: REGISTERED.noop as TraceApplyResult,
      rowsHash: store.digest(),
      skipped: 'registry-applied-index',
      t: sim.now,
      term: e.term,
    });
    this.applied = index;
    sim.applied(this.name, { index, term: e.term, entry: e.data, entryHex: e.hex, result: SKIPPED_NOOP });
    if (!this.up) return;
    if (e.origin !== null) sim.entryApplied(this, e);
    this.maybeSnapshot();
  }

  private maybeSnapshot(): void {
    const snapIndex = this.disk.snapshot?.index ?? 0;
    if (Math.min(this.applied, this.raft?.hs.commit ?? 0) - snapIndex >= this.sim.snapshotInterval) this.takeSnapshot();
  }

  /**
   * A local snapshot at the applied index; compacts the log behind it. Never
   * past the commit index (Raft cannot compact entries it has not committed;
   * only an engine that applies ahead of commit gets there).
   */
  takeSnapshot(): void {
    const raft = this.raft;
    const store = this.store;
    if (raft === null || store === null) return;
    const snapIndex = this.disk.snapshot?.index ?? 0;
    const index = Math.min(this.applied, raft.hs.commit);
    if (index <= snapIndex) return;
    const term = raft.termAt(index);
    const omit = this.sim.flags.snapshotOmitsRegistry;
    const rows = omit ? [] : store.rows();
    const conf = raft.confAt(index);
    let snap: Snapshot =
      this.sim.engine.registryReplay === 'skip-applied'
        ? { index, term, rows, rowsHash: omit ? EMPTY_ROWS_HASH() : store.digest(), rowsAppliedAt: omit ? [] : store.rowsAppliedAt(), conf }
        : { index, term, rows, rowsHash: omit ? EMPTY_ROWS_HASH() : store.digest(), conf };
    const raftCutover = this.sim.mainFsm ? this.installedRaftCutover() : 0;
    if (raftCutover !== 0) snap = { ...snap, raftCutover };
    if (this.durableIndex()) {
      // The image holds M as it is; the persist then raises M to the snapshot's index, synced (addendum §3.1).
      snap = { ...snap, appliedIndex: this.disk.durableApplied };
      this.disk.durableApplied = Math.max(this.disk.durableApplied ?? 0, index);
    }
    this.disk.snapshot = snap;
    const keepFrom = Math.max(raft.hs.offset, index - this.sim.raftParams.catchUpEntries);
    raft.compact(keepFrom, raft.termAt(keepFrom));
    this.disk.wal.sync(this.disk.raft);
    this.sim.trace.record({ index, kind: 'snapshot-take', node: this.name, rowsHash: snap.rowsHash, t: this.sim.now, term });
  }

  /**
   * The raft cutover the state machine has installed, which a snapshot's
   * header records: the sidecar's once it records one (production's applier
   * calls the wrap installer with it at the apply and when the engine opens),
   * else the one a header gave it. [inferred: the addendum names the header
   * field, not where the state machine keeps it]
   */
  private installedRaftCutover(): number {
    const sidecar = sidecarFile(this.disk)?.raftEnvelopeCutoverIndex ?? 0;
    return sidecar !== 0 ? sidecar : this.headerRaftCutover;
  }

  /** Whether the engine keeps production main's durable applied index (engine option coldStart). */
  private durableIndex(): boolean {
    return this.sim.engine.coldStart === 'durable-applied-index';
  }

  // --- RaftHost ---------------------------------------------------------------------

  now(): number {
    return this.sim.now;
  }

  record(event: Parameters<RaftHost['record']>[0]): void {
    this.sim.trace.record(event);
  }

  send(msg: Message): void {
    // A crash point that fires in the middle of a Raft step (crash-after-elect,
    // crash-after-commit) lets the dead node's step run to its end: a crashed
    // process sends nothing, so what it would have sent is lost with it.
    if (!this.persisted()) return;
    const snapshotIndex = this.disk.snapshot?.index ?? 0;
    if (msg.type === MSG_APP && msg.entries !== null && msg.index < snapshotIndex) this.recordCatchUp(msg, snapshotIndex);
    this.sim.send(msg);
  }

  /**
   * A leader sends by log entries its own snapshot covers: only a log kept
   * behind its snapshot (catchUpEntries) allows it. Recorded once per
   * follower and snapshot, as a coverage mark.
   */
  private recordCatchUp(msg: Message, snapshotIndex: number): void {
    if (this.catchUps.get(msg.to) === snapshotIndex) return;
    this.catchUps.set(msg.to, snapshotIndex);
    this.sim.trace.record({ fromIndex: msg.index + 1, kind: 'catch-up', node: this.name, snapshotIndex, t: this.sim.now, to: this.nodeName(msg.to) });
  }

  /**
   * A Raft step is over: what it wrote that must be durable is fsynced now,
   * sent or not (etcd persists every Ready), before anything is applied.
   */
  stepDone(): void {
    this.persisted();
  }

  persisted(): boolean {
    if (!this.up) return false;
    const disk = this.disk;
    if (!disk.wal.mustSync(disk.raft)) return true;
    const sim = this.sim;
    if (sim.crashPoint(this, 'crash-before-sync', true)) return false;
    if (disk.wal.truncates(disk.raft) && sim.crashPoint(this, 'crash-before-truncation-sync', true)) return false;
    const faults = sim.storeFaults;
    if (faults !== undefined && faults.mayFail(this.name) && faults.onFsync()) {
      // A failed fsync is fatal (etcd panics): the process dies, and what the
      // page cache held may or may not be on the disk. Its supervisor restarts it.
      this.crash('fsync-error');
      sim.after(faults.restartDelayMs(), () => sim.restart(this.name));
      return false;
    }
    if (!sim.flags.ackBeforePersist) disk.wal.sync(disk.raft);
    else if (!this.lazySync) {
      // The bug: the step goes on (acknowledges, votes, sends) and the fsync comes a little later.
      this.lazySync = true;
      const incarnation = this.incarnation;
      sim.after(LAZY_SYNC_MS, () => {
        if (this.incarnation !== incarnation || !this.up || this.disk !== disk) return;
        this.lazySync = false;
        disk.wal.sync(disk.raft);
      });
    }
    return true;
  }

  voted(): void {
    this.sim.crashPoint(this, 'crash-after-vote');
  }

  elected(): void {
    // Its empty entry is durable before it dies (the point is a term whose only entry is on no other node).
    if (this.persisted()) this.sim.crashPoint(this, 'crash-after-elect', true);
  }

  acked(): void {
    this.sim.crashPoint(this, 'crash-after-ack');
  }

  electionTimeout(): number {
    const [lo, hi] = this.sim.raftParams.electionTimeoutMs;
    return this.sim.timingRng.int(lo, hi);
  }

  armElectionTimer(deadline: number): void {
    if (this.electionTimerAt === -1 || deadline < this.electionTimerAt) {
      this.electionTimerAt = deadline;
      this.sim.scheduleElectionTimer(this, deadline, ++this.electionToken);
    }
  }

  /** The election timer event fired. */
  fireElectionTimer(token: number): void {
    const raft = this.raft;
    if (token !== this.electionToken || raft === null) return;
    this.electionTimerAt = -1;
    if (raft.role === LEADER) return; // re-armed when it steps down
    if (raft.electionDeadline > this.sim.now) {
      this.armElectionTimer(raft.electionDeadline);
      return;
    }
    raft.tickElection();
  }

  startHeartbeat(): void {
    this.sim.scheduleHeartbeat(this, ++this.heartbeatToken);
  }

  fireHeartbeat(token: number): void {
    const raft = this.raft;
    if (token !== this.heartbeatToken || raft === null || raft.role !== LEADER) return;
    raft.tickHeartbeat();
    if (this.raft !== null && this.raft.role === LEADER) this.sim.scheduleHeartbeat(this, token);
  }

  committed(): void {
    this.applyPending = true;
    const raft = this.raft;
    if (raft === null) return;
    this.sim.noteCommit(raft.hs.commit, raft.termAt(raft.hs.commit));
    // A leader that learns a commit and dies before its followers do (and before its own term's entries spread).
    if (raft.role === LEADER) this.sim.crashPoint(this, 'crash-after-commit', true);
  }

  latestSnapshot(): Snapshot | null {
    return this.disk.snapshot;
  }

  persistSnapshot(snap: Snapshot, from: number): boolean {
    const disk = this.disk;
    // Saving a snapshot fsyncs the WAL with it (etcd's SaveSnapshot).
    disk.snapshot = snap;
    disk.wal.sync(disk.raft);
    // Unless the state machine took it first (install-before-persist), it is still to install, durably so.
    if (this.tookSnapshot === snap) return true;
    disk.pendingInstall = { snapshot: snap, from };
    const sim = this.sim;
    const interrupted = (): void => sim.trace.record({ from: this.nodeName(from), index: snap.index, kind: 'snapshot-persist', node: this.name, t: sim.now, term: snap.term });
    return !sim.crashPoint(this, 'crash-after-snapshot-persist', true, interrupted);
  }

  installSnapshot(snap: Snapshot, from: number): boolean {
    this.takeSnapshotImage(snap, from);
    this.sim.installed(this.name, snap.index);
    // The crash point after the state machine was replaced (before Raft persists the snapshot, under install-before-persist).
    return this.up && !this.sim.crashPoint(this, 'crash-after-install', true);
  }

  /** The state machine takes a received snapshot: its rows replace the store's. */
  private takeSnapshotImage(snap: Snapshot, from: number): void {
    const store = this.store as SimRegistryStore;
    // Under 'skip-applied' the rows keep the applied index their source stored with them.
    store.replaceAll(snap.rows, snap.rowsAppliedAt);
    // An installed image brings its own M, at most its index (addendum §3.1).
    if (this.durableIndex()) this.disk.durableApplied = snap.appliedIndex;
    this.disk.pendingInstall = undefined;
    this.tookSnapshot = snap;
    this.headerRaftCutover = snap.raftCutover ?? 0;
    this.applied = snap.index;
    this.sim.trace.record({
      from: this.nodeName(from),
      index: snap.index,
      kind: 'snapshot-install',
      node: this.name,
      rows: snap.rows.slice(),
      t: this.sim.now,
      term: snap.term,
    });
  }

  noop(index: number, term: number): Entry {
    return { index, term, data: EMPTY, hex: '', digest: EMPTY_DIGEST, origin: null };
  }

  confEntry(index: number, term: number, change: ConfChange): Entry {
    const data = confEntryData(change.op, this.nodeName(change.node));
    return { index, term, data, hex: toHex(data), digest: entryDigest(data), origin: null, conf: change };
  }

  /** A client's entry this node appended as leader: its applier may prepare the entry's applies (EntryApplier.proposed). */
  proposedHere(index: number, data: Uint8Array): void {
    this.applier?.proposed?.(index, data);
  }

  /** A membership change proposed here (the operator's request); null if this node would not take it now. */
  proposeConf(change: ConfChange): Entry | null {
    const entry = this.raft?.proposeConf(change) ?? null;
    if (entry === null) return null;
    this.sim.trace.record({ entryHex: entry.hex, index: entry.index, kind: 'conf-propose', node: this.name, op: change.op, t: this.sim.now, target: this.nodeName(change.node), term: entry.term });
    this.sim.confProposed();
    this.stepDone();
    return entry;
  }

  nodeName(index: number): string {
    return this.sim.nodeName(index);
  }

  // --- views ---------------------------------------------------------------------------

  isLeader(): boolean {
    return this.raft !== null && this.raft.role === LEADER;
  }

  /** The leader this node knows of (index), or -1. */
  knownLeader(): number {
    return this.raft === null ? -1 : this.raft.leader;
  }

  isFollower(): boolean {
    return this.raft !== null && this.raft.role === FOLLOWER;
  }

  commitIndex(): number {
    return this.raft === null ? this.disk.raft.commit : this.raft.commit;
  }

  rowsNow(): ReturnType<typeof diskRows> {
    return this.store !== null ? this.store.rows() : diskRows(this.disk);
  }

  rowsHash(): string {
    return this.store !== null ? this.store.digest() : new SimRegistryStore(this.disk, true).digest();
  }
}

/**
 * The local snapshot a member of the initial cluster starts with under
 * production's cold start: every bootstrapped member has one at index 1
 * (addendum §3.4 [inferred]). Index 1 is the first leader's empty entry, so
 * regsim's stand-in is the empty state at index 0: no rows, no M, the
 * initial configuration. A restart before any data write restores it (the
 * store emptied, everything replayed); after one, it skips to M.
 */
export function initialSnapshot(): Snapshot {
  return { index: 0, term: 0, rows: [], rowsHash: EMPTY_ROWS_HASH() };
}

let emptyRowsHash: string | null = null;
function EMPTY_ROWS_HASH(): string {
  if (emptyRowsHash === null) emptyRowsHash = new SimRegistryStore(new Disk(), true).digest();
  return emptyRowsHash;
}
