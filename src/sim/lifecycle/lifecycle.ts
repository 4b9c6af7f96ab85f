// Node lifecycle and workload (spec §1, §5, §9.1) as simulator hooks. Each
// process start bumps and fsyncs the sidecar epoch of the active DEK, runs the
// start-up guards, and proposes Register(dek, full id, epoch) unless the
// registry already shows that epoch, retrying as the client of §5 does (so
// duplicates commit). Every replica encrypts each KV entry it applies with its
// own nonce and the trace records each one. Operator faults arrive as custom
// scenario events: DEK rotation, add-node, remove-node, and a crash right after
// the next registration a node applies. Membership goes through Raft's log
// (operator/membership.ts): add-node adds the node as a learner and starts
// it; once its guards pass and its registration is proposed (the entry
// paired with its membership change) it counts as a member for the collision
// guard and the operator promotes it to voter when it has caught up.
// remove-node removes it through the log; it is never restarted, and its
// process runs until it learns of its removal.
import { DEK_PURPOSE, OPCODE, decodeRegistration, decodeRegistryValue, deriveNodeId, low16, registryKey } from '../../applier/index.ts';
import type { ScenarioEvent } from '../config.ts';
import type { ApplyInfo, NodeStartInfo, SimApi, SimHooks } from '../hooks.ts';
import type { SimNode } from '../process/node.ts';
import { kvEntry, registrationEntry } from '../workload.ts';
import { RETRY_MS as ADMISSION_RETRY_MS, admissionCheck } from './admission.ts';
import { GuardCheck } from './guard-check.ts';
import { caughtUp } from '../operator/membership.ts';
import { bumpExhaustedGuard, exhaustionGuard, memberCollisionGuard, registryCollisionGuard, rollbackGuard } from './guards.ts';
import type { Refusal } from './guards.ts';
import { isEncryptedWrite, rotationMarker, rotationMarkerDek } from '../../trace/rotation-marker.ts';
import { fullIdHex } from '../../trace/ids.ts';
import { resolvePolicy } from './policy.ts';
import type { LifecyclePolicy, PolicyOverrides } from './policy.ts';
import { CaughtUpFold, RegistryView, caughtUpView, localView, requestReadIndex } from './registry-view.ts';
import type { HaltAhead, ReadIndex } from './registry-view.ts';
import type { DekPurposeCode, RegistryRow } from '../../applier/index.ts';
import type { TraceRow } from '../../trace/types.ts';
import { MAIN_SIDECAR, STAGE6A_SIDECAR } from './sidecar.ts';
import type { SidecarAccess } from './sidecar.ts';
import { bootstrapEntry, cutoverEntry, raftCutoverEntry, raftDekFor, rotateDekEntry } from './bootstrap.ts';
import { afterReplayGuards, cutoverGuard, ownRowGuard, ownRowIn, ownRowKeyHex, ownRowOrForeign, persistedPeers } from './main-start.ts';
import { DiskSidecarStore, sidecarFile } from '../storage/sidecar-file.ts';
import { raftCutoverDek } from '../../applier/main/sidecar.ts';

/** The DEK a cluster starts under unless the scenario names another. */
export const INITIAL_DEK = 1;
/** How often a held node re-checks whether it has caught up (virtual ms). */
const POLL_MS = 10;
/** How long a client write waits before looking for a ready leader again. */
const WRITE_RETRY_MS = 20;
/** fsm 'main': the runtime registration watcher ticks every second (§5.3). */
const WATCHER_TICK_MS = 1000;
/** fsm 'main': the operator cuts the storage envelope over within this long of the bootstrap's first apply. */
const CUTOVER_WITHIN_MS = 600;

/** fsm 'main': the registration loop's wait after its `failures`-th failed attempt (§5.2: 100 ms, doubling, capped at 5 s). */
export function registerBackoffMs(failures: number): number {
  return Math.min(5000, 100 * 2 ** failures);
}

/** fsm 'main': which registration loop a process runs (Process.loop). */
function loopKey(dekId: number, epoch: number): string {
  return `${dekId}|${epoch}`;
}

/** Whether `data` is a registration entry (0x03) of `fullNodeId`'s, under any DEK. */
function isRegistrationOf(data: Uint8Array, fullNodeId: bigint): boolean {
  if (data[0] !== OPCODE.registration) return false;
  try {
    return decodeRegistration(data.subarray(1)).fullNodeId === fullNodeId;
  } catch {
    return false;
  }
}

/** The custom scenario events this layer handles (ScenarioEvent kind 'custom'). */
export type LifecycleEvent =
  /** `dekId`: the new DEK's id (default: one above the newest). */
  | { name: 'rotate-dek'; dekId?: number }
  /** fsm 'main': the operator's raft cutover (0x05/0x05) through the leader (nothing under Stage 6A). */
  | { name: 'enable-raft-envelope' }
  /** fsm 'main': the leader's raft rotate-dek (0x05/0x01 of raft purpose; nothing under Stage 6A). */
  | { name: 'rotate-raft-dek' }
  /** `learner`: it stays a learner (never promoted). */
  | { name: 'add-node'; node: string; learner?: boolean }
  | { name: 'remove-node'; node: string }
  /** The operator replaces `node` by learner `joiner` (scenario event replace-node). */
  | { name: 'replace-node'; node: string; joiner: string; cutMs?: number }
  | { name: 'crash-after-apply'; node: string; restartAfterMs?: number }
  /** `node` crash-loops: its next starts die right after the start-up bump, until its epoch is `toEpoch` (scenario event crash-loop). */
  | { name: 'crash-loop'; node: string; toEpoch: number; restartAfterMs?: number };

/** The sim event for a lifecycle operation. */
export function lifecycleEvent(at: number, ev: LifecycleEvent): ScenarioEvent {
  const { name, ...data } = ev;
  return { at, kind: 'custom', name, data };
}

export interface LifecycleOptions {
  /** Members that boot at time 0. */
  members: readonly string[];
  /** Raft slots that join later through add-node (SimConfig.dormantNodes). */
  joiners?: readonly string[];
  policy?: PolicyOverrides;
  /** Sidecar epoch under the initial DEK a member's disk starts with (an old node near exhaustion). */
  initialEpochs?: Readonly<Record<string, number>>;
  /**
   * Full node ids given directly instead of derived from the raft id (as if
   * the raft id were a string with that FNV-1a-64 hash): every bit pattern,
   * not only the ones a search for real strings can reach.
   */
  fullIds?: Readonly<Record<string, bigint>>;
  /** The DEK the cluster starts under (default INITIAL_DEK). */
  initialDek?: number;
  /** Client KV writes per virtual second (Poisson arrivals), proposed until `writesUntilMs`. */
  kvWritesPerSec: number;
  writesUntilMs: number;
}

