// The simulator's input as a whole: which cluster, which applier, which
// bugs, which randomness, the fault domains' parameters, and a timed schedule
// of scenario events.
import type { ApplierFactory } from '../applier/types.ts';
import type { ClientParams, EngineOptions, NetworkParams, RaftParams, ScenarioEvent } from './config.ts';
import type { SimHooks } from './hooks.ts';
import type { StoreFaultRates } from './storage/faults.ts';
import type { SimVariant } from './variants.ts';

export interface SimConfig {
  seed: string;
  /** Raft ids, 3 to 7 of them. */
  nodes: string[];
  applier: ApplierFactory;
  /**
   * 'main': the applier is production main's FSM, handed each node's sidecar
   * file (ApplierNode), and the trace's run-start says so (absent: Stage 6A).
   */
  fsm?: 'main';
  /** Label of the applier for the trace's run-start (default "custom"). */
  applierName?: string;
  variants?: SimVariant[];
  network?: Partial<NetworkParams>;
  raft?: Partial<RaftParams>;
  client?: Partial<ClientParams>;
  /** Snapshot every K applied entries: a fixed K, or a range K is drawn from per run. */
  snapshotInterval?: number | [number, number];
  /** Probability that a crash loses a given pending write, or cuts Raft's WAL at a given unsynced record (default 0.5). */
  pendingLossRate?: number;
  /** Probability that the WAL record a crash cut was half written, a torn record (default 0.5). */
  tornRate?: number;
  /** Latent faults of the registry store during applies (absent: none). */
  storeFaults?: StoreFaultRates;
  /** The run stops at this virtual time (ms). */
  timeLimitMs: number;
  /**
   * The most simulator events a run may take (default: eventBudget of the
   * time limit). A run past it is stuck, events that make no progress in
   * virtual time, and fails as a harness error naming the run.
   */
  maxEvents?: number;
  /**
   * When faults stop (recorded as faults-end). Default: the time limit if the
   * base network loses, duplicates or reorders messages; else the time of the
   * last fault event in `events` (crash, partition, one-way, restore,
   * set-network), or 0.
   */
  faultsEndMs?: number;
  /**
   * At faults-end, heal the network, zero loss/duplication/reordering and bring
   * back the configured election-timeout range (default true).
   */
  calmAtFaultsEnd?: boolean;
  /**
   * At faults-end, propose the liveness probe (src/trace/probe.ts) and retry
   * it until a leader applies it (default: calmAtFaultsEnd).
   */
  livenessProbe?: boolean;
  events?: ScenarioEvent[];
  /** Raft slots whose process does not boot at time 0 (a node added later starts them). */
  dormantNodes?: string[];
  /** Nodes whose full id is given, not derived (decimal; recorded in run-start for reports). */
  fullIds?: Record<string, string>;
  /** Raft slots that are learners (spec §5: a node added later joins as a learner or a voter). */
  learners?: string[];
  hooks?: SimHooks;
  /** Engine design options (default DEFAULT_ENGINE: the spec's). */
  engine?: Partial<EngineOptions>;
}
