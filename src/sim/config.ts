// The simulator's parameters (network, Raft, clients, engine design), their
// defaults, and the scenario events it carries out. The whole input is
// SimConfig (sim-config.ts).
export interface NetworkParams {
  /** One-way message delay, drawn uniformly in [minDelayMs, maxDelayMs]. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Probability a message is dropped. */
  lossRate: number;
  /** Probability a message is delivered twice (the copy with its own delay). */
  dupRate: number;
  /**
   * Probability a message escapes its link's FIFO order and gets up to
   * `reorderExtraMs` extra delay. Links are FIFO otherwise (etcd uses TCP streams).
   */
  reorderRate: number;
  reorderExtraMs: number;
}

export interface RaftParams {
  /** Election timeout drawn uniformly in this range at every reset (ms). */
  electionTimeoutMs: [number, number];
  heartbeatMs: number;
  /** Entries per AppendEntries message at most. */
  maxBatch: number;
  /** PreVote with the CheckQuorum lease, as production's etcd raft runs (RaftOptions.preVote). */
  preVote: boolean;
  /** CheckQuorum: a leader that has not heard from a quorum for an election timeout steps down (RaftOptions.checkQuorum). */
  checkQuorum: boolean;
  /**
   * Entries a local snapshot leaves in the log behind it (etcd server's
   * SnapshotCatchUpEntries): a follower less far behind catches up by log,
   * not by snapshot, and a restart's log reaches below its snapshot.
   */
  catchUpEntries: number;
}

export interface ClientParams {
  /** An attempt not applied by then is retried (as a new proposal) at another node. */
  proposalTimeoutMs: number;
  /** Attempts per proposal (the first included). */
  maxAttempts: number;
  /** Delay before following a "not leader, try X" redirect or trying the next node. */
  redirectDelayMs: number;
}

/**
 * Design options of the engine around the applier (not bugs: both choices are
 * correct engines; they differ in what the design guarantees).
 */
export interface EngineOptions {
  /**
   * What the apply loop does with a registration entry it re-applies after a
   * restart (or reaches after an install) whose effect the store may already
   * hold:
   *  - 'reapply' (spec §4 read literally): hand it to the applier again, on top
   *    of the persisted store. Not idempotent when the window holds two
   *    registrations of one writer (fixtures/findings/replay-window-rollback).
   *  - 'skip-applied': every registry write also stores, in the same disk
   *    write, the log index of the entry that made it; a registration entry
   *    at an index <= the index stored with the row it targets has already
   *    taken effect, and is acknowledged as a no-op without running the
   *    applier (trace: apply with `skipped: 'registry-applied-index'`).
   *    Snapshots carry each row's index; a restore brings back the backup's.
   */
  registryReplay: 'reapply' | 'skip-applied';
  /**
   * Where the apply loop resumes after a restart (absent: 'last-snapshot'):
   *  - 'last-snapshot' (spec §4 of writer-registry.md): at the last local
   *    snapshot, re-applying every later committed entry on the persisted store;
   *  - 'durable-applied-index' (production main, addendum §3): the FSM store
   *    keeps a durable applied index M that only data writes (0x00/0x01) and
   *    local snapshot persists advance; a cold start with M >= S (the newest
   *    local snapshot) keeps the persisted store and resumes at M ('skip'),
   *    one with M absent or below S replaces the store by the snapshot and
   *    resumes at S ('restore'), one with no snapshot keeps the store and
   *    resumes at 0 ('none'). Entries at or below the resume point are not
   *    handed to the applier (process/cold-start.ts).
   */
  coldStart?: 'last-snapshot' | 'durable-applied-index';
}

export const DEFAULT_ENGINE: EngineOptions = { registryReplay: 'reapply' };

/** Bytes: a Uint8Array or a lowercase hex string. */
export type Bytes = Uint8Array | string;