/** One node process's volatile lifecycle state: a new object per start, dropped when the process dies. */
class Process {
  /** guarding: the start-up guards have not passed yet (nothing is encrypted). */
  phase: 'guarding' | 'running' = 'guarding';
  /** The next nonce's write_count (production main starts every process load at 1). */
  writeCount: number;
  registerAttempts = 0;
  /** Whether a Register loop for its current (DEK, epoch) is running (proposed, and not ended by the row showing it). */
  proposed = false;
  /** fsm 'main' before the node applied a bootstrap: no DEK, so nothing is encrypted or registered. */
  noDek = false;
  /**
   * fsm 'main': the state cache's storage_envelope_active, from the sidecar at
   * start and after each 0x04/0x05 apply. Until the cutover (Phase 0) the
   * node writes cleartext and proposes no registration (§5.2, §5.9).
   */
  envelope = false;
  read: ReadIndex | undefined = undefined;
  /** The caught-up registry folded so far (kept between polls). */
  readonly fold = new CaughtUpFold();
  /** registered()'s last answer, and the rows and registration it was for. */
  registeredMemo: { version: number; dekId: number; epoch: number; value: boolean } = { version: -1, dekId: -1, epoch: -1, value: false };
  /** fsm 'main': the (DEK, epoch) whose registration loop (§5.2) is running (loopKey). */
  loop: string | undefined = undefined;
  /**
   * fsm 'main', the raft envelope (§2.6, §5.5): the raft DEK (the sidecar's
   * active.raft; 0: none) and the raft epoch this process pinned (the
   * sidecar's, bumped at start once the raft cutover is recorded, §4 row 10).
   */
  raftDek = 0;
  raftEpoch = 0;
  /** The raft nonce factory's next write_count: a counter of its own, from 1 [inferred]. */
  raftWriteCount = 1;
  /** The raft wrap is installed (the cutover recorded at start, or applied since): what this process proposes is sealed. */
  raftWrap = false;
  /** The state cache marks this process registered at (raftDek, raftEpoch): its raft-wrapped proposals pass (§5.5). */
  raftRegistered = false;
  /** The §5.5 watcher is ticking. */
  raftWatching = false;
  /** The (DEK, epoch) whose raft registration loop is running (loopKey). */
  raftLoop: string | undefined = undefined;
  /** The FSM rows as the disk held them when the process opened (variant post-replay-guard-reads-open-rows). */
  rowsAtOpen: readonly TraceRow[] | undefined = undefined;

  constructor(
    readonly node: SimNode,
    readonly fullNodeId: bigint,
    public dekId: number,
    public epochBefore: number,
    public epoch: number,
    readonly firstWriteCount: number,
  ) {
    this.writeCount = firstWriteCount;
  }
}

export class NodeLifecycle implements SimHooks {
  readonly policy: LifecyclePolicy;
  private readonly fullIds = new Map<string, bigint>();
  /** Members in join order: the boot members, then joiners whose start-up guards passed. */
  private readonly memberOrder: string[];
  /** Joiners an add-node event has let start. */
  private readonly admitted = new Set<string>();
  private readonly removed = new Set<string>();
  /** Joiners added as learners for good (add-node `learner`). */
  private readonly learnersForGood = new Set<string>();
  private readonly procs = new Map<string, Process>();
  private readonly crashAfterApply = new Map<string, number | undefined>();
  /** crash-loop: the epoch a node's next bootstrapped start fast-forwards to. */
  private readonly crashLoops = new Map<string, number>();
  /** Committed rotation markers, index -> DEK, learnt at their first apply anywhere. */
  private readonly rotations = new Map<number, number>();
  private readonly rotationsRecorded = new Set<number>();
  private readonly initialDek: number;
  private lastProposedDek: number;
  private workloadStarted = false;
  /** An admission still under way at faults-end is given up (a node added in the quiet period is a fault). */
  private faultsEnded = false;
  /** Stage 6A's sidecar layout, or production main's document (policy fsm 'main'). */
  private readonly sidecar: SidecarAccess;
  private readonly mainFsm: boolean;
  /** fsm 'main': some node has applied the cohort's bootstrap entry. */
  private bootstrapSeen = false;
  /** fsm 'main': the operator has asked for the storage cutover; some node has flipped on it. */
  private cutoverAsked = false;
  private cutoverSeen = false;
  /** fsm 'main': some node has recorded a raft cutover (0x05/0x05) in its sidecar. */
  private raftCutoverSeen = false;

  constructor(private readonly opts: LifecycleOptions) {
    this.policy = resolvePolicy(opts.policy);
    for (const name of [...opts.members, ...(opts.joiners ?? [])]) this.fullIds.set(name, opts.fullIds?.[name] ?? deriveNodeId(name));
    this.memberOrder = [...opts.members];
    this.initialDek = opts.initialDek ?? INITIAL_DEK;
    this.lastProposedDek = this.initialDek;
    this.mainFsm = this.policy.fsm === 'main';
    this.sidecar = this.mainFsm ? MAIN_SIDECAR : STAGE6A_SIDECAR;
  }

  // --- process start: bump, guards, registration -----------------------------------

  onNodeStart(sim: SimApi, name: string, info: NodeStartInfo): void | 'refuse' {
    this.startWorkload(sim);
    if (!this.mayStart(name)) {
      return this.refuse(sim, name, { guard: 'not-a-member', detail: 'removed from the cluster, or not added yet' });
    }
    const node = sim.node(name);
    const disk = node.disk;
    const g = this.policy.guards;
    const sc = this.sidecar;
    const initial = this.opts.initialEpochs?.[name];
    // Under main a bootstrap writes local_epoch 0 whatever the disk held: initial epochs do not apply.
    if (!this.mainFsm && !info.restart && initial !== undefined && sc.epoch(disk, this.initialDek) === 0) {
      sc.setEpoch(disk, this.initialDek, initial);
    }
    let dekId = sc.activeDek(disk);
    if (dekId === undefined && this.mainFsm) {
      if (!this.provision(sim, node)) return this.startUnbootstrapped(sim, node);
      dekId = sc.activeDek(disk) as number;
    }
    if (this.mainFsm) return this.startMain(sim, node, dekId as number, info);
    if (dekId === undefined) {
      // A fresh disk joins under the cluster's current DEK (the keystore comes with membership).
      dekId = this.clusterDek();
      sc.setActiveDek(disk, dekId);
    }
    const before = sc.epoch(disk, dekId);
    const fullNodeId = this.fullId(name);
    const check = new GuardCheck(name, fullNodeId, dekId, before);
    const exhausted = g.exhaustion ? check.exhaustion(exhaustionGuard(before, sim.flags.exhaustionOffByOne)) : undefined;
    if (exhausted) return this.refuseAfter(sim, check, exhausted);
    if (this.crashLoop(sim, node, dekId, before, check)) return this.onNodeStart(sim, name, info);
    const proc = new Process(node, fullNodeId, dekId, before, this.bumpEpoch(sim, node, dekId, before, check), this.firstWriteCount());
    if (g.collision) {
      const members = this.otherMembers(name);
      const collides = check.memberCollision(members, memberCollisionGuard(proc.fullNodeId, members));
      if (collides) return this.refuseAfter(sim, check, collides);
    }
    if (g.registry === 'local') {
      const refusal = this.registryGuards(sim, proc, localView(node), check);
      if (refusal) return this.refuseAfter(sim, check, refusal);
    }
    this.begin(sim, check, proc);
  }

  /** The start-up bump: the next epoch, synced to the sidecar (without the exhaustion guard the u16 wraps, as an unchecked counter would). */
  private bumpEpoch(sim: SimApi, node: SimNode, dekId: number, before: number, check?: GuardCheck): number {
    const epoch = (before + 1) & 0xffff;
    this.writeEpoch(sim, node, dekId, epoch);
    check?.bumped(epoch);
    return epoch;
  }

  /** Writes a bumped `epoch` to the sidecar and records it; `starts`: the crash loop whose starts reached it. */
  private writeEpoch(sim: SimApi, node: SimNode, dekId: number, epoch: number, starts?: number): void {
    // The variant defers the start's storage bump to its registration's apply (proposeRegistration).
    const deferred = sim.flags.epochWrittenAtRegistration && starts === undefined && dekId === this.sidecar.activeDek(node.disk);
    if (!deferred) this.sidecar.setEpoch(node.disk, dekId, epoch, !sim.flags.unsyncedEpochBump);
    sim.trace.record({ dekId, epoch, kind: 'epoch-bump', node: node.name, ...(starts !== undefined ? { starts } : {}), t: sim.now });
  }

  /** The guards passed: record them, and the process runs (its apply loop held if its guards or nonces wait for a caught-up view). */
  private begin(sim: SimApi, check: GuardCheck, proc: Process): void {
    this.record(sim, check, undefined);
    this.procs.set(proc.node.name, proc);
    proc.node.holdApply = this.guardsNeedCaughtUp() || this.policy.nonces.applies === 'after-registration-committed';
    // Raft is built after this hook returns: continue from the event loop.
    sim.after(0, () => this.advance(sim, proc));
  }

