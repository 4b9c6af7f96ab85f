// Runs an applier that lives in another process behind regsim's synchronous
// applier contracts (a Stage 6A ApplierFactory for the simulator, a
// MainFsmFactory for main's vectors), so the simulator stays synchronous and
// deterministic (docs/external-applier.md). One child serves every node; the
// protocol version is the child's choice in the handshake.
//
// Statelessness is checked by restarting the child: on every simulated
// process start once it has applied something (a node that crashed, halted
// or was refused, and every new run), and, if asked, before seeded random
// applies. A spare child is started ahead, so a restart costs only a
// handshake. A stateless child gives the same results either way.
//
// Requests ahead (protocol v2, when the child says it answers them): the
// nodes of one simulated cluster are peers, and when the leader proposes an
// entry, every peer about to apply its index has its apply request sent
// ahead in one message, answered while the cluster commits; a peer's apply
// uses the answer only if its request is unchanged (exchange-v2.ts).
import { SpeculationMissed } from '../applier/types.ts';
import type { ApplierFactory, ApplierNode, ApplyAt, ApplyResponse, EntryApplier } from '../applier/types.ts';
import { createEntryApplier } from '../applier/fsm.ts';
import { sameBytes } from '../applier/main/bytes.ts';
import { createMainFsm, mainNodeFactory, stage6aResponse, stateOf, validateSidecar } from '../applier/main/index.ts';
import type { MainApplierDeps, MainApplyResponse, MainFsm, MainFsmFactory } from '../applier/main/index.ts';
import { Rng } from '../sim/prng.ts';
import { formatCommand, parseCommand } from './argv.ts';
import { Connection } from './connection.ts';
import type { Hello } from './connection.ts';
import { applyV1 } from './exchange-v1.ts';
import type { Counts } from './exchange-v1.ts';
import { answerOf, answeredV2, answersV2, sendAheadV2, applyV2, batchV2, checkDeps, sameAnswer } from './exchange-v2.ts';
import type { Answered, Prediction } from './exchange-v2.ts';
import { ExternalApplierError } from './protocol.ts';
import { answerRequest } from './server-v2.ts';
import type { ServedApplier } from './server-io.ts';
import type { ApplierGeneration, ProtocolVersion } from './protocol.ts';
import { isOrdinary } from './protocol-v2.ts';
import { RequestMemo } from './request-memo.ts';
import type { ApplyRequest } from './protocol-v2.ts';

export interface ExternalApplierOptions {
  /** Deadline for one apply, all of its round trips included (default 5000 ms). */
  timeoutMs?: number;
  /** Deadline for starting the child and the handshake (default 20000 ms). */
  startupTimeoutMs?: number;
  /** Copy the child's stderr to ours as it comes (default: keep its tail for error messages only). */
  forwardStderr?: boolean;
  /** When to restart the child (default: never). */
  restarts?: RestartPolicy;
  /** Most ordinary entries in one batch (protocol v2; default 256; 1 turns batching off). */
  maxBatch?: number;
  /**
   * Speculate (protocol v2 with requests ahead; default false): an apply
   * whose answer has not come yet is answered in-process, as the reference
   * applier of the child's generation would answer the same request, and the
   * child's own answer is checked against it when it comes (at the latest
   * when the run ends, EntryApplier.settle). A wrong prediction throws
   * SpeculationMissed, and the caller simulates the run again; the applier
   * answers that run from its child alone. Only for a caller that reruns
   * (runScenario does).
   */
  speculate?: boolean;
}

export interface RestartPolicy {
  /** Before the first apply of each simulated process start, once the child has applied something. */
  onProcessStart?: boolean;
  /** Before each apply, with this probability, drawn from a PRNG seeded with `seed` (default "restarts"). */
  rate?: number;
  seed?: string;
}

