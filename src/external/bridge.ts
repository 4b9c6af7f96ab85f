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
import type { ApplierFactory, ApplyAt, ApplyResponse, EntryApplier } from '../applier/types.ts';
import { sameBytes } from '../applier/main/bytes.ts';
import { mainNodeFactory, stage6aResponse, stateOf, validateSidecar } from '../applier/main/index.ts';
import type { MainApplierDeps, MainApplyResponse, MainFsm, MainFsmFactory } from '../applier/main/index.ts';
import { Rng } from '../sim/prng.ts';
import { formatCommand, parseCommand } from './argv.ts';
import { Connection } from './connection.ts';
import type { Hello } from './connection.ts';
import { applyV1 } from './exchange-v1.ts';
import type { Counts } from './exchange-v1.ts';
import { applyV2, batchV2, checkDeps } from './exchange-v2.ts';
import { ExternalApplierError } from './protocol.ts';
import type { ApplierGeneration, ProtocolVersion } from './protocol.ts';
import { isOrdinary } from './protocol-v2.ts';

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
  /** Registry reads and writes made on regsim's stores for the child. */
  storeGets: number;
  storeSets: number;
  /** Messages from the child during applies (round trips). */
  roundTrips: number;
  /** Applies answered from a batch. */
  batched: number;
  /** Children started after the first. */
  restarts: number;
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
  // A node of the production configuration hands its sidecar: main's FSM, with the KEK, keystore and pinned epoch the built-in gets.
  const mainNode = mainNodeFactory(mainFactory);
  return {
    factory: (store, node) => {
      if (store == null || typeof store.get !== 'function' || typeof store.set !== 'function') {
        throw new TypeError(`external applier needs a RegistryStore, got ${store === null ? 'null' : typeof store}`);
      }
      return node?.sidecar !== undefined ? mainNode(store, node) : child.stage6a({ registry: store });
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

class Child {
  readonly label: string;
  readonly hello: Hello;
  readonly counts: ExternalApplierStats & Counts = { applies: 0, storeGets: 0, storeSets: 0, roundTrips: 0, batched: 0, restarts: 0 };
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
  private inCall = false;
  private closed = false;

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
    this.spareUp();
  }

  private spawn(): Connection {
    return new Connection(this.argv, this.label, this.opts);
  }

  /** A spare loads while we work, when restarts may need it. */
  private spareUp(): void {
    if (this.restarts.onProcessStart || this.rng !== undefined) this.spare ??= this.spawn();
  }

  stage6a(deps: MainApplierDeps): EntryApplier {
    this.processStart();
    // Answers of a batch, for the entries after the one that asked for it.
    let ahead: { index: number; entry: Uint8Array; response: MainApplyResponse }[] = [];
    return {
      apply: (entry, at) =>
        this.call((): ApplyResponse => {
          if (this.hello.protocol === 1) return applyV1(this.conn, this.counts, deps.registry, entry);
          const cached = ahead.shift();
          if (cached !== undefined && at !== undefined && cached.index === at.index && sameBytes(cached.entry, entry)) {
            this.counts.batched++;
            return stage6aResponse(cached.response);
          }
          ahead = [];
          const run = at !== undefined && isOrdinary(entry) ? ordinaryRun(entry, at, this.maxBatch) : [];
          if (run.length > 1) {
            const [first, ...rest] = batchV2(this.conn, this.counts, deps, run);
            ahead = rest.map((response, i) => ({ ...(run[i + 1] as { index: number; entry: Uint8Array }), response }));
            if (first !== undefined) return stage6aResponse(first);
          }
          return stage6aResponse(applyV2(this.conn, this.counts, deps, at?.index ?? 0, entry));
        }),
    };
  }

  main(deps: MainApplierDeps | undefined): MainFsm {
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
    return { apply: (raftIndex, entry) => this.call(() => applyV2(this.conn, this.counts, deps, raftIndex, entry)) };
  }

  /** One guarded exchange; any ExternalApplierError breaks the applier for good. */
  private call<T>(exchange: () => T): T {
    if (this.broken) throw this.broken; // every later call repeats the first error
    if (this.closed) throw new ExternalApplierError(`external applier \`${this.label}\` is closed`);
    if (this.inCall) throw new ExternalApplierError('external applier called re-entrantly from inside a store call');
    this.inCall = true;
    try {
      this.maybeRestart();
      const result = this.conn.guarded(this.timeoutMs, exchange);
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
    const old = this.conn;
    this.conn = this.spare ?? this.spawn();
    this.spare = undefined;
    old.close(false);
    const hello = this.conn.handshake();
    if (hello.protocol !== this.hello.protocol || hello.applier !== this.hello.applier) {
      throw this.conn.fail(`answered protocol ${hello.protocol} (${hello.applier}) after a restart, protocol ${this.hello.protocol} (${this.hello.applier}) before`);
    }
    this.counts.restarts++;
    this.served = 0;
    this.spareUp();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.spare?.close(false);
    this.conn.close();
  }
}