  /**
   * fsm 'main': production's guards before the engines, in main's order (1
   * the newest snapshot's raft cutover header, 6 exhaustion, 8 collision
   * with the members of the node's persisted peers, 9 the node's own row on
   * the FSM store as the disk holds it), then the bump (10, which refuses to
   * move past 0xFFFF itself); a refusal bumps nothing. Rows 12, 13 and 15 run after the local replay (onNodeReplayed;
   * main-start.ts).
   */
  private startMain(sim: SimApi, node: SimNode, dekId: number, info: NodeStartInfo): void | 'refuse' {
    const g = this.policy.guards;
    const disk = node.disk;
    const before = this.sidecar.epoch(disk, dekId);
    const fullNodeId = this.fullId(node.name);
    const check = new GuardCheck(node.name, fullNodeId, dekId, before);
    const envelope = this.envelopeActive(node);
    const diverged = this.cutoverRow(sim, node, check);
    if (diverged) return this.refuseAfter(sim, check, diverged);
    if (g.exhaustion) {
      const refusal = check.exhaustion(exhaustionGuard(before, sim.flags.exhaustionOffByOne, true));
      if (refusal) return this.refuseAfter(sim, check, refusal);
    }
    if (g.collision) {
      const peers = persistedPeers(disk, sim.initialConf, sim.nodes).filter((n) => n !== node);
      const members = peers.map((n) => ({ raftId: n.name, fullNodeId: this.fullId(n.name) }));
      const refusal = check.memberCollision(members, memberCollisionGuard(fullNodeId, members));
      if (refusal) return this.refuseAfter(sim, check, refusal);
    }
    if (g.rollback) {
      const own = ownRowIn(info.fsmRowsBeforeOpen ?? [], ownRowKeyHex(dekId, fullNodeId));
      const refusal = check.ownRow(own?.trace, envelope, ownRowGuard('pre-bump', fullNodeId, ownRowOrForeign(own), before, envelope));
      if (refusal) return this.refuseAfter(sim, check, refusal);
    }
    if (this.crashLoop(sim, node, dekId, before, check)) return this.onNodeStart(sim, node.name, info);
    // Row 10: BumpLocalEpoch refuses to move past 0xFFFF itself (row 6 refuses first).
    const exhausted = check.bumpExhausted(bumpExhaustedGuard(before));
    if (exhausted) return this.refuseAfter(sim, check, exhausted);
    const proc = new Process(node, fullNodeId, dekId, before, this.bumpEpoch(sim, node, dekId, before, check), this.firstWriteCount());
    proc.envelope = envelope;
    if (sim.flags.postReplayGuardReadsOpenRows) proc.rowsAtOpen = info.fsmRowsBeforeOpen;
    this.pinRaftEpoch(sim, proc);
    this.begin(sim, check, proc);
  }

  /**
   * crash-loop: this start and the ones after it die right after the bump,
   * before the engine opens, until the sidecar's epoch is the loop's:
   * fast-forwarded, since those starts read the same disk but for the epoch,
   * and of the guards before the bump only exhaustion reads it (main's row 9
   * passes at any higher epoch). Their epochs encrypt nothing; under main
   * the raft epoch moves with them once the cutover is recorded. The first
   * start's guards are recorded; the start after the loop runs them all
   * again (the caller).
   */
  private crashLoop(sim: SimApi, node: SimNode, dekId: number, before: number, check: GuardCheck): boolean {
    const to = this.crashLoops.get(node.name);
    this.crashLoops.delete(node.name);
    if (to === undefined || to <= before) return false;
    check.bumped(before + 1);
    this.record(sim, check, undefined);
    const starts = to - before;
    this.writeEpoch(sim, node, dekId, to, starts);
    const doc = this.mainFsm ? sidecarFile(node.disk) : undefined;
    if (doc !== undefined && raftCutoverDek(doc) !== 0) {
      const raftTo = Math.min(0xffff, (doc.keys.get(doc.activeRaft)?.localEpoch ?? 0) + starts);
      this.writeEpoch(sim, node, doc.activeRaft, raftTo, starts);
    }
    return true;
  }

  /**
   * fsm 'main', row 1, before the KEK load (Phase 0 too): the raft cutover
   * the header of the disk's newest local snapshot records against the
   * sidecar's. A node whose state machine took the cutover from a snapshot
   * it installed never applied the 0x05/0x05, so its sidecar (in no
   * snapshot, §2.2) does not record it: refused at every start from then on.
   */
  private cutoverRow(sim: SimApi, node: SimNode, check: GuardCheck): Refusal | undefined {
    const snapshot = node.disk.snapshot?.raftCutover ?? 0;
    const sidecar = sidecarFile(node.disk)?.raftEnvelopeCutoverIndex;
    return check.cutoverDivergence({ snapshot, sidecar: sidecar ?? 0 }, sim.flags.cutoverGuardOff ? undefined : cutoverGuard(snapshot, sidecar));
  }

  /**
   * fsm 'main', row 10 for the raft DEK: once the sidecar records the raft
   * cutover, the start-up bump moves the raft DEK's local_epoch too (the
   * vectors' startupPrimitives); before it, the process pins raft epoch 0
   * (startup.ts startProcess, [inferred]). A sidecar that records the
   * cutover installs the wrap when the engine opens. (Row 6 reads the
   * storage key's epoch only: the raft epoch never passes it, since a start
   * or a crash loop moves both once the cutover is recorded, a bootstrap
   * writes 0 into both and a rotation copies the epoch pinned at start, so
   * the raft key alone is never the exhausted one [inferred].)
   */
  private pinRaftEpoch(sim: SimApi, proc: Process): void {
    const doc = sidecarFile(proc.node.disk);
    if (doc === undefined || doc.activeRaft === 0) return;
    proc.raftDek = doc.activeRaft;
    if (raftCutoverDek(doc) === 0) return;
    proc.raftWrap = true;
    const before = doc.keys.get(doc.activeRaft)?.localEpoch ?? 0;
    proc.raftEpoch = sim.flags.raftEpochNotBumped ? before : this.bumpEpoch(sim, proc.node, proc.raftDek, before);
  }

  /** fsm 'main': rows 12 and 13, once the process has replayed its own log (main-start.ts). */
  onNodeReplayed(sim: SimApi, name: string): void | 'refuse' {
    const proc = this.procs.get(name);
    if (!this.mainFsm || proc === undefined || proc.phase !== 'guarding') return;
    const pass = afterReplayGuards(sim.now, proc.node, proc.fullNodeId, this.policy.guards.rollback, sim.flags, proc.rowsAtOpen);
    if (pass === undefined) return;
    sim.trace.record(pass.event);
    if (pass.refusal === undefined) return;
    this.procs.delete(name);
    return this.refuse(sim, name, pass.refusal);
  }

  /** Production main writes nonces from write_count 1 (addendum §0 item 6); Stage 6A's lifecycle counts from 0. */
  private firstWriteCount(): number {
    return this.mainFsm ? 1 : 0;
  }

  /**
   * fsm 'main', a node with no sidecar yet (Phase 0): nothing to bump or
   * guard, nothing encrypted or registered, until the node applies the
   * cohort's bootstrap entry (bootstrapApplied).
   */
  private startUnbootstrapped(sim: SimApi, node: SimNode): void | 'refuse' {
    const check = new GuardCheck(node.name, this.fullId(node.name), 0, 0);
    const diverged = this.cutoverRow(sim, node, check);
    if (diverged) return this.refuseAfter(sim, check, diverged);
    this.record(sim, check, undefined);
    const proc = new Process(node, this.fullId(node.name), 0, 0, 0, this.firstWriteCount());
    proc.noDek = true;
    this.procs.set(node.name, proc);
    sim.after(0, () => this.advance(sim, proc));
  }

