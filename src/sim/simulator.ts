// The driver, in the spirit of TigerBeetle's VOPR: build a cluster from a
// SimConfig, run the event loop on a virtual clock up to a time limit, hand
// each scheduled scenario event to the fault domain that owns it, record
// everything in the trace. It records and never judges: the oracle
// (src/model/oracle.ts) reads the trace afterwards. The fault domains live in
// their own modules: network/ (delays, loss, partitions), storage/ (the disk,
// the registry store and its latent faults), process/ (a node's process: the
// apply loop, crashes, restarts, halts, crash points), operator/ (backups and
// restores, membership), client/ (proposals and retries), nemesis/ (faults
// aimed at the leader, composed from the others); lifecycle/ (epochs,
// guards, registrations, nonces) runs above them as hooks.
import type { ApplierFactory } from '../applier/types.ts';
import { LIVENESS_PROBE_ENTRY, LIVENESS_PROBE_REQUEST } from '../trace/probe.ts';
import type { TraceEvent, TraceNodeSummary } from '../trace/types.ts';
import { Clients } from './client/proposals.ts';
import type { ProposeOptions } from './client/proposals.ts';
import {
  DEFAULT_CLIENT,
  DEFAULT_ENGINE,
  DEFAULT_NETWORK,
  DEFAULT_RAFT,
  DEFAULT_SNAPSHOT_INTERVAL,
  FAULT_KINDS,
} from './config.ts';
import type { Bytes, ClientParams, EngineOptions, NetworkParams, RaftParams, ScenarioEvent } from './config.ts';
import type { SimConfig } from './sim-config.ts';
import { EventQueue } from './event-queue.ts';
import type { Scheduled } from './event-queue.ts';
import type { SimApi, SimHooks } from './hooks.ts';
import { Network } from './network/network.ts';
import { applyNetworkEvent } from './network/partitions.ts';
import { ConfChangeCuts, injectLeaderFault } from './nemesis/leader-faults.ts';
import type { LeaderFaultEnv } from './nemesis/leader-faults.ts';
import { DiskOperator } from './operator/disk-restore.ts';
import { MembershipOperator } from './operator/membership.ts';
import { CrashPoints } from './process/crash-points.ts';
import type { CrashCause, CrashPoint } from './process/crash-points.ts';
import type { ApplyInfo, NodeEnv, NodeStartInfo } from './process/env.ts';
import { SimNode, initialSnapshot } from './process/node.ts';
import { Prng } from './prng.ts';
import type { Rng } from './prng.ts';
import { confOf } from './raft/conf.ts';
import type { Conf, ConfChange, ConfOp } from './raft/conf.ts';
import type { Entry } from './raft/log.ts';
import type { Message } from './raft/raft.ts';
import { StoreFaults } from './storage/faults.ts';
import { TraceRecorder } from './trace.ts';
import { variantFlags } from './variants.ts';
import type { SimVariant, VariantFlags } from './variants.ts';

/**
 * The default event budget: generated runs take under 2 events per virtual
 * millisecond (14,000 at most in 400 runs of the clean run's seed), so 200
 * per millisecond is far above any run that progresses, and a stuck run ends
 * in seconds of wall time, not with the machine's memory.
 */
export const eventBudget = (timeLimitMs: number): number => 100_000 + 200 * Math.max(0, timeLimitMs);

/** The window of a `traffic` trace event: the messages sent in each such span of virtual time. */
export const TRAFFIC_WINDOW_MS = 500;

const E_DELIVER = 0;
const E_ELECTION = 1;
const E_HEARTBEAT = 2;
const E_SCENARIO = 3;
const E_CALL = 4;
const E_FAULTS_END = 5;

/** A function the simulator runs at a virtual time (SimApi.after). */
type Call = (sim: SimApi) => void;

class SimEvent implements Scheduled {
  seq = 0;
  constructor(
    public time: number,
    public etype: number,
    public node: SimNode | null,
    public token: number,
    public payload: unknown,
  ) {}
}

export interface SimStats {
  events: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  messagesDuplicated: number;
  proposals: number;
  attemptsAccepted: number;
  proposalsApplied: number;
  proposalsGivenUp: number;
  applies: number;
  registrationsApplied: number;
  traceEvents: number;
  virtualMs: number;
}

