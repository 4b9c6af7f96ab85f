// The scenario document: the unit of reproduction. Plain JSON: the cluster,
// the fault families switched on (swarm testing: a family that is absent is
// off, and its events are not allowed), timed operator events, the workload,
// the lifecycle policy and the seed of the simulator's own small choices.
import type { PolicyOverrides } from '../sim/lifecycle/index.ts';

export const SCENARIO_VERSION = 1;

export interface Scenario {
  version: typeof SCENARIO_VERSION;
  /** Seed of the simulator's PRNG streams (message delays, election timeouts, crash losses, workload). */
  seed: string;
  /** The run stops at this virtual time (ms). */
  durationMs: number;
  /** No fault after this time: every event is at or before it, and liveness is judged from it. */
  faultsEndMs: number;
  cluster: Cluster;
  faults: FaultFamilies;
  workload: { kvWritesPerSec: number };
  /**
   * The design policy: start-up guards, nonce timing, engine replay design.
   * A field left out takes the spec-literal default (preset 'spec', see
   * src/sim/lifecycle/policy.ts), so a hand-written scenario means what the
   * spec says; generated and saved scenarios carry every field explicitly
   * (scenarioArbitrary), so their replay never depends on a default.
   */
  policy?: PolicyOverrides;
  /** Raft options (absent fields: production's, as etcd raft runs there). */
  raft?: RaftOptionsDoc;
  events: ScenarioEventDoc[];
  /** What a saved counterexample fails and how it was found; the simulator never reads it. */
  meta?: ScenarioMeta;
}

/**
 * The metadata block of a counterexample file (src/counterexample): enough
 * for `regsim replay FILE` to reproduce it with no flags, and for a person to
 * see where it came from.
 */
export interface ScenarioMeta {
  /** The catalog variant it fails: replay's default --variant. */
  variant: string;
  /** The configuration it was generated under: a preset name, or the --policy file. */
  config?: string;
  /** The external applier command it failed (replay runs no command a file names: it asks for --applier). */
  applier?: string;
  /** The invariant it violates. */
  invariant?: string;
  /** The regsim version that saved it. */
  regsim: string;
  foundBy: {
    /** The command that finds it again (an explore of its one run, a property suite's re-run line, a shrink). */
    command: string;
    run?: number;
    runSeed?: string;
    /** Shrunk, or saved as generated. */
    shrunk: boolean;
  };
}

export interface RaftOptionsDoc {
  /** PreVote with the CheckQuorum lease (default true, as in production). */
  preVote?: boolean;
  /** CheckQuorum: a leader without a quorum steps down (default true, as in production). */
  checkQuorum?: boolean;
  /** Entries per AppendEntries message (default 64). */
  maxBatch?: number;
  /** Entries a local snapshot leaves in the log behind it (default 0: the log starts at the snapshot). */
  catchUpEntries?: number;
}

export interface Cluster {
  /** Raft ids of the members that boot at time 0 (3 to 7). */
  nodes: string[];
  /** Raft ids that join later through an add-node event (members + joiners <= 7). */
  joiners?: string[];
  /** Sidecar epoch under the initial DEK a member's disk starts with (epoch boundaries, exhaustion). */
  initialEpochs?: Record<string, number>;
  /**
   * Full node ids (u64, decimal) given directly for some nodes instead of
   * FNV-1a-64 of their raft id: as if the raft id were a string with that
   * hash, so that every bit pattern can be generated (ids one bit apart from
   * a member's, ids with the top bit set, ...), not only those a search for
   * real strings reaches.
   */
  fullIds?: Record<string, string>;
  /** The DEK the cluster starts under (u32, default 1). */
  initialDek?: number;
}