  /**
   * fsm 'main': a joiner's disk gets the cluster's sidecar keys before its
   * first start, as the operator provisions its KEK file. The addendum does
   * not say how a new member gets its sidecar (the sidecar is in no snapshot);
   * regsim's choice: a copy of a bootstrapped member's document with every
   * local_epoch 0 and no applied index. A boot member never gets one: it
   * waits for the bootstrap entry. False if there is nothing to copy.
   */
  private provision(sim: SimApi, node: SimNode): boolean {
    if (this.opts.members.includes(node.name)) return false;
    const source = this.memberOrder.map((m) => sidecarFile(sim.node(m).disk)).find((doc) => doc !== undefined && doc.activeStorage !== 0);
    if (source === undefined) return false;
    const keys = new Map([...source.keys].map(([id, k]) => [id, { ...k, localEpoch: 0 }]));
    new DiskSidecarStore(node.disk).write({ ...source, raftAppliedIndex: 0, keys });
    return true;
  }

  /**
   * fsm 'main': a Phase 0 process applied the bootstrap: it now has an active
   * DEK, at the epoch it pinned at start, 0 (it bumped nothing: there was no
   * sidecar; startup.ts's startProcess). The batch registered it there, so it
   * proposes nothing, unless it is not in the batch (a joiner).
   */
  private bootstrapApplied(sim: SimApi, proc: Process): void {
    this.bootstrapSeen = true;
    this.askCutover(sim);
    proc.envelope = this.envelopeActive(proc.node);
    if (!proc.noDek) return; // a bumped process keeps the epoch it pinned, whatever the replay wrote
    const dekId = this.sidecar.activeDek(proc.node.disk);
    if (dekId === undefined) return;
    proc.noDek = false;
    proc.dekId = dekId;
    proc.raftDek = sidecarFile(proc.node.disk)?.activeRaft ?? 0;
    proc.proposed = false;
  }

  /** fsm 'main': whether the node's sidecar says storage_envelope_active (not: not yet cut over, or no sidecar). */
  private envelopeActive(node: SimNode): boolean {
    return this.mainFsm && sidecarFile(node.disk)?.storageEnvelopeActive === true;
  }

  /**
   * fsm 'main': once the bootstrap applied, the operator calls
   * enable-storage-envelope (0x05/0x04, §2.5) after a delay drawn per run
   * (up to CUTOVER_WITHIN_MS: the cluster runs in Phase 0 until then).
   */
  private askCutover(sim: SimApi): void {
    if (this.cutoverAsked) return;
    this.cutoverAsked = true;
    sim.after(sim.rng('cutover').int(0, CUTOVER_WITHIN_MS), (s) => this.proposeCutover(s));
  }

  /**
   * The cutover RPC through the leader, whose registration the entry carries
   * (§5.4): under the leader's active storage DEK at its pinned epoch.
   * Retried (as a new RPC) until some node has flipped on one.
   */
  private proposeCutover(sim: SimApi): void {
    this.operatorRpc(sim, () => this.cutoverSeen, (proc) => cutoverEntry(proc.dekId, proc.fullNodeId, proc.epoch));
  }

  /**
   * An operator RPC through the leader's process (running, with a DEK): it
   * proposes `entry(proc)` (undefined: that process cannot serve it yet),
   * retried, as a new RPC, until `done`.
   */
  private operatorRpc(sim: SimApi, done: () => boolean, entry: (proc: Process) => Uint8Array | undefined): void {
    if (done()) return;
    const proc = this.leaderWithDek(sim);
    const data = proc === undefined ? undefined : entry(proc);
    if (proc === undefined || data === undefined) {
      sim.after(WRITE_RETRY_MS, (s) => this.operatorRpc(s, done, entry));
      return;
    }
    sim.propose(data, { node: proc.node.name, wanted: () => !done(), onGiveUp: () => this.operatorRpc(sim, done, entry) });
  }

  /** fsm 'main': the leader's process, if it runs past its guards with a DEK (an operator RPC's way in). */
  private leaderWithDek(sim: SimApi): Process | undefined {
    const leader = this.leader(sim);
    const proc = leader === undefined ? undefined : this.procs.get(leader.name);
    return proc !== undefined && proc.phase === 'running' && !proc.noDek ? proc : undefined;
  }

  /** fsm 'main': the operator's bootstrap RPC through the leader, retried (as a new RPC) until some node has applied it. */
  private proposeBootstrap(sim: SimApi): void {
    const entry = bootstrapEntry(this.initialDek, this.opts.members.map((m) => this.fullId(m)));
    if (entry === undefined) return;
    sim.propose(entry, {
      wanted: () => !this.bootstrapSeen,
      onGiveUp: () => {
        if (!this.bootstrapSeen) this.proposeBootstrap(sim);
      },
    });
  }

  /** Moves a starting process on: guards (once caught up), registration, then its apply loop. */
  private advance(sim: SimApi, proc: Process): void {
    if (!this.isCurrent(proc)) return;
    const node = proc.node;
    if (proc.phase === 'guarding') {
      let view: RegistryView | undefined;
      if (this.guardsNeedCaughtUp()) {
        view = this.caughtUp(sim, proc);
        if (view === undefined) return this.poll(sim, proc);
        const check = new GuardCheck(node.name, proc.fullNodeId, proc.dekId, proc.epochBefore);
        check.bumped(proc.epoch);
        const refusal = this.registryGuards(sim, proc, view, check);
        this.record(sim, check, refusal);
        if (refusal) {
          this.refuse(sim, node.name, refusal);
          this.procs.delete(node.name);
          node.stop();
          return;
        }
      }
      proc.phase = 'running';
      // A joiner's registration is the entry paired with its membership change.
      if (!this.memberOrder.includes(node.name)) {
        this.memberOrder.push(node.name);
        if (!this.learnersForGood.has(node.name)) sim.changeMembership('promote', node.name);
      }
      this.register(sim, proc, view ?? localView(node));
      if (this.mainFsm) this.watchRaft(sim, proc);
    }
    if (!node.holdApply) return;
    if (this.policy.nonces.applies === 'after-registration-committed') {
      const view = this.caughtUp(sim, proc);
      if (view === undefined) return this.poll(sim, proc);
      if (!view.shows(proc.dekId, proc.fullNodeId, proc.epoch)) {
        if (!proc.proposed) {
          // It skipped proposing, or its loop ended, because its registry
          // showed this epoch, and a later commit (a dead incarnation's
          // registration, after a restore took the sidecar back) has since
          // moved the row on: propose it after all, and let the applier
          // judge it (clean run 52007 of seed 20250901: the loop had ended).
          this.proposeRegistration(sim, proc);
        }
        const ahead = view.haltAhead;
        if (ahead === undefined || this.policy.nonces.heldBehindHalt !== 'halt') return this.poll(sim, proc);
        // The committed log holds, before this node's registration, an entry
        // on which its apply loop will halt: the registration can never take
        // effect for it (policy nonces.heldBehindHalt 'halt';
        // fixtures/findings/held-behind-halt). If applying up to that entry
        // encrypts nothing, the loop runs and halts there as every replica
        // does. Otherwise it would encrypt the KV entries before it under the
        // unregistered epoch: fail closed here instead, with that entry's
        // halt, applying nothing more.
        if (ahead.encryptsBefore) return this.haltHeld(proc, ahead);
      }
    }
    node.holdApply = false;
    node.runApply();
  }

  /** Fail closed at `ahead` (a committed entry past the applied index), applying nothing more. */
  private haltHeld(proc: Process, ahead: HaltAhead): void {
    this.procs.delete(proc.node.name);
    proc.node.halt(ahead.index, ahead.reason);
  }

  private poll(sim: SimApi, proc: Process): void {
    sim.after(POLL_MS, () => this.advance(sim, proc));
  }

  private guardsNeedCaughtUp(): boolean {
    const g = this.policy.guards;
    return g.registry === 'caught-up' && (g.rollback || (g.collision && g.collisionScope === 'registry'));
  }