export interface SimResult {
  trace: TraceEvent[];
  stats: SimStats;
  snapshotInterval: number;
}

export class Simulator implements NodeEnv<SimNode>, SimApi {
  now = 0;
  /** Messages sent, and events processed, before the current traffic window. */
  private sentBefore = 0;
  private eventsBefore = 0;
  readonly trace = new TraceRecorder();
  readonly prng: Prng;
  readonly timingRng: Rng;
  readonly faultsRng: Rng;
  readonly flags: VariantFlags;
  readonly raftParams: RaftParams;
  readonly clientParams: ClientParams;
  readonly engine: EngineOptions;
  readonly snapshotInterval: number;
  readonly pendingLossRate: number;
  readonly tornRate: number;
  readonly applierFactory: ApplierFactory;
  readonly mainFsm: boolean;
  readonly hooks: SimHooks;
  /** The storage fault domain's injector (undefined: the registry store never fails). */
  readonly storeFaults: StoreFaults | undefined;
  readonly nodes: SimNode[];
  readonly network: Network;
  readonly variantLabel: string;
  /** Indices of the learner slots (SimConfig.learners), members or not. */
  readonly learners: readonly number[];
  /** Voters: the slots that are neither learners nor dormant; learners: those that are not dormant. */
  readonly initialConf: Conf;
  private readonly clients: Clients;
  private readonly crashPoints = new CrashPoints();
  private readonly confChangeCuts = new ConfChangeCuts();
  private readonly operator: DiskOperator;
  private readonly membership: MembershipOperator;
  private readonly leaderFaultEnv: LeaderFaultEnv;
  private readonly byName = new Map<string, SimNode>();
  private readonly queue = new EventQueue<SimEvent | Message>();
  private readonly timeLimit: number;
  private readonly faultsEnd: number;
  private faultsEnded = false;
  private readonly calmAtFaultsEnd: boolean;
  private readonly livenessProbe: boolean;
  private readonly events: ScenarioEvent[];
  private eventsProcessed = 0;
  /** The appliers' settle functions (EntryApplier.settle), called once each when the run ends. */
  private readonly settles = new Set<() => void>();
  /** The configured election-timeout range (set-election-timeout changes it until faults-end). */
  private readonly baseElectionTimeoutMs: [number, number];
  /** The configured message delays (set-network may change them until faults-end). */
  private readonly baseDelayMs: { minDelayMs: number; maxDelayMs: number };
  private ran = false;