export interface ExternalApplierStats {
  /** Applies answered with a result (an entry of a batch counts once). */
  applies: number;
  /** Applies answered from requests sent ahead (docs/external-applier.md#requests-ahead). */
  answeredAhead: number;
  /** Requests sent ahead: one per distinct request of an entry, however many replicas asked it. */
  requestsAhead: number;
  /** Of those, answers an operation of which came out otherwise on the node's stores (an injected fault), so the child applied the entry again. */
  correctedAhead: number;
  /** Registry reads and writes made on regsim's stores for the child. */
  storeGets: number;
  storeSets: number;
  /** Messages from the child during applies (round trips). */
  roundTrips: number;
  /** Applies answered from a batch. */
  batched: number;
  /** Children started after the first. */
  restarts: number;
  /** Applies answered from a prediction (speculate), each checked against the child's answer. */
  speculated: number;
  /** Predictions the child's answer contradicted: each voided a run, simulated again without speculating. */
  missed: number;
}

export interface ExternalApplier {
  /**
   * An applier per node (the simulator's); all share the one child. A node
   * that hands its sidecar (the production configuration) gets main's FSM
   * through the child (protocol v2), as the built-in gets it; any other a
   * Stage 6A applier.
   */
  readonly factory: ApplierFactory;
  /** Main's FSM per node, over the stores the caller owns (protocol v2 only: ExternalApplierError otherwise). */
  readonly mainFactory: MainFsmFactory;
  /** The name the child gave in its hello. */
  readonly name: string;
  /** The command, as it was run. */
  readonly command: string;
  /** The protocol version the child chose. */
  readonly protocol: ProtocolVersion;
  /** The production applier the child says it implements. */
  readonly applier: ApplierGeneration;
  stats(): ExternalApplierStats;
  /** Ends the child (EOF on its stdin, SIGKILL after a grace period). Idempotent. */
  close(): void;
}

/**
 * Starts `command` (a string split with shell-like quoting, or an argv) as an
 * external applier, does the handshake and returns its factories. Throws
 * ExternalApplierError if it cannot start or fails the handshake.
 */
export function startExternalApplier(command: string | readonly string[], opts: ExternalApplierOptions = {}): ExternalApplier {
  const child = new Child(typeof command === 'string' ? parseCommand(command) : [...command], opts);
  const { hello } = child;
  const mainFactory: MainFsmFactory = (deps) => child.main(deps);
  return {
    factory: (store, node) => {
      if (store == null || typeof store.get !== 'function' || typeof store.set !== 'function') {
        throw new TypeError(`external applier needs a RegistryStore, got ${store === null ? 'null' : typeof store}`);
      }
      const seat = node?.seat;
      // A node of the production configuration hands its sidecar: main's FSM, with the KEK, keystore and pinned epoch the built-in gets.
      if (node?.sidecar !== undefined) return mainNodeFactory((deps) => child.main(deps, seat))(store, node);
      return child.stage6a({ registry: store }, seat);
    },
    mainFactory,
    name: hello.name,
    command: child.label,
    protocol: hello.protocol,
    applier: hello.applier,
    stats: () => ({ ...child.counts }),
    close: () => child.close(),
  };
}

/** Consecutive ordinary entries from the current one, as far as the engine's log shows them. */
function ordinaryRun(entry: Uint8Array, at: ApplyAt, max: number): { index: number; entry: Uint8Array }[] {
  const run = [{ index: at.index, entry }];
  for (let next = at.next(1); run.length < max && isOrdinary(next); next = at.next(run.length)) run.push({ index: at.index + run.length, entry: next });
  return run;
}

type Seat = NonNullable<ApplierNode['seat']>;

/** A node whose request for `index` went ahead under `key`. */
interface Asker {
  peer: Peer;
  key: string;
  index: number;
}

/** A node process the child serves, as a target of requests ahead. */
interface Peer {
  deps: MainApplierDeps | undefined;
  /** The index it applies next, as far as its applies show. */
  next: number;
  /** An answer to its request for `index` (`key` is the request's JSON), given ahead. */
  answer: { index: number; key: string; answered: Answered } | undefined;
  /** The index its request was last sent ahead for. */
  asked: number | undefined;
}

/** Requests sent ahead before their answers are read (each answer is about 1 KiB; a pipe holds 64). */
const MAX_UNREAD = 48;
/** Bytes of requests sent ahead and unread, at most: well below the 64 KiB a pipe holds, so a write to the child never blocks on it. */
const PIPE_BUDGET = 48 * 1024;
/** Speculating, the requests of predictions travel this many to a message: one write, one wake-up of the child, one answer to read. */
const AHEAD_BATCH = 16;
/** ... or fewer, when they come to this many bytes: one message stays well within PIPE_BUDGET. */
const AHEAD_BYTES = 16 * 1024;