  /** The registry caught up to a read index of the node's current term, once the node has it. */
  private caughtUp(sim: SimApi, proc: Process): RegistryView | undefined {
    const raft = proc.node.raft;
    if (raft === null) return undefined;
    if (proc.read === undefined || proc.read.term !== raft.hs.term) proc.read = requestReadIndex(sim, proc.node);
    return proc.read === undefined ? undefined : caughtUpView(sim, proc.node, proc.read, proc.fold);
  }

  private registryGuards(sim: SimApi, proc: Process, view: RegistryView, check: GuardCheck): Refusal | undefined {
    const g = this.policy.guards;
    const disk = proc.node.disk;
    const collision = g.collision && g.collisionScope === 'registry';
    if (collision || g.rollback) check.read(view);
    if (collision) {
      const refusal = check.registryCollision(registryCollisionGuard(proc.fullNodeId, view, sim.flags.collisionGuardLow32));
      if (refusal) return refusal;
    }
    if (!g.rollback) return undefined;
    const active = { dekId: proc.dekId, before: proc.epochBefore, bumped: proc.epoch };
    const refusal = rollbackGuard(g.compare, proc.fullNodeId, (dek) => this.sidecar.epoch(disk, dek), active, view, sim.flags.rollbackGuardActiveOnly);
    // The sidecar as the guard found it: the epoch under every DEK but the active one (0 where absent).
    const others = this.sidecar.epochs(disk).filter((d) => d.dekId !== proc.dekId);
    return check.rollback(g.compare, Object.fromEntries(others.map((d) => [String(d.dekId), d.epoch])), refusal);
  }

  private record(sim: SimApi, check: GuardCheck, refusal: Refusal | undefined): void {
    const ev = check.event(sim.now, refusal);
    if (ev !== undefined) sim.trace.record(ev);
  }

  /** The guard-check event, then the refusal. */
  private refuseAfter(sim: SimApi, check: GuardCheck, refusal: Refusal): 'refuse' {
    this.record(sim, check, refusal);
    return this.refuse(sim, check.node, refusal);
  }

  private refuse(sim: SimApi, name: string, refusal: Refusal): 'refuse' {
    sim.trace.record({ t: sim.now, node: name, kind: 'guard-refused', guard: refusal.guard, detail: refusal.detail });
    return 'refuse';
  }

  /** Register(dek, full id, epoch) unless `view` already shows this epoch (or there is no DEK yet). */
  private register(sim: SimApi, proc: Process, view: RegistryView): void {
    if (proc.noDek || (this.mainFsm && !proc.envelope) || view.shows(proc.dekId, proc.fullNodeId, proc.epoch)) return;
    // Under main one loop per (DEK, epoch) runs in a process: the start's and the watcher's are the same loop.
    if (this.mainFsm && proc.loop === loopKey(proc.dekId, proc.epoch)) return;
    this.proposeRegistration(sim, proc);
  }

  /**
   * Register(dek, self, epoch) through the leader. Stage 6A's client makes
   * registerMaxAttempts attempts, then proposes afresh. Under main it is the
   * registration loop of §5.2 (7a, and the watcher's, 7b): one attempt at a
   * time, and after one that failed a backoff of 100 ms doubling up to 5 s,
   * then the local row is checked again before the next. An attempt times
   * out after the run's client time-out, not main's 5 s: regsim runs on the
   * compressed clock its election time-outs are on.
   */
  private proposeRegistration(sim: SimApi, proc: Process, failures = 0, purpose: 'storage' | 'raft' = 'storage'): void {
    const raft = purpose === 'raft';
    const dekId = raft ? proc.raftDek : proc.dekId;
    const epoch = raft ? proc.raftEpoch : proc.epoch;
    const key = loopKey(dekId, epoch);
    if (raft) proc.raftLoop = key;
    else {
      proc.proposed = true;
      if (this.mainFsm) proc.loop = key;
    }
    const name = proc.node.name;
    const wanted = (): boolean =>
      (!raft && sim.flags.registrationOutlivesProcess) ||
      (this.isCurrent(proc) && (raft ? proc.raftDek === dekId && proc.raftEpoch === epoch && !proc.raftRegistered : proc.dekId === dekId && proc.epoch === epoch));
    const done = (): boolean => (raft ? this.rowShows(proc, dekId, epoch) : this.registered(proc));
    sim.propose(registrationEntry(dekId, proc.fullNodeId, epoch), {
      node: name,
      maxAttempts: this.mainFsm ? 1 : this.policy.registerMaxAttempts,
      wanted,
      // The raft loop's success marks the state cache (§5.5): the gate on its proposals opens,
      // unless a raft rotation has moved the process to another raft DEK since.
      ...(raft
        ? { onApplied: () => void (proc.raftRegistered ||= wanted() && this.rowShows(proc, dekId, epoch)) }
        : sim.flags.epochWrittenAtRegistration
          ? { onApplied: () => void (wanted() && this.sidecar.epoch(proc.node.disk, dekId) < epoch && this.sidecar.setEpoch(proc.node.disk, dekId, epoch)) }
          : {}),
      onAttempt: () => {
        proc.registerAttempts++;
        sim.trace.record({ attempt: proc.registerAttempts, dekId, epoch, kind: 'register-propose', node: name, t: sim.now });
      },
      // Every attempt timed out and the registry still lacks it: ask again (earlier attempts may yet commit).
      onGiveUp: () => {
        if (!this.mainFsm) {
          if (!wanted()) return;
          if (!this.registered(proc)) this.proposeRegistration(sim, proc);
          else proc.proposed = false;
          return;
        }
        sim.after(registerBackoffMs(failures), () => {
          if (wanted() && !done()) this.proposeRegistration(sim, proc, failures + 1, purpose);
          else if (raft && proc.raftLoop === key) proc.raftLoop = undefined;
          else if (!raft && proc.loop === key) proc.loop = undefined;
        });
      },
    });
  }

  /** The node's local registry shows its current (DEK, epoch). */
  private registered(proc: Process): boolean {
    const store = proc.node.store;
    if (store === null) return false;
    // Asked every 20 ms by each waiting write: the answer is kept until the rows change (a read inside an apply may draw a fault: never kept).
    const version = proc.node.disk.registry.version;
    const memo = proc.registeredMemo;
    if (!store.applying && memo.version === version && memo.dekId === proc.dekId && memo.epoch === proc.epoch) return memo.value;
    const registered = this.rowShows(proc, proc.dekId, proc.epoch);
    if (!store.applying) proc.registeredMemo = { version, dekId: proc.dekId, epoch: proc.epoch, value: registered };
    return registered;
  }

  /** The node's local row under `dekId` is its own at `epoch`. */
  private rowShows(proc: Process, dekId: number, epoch: number): boolean {
    const row = this.ownRow(proc, dekId);
    return row !== undefined && row.fullNodeId === proc.fullNodeId && row.lastSeen === epoch;
  }

  /** The row in the node's own slot under `dekId`, in its local store (whoever owns it). */
  private ownRow(proc: Process, dekId: number): RegistryRow | undefined {
    const value = proc.node.store?.get(registryKey(dekId, low16(proc.fullNodeId)));
    return value === undefined ? undefined : decodeRegistryValue(value);
  }

  // --- the raft envelope (fsm 'main', §2.6, §5.5) -------------------------------------

  /** Starts the §5.5 watcher unless it is ticking already. */
  private watchRaft(sim: SimApi, proc: Process): void {
    if (!proc.raftWatching) this.raftTick(sim, proc);
  }

