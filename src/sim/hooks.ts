// Extension points for the layer above the simulator (node lifecycle: epochs,
// registrations, nonces, DEK rotation). Hooks run synchronously inside the
// event that triggers them, at that event's virtual time, and may use the
// simulator's public API (SimApi): record trace events, propose, schedule
// callbacks, read and write a node's sidecar and registry, draw from their own
// named PRNG stream. Hooks must be deterministic themselves (no real time, no
// unseeded randomness, no iteration over unordered containers).
import type { ApplierFactory } from '../applier/types.ts';
import type { ProposeOptions } from './client/proposals.ts';
import type { Bytes, EngineOptions, ScenarioEvent } from './config.ts';
import type { Network } from './network/network.ts';
import type { CrashCause } from './process/crash-points.ts';
import type { Conf, ConfOp } from './raft/conf.ts';
import type { ApplyInfo, NodeStartInfo } from './process/env.ts';
import type { SimNode } from './process/node.ts';

export type { ApplyInfo, NodeStartInfo } from './process/env.ts';
import type { Rng } from './prng.ts';
import type { TraceRecorder } from './trace.ts';
import type { VariantFlags } from './variants.ts';

/** What hooks may use of the simulator (Simulator implements it). */
export interface SimApi {
  readonly now: number;
  readonly trace: TraceRecorder;
  readonly nodes: readonly SimNode[];
  readonly network: Network;
  readonly flags: VariantFlags;
  readonly engine: EngineOptions;
  readonly applierFactory: ApplierFactory;
  /** An applier's EntryApplier.settle, to call once at the end of the run. */
  settleAtEnd(settle: () => void): void;
  /** The configuration before any configuration entry (raft/conf.ts). */
  readonly initialConf: Conf;
  node(name: string): SimNode;
  /** The node that leads the highest term among running leaders, if any. */
  leader(): SimNode | undefined;
  /** A named PRNG stream (hooks use their own names). */
  rng(name: string): Rng;
  /** Runs `fn` at virtual time now + ms (after everything already scheduled for that time). */
  after(ms: number, fn: (sim: SimApi) => void): void;
  propose(data: Bytes, opts?: ProposeOptions): void;
  crash(name: string, cause?: CrashCause): void;
  /** The operator asks for a membership change (operator/membership.ts), carried through the log. */
  changeMembership(op: ConfOp, name: string): void;
  restart(name: string): void;
  /** Carries out a scenario event now (its `at` is ignored). */
  inject(ev: ScenarioEvent): void;
}

export interface SimHooks {
  /**
   * A node process starts (boot or restart), after its disk is loaded and
   * before Raft starts and replay begins. Return 'refuse' to have the process
   * exit at once (a start-up guard); the hook records its own guard-refused event.
   */
  onNodeStart?(sim: SimApi, node: string, info: NodeStartInfo): void | 'refuse';
  /**
   * The process finished its local replay (everything committed in its own
   * log, before it hears from a peer). Return 'refuse' to have it exit
   * cleanly (a guard that runs after the replay); the hook records its events.
   */
  onNodeReplayed?(sim: SimApi, node: string): void | 'refuse';
  /** After each successful apply of a committed, non-empty entry (recorded as apply first). */
  onApply?(sim: SimApi, node: string, info: ApplyInfo): void;
  /**
   * Leader `node` is about to take client entry `data` into its log. Return
   * 'refuse' to turn the client away (it asks again after a redirect delay).
   */
  onPropose?(sim: SimApi, node: string, data: Uint8Array): void | 'refuse';
  /** Leader `node` took client entry `data` at `index` (its `propose` event recorded). */
  onProposed?(sim: SimApi, node: string, data: Uint8Array, index: number): void;
  /** After a halt was recorded and the process exited. */
  onHalt?(sim: SimApi, node: string, index: number, reason: string): void;
  /** After a crash was recorded. */
  onCrash?(sim: SimApi, node: string): void;
  /** After a snapshot was installed on `node`. */
  onSnapshotInstall?(sim: SimApi, node: string, index: number): void;
  /** A scenario event of kind 'custom'. */
  onCustom?(sim: SimApi, event: Extract<ScenarioEvent, { kind: 'custom' }>): void;
  /**
   * At faults-end (after it is recorded and the network calmed): a hook that
   * arms faults of its own (a crash at a later trigger) disarms them here, so
   * no fault happens in the quiet period liveness is judged on.
   */
  onFaultsEnd?(sim: SimApi): void;
  /** Right before run-end is recorded. */
  onEnd?(sim: SimApi): void;
}