/** The reference applier of each generation: what a speculating bridge predicts a child answers. */
const REFERENCE: Record<ApplierGeneration, ServedApplier> = { 'stage-6a': { stage6a: createEntryApplier }, 'production-main': { main: createMainFsm } };

class Child {
  readonly label: string;
  readonly hello: Hello;
  readonly counts: ExternalApplierStats & Counts = { applies: 0, answeredAhead: 0, requestsAhead: 0, correctedAhead: 0, storeGets: 0, storeSets: 0, roundTrips: 0, batched: 0, restarts: 0, speculated: 0, missed: 0 };
  private conn: Connection;
  private spare: Connection | undefined;
  private readonly timeoutMs: number;
  private readonly maxBatch: number;
  private readonly restarts: RestartPolicy;
  private readonly rng: Rng | undefined;
  /** Applies since the child started: a process start restarts it only if it has served one. */
  private served = 0;
  private processStarted = false;
  private broken: ExternalApplierError | undefined;
  /** The nodes of the cluster served last (a new cluster replaces them), by name. */
  private cluster: object | undefined;
  private peers = new Map<string, Peer>();
  /** Its nodes' requests, each distinct one built once. */
  private requests = new RequestMemo();
  /** Messages of requests sent ahead whose answers have not been read yet, in order: the distinct requests' keys (their JSON) and the nodes that asked each. */
  private pending: { keys: string[]; bytes: number; askers: Asker[] }[] = [];
  /** Speculating: the requests of predictions not sent yet, by key (they go AHEAD_BATCH to a message, flushAhead). */
  private readonly unsent = new Map<string, ApplyRequest>();
  private inCall = false;
  private closed = false;
  /** Speculating: the reference applier that predicts answers (undefined: never speculate). */
  private readonly predictor: ServedApplier | undefined;
  /** This cluster's applies are answered by the child alone (the run after a missed prediction). */
  private exact = false;
  private exactNext = false;
  /** Predictions used and not yet checked, by request key. */
  private readonly predicted = new Map<string, Answered>();
  /** What an apply answered from a prediction does when its child must be asked after all (exchange-v2.ts answeredV2). */
  private readonly prediction: Prediction = { beforeCall: () => this.settle(), missed: () => this.missed() };
  /** One function for every applier of this child (the simulator calls each distinct one once). */
  readonly settleAll = (): void => {
    if (this.broken || this.closed || (this.pending.length === 0 && this.unsent.size === 0)) return;
    try {
      this.conn.guarded(this.timeoutMs, () => this.settle());
    } catch (err) {
      if (err instanceof ExternalApplierError) this.broken = err;
      throw err;
    }
  };