  /**
   * One tick of the §5.5 watcher: while the raft wrap is installed and the
   * state cache does not mark the process registered at its raft epoch, it
   * reads its own row under the raft DEK. Showing (self, raft epoch): the
   * process is registered. Its own row above the raft epoch: the watcher
   * refuses with a log line only, and the process's raft-wrapped proposals
   * stay refused. Otherwise the registration loop of §5.2 runs for it.
   */
  private raftTick(sim: SimApi, proc: Process): void {
    proc.raftWatching = false;
    if (!this.isCurrent(proc) || proc.phase !== 'running' || !proc.raftWrap || proc.raftRegistered) return;
    const row = this.ownRow(proc, proc.raftDek);
    const own = row !== undefined && row.fullNodeId === proc.fullNodeId;
    if (own && row.lastSeen === proc.raftEpoch) {
      proc.raftRegistered = true;
      return;
    }
    if (!(own && row.lastSeen > proc.raftEpoch) && proc.raftLoop !== loopKey(proc.raftDek, proc.raftEpoch)) this.proposeRegistration(sim, proc, 0, 'raft');
    proc.raftWatching = true;
    sim.after(WATCHER_TICK_MS, () => this.raftTick(sim, proc));
  }

  /**
   * A leader is about to take an entry: once its raft wrap is installed, a
   * process not yet marked registered at its raft epoch refuses every
   * proposal but its own registration (§5.5), which it seals at the epoch
   * not yet registered.
   */
  onPropose(_sim: SimApi, name: string, data: Uint8Array): void | 'refuse' {
    const proc = this.procs.get(name);
    if (proc === undefined || !proc.raftWrap || proc.raftRegistered) return;
    return isRegistrationOf(data, proc.fullNodeId) ? undefined : 'refuse';
  }

  /** A leader took an entry: with the raft wrap installed it sealed it, with the next nonce of its raft factory. */
  onProposed(sim: SimApi, name: string, _data: Uint8Array, index: number): void {
    const proc = this.procs.get(name);
    if (proc === undefined || !proc.raftWrap) return;
    sim.trace.record({
      dekId: proc.raftDek,
      epoch: proc.raftEpoch,
      index,
      kind: 'nonce',
      node: name,
      nodeId16: low16(proc.fullNodeId),
      proposal: true,
      t: sim.now,
      writeCount: String(proc.raftWriteCount++),
    });
  }

  /**
   * The operator's enable-raft-envelope RPC through the leader (§2.6, §5.4):
   * under the leader's active raft DEK, with its registration at the raft
   * epoch it pinned. Retried (as a new RPC) until some node has recorded a
   * raft cutover, or faults end.
   */
  private proposeRaftCutover(sim: SimApi): void {
    this.operatorRpc(
      sim,
      () => this.faultsEnded || this.raftCutoverSeen,
      (proc) => (proc.raftDek === 0 ? undefined : raftCutoverEntry(proc.raftDek, proc.fullNodeId, proc.raftEpoch)),
    );
  }

  // --- applies: nonces, rotation markers, crash triggers ----------------------------

  onApply(sim: SimApi, name: string, info: ApplyInfo): void {
    const proc = this.procs.get(name);
    if (proc === undefined) return;
    if (this.mainFsm && info.entry[0] === OPCODE.bootstrap) {
      this.bootstrapApplied(sim, proc);
      // In the local replay the guards after it have not run: advance() registers once they pass.
      if (proc.phase === 'running') this.register(sim, proc, localView(proc.node));
      return;
    }
    if (this.mainFsm && info.entry[0] === OPCODE.rotation) return this.mainRotationApplied(sim, proc);
    const newDek = rotationMarkerDek(info.entry);
    if (newDek !== undefined) {
      this.rotationCommitted(sim, info.index, newDek);
      if (newDek > proc.dekId) this.switchDek(sim, proc, newDek);
      return;
    }
    if (info.result.kind === 'kv' && isEncryptedWrite(info.entry) && !proc.noDek && (!this.mainFsm || proc.envelope)) {
      // Keys in sorted order, as the trace's canonical form has them (hashing needs no re-sort).
      sim.trace.record({
        dekId: proc.dekId,
        epoch: proc.epoch,
        index: info.index,
        kind: 'nonce',
        node: name,
        nodeId16: low16(proc.fullNodeId),
        t: sim.now,
        writeCount: String(proc.writeCount++),
      });
      return;
    }
    if (info.result.kind === 'registered' && this.crashAfterApply.has(name)) {
      // The registry write is synced; the next snapshot has not been taken: the replay window.
      const restartAfterMs = this.crashAfterApply.get(name);
      this.crashAfterApply.delete(name);
      sim.crash(name, 'after-apply');
      if (restartAfterMs !== undefined) sim.after(restartAfterMs, (s) => s.restart(name));
    }
  }

  onSnapshotInstall(sim: SimApi, name: string, index: number): void {
    // Under main no rotation marker exists, and the sidecar is in no snapshot: an install brings no DEK.
    if (this.mainFsm) return this.headerWrap(sim, name);
    const proc = this.procs.get(name);
    const dek = this.dekAt(index);
    if (proc !== undefined) {
      if (dek > proc.dekId && !sim.flags.installKeepsDek) this.switchDek(sim, proc, dek);
      return;
    }
    // A restart finishing an interrupted install: the process about to start takes the snapshot's DEK.
    const disk = sim.node(name).disk;
    const active = this.sidecar.activeDek(disk);
    if (active !== undefined && dek > active) this.sidecar.setActiveDek(disk, dek);
  }

  /**
   * A crash-after-apply trigger that has not fired by faults-end expires: it is
   * a fault, and none may happen in the quiet period liveness is judged on
   * (a trigger armed just before faults-end used to crash a node long after it,
   * leaving the cluster without a quorum near run-end: a false not-caught-up).
   */
  onFaultsEnd(_sim: SimApi): void {
    this.crashAfterApply.clear();
    this.crashLoops.clear();
    this.faultsEnded = true;
  }

  onCrash(_sim: SimApi, name: string): void {
    this.procs.delete(name);
  }

  onHalt(_sim: SimApi, name: string): void {
    this.procs.delete(name);
  }

  // --- DEK rotation -------------------------------------------------------------------

  private rotationCommitted(sim: SimApi, index: number, dekId: number): void {
    this.rotations.set(index, dekId);
    if (this.rotationsRecorded.has(dekId)) return;
    this.rotationsRecorded.add(dekId);
    sim.trace.record({ t: sim.now, kind: 'rotate-dek', dekId });
  }

  /** The newest DEK any rotation has committed (the cluster's keystore). */
  private clusterDek(): number {
    let dek = this.initialDek;
    for (const d of this.rotations.values()) if (d > dek) dek = d;
    return dek;
  }

  /** The DEK in force after applying up to `index`. */
  private dekAt(index: number): number {
    let dek = this.initialDek;
    for (const [i, d] of this.rotations) if (i <= index && d > dek) dek = d;
    return dek;
  }

  /**
   * fsm 'main': an applied 0x05 (a replay included). A rotation re-points the
   * node's active storage DEK (§2.4), so the process encrypts under whatever
   * its sidecar names now, at the epoch it pinned and with the same
   * write_count (§5.8); the storage cutover flips the envelope on (§2.5), so
   * it encrypts from now on. Either way its runtime watcher registers it at
   * its next tick (§5.3, 7b and 7b'; the proposer's row came with the entry,
   * so it proposes nothing).
   */
  private mainRotationApplied(sim: SimApi, proc: Process): void {
    const active = this.sidecar.activeDek(proc.node.disk);
    const envelope = this.envelopeActive(proc.node);
    if (envelope) this.cutoverSeen = true;
    this.raftApplied(sim, proc);
    if (proc.noDek || active === undefined || (active === proc.dekId && envelope === proc.envelope)) return;
    proc.envelope = envelope;
    proc.proposed = false;
    if (active !== proc.dekId && !this.rotationsRecorded.has(active)) {
      this.rotationsRecorded.add(active);
      sim.trace.record({ t: sim.now, kind: 'rotate-dek', dekId: active });
    }
    proc.dekId = active;
    sim.after(WATCHER_TICK_MS, () => {
      if (this.isCurrent(proc) && proc.phase === 'running' && proc.dekId === active && !proc.proposed) this.register(sim, proc, localView(proc.node));
    });
  }