  constructor(readonly config: SimConfig) {
    const names = config.nodes;
    if (names.length < 3 || names.length > 7) throw new RangeError(`a cluster has 3 to 7 nodes, got ${names.length}`);
    if (new Set(names).size !== names.length) throw new RangeError(`node ids must be distinct: ${names.join(', ')}`);
    this.prng = new Prng(config.seed);
    this.timingRng = this.prng.stream('timing');
    this.faultsRng = this.prng.stream('faults');
    const variants: SimVariant[] = [...(config.variants ?? [])].sort();
    this.flags = variantFlags(variants);
    this.raftParams = { ...DEFAULT_RAFT, ...config.raft };
    this.baseElectionTimeoutMs = [...this.raftParams.electionTimeoutMs];
    this.clientParams = { ...DEFAULT_CLIENT, ...config.client };
    this.engine = { ...DEFAULT_ENGINE, ...config.engine };
    if (this.engine.registryReplay !== 'reapply' && this.engine.registryReplay !== 'skip-applied') {
      throw new RangeError(`unknown engine.registryReplay "${String(this.engine.registryReplay)}"`);
    }
    const cold = this.engine.coldStart;
    if (cold !== undefined && cold !== 'last-snapshot' && cold !== 'durable-applied-index') {
      throw new RangeError(`unknown engine.coldStart "${String(cold)}"`);
    }
    // A non-default engine option is part of the label (the default keeps the label, and so the trace, unchanged).
    const engineLabel = this.engine.registryReplay === DEFAULT_ENGINE.registryReplay ? '' : `;engine=${this.engine.registryReplay}`;
    this.variantLabel = `applier=${config.applierName ?? 'custom'};sim=${variants.length > 0 ? variants.join('+') : 'none'}${engineLabel}`;
    const k = config.snapshotInterval ?? DEFAULT_SNAPSHOT_INTERVAL;
    this.snapshotInterval = typeof k === 'number' ? k : this.prng.stream('config').int(k[0], k[1]);
    if (!(this.snapshotInterval >= 1)) throw new RangeError(`snapshot interval must be >= 1, got ${this.snapshotInterval}`);
    this.pendingLossRate = config.pendingLossRate ?? 0.5;
    this.tornRate = config.tornRate ?? 0.5;
    this.applierFactory = config.applier;
    this.mainFsm = config.fsm === 'main';
    this.hooks = config.hooks ?? {};
    this.storeFaults = config.storeFaults === undefined ? undefined : new StoreFaults(config.storeFaults, this.prng.stream('storage'));
    this.timeLimit = config.timeLimitMs;
    this.events = config.events ?? [];
    let lastFault = 0;
    for (const ev of this.events) if (FAULT_KINDS.has(ev.kind) && ev.at > lastFault) lastFault = ev.at;
    // A lossy, duplicating or reordering base network is a fault that never stops on its own.
    const baseNet = config.network ?? {};
    const lossyBase = (baseNet.lossRate ?? 0) > 0 || (baseNet.dupRate ?? 0) > 0 || (baseNet.reorderRate ?? 0) > 0;
    this.faultsEnd = config.faultsEndMs ?? (lossyBase ? config.timeLimitMs : lastFault);
    this.calmAtFaultsEnd = config.calmAtFaultsEnd ?? true;
    this.livenessProbe = config.livenessProbe ?? this.calmAtFaultsEnd;
    this.nodes = names.map((name, i) => new SimNode(this, i, name));
    for (const node of this.nodes) this.byName.set(node.name, node);
    this.learners = (config.learners ?? []).map((name) => this.node(name).idx);
    const dormant = new Set((config.dormantNodes ?? []).map((name) => this.node(name).idx));
    const voters = this.nodes.map((n) => n.idx).filter((i) => !dormant.has(i) && !this.learners.includes(i));
    this.initialConf = confOf(voters, this.learners.filter((i) => !dormant.has(i)));
    // Production's members start with a local snapshot (node.ts initialSnapshot); joiners install one.
    if (this.engine.coldStart === 'durable-applied-index') for (const n of this.initialMembers()) n.disk.snapshot = initialSnapshot();
    const net: NetworkParams = { ...DEFAULT_NETWORK, ...config.network };
    this.baseDelayMs = { minDelayMs: net.minDelayMs, maxDelayMs: net.maxDelayMs };
    this.network = new Network(
      names.length,
      net,
      this.prng.stream('network'),
      {
        loss: this.prng.stream('network-loss'),
        dup: this.prng.stream('network-dup'),
        reorder: this.prng.stream('network-reorder'),
      },
      () => this.now,
      (msg, time) => {
        msg.time = time;
        this.queue.push(msg);
      },
    );
    this.clients = new Clients({
      nodes: this.nodes,
      trace: this.trace,
      clientParams: this.clientParams,
      appliesUncommitted: this.flags.applyBeforeCommit,
      now: () => this.now,
      node: (name) => this.node(name),
      at: (time, fn) => this.at(time, fn),
      mayPropose: (node, data) => this.hooks.onPropose?.(this, node.name, data) ?? undefined,
      proposed: (node, data, index) => {
        node.proposedHere(index, data);
        this.hooks.onProposed?.(this, node.name, data, index);
      },
    });
    this.operator = new DiskOperator(this.trace, () => this.now, this.flags.restoreForgetsTerm);
    const sim = this;
    this.membership = new MembershipOperator({
      trace: this.trace,
      get now() {
        return sim.now;
      },
      leader: () => this.leader(),
      after: (ms, fn) => this.after(ms, fn),
    });
    this.leaderFaultEnv = {
      get now() {
        return sim.now;
      },
      names: this.config.nodes,
      network: this.network,
      trace: this.trace,
      crashPoints: this.crashPoints,
      operator: this.operator,
      faultsEnd: this.faultsEnd,
      leader: () => this.leader(),
      node: (name) => this.node(name),
      after: (ms, fn) => this.after(ms, fn),
      restartLater: (name, ms) => this.restartLater(name, ms),
    };
  }