/** A family present here is switched on, with its rates. */
export interface FaultFamilies {
  network?: { lossRate: number; dupRate: number; reorderRate: number };
  partitions?: Record<string, never>;
  /**
   * Crashes and restarts; `pendingLossRate`: chance a crash loses each
   * unsynced write (or cuts Raft's WAL at each unsynced record); `tornRate`:
   * chance the WAL record it cut was half written (default 0.5).
   */
  crashes?: { pendingLossRate: number; tornRate?: number };
  /** Local snapshots every `interval` applied entries, plus snapshot events. */
  snapshots?: { interval: number };
  /** Backups and restores of whole disks. */
  restores?: Record<string, never>;
  /** add-node / remove-node. */
  membership?: Record<string, never>;
  rotation?: Record<string, never>;
  /**
   * Election storms: for a while election time-outs are short and close
   * together and messages slow (storm ... storm-end), the leader is killed
   * (crash-leader), voters crash right after granting a vote and restart at
   * once (crash-after-vote).
   */
  storms?: Record<string, never>;
  /** Clock and time-outs: client proposal time-out and election time-out range. */
  timeouts?: { proposalTimeoutMs: number; electionTimeoutMs: [number, number] };
  /**
   * Unusual entries committed by a client (propose events): every version
   * byte, payload lengths around 15, opcodes 0x02 and 0x04-0x07 and above,
   * empty entries, so the applier's fail-closed halts happen cluster-wide.
   */
  entries?: Record<string, never>;
  /**
   * Latent disk faults (src/sim/storage/faults.ts): registry store errors and
   * corrupted reads during applies, failed fsyncs of Raft's WAL
   * (`fsyncErrorRate`, default 0), on the disks of `nodes` only (the fault
   * atlas: at most a minority of the members; absent: every node).
   */
  storage?: { errorRate: number; corruptRate: number; fsyncErrorRate?: number; nodes?: string[] };
}

export type FaultFamily = keyof FaultFamilies;