  /**
   * fsm 'main': after a 0x05 apply, a sidecar that records the raft cutover
   * has had the wrap-installer called (§2.6 steps 4 and 6): the process seals
   * its proposals from now on, at the raft epoch it pinned, and its watcher
   * starts (§5.5).
   */
  private raftApplied(sim: SimApi, proc: Process): void {
    const doc = sidecarFile(proc.node.disk);
    if (doc === undefined || doc.activeRaft === 0) return;
    const moved = doc.activeRaft !== proc.raftDek;
    if (moved && !this.rotationsRecorded.has(doc.activeRaft) && doc.activeRaft !== raftDekFor(this.initialDek)) {
      this.rotationsRecorded.add(doc.activeRaft);
      sim.trace.record({ t: sim.now, kind: 'rotate-dek', dekId: doc.activeRaft, purpose: 'raft' });
    }
    const recorded = raftCutoverDek(doc) !== 0;
    // A wrap installed from a snapshot header stays on its DEK: without the
    // cutover in the sidecar a raft rotation does not call the wrap-installer (§2.4 step 6).
    if (proc.raftWrap && !recorded && !sim.flags.headerWrapFollowsRotation) return;
    // A raft rotation re-points the raft DEK, before the cutover too (the cutover then names the new one).
    proc.raftDek = doc.activeRaft;
    if (!recorded) return;
    this.raftCutoverSeen = true;
    if (proc.raftWrap && !moved) return;
    // The wrap is installed under the (new) raft DEK: the state cache does not
    // mark this process registered under it, so its proposals wait for the
    // watcher's registration at the same raft epoch, which its own applier
    // recorded as the new key's local_epoch (§2.4 step 4 [inferred]: the
    // addendum names the gate only after the cutover).
    if (proc.raftWrap && sim.flags.raftRotationKeepsRegistration) return;
    proc.raftWrap = true;
    proc.raftRegistered = false;
    this.watchRaft(sim, proc);
  }

  /**
   * fsm 'main': a state machine that took the raft cutover from an installed
   * snapshot's header has the wrap installed, as the cold start applies the
   * header's cutover (addendum §3.2; for an install at runtime [inferred]):
   * the process seals what it proposes as leader under its sidecar's raft
   * DEK at the raft epoch it pinned (not bumped: its sidecar does not record
   * the cutover), once its watcher finds it registered there. Without a raft
   * DEK in its sidecar it has no key to seal with.
   */
  private headerWrap(sim: SimApi, name: string): void {
    const proc = this.procs.get(name);
    if (proc === undefined || proc.raftWrap || proc.node.raftCutoverFromHeader === 0) return;
    const raftDek = sidecarFile(proc.node.disk)?.activeRaft ?? 0;
    if (raftDek === 0) return;
    proc.raftDek = raftDek;
    proc.raftWrap = true;
    proc.raftRegistered = false;
    this.watchRaft(sim, proc);
  }

  /**
   * fsm 'main': the storage rotation of a leader started with
   * `--encryption-rotate-on-startup` (§5.4): the new key id is the highest in
   * its sidecar + 1 (the event's, if higher), the leader's own registration
   * inside at its pinned epoch. Until faults end it waits for a leader that
   * runs with a DEK; the proposal dies with the proposer's process.
   */
  private proposeMainRotation(sim: SimApi, requested: number | undefined, purpose: DekPurposeCode = DEK_PURPOSE.storage): void {
    if (this.faultsEnded) return;
    const proc = this.leaderWithDek(sim);
    const doc = proc === undefined ? undefined : sidecarFile(proc.node.disk);
    if (proc === undefined || doc === undefined || doc.activeStorage === 0) {
      sim.after(WRITE_RETRY_MS, (s) => this.proposeMainRotation(s, requested, purpose));
      return;
    }
    const highest = Math.max(...doc.keys.keys());
    if (highest >= 0xffffffff) return; // no DEK id is left above the highest (a u32)
    const dekId = requested !== undefined && requested > highest ? requested : highest + 1;
    const epoch = purpose === DEK_PURPOSE.raft ? proc.raftEpoch : proc.epoch;
    sim.propose(rotateDekEntry(purpose, dekId, proc.fullNodeId, epoch), { node: proc.node.name, wanted: () => this.isCurrent(proc) });
  }

  /** Epochs start again per DEK: bump the new DEK's epoch, then register under it. */
  private switchDek(sim: SimApi, proc: Process, dekId: number): void {
    const disk = proc.node.disk;
    this.sidecar.setActiveDek(disk, dekId);
    proc.dekId = dekId;
    proc.epochBefore = this.sidecar.epoch(disk, dekId);
    proc.epoch = (proc.epochBefore + 1) & 0xffff;
    if (!sim.flags.dekSwitchKeepsWriteCount) proc.writeCount = proc.firstWriteCount;
    proc.proposed = false;
    this.sidecar.setEpoch(disk, dekId, proc.epoch, !sim.flags.unsyncedEpochBump);
    sim.trace.record({ dekId, epoch: proc.epoch, kind: 'epoch-bump', node: proc.node.name, t: sim.now });
    if (proc.phase !== 'running') return;
    this.register(sim, proc, localView(proc.node));
    if (this.policy.nonces.applies === 'after-registration-committed' && !proc.node.holdApply) {
      // The new (DEK, epoch) is used by nothing until its registration commits,
      // as at process start: the apply loop stops after this entry and waits.
      // (Without this wait, an epoch used before its registration commits is
      // invisible to the rollback guard: fixtures/findings/unregistered-epoch-reuse,
      // reached through a rotation.)
      proc.node.holdApply = true;
      sim.after(0, () => this.advance(sim, proc));
    }
  }

  // --- operator events ------------------------------------------------------------------

  onCustom(sim: SimApi, event: Extract<ScenarioEvent, { kind: 'custom' }>): void {
    const data = (event.data ?? {}) as { node?: string; joiner?: string; restartAfterMs?: number; dekId?: number; learner?: boolean; cutMs?: number; toEpoch?: number };
    switch (event.name) {
      case 'rotate-dek': {
        if (this.mainFsm) return this.proposeMainRotation(sim, data.dekId);
        const newest = Math.max(this.lastProposedDek, this.clusterDek());
        if (newest >= 0xffffffff) return; // no DEK id is left above the newest (a u32)
        this.lastProposedDek = data.dekId !== undefined && data.dekId > newest ? data.dekId : newest + 1;
        sim.propose(rotationMarker(this.lastProposedDek));
        return;
      }
      case 'enable-raft-envelope':
        // Stage 6A has no raft envelope: there the operator's call does nothing.
        if (this.mainFsm) this.proposeRaftCutover(sim);
        return;
      case 'rotate-raft-dek':
        // Nor a raft DEK.
        if (this.mainFsm) this.proposeMainRotation(sim, undefined, DEK_PURPOSE.raft);
        return;
      case 'add-node': {
        const name = this.nodeArg(event, data.node);
        if (data.learner === true) this.learnersForGood.add(name);
        if (this.policy.membership?.admission === 'leader-check') return this.admit(sim, name);
        this.addNode(sim, name);
        return;
      }
      case 'remove-node':
        this.removeNode(sim, this.nodeArg(event, data.node));
        return;
      case 'replace-node':
        this.replace(sim, this.nodeArg(event, data.node), this.nodeArg(event, data.joiner), data.cutMs);
        return;
      case 'crash-after-apply':
        this.crashAfterApply.set(this.nodeArg(event, data.node), data.restartAfterMs);
        return;
      case 'crash-loop': {
        const name = this.nodeArg(event, data.node);
        this.crashLoops.set(name, data.toEpoch ?? 0);
        if (sim.node(name).up) sim.crash(name);
        if (data.restartAfterMs !== undefined) sim.after(data.restartAfterMs, (s) => s.restart(name));
        return;
      }
      default:
        throw new RangeError(`unknown lifecycle event "${event.name}"`);
    }
  }