  constructor(
    private readonly argv: string[],
    private readonly opts: ExternalApplierOptions,
  ) {
    this.label = formatCommand(argv);
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 256);
    this.restarts = opts.restarts ?? {};
    this.rng = (this.restarts.rate ?? 0) > 0 ? new Rng(this.restarts.seed ?? 'restarts') : undefined;
    this.conn = this.spawn();
    this.hello = this.conn.handshake();
    this.predictor = opts.speculate && this.hello.ahead ? REFERENCE[this.hello.applier] : undefined;
    this.spareUp();
  }

  private get speculating(): boolean {
    return this.predictor !== undefined && !this.exact;
  }

  private spawn(): Connection {
    return new Connection(this.argv, this.label, this.opts);
  }

  /** A spare loads while we work, when restarts may need it. */
  private spareUp(): void {
    if (this.restarts.onProcessStart || this.rng !== undefined) this.spare ??= this.spawn();
  }

  stage6a(deps: MainApplierDeps, seat?: Seat): EntryApplier {
    this.processStart();
    const peer = this.seat(deps, seat);
    // Answers of a batch, for the entries after the one that asked for it.
    let ahead: { index: number; entry: Uint8Array; response: MainApplyResponse }[] = [];
    return {
      apply: (entry, at) =>
        this.call((): ApplyResponse => {
          if (this.hello.protocol === 1) return applyV1(this.conn, this.counts, deps.registry, entry);
          const cached = ahead.shift();
          if (cached !== undefined && at !== undefined && cached.index === at.index && sameBytes(cached.entry, entry)) {
            this.counts.batched++;
            return stage6aResponse(this.applied(peer, at.index, cached.response));
          }
          ahead = [];
          // Speculating, an ordinary entry is predicted as any other: a batch would wait for the child.
          const batch = !this.speculating && at !== undefined && isOrdinary(entry) && !this.answeredFor(peer, at.index);
          const run = batch ? ordinaryRun(entry, at, this.maxBatch) : [];
          if (run.length > 1) {
            this.settle();
            const [first, ...rest] = batchV2(this.conn, this.counts, deps, run);
            ahead = rest.map((response, i) => ({ ...(run[i + 1] as { index: number; entry: Uint8Array }), response }));
            if (first !== undefined) return stage6aResponse(this.applied(peer, at?.index ?? 0, first));
          }
          return stage6aResponse(this.applyOne(peer, deps, at?.index ?? 0, entry));
        }),
      proposed: (index, entry) => this.prefetch(index, entry),
      settle: this.settleAll,
    };
  }

  main(deps: MainApplierDeps | undefined, seat?: Seat): MainFsm {
    if (this.hello.protocol === 1) {
      throw new ExternalApplierError(`external applier \`${this.label}\` speaks protocol 1, which carries no Raft index, sidecar or keystore: main's FSM needs protocol 2`);
    }
    if (this.hello.applier !== 'production-main') {
      throw new ExternalApplierError(`external applier \`${this.label}\` implements ${this.hello.applier}: main's FSM (the production configuration) needs a child whose hello says production-main`);
    }
    checkDeps(deps);
    // As production's constructor (and MainApplier's): refuse an invalid sidecar, prime the state cache.
    const doc = deps?.sidecar?.peek?.();
    if (doc !== undefined) validateSidecar(doc);
    if (deps?.stateCache) Object.assign(deps.stateCache, stateOf(doc));
    this.processStart();
    const peer = this.seat(deps, seat);
    return {
      apply: (raftIndex, entry) => this.call(() => this.applyOne(peer, deps, raftIndex, entry)),
      proposed: (raftIndex, entry) => this.prefetch(raftIndex, entry),
      settle: this.settleAll,
    };
  }

  /**
   * The leader appended an entry: every node about to apply its index (this
   * one too) has its request sent ahead now, so the child works on it while
   * the cluster commits, and the applies find their answers ready. Nothing is
   * waited for here; a child that broke is found at the next apply.
   */
  private prefetch(index: number, entry: Uint8Array): void {
    // Speculating, an apply goes ahead itself when it is predicted: asking at the proposal would build every request twice.
    if (this.broken || this.closed || this.inCall || this.speculating) return;
    try {
      this.conn.guarded(this.timeoutMs, () => {
        // Answers are read in bulk, past a few requests.
        if (this.unreadRequests() >= MAX_UNREAD) this.settle();
        this.askAhead(index, entry, undefined);
      });
    } catch (err) {
      if (!(err instanceof ExternalApplierError)) throw err;
      this.broken = err;
    }
  }

  /** Sends ahead the requests of the nodes other than `except` that apply `index` next and were not asked for it. */
  private askAhead(index: number, entry: Uint8Array, except: Peer | undefined): void {
    // Index 0 is an apply that names none (a scratch fold's): no node applies it next.
    if (!this.hello.ahead || index === 0) return;
    // An answer for `index` came from a request asked for it, so `asked` covers the answered too.
    const targets = [...this.peers.values()].filter((p) => p !== except && p.next === index && p.asked !== index);
    if (targets.length === 0) return;
    // Replicas that agree ask the same: each distinct request goes once, and its answer serves every node that asked it.
    const distinct = new Map<string, ApplyRequest>();
    const keys = targets.map((p) => {
      const { request, key } = this.requests.of(p.deps, index, entry);
      if (!distinct.has(key)) distinct.set(key, request);
      return key;
    });
    this.sendAhead(distinct, targets.map((peer, i) => ({ peer, key: keys[i] as string, index })));
    targets.forEach((p) => (p.asked = index));
  }

  private sendAhead(requests: Map<string, ApplyRequest>, askers: Asker[]): void {
    const keys = [...requests.keys()];
    // A request's key is its JSON: about the bytes it takes in the child's stdin.
    const bytes = keys.reduce((n, key) => n + key.length, 0);
    // Never more unread than a pipe holds: the child may be blocked writing answers we have not read, and our write must not wait on it.
    if (this.unreadBytes() + bytes > PIPE_BUDGET) this.settle();
    sendAheadV2(this.conn, [...requests.values()]);
    this.counts.requestsAhead += requests.size;
    this.pending.push({ keys, bytes, askers });
  }

  /** The predictions' requests not sent yet go, in one message (nothing waits for their answers: they are checked at a settle). */
  private flushAhead(): void {
    if (this.unsent.size === 0) return;
    const requests = new Map(this.unsent);
    this.unsent.clear();
    this.sendAhead(requests, []);
  }

  private unreadRequests(): number {
    return this.pending.reduce((n, p) => n + p.keys.length, 0);
  }

  private unreadBytes(): number {
    return this.pending.reduce((n, p) => n + p.bytes, 0);
  }

  /**
   * Reads the answers to requests sent ahead, for the nodes that asked them,
   * and checks each against the prediction an apply was given for the same
   * request. All are read even past a miss, so the next exchange starts clean.
   */
  private settle(): void {
    this.flushAhead();
    let missed = false;
    for (const { keys, askers } of this.pending.splice(0)) {
      const answers = answersV2(this.conn, this.counts, keys.length);
      const byKey = new Map(keys.map((key, i) => [key, answers[i]]));
      for (const [key, answered] of byKey) {
        const predicted = this.predicted.get(key);
        if (predicted === undefined) continue;
        this.predicted.delete(key);
        // A child that needs a call for it cannot confirm the prediction: the run is redone without.
        if (answered === undefined || !sameAnswer(answered, predicted)) missed = true;
      }
      for (const { peer, key, index } of askers) {
        const answered = byKey.get(key);
        peer.answer = answered === undefined ? undefined : { index, key, answered };
      }
    }
    if (missed) throw this.missed();
  }

  /** A prediction was wrong: this run is void, and the next one is answered by a fresh child alone (nothing of the void run in it). */
  private missed(): SpeculationMissed {
    this.counts.missed++;
    this.predicted.clear();
    this.unsent.clear();
    this.exactNext = true;
    this.processStarted = true;
    return new SpeculationMissed(`external applier \`${this.label}\` answered an apply otherwise than regsim predicted: the run is simulated again without speculating`);
  }

  /**
   * A node process of a simulated cluster takes its seat among the nodes
   * whose applies travel together. A scratch applier of the cluster is
   * predicted as theirs are (it is settled with the run), but no request goes
   * ahead for it: it is no peer.
   */
  private seat(deps: MainApplierDeps | undefined, seat: Seat | undefined): Peer | undefined {
    if (seat === undefined || deps?.registry.peek === undefined) return undefined;
    if (seat.cluster !== this.cluster) {
      this.cluster = seat.cluster;
      this.peers = new Map();
      this.requests = new RequestMemo();
      this.exact = this.exactNext;
      this.exactNext = false;
    }
    const peer: Peer = { deps, next: 0, answer: undefined, asked: undefined };
    if (!seat.scratch) this.peers.set(seat.node, peer);
    return peer;
  }

  private answeredFor(peer: Peer | undefined, index: number): boolean {
    return peer?.answer !== undefined && peer.answer.index === index;
  }

  /** The node has applied `index`: its next apply is the one after. */
  private applied(peer: Peer | undefined, index: number, response: MainApplyResponse): MainApplyResponse {
    if (peer !== undefined) peer.next = index + 1;
    return response;
  }

  /**
   * One entry on one node: from the answer its request got ahead, if it is
   * still the same request; otherwise as an apply, after which the requests
   * of the other nodes about to apply the same index (the other replicas of
   * the entry) go ahead, unless they went at its proposal.
   */
  private applyOne(peer: Peer | undefined, deps: MainApplierDeps | undefined, index: number, entry: Uint8Array): MainApplyResponse {
    const { request, key } = this.requests.of(deps, index, entry);
    const ready = peer?.answer;
    if (peer !== undefined) peer.answer = undefined;
    if (ready !== undefined && ready.key === key) {
      this.counts.answeredAhead++;
      return this.applied(peer, index, answeredV2(this.conn, this.counts, deps, request, ready.answered));
    }
    const predicted = peer !== undefined && this.speculating ? this.predict(index, request, key) : undefined;
    if (predicted !== undefined) {
      this.counts.speculated++;
      return this.applied(peer, index, answeredV2(this.conn, this.counts, deps, request, predicted, this.prediction));
    }
    this.settle();
    const response = this.applied(peer, index, applyV2(this.conn, this.counts, deps, request));
    this.askAhead(index, entry, peer);
    return response;
  }

  /**
   * The answer the reference applier gives `request` (undefined if it needs
   * a call), to be checked against the child's: the request goes ahead for
   * that unless it already did and its answer is unread.
   */
  private predict(index: number, request: ApplyRequest, key: string): Answered | undefined {
    const known = this.predicted.get(key);
    if (known !== undefined) return known;
    const answer = answerRequest(this.predictor as ServedApplier, request as unknown as Parameters<typeof answerRequest>[1]);
    if (answer.kind === 'unanswered') return undefined;
    const predicted = answerOf(answer);
    this.predicted.set(key, predicted);
    if (!this.unsent.has(key) && !this.pending.some((p) => p.keys.includes(key))) this.unsent.set(key, request);
    if (this.unsent.size >= AHEAD_BATCH || [...this.unsent.keys()].reduce((n, k) => n + k.length, 0) >= AHEAD_BYTES) this.flushAhead();
    return predicted;
  }

  /** One guarded exchange; any ExternalApplierError breaks the applier for good. */
  private call<T>(exchange: () => T): T {
    if (this.broken) throw this.broken; // every later call repeats the first error
    if (this.closed) throw new ExternalApplierError(`external applier \`${this.label}\` is closed`);
    if (this.inCall) throw new ExternalApplierError('external applier called re-entrantly from inside a store call');
    this.inCall = true;
    try {
      this.maybeRestart();
      const result = this.conn.guarded(this.timeoutMs, () => {
        // Speculating, answers are read in bulk (and before any exchange that waits for the child); else before every apply.
        if (!this.speculating || this.unreadRequests() >= MAX_UNREAD) this.settle();
        return exchange();
      });
      this.served++;
      return result;
    } catch (err) {
      if (err instanceof ExternalApplierError) this.broken = err;
      throw err;
    } finally {
      this.inCall = false;
    }
  }

  private processStart(): void {
    if (this.restarts.onProcessStart && this.served > 0) this.processStarted = true;
  }

  private maybeRestart(): void {
    const random = this.rng?.chance(this.restarts.rate ?? 0) ?? false;
    if (!this.processStarted && !random) return;
    this.processStarted = false;
    // Predictions are checked against the child that was asked.
    if (this.predicted.size > 0) this.conn.guarded(this.timeoutMs, () => this.settle());
    const old = this.conn;
    this.conn = this.spare ?? this.spawn();
    this.spare = undefined;
    old.close(false);
    const hello = this.conn.handshake();
    if (hello.protocol !== this.hello.protocol || hello.applier !== this.hello.applier || hello.ahead !== this.hello.ahead) {
      const said = (h: Hello): string => `protocol ${h.protocol} (${h.applier}${h.ahead ? ', requests ahead' : ''})`;
      throw this.conn.fail(`answered ${said(hello)} after a restart, ${said(this.hello)} before`);
    }
    this.counts.restarts++;
    this.served = 0;
    // Answers of the old child are not this one's.
    for (const peer of this.peers.values()) peer.answer = undefined;
    this.pending = [];
    this.unsent.clear();
    this.spareUp();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.spare?.close(false);
    this.conn.close();
  }
}
