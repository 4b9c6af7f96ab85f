// What a node process needs from the simulator that runs it: the clock and
// timers, the network, the trace, the run's parameters and injectors, and the
// places it reports to (the lifecycle hooks, the clients, the crash points).
// An interface, so the process module does not import the simulator that
// imports it. `N` is the node type (SimNode), kept generic for the same reason.
import type { ApplierFactory, ApplyResponse } from '../../applier/types.ts';
import type { EngineOptions, RaftParams } from '../config.ts';
import type { Rng } from '../prng.ts';
import type { Conf, ConfChange } from '../raft/conf.ts';
import type { Message } from '../raft/raft.ts';
import type { Entry } from '../raft/log.ts';
import type { StoreFaults } from '../storage/faults.ts';
import type { TraceRecorder } from '../trace.ts';
import type { VariantFlags } from '../variants.ts';
import type { TraceRow } from '../../trace/types.ts';
import type { CrashPoint } from './crash-points.ts';

export interface NodeStartInfo {
  /** 1 for the first boot, then one more per restart. */
  incarnation: number;
  /** False for the boot at time 0. */
  restart: boolean;
  /** Where the apply loop resumes (the last local snapshot's index). */
  appliedIndex: number;
  /**
   * fsm 'main': the registry rows of the FSM store as the disk held them
   * before the engine opened it (a cold start's restore, or an interrupted
   * install, replaces them): what production's guard 9 reads.
   */
  fsmRowsBeforeOpen?: readonly TraceRow[];
}

export interface ApplyInfo {
  index: number;
  term: number;
  entry: Uint8Array;
  entryHex: string;
  /** Never a halt: a halting apply calls onHalt instead (unless skip-entry-on-halt skips it). */
  result: ApplyResponse;
}

export interface NodeEnv<N> {
  readonly trace: TraceRecorder;
  readonly flags: VariantFlags;
  readonly raftParams: RaftParams;
  readonly engine: EngineOptions;
  readonly snapshotInterval: number;
  readonly pendingLossRate: number;
  readonly tornRate: number;
  readonly applierFactory: ApplierFactory;
  /** An applier's EntryApplier.settle, to call once at the end of the run. */
  settleAtEnd(settle: () => void): void;
  /** The applier is production main's: each process hands it the node's sidecar file. */
  readonly mainFsm: boolean;
  readonly storeFaults: StoreFaults | undefined;
  /** Election time-outs are drawn from it. */
  readonly timingRng: Rng;
  /** Crash losses are drawn from it. */
  readonly faultsRng: Rng;
  /** The configuration before any configuration entry (raft/conf.ts). */
  readonly initialConf: Conf;
  readonly nodeCount: number;
  readonly now: number;
  nodeName(index: number): string;
  /** A leader here just appended a membership change (an armed isolate-leader atConfChange fires). */
  confProposed(): void;
  send(msg: Message): void;
  after(ms: number, fn: () => void): void;
  scheduleElectionTimer(node: N, time: number, token: number): void;
  scheduleHeartbeat(node: N, token: number): void;
  /** A node reached a crash point: true if an armed trigger crashed it (`now`: at once; `firing`: runs first if it does). */
  crashPoint(node: N, point: CrashPoint, now?: boolean, firing?: () => void): boolean;
  /** Its commit index moved to `index` (an entry of `term`). */
  noteCommit(index: number, term: number): void;
  /** Its apply loop applied an entry a client proposed. */
  entryApplied(node: N, entry: Entry): void;
  restart(name: string): void;
  // The lifecycle hooks, as the process reports its life.
  started(node: string, info: NodeStartInfo): void | 'refuse';
  /** Its local replay (the committed tail of its own log) is done; 'refuse': the process exits. */
  replayed(node: string): void | 'refuse';
  applied(node: string, info: ApplyInfo): void;
  halted(node: string, index: number, reason: string): void;
  crashed(node: string): void;
  installed(node: string, index: number): void;
  /** Its apply loop reached the configuration entry at `index`. */
  confApplied(node: N, index: number, change: ConfChange): void;
}
