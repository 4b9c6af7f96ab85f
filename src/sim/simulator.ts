// The driver, in the spirit of TigerBeetle's VOPR: build a cluster from a
// SimConfig, run the event loop on a virtual clock up to a time limit, apply
// the scheduled scenario events, record everything in the trace. It records
// and never judges: the oracle (src/model/oracle.ts) reads the trace afterwards.
import type { ApplierFactory } from '../applier/types.ts';
import type { TraceEvent, TraceNodeSummary } from '../trace/types.ts';
import {
  DEFAULT_CLIENT,
  DEFAULT_ENGINE,
  DEFAULT_NETWORK,
  DEFAULT_RAFT,
  DEFAULT_SNAPSHOT_INTERVAL,
  FAULT_KINDS,
} from './config.ts';
import type { Bytes, ClientParams, EngineOptions, NetworkParams, RaftParams, ScenarioEvent, SimConfig } from './config.ts';
import type { Disk } from './disk.ts';
import { EventQueue } from './event-queue.ts';
import type { Scheduled } from './event-queue.ts';
import { fromHex, toHex } from '../applier/hex.ts';
import { entryDigest } from '../trace/digest.ts';
import type { SimHooks } from './hooks.ts';
import { Network } from './network.ts';
import { StoreFaults } from './storage-faults.ts';
import { SimNode } from './node.ts';
import type { EntryOrigin } from './node.ts';
import { Prng } from './prng.ts';
import type { Rng } from './prng.ts';
import type { CrashCause } from './node.ts';
import type { Entry, Message } from './raft.ts';
import { diskRows } from './store.ts';
import { LIVENESS_PROBE_ENTRY, LIVENESS_PROBE_REQUEST } from '../trace/probe.ts';
import { TraceRecorder } from './trace.ts';
import { variantFlags } from './variants.ts';
import type { SimVariant, VariantFlags } from './variants.ts';

const E_DELIVER = 0;
const E_ELECTION = 1;
const E_HEARTBEAT = 2;
const E_SCENARIO = 3;
const E_SUBMIT = 4;
const E_TIMEOUT = 5;
const E_CALL = 6;
const E_FAULTS_END = 7;

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

export interface ProposeOptions {
  /** The node the client sends to first (default: the node it last saw lead). */
  node?: string;
  /** Base of the trace's requestId (default `p<n>`); attempt k is `<base>#<k>`. */
  requestId?: string;
  maxAttempts?: number;
  /** An attempt was accepted by leader `node` (a `propose` event was recorded). */
  onAttempt?(attempt: number, node: string, requestId: string): void;
  /** The accepting leader applied the entry (the client got its answer). */
  onApplied?(index: number, node: string): void;
  /** Every attempt timed out. */
  onGiveUp?(): void;
  /** Checked before each submission: false drops the proposal for good (its client process is gone). */
  wanted?(): boolean;
}