export type ScenarioEventDoc =
  | { at: number; kind: 'crash'; node: string; restartAfterMs?: number }
  /** Crash right after `node` next applies a registration (before its next snapshot). */
  | { at: number; kind: 'crash-after-apply'; node: string; restartAfterMs?: number }
  /** Crash right after `node` next acknowledges new log entries. */
  | { at: number; kind: 'crash-after-ack'; node: string; restartAfterMs?: number }
  /** Crash right after `node`'s state machine next takes an installed snapshot. */
  | { at: number; kind: 'crash-after-install'; node: string; restartAfterMs?: number }
  /** Crash right after Raft next persists a snapshot `node` received, before its state machine takes it. */
  | { at: number; kind: 'crash-after-snapshot-persist'; node: string; restartAfterMs?: number }
  /** Crash right before `node`'s next fsync of Raft's WAL (its unsynced records kept, lost or torn). */
  | { at: number; kind: 'crash-before-sync'; node: string; restartAfterMs?: number }
  /**
   * `node` crash-loops: it crashes, and each of its next starts dies right
   * after the start-up bump (before its engine opens: nothing replayed, sent
   * or encrypted) until its sidecar's epoch is `toEpoch`; the next start
   * runs (a loop of thousands of starts, fast-forwarded). Under main's FSM
   * the loop begins at the node's first start with a sidecar.
   */
  | { at: number; kind: 'crash-loop'; node: string; toEpoch: number; restartAfterMs?: number }
  | { at: number; kind: 'restart'; node: string }
  | { at: number; kind: 'snapshot'; node: string }
  | { at: number; kind: 'partition'; groups: string[][] }
  | { at: number; kind: 'heal' }
  | { at: number; kind: 'backup'; node: string; name: string }
  /**
   * `name` may be another node's backup (restored onto `node`'s machine, an
   * operator mistake); `raft: 'keep'` brings the old Raft state back too (the
   * naive restore; by default the node rejoins as a fresh member).
   */
  | { at: number; kind: 'restore'; node: string; name: string; restartAfterMs?: number; raft?: 'keep' }
  /**
   * Back up whichever node leads now as `name`; `afterMs` later, restore that
   * node from it (it rejoins as a fresh member) and restart it after
   * `restartAfterMs`. Nothing if no node leads.
   */
  | { at: number; kind: 'rewind-leader'; name: string; afterMs: number; restartAfterMs?: number }
  /** `dekId`: the new DEK's id (u32; default one above the newest). */
  | { at: number; kind: 'rotate-dek'; dekId?: number }
  /**
   * Production main only: the leader rotates the raft DEK (0x05/0x01 of raft
   * purpose, §2.4) to the highest key id + 1, its registration inside at its
   * raft epoch. Nothing under Stage 6A, which has no raft DEK.
   */
  | { at: number; kind: 'rotate-raft-dek' }
  /**
   * The operator calls enable-raft-envelope (0x05/0x05, production main's
   * raft cutover) through the leader, under the leader's active raft DEK.
   * Under Stage 6A's FSM (no raft envelope) it does nothing.
   */
  | { at: number; kind: 'enable-raft-envelope' }
  /** A client proposes `entry` (hex: opcode byte and body; '' is the empty entry). */
  | { at: number; kind: 'propose'; entry: string }
  /** `learner`: the node stays a learner (a read replica), never promoted to voter. */
  | { at: number; kind: 'add-node'; node: string; learner?: boolean }
  | { at: number; kind: 'remove-node'; node: string }
  /**
   * The operator replaces member `node` by `joiner` (added earlier as a
   * learner): once a leader leads and the joiner has caught up, it asks for
   * both changes at once, the promotion and the removal. `cutMs`: right then
   * the leader is cut off with its learners for that long (a nemesis: a
   * leader that takes both changes at once can commit with the joiner alone).
   */
  | { at: number; kind: 'replace-node'; node: string; joiner: string; cutMs?: number }
  /** Crash whichever node leads now (nothing if none does). */
  | { at: number; kind: 'crash-leader'; restartAfterMs?: number }
  /**
   * Partition whichever node leads now, with `keep` followers (default: as
   * many as leave its side a minority), from the rest for `lastsMs` (absent:
   * until a `heal`). `crashAtHeal`: at the heal (`lastsMs`), the cut-off
   * leader is armed to crash right before its next fsync that overwrites
   * synced log entries, the one of its stale tail's truncation.
   * `withLearners`: the leader's learners are cut off with it too.
   * `atConfChange`: the cut comes at the next membership change a leader
   * appends from `at` on (before faults end), right after its append.
   */
  | { at: number; kind: 'isolate-leader'; keep?: number; lastsMs?: number; crashAtHeal?: boolean; withLearners?: boolean; atConfChange?: boolean }
  /** isolate-leader, with the crash points of Raft's figure 8 armed (see the simulator's event). */
  | { at: number; kind: 'figure-8'; keep?: number; lastsMs?: number; restartAfterMs?: number; restoreVoter?: boolean }
  /** Crash right after `node` next grants a vote (the vote is persisted and its response sent). */
  | { at: number; kind: 'crash-after-vote'; node: string; restartAfterMs?: number }
  /** Crash right after `node` next wins an election (its empty entry appended, not sent). */
  | { at: number; kind: 'crash-after-elect'; node: string; restartAfterMs?: number }
  /** Crash right after `node` next advances the commit index as leader (before it sends more). */
  | { at: number; kind: 'crash-after-commit'; node: string; restartAfterMs?: number }
  /** From now on election time-outs are drawn from `electionTimeoutMs` and message delays from [1, maxDelayMs]. */
  | { at: number; kind: 'storm'; electionTimeoutMs: [number, number]; maxDelayMs: number }
  /** The run's own election time-outs and message delays again (faults-end brings them back too). */
  | { at: number; kind: 'storm-end' };

export type ScenarioEventKind = ScenarioEventDoc['kind'];

/** The fault family each event kind belongs to. */
export const EVENT_FAMILY: Readonly<Record<ScenarioEventKind, FaultFamily>> = {
  crash: 'crashes',
  'crash-after-apply': 'crashes',
  'crash-after-ack': 'crashes',
  'crash-after-install': 'crashes',
  'crash-after-snapshot-persist': 'crashes',
  'crash-before-sync': 'crashes',
  'crash-loop': 'crashes',
  restart: 'crashes',
  snapshot: 'snapshots',
  partition: 'partitions',
  heal: 'partitions',
  backup: 'restores',
  restore: 'restores',
  'rewind-leader': 'restores',
  'rotate-dek': 'rotation',
  'enable-raft-envelope': 'rotation',
  'rotate-raft-dek': 'rotation',
  propose: 'entries',
  'add-node': 'membership',
  'remove-node': 'membership',
  'replace-node': 'membership',
  'crash-leader': 'storms',
  'isolate-leader': 'storms',
  'figure-8': 'storms',
  'crash-after-vote': 'storms',
  'crash-after-elect': 'storms',
  'crash-after-commit': 'storms',
  storm: 'storms',
  'storm-end': 'storms',
};