  // --- running ----------------------------------------------------------------------

  run(): SimResult {
    if (this.ran) throw new Error('a Simulator runs once');
    this.ran = true;
    // Trace events are written with their keys in sorted order (the canonical serializer's fast path).
    const learners = this.learners.map((i) => (this.nodes[i] as SimNode).name);
    this.trace.record({
      coldStart: this.engine.coldStart === 'durable-applied-index' ? 'durable-applied-index' : undefined,
      electionTimeoutMs: [...this.baseElectionTimeoutMs],
      fsm: this.mainFsm ? 'main' : undefined,
      fullIds: this.config.fullIds !== undefined && Object.keys(this.config.fullIds).length > 0 ? { ...this.config.fullIds } : undefined,
      initialSnapshot: this.engine.coldStart === 'durable-applied-index' ? this.initialMembers().map((n) => n.name) : undefined,
      kind: 'run-start',
      learners: learners.length > 0 ? learners : undefined,
      nodes: this.nodes.map((n) => n.name),
      seed: this.config.seed,
      t: 0,
      variant: this.variantLabel,
    });
    // Scenario events are queued before anything else, so at equal times they run first, in list order.
    const sorted = this.events.map((ev, i) => ({ ev, i })).sort((a, b) => a.ev.at - b.ev.at || a.i - b.i);
    for (const { ev } of sorted) {
      if (ev.at <= this.timeLimit) this.queue.push(new SimEvent(Math.max(0, ev.at), E_SCENARIO, null, 0, ev));
    }
    if (this.faultsEnd <= this.timeLimit) this.queue.push(new SimEvent(this.faultsEnd, E_FAULTS_END, null, 0, null));
    for (const node of this.initialMembers()) node.start();
    const limit = this.timeLimit;
    const end = this.loop(limit, this.config.maxEvents ?? eventBudget(limit));
    this.now = end;
    for (const settle of this.settles) settle();
    this.hooks.onEnd?.(this);
    this.trace.record({ kind: 'run-end', nodes: this.nodes.map((n) => this.summary(n)), t: end, ...(end < limit ? { cut: true as const } : {}) });
    return { trace: this.trace.events, stats: this.stats(), snapshotInterval: this.snapshotInterval };
  }

  /**
   * The event loop: runs the queue up to `limit`, or until `budget` events,
   * and records the traffic windows; returns when the run ended. A method of
   * its own, so that the JIT's optimised loop does not also hold the run's
   * set-up and summary, which it compiled again after every deoptimisation.
   */
  private loop(limit: number, budget: number): number {
    const queue = this.queue;
    let windowEnd = TRAFFIC_WINDOW_MS;
    let end = limit;
    while (queue.peekTime() <= limit) {
      const ev = queue.pop() as SimEvent | Message;
      while (ev.time >= windowEnd) windowEnd = this.recordTraffic(windowEnd);
      this.now = ev.time;
      if (ev.etype === E_CALL) {
        if (!this.runCalls((ev as SimEvent).payload as Call[], budget)) {
          end = this.now;
          break;
        }
      } else if (this.overBudget(budget)) {
        end = this.now;
        break;
      } else if (ev.etype === E_DELIVER) this.deliver(ev as Message);
      else this.dispatch(ev as SimEvent);
    }
    if (end < limit) this.cutShort(windowEnd);
    else while (limit >= windowEnd) windowEnd = this.recordTraffic(windowEnd);
    return end;
  }

  /** Counts one more event: true once the budget is spent and the run ends there (a message storm); a run stuck otherwise throws. */
  private overBudget(budget: number): boolean {
    if (++this.eventsProcessed <= budget) return false;
    if (!this.inMessageStorm()) {
      throw new Error(`the simulation is stuck: ${budget} events by t=${this.now} ms of ${this.timeLimit} (events that make no progress in virtual time)`);
    }
    return true;
  }

  /** The calls of one E_CALL event, each counted as the event it stands for; false if the budget ran out among them. */
  private runCalls(calls: readonly Call[], budget: number): boolean {
    for (const call of calls) {
      if (this.overBudget(budget)) return false;
      call(this);
    }
    return true;
  }