/** A client request, retried as new proposals until one is applied at the leader that took it. */
class Proposal {
  attempt = 0;
  done = false;
  accepted: EntryOrigin | null = null;
  deadline = 0;
  constructor(
    readonly id: number,
    readonly base: string,
    readonly data: Uint8Array,
    readonly dataHex: string,
    readonly digest: string,
    readonly maxAttempts: number,
    public target: number,
    readonly opts: ProposeOptions,
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

export class Simulator {
  now = 0;
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
  readonly applierFactory: ApplierFactory;
  readonly hooks: SimHooks;
  /** The storage fault domain's injector (undefined: the registry store never fails). */
  readonly storeFaults: StoreFaults | undefined;
  readonly nodes: SimNode[];
  readonly network: Network;
  readonly variantLabel: string;
  /** Indices of the learner slots (SimConfig.learners). */
  readonly learners: readonly number[];
  private readonly byName = new Map<string, SimNode>();
  private readonly queue = new EventQueue<SimEvent | Message>();
  private readonly backups = new Map<string, { node: string; at: number; disk: Disk }>();
  private readonly timeLimit: number;
  private readonly faultsEnd: number;
  private readonly calmAtFaultsEnd: boolean;
  private readonly livenessProbe: boolean;
  private readonly events: ScenarioEvent[];
  private eventsProcessed = 0;
  /** Armed crash triggers per node and crash point, oldest first: each one's restart delay (undefined: stays down). */
  private readonly crashTriggers = new Map<string, (number | undefined)[]>();
  /** The configured election-timeout range (set-election-timeout changes it until faults-end). */
  private readonly baseElectionTimeoutMs: [number, number];
  /** The configured message delays (set-network may change them until faults-end). */
  private readonly baseDelayMs: { minDelayMs: number; maxDelayMs: number };
  /** The highest index any node has seen committed, and its entry's term (for restores). */
  private highestCommit = { index: 0, term: 0 };
  private nextProposalId = 1;
  private clientLeader = 0;
  private readonly pstats = { proposals: 0, accepted: 0, applied: 0, givenUp: 0 };
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
    // A non-default engine option is part of the label (the default keeps the label, and so the trace, unchanged).
    const engineLabel = this.engine.registryReplay === DEFAULT_ENGINE.registryReplay ? '' : `;engine=${this.engine.registryReplay}`;
    this.variantLabel = `applier=${config.applierName ?? 'custom'};sim=${variants.length > 0 ? variants.join('+') : 'none'}${engineLabel}`;
    const k = config.snapshotInterval ?? DEFAULT_SNAPSHOT_INTERVAL;
    this.snapshotInterval = typeof k === 'number' ? k : this.prng.stream('config').int(k[0], k[1]);
    if (!(this.snapshotInterval >= 1)) throw new RangeError(`snapshot interval must be >= 1, got ${this.snapshotInterval}`);
    this.pendingLossRate = config.pendingLossRate ?? 0.5;
    this.applierFactory = config.applier;
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
  }

  // --- running ----------------------------------------------------------------------

  run(): SimResult {
    if (this.ran) throw new Error('a Simulator runs once');
    this.ran = true;
    // Trace events are written with their keys in sorted order (the canonical serializer's fast path).
    const learners = this.learners.map((i) => (this.nodes[i] as SimNode).name);
    this.trace.record({
      electionTimeoutMs: [...this.baseElectionTimeoutMs],
      fullIds: this.config.fullIds !== undefined && Object.keys(this.config.fullIds).length > 0 ? { ...this.config.fullIds } : undefined,
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
    const dormant = new Set(this.config.dormantNodes ?? []);
    for (const node of this.nodes) if (!dormant.has(node.name)) node.start();
    const queue = this.queue;
    const limit = this.timeLimit;
    while (queue.peekTime() <= limit) {
      const ev = queue.pop() as SimEvent | Message;
      this.now = ev.time;
      this.eventsProcessed++;
      if (ev.etype === E_DELIVER) this.deliver(ev as Message);
      else this.dispatch(ev as SimEvent);
    }
    this.now = limit;
    this.hooks.onEnd?.(this);
    this.trace.record({ kind: 'run-end', nodes: this.nodes.map((n) => this.summary(n)), t: limit });
    return { trace: this.trace.events, stats: this.stats(), snapshotInterval: this.snapshotInterval };
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
    if (node.applyPending || this.flags.applyBeforeCommit) node.runApply();
  }

  private dispatch(ev: SimEvent): void {
    switch (ev.etype) {
      case E_ELECTION: {
        const node = ev.node as SimNode;
        node.fireElectionTimer(ev.token);
        if (node.applyPending) node.runApply();
        return;
      }
      case E_HEARTBEAT: {
        const node = ev.node as SimNode;
        node.fireHeartbeat(ev.token);
        if (node.applyPending) node.runApply();
        return;
      }
      case E_SCENARIO:
        this.inject(ev.payload as ScenarioEvent);
        return;
      case E_SUBMIT: {
        const p = ev.payload as Proposal;
        if (!p.done && p.attempt === ev.token) this.submit(p);
        return;
      }
      case E_TIMEOUT:
        this.attemptTimedOut(ev.payload as Proposal, ev.token);
        return;
      case E_CALL:
        (ev.payload as (sim: Simulator) => void)(this);
        return;
      case E_FAULTS_END:
        this.trace.record({ kind: 'faults-end', t: this.now });
        if (this.calmAtFaultsEnd) {
          if (this.network.isPartitioned()) {
            this.network.heal();
            this.trace.record({ kind: 'heal', t: this.now });
          }
          this.network.params = { ...this.network.params, lossRate: 0, dupRate: 0, reorderRate: 0 };
          this.raftParams.electionTimeoutMs = [...this.baseElectionTimeoutMs];
          this.network.params = { ...this.network.params, ...this.baseDelayMs };
        }
        // An armed crash trigger is a fault: none may fire in the quiet period.
        this.crashTriggers.clear();
        this.storeFaults?.stop();
        this.hooks.onFaultsEnd?.(this);
        // Liveness is progress: a client writes once more, and retries until a leader applies it.
        if (this.livenessProbe) this.propose(LIVENESS_PROBE_ENTRY, { requestId: LIVENESS_PROBE_REQUEST, maxAttempts: Number.MAX_SAFE_INTEGER });
        return;
    }
  }

  scheduleElectionTimer(node: SimNode, time: number, token: number): void {
    this.queue.push(new SimEvent(time, E_ELECTION, node, token, null));
  }

  scheduleHeartbeat(node: SimNode, token: number): void {
    this.queue.push(new SimEvent(this.now + this.raftParams.heartbeatMs, E_HEARTBEAT, node, token, null));
  }

  // --- scenario events ------------------------------------------------------------

  /** Carries out a scenario event now (its `at` is ignored). Hooks may use this too. */
  inject(ev: ScenarioEvent): void {
    switch (ev.kind) {
      case 'propose':
        this.propose(ev.data, { node: ev.node, requestId: ev.requestId, maxAttempts: ev.maxAttempts });
        return;
      case 'crash':
        this.crash(ev.node);
        if (ev.restartAfterMs !== undefined) this.after(ev.restartAfterMs, (sim) => sim.restart(ev.node));
        return;
      case 'restart':
        this.restart(ev.node);
        return;
      case 'snapshot':
        this.snapshotNow(ev.node);
        return;
      case 'partition': {
        const groups = this.normalizeGroups(ev.groups);
        this.network.partition(groups);
        this.trace.record({ groups: this.groupNames(groups), kind: 'partition', t: this.now });
        return;
      }
      case 'one-way': {
        const from = this.node(ev.from);
        const to = this.node(ev.to);
        this.network.blockOneWay(from.idx, to.idx);
        this.trace.record({
          groups: [this.nodes.map((n) => n.name)],
          kind: 'partition',
          oneWay: { from: from.name, to: to.name },
          t: this.now,
        });
        return;
      }
      case 'heal':
        this.network.heal();
        this.trace.record({ kind: 'heal', t: this.now });
        return;
      case 'backup':
        this.backup(ev.node, ev.name);
        return;
      case 'restore':
        this.restore(ev.node, ev.name);
        if (ev.restartAfterMs !== undefined) this.after(ev.restartAfterMs, (sim) => sim.restart(ev.node));
        return;
      case 'set-network':
        this.network.params = { ...this.network.params, ...ev.params };
        return;
      case 'crash-leader': {
        const leader = this.leader();
        if (leader === undefined) return;
        leader.crash('leader-kill');
        if (ev.restartAfterMs !== undefined) this.after(ev.restartAfterMs, (sim) => sim.restart(leader.name));
        return;
      }
      case 'crash-after-vote':
      case 'crash-after-ack':
      case 'crash-after-install': {
        const key = `${this.node(ev.node).name}|${ev.kind}`;
        const armed = this.crashTriggers.get(key);
        if (armed === undefined) this.crashTriggers.set(key, [ev.restartAfterMs]);
        else armed.push(ev.restartAfterMs);
        return;
      }
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

  private normalizeGroups(groups: string[][]): number[][] {
    const seen = new Set<number>();
    const out: number[][] = [];
    for (const g of groups) {
      const idx: number[] = [];
      for (const name of g) {
        const i = this.node(name).idx;
        if (seen.has(i)) throw new RangeError(`node ${name} is in two partition groups`);
        seen.add(i);
        idx.push(i);
      }
      if (idx.length > 0) out.push(idx.sort((a, b) => a - b));
    }
    const rest = this.nodes.filter((n) => !seen.has(n.idx)).map((n) => n.idx);
    if (rest.length > 0) out.push(rest);
    return out;
  }

  private groupNames(groups: number[][]): string[][] {
    return groups.map((g) => g.map((i) => (this.nodes[i] as SimNode).name));
  }

  // --- public API for scenarios and hooks --------------------------------------------

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
  after(ms: number, fn: (sim: Simulator) => void): void {
    this.queue.push(new SimEvent(this.now + Math.max(0, ms), E_CALL, null, 0, fn));
  }

  /**
   * `node` reached a crash point: it granted a vote (RaftHost.voted), acknowledged
   * new log entries (RaftHost.acked), or installed a snapshot. An armed trigger
   * for that point fires: the node crashes right after it (`now`: at once, in
   * the middle of the step; else from the event loop, once the vote's or the
   * acknowledgement's message is on its way), and restarts after the
   * trigger's delay. Returns whether a trigger fired.
   */
  crashPoint(node: SimNode, point: 'crash-after-vote' | 'crash-after-ack' | 'crash-after-install', now = false): boolean {
    const key = `${node.name}|${point}`;
    const armed = this.crashTriggers.get(key);
    if (armed === undefined) return false;
    const restartAfterMs = armed.shift();
    if (armed.length === 0) this.crashTriggers.delete(key);
    const cause = point === 'crash-after-vote' ? 'after-vote' : point === 'crash-after-ack' ? 'after-ack' : 'after-install';
    const fire = (sim: Simulator): void => {
      node.crash(cause);
      if (restartAfterMs !== undefined) sim.after(restartAfterMs, (s) => s.restart(node.name));
    };
    if (now) fire(this);
    else this.after(0, fire);
    return true;
  }

  crash(name: string, cause?: CrashCause): void {
    this.node(name).crash(cause);
  }

  restart(name: string): void {
    const node = this.node(name);
    if (node.up) return;
    node.start();
  }

  snapshotNow(name: string): void {
    this.node(name).takeSnapshot();
  }

  backup(name: string, backupName: string): void {
    const node = this.node(name);
    this.backups.set(backupName, { node: node.name, at: this.now, disk: node.disk.copy() });
    this.trace.record({ kind: 'backup', name: backupName, node: node.name, t: this.now });
  }

  /**
   * An operator restores `name`'s whole disk from a backup: the registry and
   * the encryption sidecar come back as they were (the sidecar epoch goes
   * back: the §9.1 fault), but Raft's own state cannot: a Raft disk that goes
   * back in time breaks Raft (a vote cast twice in one term, an acknowledged
   * committed entry forgotten, so a minority elects a leader without it). The
   * realistic procedure, modelled here, is that the restored node rejoins as
   * a fresh member (etcd: remove it, add it back as a learner, promote it once
   * caught up): its Raft log, HardState and local snapshot are discarded (it
   * catches up from the leader, by log or snapshot, replaying onto the
   * restored registry), and it neither votes nor campaigns until its term is
   * past every term it may have voted in and it holds every entry committed
   * before the restore (RejoinState; both bounds are what the operator's
   * membership change guarantees, taken from the simulator's global view).
   * The trace's restore event says so (`raft: 'discarded'`).
   */
  restore(name: string, backupName: string): void {
    const node = this.node(name);
    const backup = this.backups.get(backupName);
    if (backup === undefined) throw new RangeError(`no backup named "${backupName}"`);
    if (node.up) node.crash();
    const old = node.disk.raft;
    // What the node is owed, as a log end (term, index) a candidate must reach
    // for its vote: the highest index ever committed (not just what the disks
    // now say: an earlier restore may have wiped the only commit index that
    // knew it), and the end of the log it loses, whose entries it may have
    // acknowledged with a reply still in flight: such an entry can commit after
    // the restore, counting this node in its majority (a floor at the highest
    // commit alone let a minority elect a leader without it). An earlier
    // rejoin's floor carries over.
    const oldLastIndex = old.offset + old.entries.length;
    const oldEnd = { index: oldLastIndex, term: old.entries[old.entries.length - 1]?.term ?? old.offsetTerm };
    let owed = this.highestCommit;
    for (const end of [oldEnd, old.rejoin === undefined ? undefined : { index: old.rejoin.catchUpIndex, term: old.rejoin.catchUpTerm }]) {
      if (end !== undefined && (end.term > owed.term || (end.term === owed.term && end.index > owed.index))) owed = end;
    }
    const { index: catchUpIndex, term: catchUpTerm } = owed;
    const disk = backup.disk.copy();
    disk.raft = {
      term: 0,
      vote: -1,
      commit: 0,
      entries: [],
      offset: 0,
      offsetTerm: 0,
      rejoin: { voteAboveTerm: Math.max(old.term, old.rejoin?.voteAboveTerm ?? 0, backup.disk.raft.term), catchUpIndex, catchUpTerm },
    };
    disk.snapshot = null;
    node.replaceDisk(disk);
    this.trace.record({
      backupAt: backup.at,
      kind: 'restore',
      name: backupName,
      node: node.name,
      raft: 'discarded',
      rows: diskRows(node.disk),
      t: this.now,
    });
  }

  /** A client proposal: goes to the leader (following redirects), retried as a new proposal after a timeout. */
  propose(data: Bytes, opts: ProposeOptions = {}): void {
    // An empty entry is allowed: it commits like any other and the engine skips it, as it skips Raft's no-ops.
    const bytes = typeof data === 'string' ? fromHex(data) : data.slice();
    const dataHex = toHex(bytes);
    const id = this.nextProposalId++;
    const target = opts.node !== undefined ? this.node(opts.node).idx : this.clientLeader;
    const p = new Proposal(
      id,
      opts.requestId ?? `p${id}`,
      bytes,
      dataHex,
      entryDigest(bytes),
      opts.maxAttempts ?? this.clientParams.maxAttempts,
      target,
      opts,
    );
    this.pstats.proposals++;
    this.live.set(id, p);
    this.startAttempt(p);
  }

  private startAttempt(p: Proposal): void {
    p.attempt++;
    p.accepted = null;
    p.deadline = this.now + this.clientParams.proposalTimeoutMs;
    this.queue.push(new SimEvent(p.deadline, E_TIMEOUT, null, p.attempt, p));
    this.submit(p);
  }

  private submit(p: Proposal): void {
    if (p.done || p.accepted !== null) return;
    if (p.opts.wanted?.() === false) {
      p.done = true;
      this.live.delete(p.id);
      return;
    }
    const node = this.nodes[p.target] as SimNode;
    const raft = node.raft;
    if (raft !== null && node.isLeader()) {
      const origin: EntryOrigin = { proposalId: p.id, attempt: p.attempt, node, incarnation: node.incarnation };
      const entry = raft.propose(
        (index, term): Entry => ({ index, term, data: p.data, hex: p.dataHex, digest: p.digest, origin }),
      );
      if (entry === null) return;
      p.accepted = origin;
      this.clientLeader = node.idx;
      this.pstats.accepted++;
      const requestId = `${p.base}#${p.attempt}`;
      this.trace.record({ entryHex: p.dataHex, kind: 'propose', node: node.name, requestId, t: this.now });
      p.opts.onAttempt?.(p.attempt, node.name, requestId);
      if (node.applyPending || this.flags.applyBeforeCommit) node.runApply();
      return;
    }
    // Not the leader (or down): follow its hint, else try the next node.
    const hint = raft !== null ? raft.leader : -1;
    p.target = hint >= 0 && hint !== node.idx ? hint : (p.target + 1) % this.nodes.length;
    const at = this.now + this.clientParams.redirectDelayMs;
    if (at < p.deadline) this.queue.push(new SimEvent(at, E_SUBMIT, null, p.attempt, p));
  }

  private attemptTimedOut(p: Proposal, attempt: number): void {
    if (p.done || attempt !== p.attempt) return;
    if (p.attempt >= p.maxAttempts) {
      p.done = true;
      this.live.delete(p.id);
      this.pstats.givenUp++;
      p.opts.onGiveUp?.();
      return;
    }
    // Retry at another node; a retry is a new proposal (the old one may still commit).
    if (p.accepted !== null) p.target = (p.accepted.node.idx + 1) % this.nodes.length;
    this.startAttempt(p);
  }

  /** Called by a node whose commit index advanced to `index` (an entry of `term`). */
  noteCommit(index: number, term: number): void {
    if (index > this.highestCommit.index) this.highestCommit = { index, term };
  }

  /** Called by a node's apply loop for an entry a client proposed. */
  entryApplied(node: SimNode, entry: Entry): void {
    const origin = entry.origin as EntryOrigin;
    if (origin.node !== node || origin.incarnation !== node.incarnation) return;
    const p = this.findProposal(origin);
    if (p === null) return;
    p.done = true;
    this.pstats.applied++;
    p.opts.onApplied?.(entry.index, node.name);
  }

  // Proposals are found through the entry's origin; keep a small index by id.
  private readonly live = new Map<number, Proposal>();
  private findProposal(origin: EntryOrigin): Proposal | null {
    const p = this.live.get(origin.proposalId);
    if (p === undefined || p.done || p.attempt !== origin.attempt) return null;
    this.live.delete(p.id);
    return p;
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
      proposals: this.pstats.proposals,
      attemptsAccepted: this.pstats.accepted,
      proposalsApplied: this.pstats.applied,
      proposalsGivenUp: this.pstats.givenUp,
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