  /**
   * replace-node: once a leader leads and `joiner` has caught up (retried
   * until faults end), the leader's side is cut off if `cutMs` says so, and
   * the operator asks for the promotion and the removal in one go.
   */
  private replace(sim: SimApi, name: string, joiner: string, cutMs: number | undefined): void {
    if (this.faultsEnded) return;
    const leader = sim.leader();
    if (leader === undefined || !caughtUp(leader, sim.node(joiner))) {
      sim.after(WRITE_RETRY_MS, (s) => this.replace(s, name, joiner, cutMs));
      return;
    }
    if (cutMs !== undefined) sim.inject({ at: sim.now, kind: 'isolate-leader', lastsMs: cutMs, withLearners: true });
    this.learnersForGood.delete(joiner);
    sim.changeMembership('promote', joiner);
    this.removeNode(sim, name);
  }

  /** The operator decommissions `name`: never restarted, removed through the log. */
  private removeNode(sim: SimApi, name: string): void {
    this.removed.add(name);
    sim.trace.record({ t: sim.now, node: name, kind: 'remove-node' });
    sim.changeMembership('remove', name);
  }

  private addNode(sim: SimApi, name: string): void {
    this.admitted.add(name);
    sim.trace.record({ t: sim.now, node: name, kind: 'add-node', fullNodeId: String(this.fullId(name)) });
    sim.changeMembership('add-learner', name);
    sim.restart(name);
  }

  /** Production main's admission check on the leader before the add (admission.ts). */
  private admit(sim: SimApi, name: string): void {
    if (this.faultsEnded) return this.admissionRefused(sim, name, 'the operator gave up: faults ended before the admission finished');
    const leader = this.leader(sim);
    const store = leader?.store;
    if (leader === undefined || store === null || store === undefined) {
      sim.after(ADMISSION_RETRY_MS, (s) => this.admit(s, name));
      return;
    }
    const rpc = { node: leader, incarnation: leader.incarnation };
    if (!this.mainFsm) return this.admitUnder(sim, name, rpc, [this.procs.get(leader.name)?.dekId ?? this.clusterDek()]);
    // Under main the leader's state cache names the DEKs (its sidecar's): the
    // storage one (§6.1 step 3), then the raft one if any (step 4); no storage
    // DEK yet: not bootstrapped, the check is skipped (step 1).
    const doc = sidecarFile(leader.disk);
    const storage = doc?.activeStorage ?? 0;
    const raft = doc?.activeRaft && !sim.flags.admissionStorageDekOnly ? [doc.activeRaft] : [];
    this.admitUnder(sim, name, rpc, storage === 0 ? [] : [storage, ...raft]);
  }

  /** §6.1 step 3 under each of `deks` in turn, on the local rows of the leader process that took the RPC; then the add. */
  private admitUnder(sim: SimApi, name: string, leader: { node: SimNode; incarnation: number }, deks: readonly number[]): void {
    const [dekId, ...rest] = deks;
    if (dekId === undefined) return this.addNode(sim, name);
    const store = leader.node.store;
    if (store === null || leader.node.incarnation !== leader.incarnation) {
      return this.admissionRefused(sim, name, "the leader's process ended during the admission: the add is aborted");
    }
    const fullNodeId = this.fullId(name);
    const decision = admissionCheck(store, dekId, fullNodeId);
    sim.trace.record({
      decision: decision.kind,
      dekId,
      fullNodeId: fullIdHex(fullNodeId),
      kind: 'admission-check',
      leader: leader.node.name,
      node: name,
      ...(decision.row !== undefined ? { row: decision.row } : {}),
      t: sim.now,
    });
    if (decision.kind === 'admit') return this.admitUnder(sim, name, leader, rest);
    if (decision.kind === 'refuse') return this.admissionRefused(sim, name, decision.detail, 'admission');
    if (sim.flags.admissionPreRegistrationNotAwaited) {
      sim.propose(registrationEntry(dekId, fullNodeId, 0), { node: leader.node.name, maxAttempts: 1 });
      return this.admitUnder(sim, name, leader, rest);
    }
    sim.propose(registrationEntry(dekId, fullNodeId, 0), {
      node: leader.node.name,
      maxAttempts: 1,
      onApplied: () =>
        this.faultsEnded
          ? this.admissionRefused(sim, name, 'the pre-registration applied after faults ended: the add is given up')
          : this.admitUnder(sim, name, leader, rest),
      onGiveUp: () => this.admissionRefused(sim, name, 'the pre-registration at epoch 0 timed out: the add is aborted'),
    });
  }

  /** 'admission': the check refused (a row taken); 'admission-aborted': the add failed otherwise. */
  private admissionRefused(sim: SimApi, name: string, detail: string, guard: 'admission' | 'admission-aborted' = 'admission-aborted'): void {
    sim.trace.record({ t: sim.now, node: name, kind: 'guard-refused', guard, detail });
  }

  private nodeArg(event: { name: string }, node: string | undefined): string {
    if (node === undefined || !this.fullIds.has(node)) throw new RangeError(`${event.name}: unknown node "${String(node)}"`);
    return node;
  }

  // --- the client workload -------------------------------------------------------------

  /** Poisson client writes from the 'workload' stream, each proposed through a ready leader. */
  private startWorkload(sim: SimApi): void {
    if (this.workloadStarted) return;
    this.workloadStarted = true;
    if (this.mainFsm) this.proposeBootstrap(sim);
    const { kvWritesPerSec, writesUntilMs } = this.opts;
    if (kvWritesPerSec <= 0) return;
    const rng = sim.rng('workload');
    const meanGap = 1000 / kvWritesPerSec;
    for (let t = 0; ; ) {
      t += Math.max(1, Math.round(-Math.log(1 - rng.float()) * meanGap));
      if (t >= writesUntilMs) break;
      const body = new Uint8Array(8);
      for (let i = 0; i < body.length; i++) body[i] = rng.int(0, 255);
      sim.after(t, (s) => this.write(s, kvEntry(body)));
    }
  }

  /** A node serves client writes once its registration for the current epoch is visible (policy). */
  private write(sim: SimApi, entry: Uint8Array): void {
    // One closure for all of this write's retries.
    const attempt = (s: SimApi): void => {
      const leader = this.leader(s);
      const ready = leader !== undefined && (this.policy.nonces.ownWrites === 'immediately' || this.isReady(leader));
      if (ready) s.propose(entry, { node: leader.name });
      else if (s.now + WRITE_RETRY_MS < this.opts.writesUntilMs) s.after(WRITE_RETRY_MS, attempt);
    };
    attempt(sim);
  }

  /** Under main the gate holds only once the storage envelope is active (§5.9): in Phase 0 writes are cleartext. */
  private isReady(node: SimNode): boolean {
    const proc = this.procs.get(node.name);
    return proc !== undefined && proc.phase === 'running' && ((this.mainFsm && !proc.envelope) || this.registered(proc));
  }

  /** The leader a client finds: the up leader of the highest term. */
  private leader(sim: SimApi): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of sim.nodes) {
      if (n.isLeader() && (best === undefined || (n.raft?.hs.term ?? 0) > (best.raft?.hs.term ?? 0))) best = n;
    }
    return best;
  }

  // --- membership ---------------------------------------------------------------------

  /** May this node's process start? */
  private mayStart(name: string): boolean {
    return (this.memberOrder.includes(name) || this.admitted.has(name)) && !this.removed.has(name);
  }

  private otherMembers(name: string): { raftId: string; fullNodeId: bigint }[] {
    return this.memberOrder
      .filter((m) => m !== name && !this.removed.has(m))
      .map((raftId) => ({ raftId, fullNodeId: this.fullId(raftId) }));
  }

  private fullId(name: string): bigint {
    const id = this.fullIds.get(name);
    if (id === undefined) throw new RangeError(`unknown node "${name}"`);
    return id;
  }

  private isCurrent(proc: Process): boolean {
    return this.procs.get(proc.node.name) === proc && proc.node.up;
  }
}