  /**
   * At the event budget: whether most of the current window's events were
   * messages sent. Such a run is a message storm, a finding the oracle judges
   * (liveness 'message-storm'), so it ends there; any other is stuck.
   */
  private inMessageStorm(): boolean {
    return 2 * (this.network.stats.sent - this.sentBefore) >= this.eventsProcessed - this.eventsBefore;
  }

  /** Ends a run at its event budget: the window so far is recorded, and faults end there if they had not. */
  private cutShort(windowEnd: number): void {
    this.recordTraffic(this.now, windowEnd - TRAFFIC_WINDOW_MS);
    if (!this.faultsEnded) this.trace.record({ kind: 'faults-end', t: this.now });
  }

  private deliver(msg: Message): void {
    const node = this.nodes[msg.to] as SimNode;
    const raft = node.raft;
    if (raft === null || !this.network.open(msg.from, msg.to)) {
      this.network.stats.dropped++;
      return;
    }
    this.network.stats.delivered++;
    raft.step(msg);
    node.stepDone();
    if (node.applyPending || this.flags.applyBeforeCommit) node.runApply();
  }

  private dispatch(ev: SimEvent): void {
    switch (ev.etype) {
      case E_ELECTION: {
        const node = ev.node as SimNode;
        node.fireElectionTimer(ev.token);
        node.stepDone();
        if (node.applyPending) node.runApply();
        return;
      }
      case E_HEARTBEAT: {
        const node = ev.node as SimNode;
        node.fireHeartbeat(ev.token);
        node.stepDone();
        if (node.applyPending) node.runApply();
        return;
      }
      case E_SCENARIO:
        this.inject(ev.payload as ScenarioEvent);
        return;
      case E_FAULTS_END:
        this.endFaults();
        return;
    }
  }

  /**
   * Records the messages sent in the window that ends at `end` (liveness
   * judges a storm by them), a whole one or, cut short, the one since `from`;
   * returns the next window's end.
   */
  private recordTraffic(end: number, from?: number): number {
    const sent = this.network.stats.sent;
    this.now = end;
    this.trace.record({ kind: 'traffic', sent: sent - this.sentBefore, t: end, ...(from === undefined ? {} : { from }) });
    this.sentBefore = sent;
    this.eventsBefore = this.eventsProcessed;
    return end + TRAFFIC_WINDOW_MS;
  }

  /** Faults end: every domain stops injecting, and liveness is judged from here. */
  private endFaults(): void {
    this.faultsEnded = true;
    this.trace.record({ kind: 'faults-end', t: this.now });
    if (this.calmAtFaultsEnd) {
      if (this.network.isPartitioned()) applyNetworkEvent({ kind: 'heal' }, this.network, this.config.nodes, this.trace, this.now);
      this.network.params = { ...this.network.params, lossRate: 0, dupRate: 0, reorderRate: 0, ...this.baseDelayMs };
      this.raftParams.electionTimeoutMs = [...this.baseElectionTimeoutMs];
    }
    // An armed crash trigger is a fault: none may fire in the quiet period.
    this.crashPoints.disarmAll();
    this.confChangeCuts.disarmAll();
    this.storeFaults?.stop();
    this.hooks.onFaultsEnd?.(this);
    // Liveness is progress: a client writes once more, and retries until a leader applies it.
    if (this.livenessProbe) this.propose(LIVENESS_PROBE_ENTRY, { requestId: LIVENESS_PROBE_REQUEST, maxAttempts: Number.MAX_SAFE_INTEGER });
  }

  // --- scenario events: each to the domain that owns it -------------------------------

