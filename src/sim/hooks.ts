// Extension points for the layer above the simulator (node lifecycle: epochs,
// registrations, nonces, DEK rotation). Hooks run synchronously inside the
// event that triggers them, at that event's virtual time, and may use the
// Simulator's public API: record trace events, propose, schedule callbacks,
// read and write a node's sidecar and registry, draw from their own named
// PRNG stream. Hooks must be deterministic themselves (no real time, no
// unseeded randomness, no iteration over unordered containers).
import type { ApplyResponse } from '../applier/types.ts';
import type { ScenarioEvent } from './config.ts';
import type { Simulator } from './simulator.ts';

export interface NodeStartInfo {
  /** 1 for the first boot, then one more per restart. */
  incarnation: number;
  /** False for the boot at time 0. */
  restart: boolean;
  /** Where the apply loop resumes (the last local snapshot's index). */
  appliedIndex: number;
}

export interface ApplyInfo {
  index: number;
  term: number;
  entry: Uint8Array;
  entryHex: string;
  /** Never a halt: a halting apply calls onHalt instead (unless skip-entry-on-halt skips it). */
  result: ApplyResponse;
}

export interface SimHooks {
  /**
   * A node process starts (boot or restart), after its disk is loaded and
   * before Raft starts and replay begins. Return 'refuse' to have the process
   * exit at once (a start-up guard); the hook records its own guard-refused event.
   */
  onNodeStart?(sim: Simulator, node: string, info: NodeStartInfo): void | 'refuse';
  /** After each successful apply of a committed, non-empty entry (recorded as apply first). */
  onApply?(sim: Simulator, node: string, info: ApplyInfo): void;
  /** After a halt was recorded and the process exited. */
  onHalt?(sim: Simulator, node: string, index: number, reason: string): void;
  /** After a crash was recorded. */
  onCrash?(sim: Simulator, node: string): void;
  /** After a snapshot was installed on `node`. */
  onSnapshotInstall?(sim: Simulator, node: string, index: number): void;
  /** A scenario event of kind 'custom'. */
  onCustom?(sim: Simulator, event: Extract<ScenarioEvent, { kind: 'custom' }>): void;
  /**
   * At faults-end (after it is recorded and the network calmed): a hook that
   * arms faults of its own (a crash at a later trigger) disarms them here, so
   * no fault happens in the quiet period liveness is judged on.
   */
  onFaultsEnd?(sim: Simulator): void;
  /** Right before run-end is recorded. */
  onEnd?(sim: Simulator): void;
}