export type ScenarioEvent =
  /** A client proposes `data` (opcode byte + body); sent to `node`, or to the node the client thinks leads. */
  | { at: number; kind: 'propose'; data: Bytes; node?: string; requestId?: string; maxAttempts?: number }
  /** Power loss: volatile state and a seeded share of pending writes are lost. */
  | { at: number; kind: 'crash'; node: string; restartAfterMs?: number }
  | { at: number; kind: 'restart'; node: string }
  /** Take a local snapshot now (if anything was applied since the last one). */
  | { at: number; kind: 'snapshot'; node: string }
  /** Symmetric partition: nodes in different groups cannot talk; unlisted nodes form one more group. */
  | { at: number; kind: 'partition'; groups: string[][] }
  /** Messages from `from` to `to` are dropped (added to any current partition). */
  | { at: number; kind: 'one-way'; from: string; to: string }
  | { at: number; kind: 'heal' }
  /** Copy `node`'s whole disk (Raft state, store, sidecar) and keep it as `name`. */
  | { at: number; kind: 'backup'; node: string; name: string }
  /**
   * Replace `node`'s disk by backup `name` (crashing it first if it is up). It
   * stays down until a restart. The backup may be another node's (restored
   * onto this machine). `raft: 'keep'`: the naive restore, old Raft state and
   * all; otherwise the node rejoins with its Raft state discarded.
   */
  | { at: number; kind: 'restore'; node: string; name: string; restartAfterMs?: number; raft?: 'keep' }
  /**
   * Back up whichever node leads now (its whole disk) as `name`, and
   * `afterMs` later restore that node from it by the safe procedure (it
   * rejoins with its Raft state discarded), restarting it after
   * `restartAfterMs`: an operator rolling the leader's machine back.
   * Nothing if no node leads.
   */
  | { at: number; kind: 'rewind-leader'; name: string; afterMs: number; restartAfterMs?: number }
  /** Change network parameters from now on. */
  | { at: number; kind: 'set-network'; params: Partial<NetworkParams> }
  /**
   * Power loss of whichever node leads now (the running leader of the highest
   * term; nothing if there is none), as a "kill the leader" nemesis does.
   */
  | { at: number; kind: 'crash-leader'; restartAfterMs?: number }
  /**
   * Cut whichever node leads now off from the rest, together with `keep`
   * followers (the next ones in node order; default as many as leave its
   * side a minority): it keeps appending
   * entries a minority holds while the majority elects another leader (the
   * history of Raft's figure 8). Nothing if no node leads. The network heals
   * after `lastsMs` (absent: at the next `heal`). `crashAtHeal` (with
   * `lastsMs`): at the heal the old leader is armed to crash right before its
   * next fsync that overwrites synced log entries (the append that truncates
   * its stale tail), so a crash can take back a truncation that never reached
   * the disk.
   * `withLearners`: the leader's learners (of its configuration) are cut off
   * with it too, as a zone holding the leader and read replicas would be.
   * `atConfChange`: not now but at the next membership change a leader
   * appends (from `at` on, before faults end), right after its append: the
   * change stays on the cut-off side, uncommitted, while the majority elects
   * a leader without it, and the heal truncates it there.
   */
  | { at: number; kind: 'isolate-leader'; keep?: number; lastsMs?: number; crashAtHeal?: boolean; withLearners?: boolean; atConfChange?: boolean }
  /**
   * Raft's figure 8 as a nemesis: isolate-leader, and crash points armed so
   * that the majority's next leader crashes right after winning (its entry on
   * no other node) and, after the heal, the cut-off side's next leader right
   * after its first commit; each restarts after `restartAfterMs`. A commit
   * rule that counts an old-term entry then loses a committed entry. The
   * network heals after `lastsMs` (absent: at the next `heal`).
   * `restoreVoter`: the majority side is backed up now, and when its leader
   * dies, a node that voted for it is restored from its backup (the safe
   * procedure) and restarts before the heal: a restore that forgets the term
   * the node had reached lets the cut-off leader count it in a majority.
   */
  | { at: number; kind: 'figure-8'; keep?: number; lastsMs?: number; restartAfterMs?: number; restoreVoter?: boolean }
  /**
   * Arm a trigger: `node` crashes right after it next grants a vote (the
   * response is already on its way), the moment a lost or unpersisted vote
   * matters. Disarmed at faults-end if it has not fired.
   */
  | { at: number; kind: 'crash-after-vote'; node: string; restartAfterMs?: number }
  /** Arm a trigger: `node` crashes right after it next acknowledges new log entries (the response is on its way). */
  | { at: number; kind: 'crash-after-ack'; node: string; restartAfterMs?: number }
  /**
   * Arm a trigger: `node` crashes right after its state machine next takes an
   * installed snapshot (in the middle of the install, at once).
   */
  | { at: number; kind: 'crash-after-install'; node: string; restartAfterMs?: number }
  /**
   * Arm a trigger: `node` crashes right after Raft next persists a snapshot
   * received from the leader, before its state machine takes it (a restart
   * must finish the install).
   */
  | { at: number; kind: 'crash-after-snapshot-persist'; node: string; restartAfterMs?: number }
  /**
   * Arm a trigger: `node` crashes right after it next wins an election (its
   * empty entry appended, nothing sent yet), leaving a term whose only entry
   * is on no other node.
   */
  | { at: number; kind: 'crash-after-elect'; node: string; restartAfterMs?: number }
  /**
   * Arm a trigger: `node` crashes right after it next advances the commit
   * index as leader, before it sends anything more (the news, its later
   * entries): with the rest of figure 8, the moment a commit rule that counts
   * an old-term entry shows.
   */
  | { at: number; kind: 'crash-after-commit'; node: string; restartAfterMs?: number }
  /**
   * Arm a trigger: `node` crashes right before its next fsync of Raft's WAL
   * (new entries, a vote or a term written, nothing sent yet): the crash
   * keeps a seeded prefix of those records, and may tear the one it cut.
   */
  | { at: number; kind: 'crash-before-sync'; node: string; restartAfterMs?: number }
  /**
   * Election timeouts are drawn from this range from now on (a storm of
   * contested elections); without a range, from the configured one again.
   * Faults-end brings back the configured range.
   */
  | { at: number; kind: 'set-election-timeout'; electionTimeoutMs?: [number, number] }
  /** Handed to hooks.onCustom (rotation, membership tricks, ... built by the lifecycle layer). */
  | { at: number; kind: 'custom'; name: string; data?: unknown };


export const DEFAULT_NETWORK: NetworkParams = {
  minDelayMs: 1,
  maxDelayMs: 10,
  lossRate: 0,
  dupRate: 0,
  reorderRate: 0,
  reorderExtraMs: 20,
};

export const DEFAULT_RAFT: RaftParams = {
  electionTimeoutMs: [150, 300],
  heartbeatMs: 50,
  maxBatch: 64,
  preVote: true,
  checkQuorum: true,
  catchUpEntries: 0,
};

export const DEFAULT_CLIENT: ClientParams = {
  proposalTimeoutMs: 500,
  maxAttempts: 3,
  redirectDelayMs: 2,
};

export const DEFAULT_SNAPSHOT_INTERVAL: [number, number] = [8, 64];

export const FAULT_KINDS: ReadonlySet<ScenarioEvent['kind']> = new Set([
  'crash',
  'partition',
  'one-way',
  'restore',
  'rewind-leader',
  'set-network',
  'crash-leader',
  'isolate-leader',
  'figure-8',
  'crash-after-vote',
  'crash-after-ack',
  'crash-after-install',
  'crash-after-snapshot-persist',
  'crash-after-elect',
  'crash-after-commit',
  'crash-before-sync',
  'set-election-timeout',
]);