  /** Carries out a scenario event now (its `at` is ignored). Hooks may use this too. */
  inject(ev: ScenarioEvent): void {
    switch (ev.kind) {
      case 'propose':
        this.propose(ev.data, { node: ev.node, requestId: ev.requestId, maxAttempts: ev.maxAttempts });
        return;
      case 'crash':
        this.crash(ev.node);
        this.restartLater(ev.node, ev.restartAfterMs);
        return;
      case 'restart':
        this.restart(ev.node);
        return;
      case 'snapshot':
        this.node(ev.node).takeSnapshot();
        return;
      case 'partition':
      case 'one-way':
      case 'heal':
      case 'set-network':
        applyNetworkEvent(ev, this.network, this.config.nodes, this.trace, this.now);
        return;
      case 'backup':
        this.operator.backup(this.node(ev.node), ev.name);
        return;
      case 'restore':
        this.operator.restore(this.node(ev.node), ev.name, ev.raft === 'keep');
        this.restartLater(ev.node, ev.restartAfterMs);
        return;
      case 'rewind-leader': {
        const leader = this.leader();
        if (leader === undefined) return;
        this.operator.backup(leader, ev.name);
        this.after(ev.afterMs, () => {
          this.operator.restore(leader, ev.name, false);
          this.restartLater(leader.name, ev.restartAfterMs);
        });
        return;
      }
      case 'isolate-leader':
        if (ev.atConfChange === true) this.confChangeCuts.arm(ev);
        else injectLeaderFault(this.leaderFaultEnv, ev);
        return;
      case 'crash-leader':
      case 'figure-8':
        injectLeaderFault(this.leaderFaultEnv, ev);
        return;
      case 'crash-after-vote':
      case 'crash-after-ack':
      case 'crash-after-install':
      case 'crash-after-snapshot-persist':
      case 'crash-after-elect':
      case 'crash-after-commit':
      case 'crash-before-sync':
        this.crashPoints.arm(this.node(ev.node).name, ev.kind, ev.restartAfterMs);
        return;
      case 'set-election-timeout': {
        const [lo, hi] = ev.electionTimeoutMs ?? this.baseElectionTimeoutMs;
        if (!(lo >= 1 && hi >= lo)) throw new RangeError(`set-election-timeout: bad range [${lo}, ${hi}]`);
        this.raftParams.electionTimeoutMs = [lo, hi];
        return;
      }
      case 'custom':
        this.hooks.onCustom?.(this, ev);
        return;
    }
  }

  private restartLater(name: string, restartAfterMs: number | undefined): void {
    if (restartAfterMs !== undefined) this.after(restartAfterMs, (sim) => sim.restart(name));
  }

  // --- the API for hooks (SimApi) ----------------------------------------------------

  /** The node that leads the highest term among running leaders, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes) {
      if (n.raft !== null && n.isLeader() && (best === undefined || n.raft.hs.term > (best.raft as NonNullable<SimNode['raft']>).hs.term)) {
        best = n;
      }
    }
    return best;
  }

  node(name: string): SimNode {
    const node = this.byName.get(name);
    if (node === undefined) throw new RangeError(`unknown node "${name}"`);
    return node;
  }

  /** A named PRNG stream (hooks should use their own names). */
  rng(name: string): Rng {
    return this.prng.stream(name);
  }

  /** Runs `fn` at virtual time now + ms (after everything already scheduled for that time). */
  after(ms: number, fn: (sim: SimApi) => void): void {
    this.at(this.now + Math.max(0, ms), fn);
  }

  /** Runs `fn` at virtual time `time` (after everything already scheduled for that time). */
  at(time: number, fn: Call): void {
    // A call for the time of the event queued last would run right after it: if
    // that is a call event, it takes this one too (a cohort of clients polling
    // every 20 ms stays one event, not one per client).
    const last = this.queue.lastQueued;
    if (last instanceof SimEvent && last.etype === E_CALL && last.time === time) (last.payload as Call[]).push(fn);
    else this.queue.push(new SimEvent(time, E_CALL, null, 0, [fn]));
  }

  /** A client proposal: goes to the leader (following redirects), retried as a new proposal after a timeout. */
  propose(data: Bytes, opts?: ProposeOptions): void {
    this.clients.propose(data, opts);
  }

  crash(name: string, cause?: CrashCause): void {
    this.node(name).crash(cause);
  }

  changeMembership(op: ConfOp, name: string): void {
    this.membership.request(op, this.node(name));
  }

  restart(name: string): void {
    const node = this.node(name);
    if (node.up) return;
    node.start();
  }

  // --- the environment of a node process (NodeEnv) --------------------------------------

  get nodeCount(): number {
    return this.nodes.length;
  }

  nodeName(index: number): string {
    return this.nodes[index]?.name ?? String(index);
  }

  settleAtEnd(settle: () => void): void {
    this.settles.add(settle);
  }

  confProposed(): void {
    if (!this.faultsEnded) this.confChangeCuts.fire(this.leaderFaultEnv);
  }

  send(msg: Message): void {
    this.network.send(msg);
  }

  scheduleElectionTimer(node: SimNode, time: number, token: number): void {
    this.queue.push(new SimEvent(time, E_ELECTION, node, token, null));
  }

  scheduleHeartbeat(node: SimNode, token: number): void {
    this.queue.push(new SimEvent(this.now + this.raftParams.heartbeatMs, E_HEARTBEAT, node, token, null));
  }

  /**
   * `node` reached a crash point: it granted a vote (RaftHost.voted), acknowledged
   * new log entries (RaftHost.acked), or installed a snapshot. An armed trigger
   * for that point fires: the node crashes right after it (`now`: at once, in
   * the middle of the step; else from the event loop, once the vote's or the
   * acknowledgement's message is on its way), and restarts after the
   * trigger's delay. Returns whether a trigger fired.
   */
  crashPoint(node: SimNode, point: CrashPoint, now = false, firing?: () => void): boolean {
    const trigger = this.crashPoints.take(node.name, point);
    if (trigger === undefined) return false;
    firing?.();
    const fire = (): void => {
      node.crash(trigger.cause);
      this.restartLater(node.name, trigger.restartAfterMs);
      if (trigger.then !== undefined) this.after(0, trigger.then);
    };
    if (now) fire();
    else this.after(0, fire);
    return true;
  }

  noteCommit(index: number, term: number): void {
    this.operator.noteCommit(index, term);
  }

  entryApplied(node: SimNode, entry: Entry): void {
    this.clients.entryApplied(node, entry);
  }

  started(node: string, info: NodeStartInfo): void | 'refuse' {
    return this.hooks.onNodeStart?.(this, node, info);
  }

  /** The nodes that boot at time 0 (every slot but the dormant joiners). */
  private initialMembers(): SimNode[] {
    const dormant = new Set(this.config.dormantNodes ?? []);
    return this.nodes.filter((n) => !dormant.has(n.name));
  }

  replayed(node: string): void | 'refuse' {
    return this.hooks.onNodeReplayed?.(this, node);
  }

  applied(node: string, info: ApplyInfo): void {
    this.hooks.onApply?.(this, node, info);
  }

  halted(node: string, index: number, reason: string): void {
    this.hooks.onHalt?.(this, node, index, reason);
  }

  crashed(node: string): void {
    this.hooks.onCrash?.(this, node);
  }

  installed(node: string, index: number): void {
    this.hooks.onSnapshotInstall?.(this, node, index);
  }

  confApplied(node: SimNode, index: number, change: ConfChange): void {
    const target = this.nodeName(change.node);
    this.trace.record({ index, kind: 'conf-apply', node: node.name, op: change.op, t: this.now, target });
    if (change.op !== 'remove' || change.node !== node.idx) return;
    // A removed member learns of its removal: its process exits for good.
    node.stop();
    this.trace.record({ kind: 'member-exit', node: node.name, t: this.now, why: 'applied-removal' });
  }

  // --- results ----------------------------------------------------------------------

  summary(node: SimNode): TraceNodeSummary {
    return {
      appliedIndex: node.applied,
      commitIndex: node.commitIndex(),
      halted: node.halted,
      node: node.name,
      rejoining: node.disk.raft.rejoin !== undefined ? true : undefined,
      rowsHash: node.rowsHash(),
      up: node.up,
    };
  }

  stats(): SimStats {
    const ns = this.network.stats;
    const cs = this.clients.stats;
    let applies = 0;
    let regs = 0;
    for (const n of this.nodes) {
      applies += n.appliesTotal;
      regs += n.registrationsApplied;
    }
    return {
      events: this.eventsProcessed,
      messagesSent: ns.sent,
      messagesDelivered: ns.delivered,
      messagesDropped: ns.dropped,
      messagesDuplicated: ns.duplicated,
      proposals: cs.proposals,
      attemptsAccepted: cs.accepted,
      proposalsApplied: cs.applied,
      proposalsGivenUp: cs.givenUp,
      applies,
      registrationsApplied: regs,
      traceEvents: this.trace.events.length,
      virtualMs: this.now,
    };
  }
}

/** Builds and runs one simulation. */
export function simulate(config: SimConfig): SimResult {
  return new Simulator(config).run();
}
