// The trace: the simulator's record of what happened, and the only thing the
// oracle reads. It is the contract between src/sim (which writes it and never
// judges) and src/model (which judges it and never runs the simulator).
// Types only. Byte strings are lowercase hex; full node ids are decimal strings
// so the trace is plain JSON.

/** A registry row as stored: 27-byte key and 12-byte value, hex. */
export interface TraceRow {
  keyHex: string;
  valueHex: string;
}

/** The outcome of one apply, as the engine saw it. */
export type TraceApplyResult =
  | { kind: 'kv'; opcode: number }
  | { kind: 'registered'; outcome: 'insert' | 'advance' | 'noop' }
  | { kind: 'halt'; reason: string; message: string };

/** Every event carries its position, virtual time (ms) and, when it has one, the node. */
interface At {
  /** Virtual time in milliseconds since the run started. */
  t: number;
}
interface AtNode extends At {
  node: string;
}

export type TraceEvent =
  // --- run framing --------------------------------------------------------
  | (At & { kind: 'run-start'; seed: string; nodes: string[]; variant: string })
  /** No fault is injected after this time; liveness is judged from here. */
  | (At & { kind: 'faults-end' })
  | (At & { kind: 'run-end'; nodes: TraceNodeSummary[] })
  // --- raft ---------------------------------------------------------------
  | (AtNode & { kind: 'became-leader'; term: number })
  /** An entry placed in `node`'s log at `index` (after any truncation). */
  | (AtNode & { kind: 'append'; index: number; term: number; digest: string })
  /** `node` dropped its log entries from `fromIndex` on (conflict). */
  | (AtNode & { kind: 'truncate'; fromIndex: number })
  /** `node` learnt that `index` is committed (one event per newly committed index). */
  | (AtNode & { kind: 'commit'; index: number; term: number; digest: string })
  /** A client proposal accepted by the leader `node` (a retry is a new proposal). */
  | (AtNode & { kind: 'propose'; requestId: string; entryHex: string })
  // --- the state machine --------------------------------------------------
  /**
   * `node` applied the committed entry at `index`. `rowsHash` is rowsDigest()
   * of the node's registry after the apply; `write` is the registry write the
   * apply made, if any. A halting apply is recorded here and then as `halt`.
   */
  | (AtNode & {
      kind: 'apply';
      index: number;
      term: number;
      entryHex: string;
      result: TraceApplyResult;
      write?: TraceRow;
      rowsHash: string;
    })
  /** The apply loop stopped at `index` (not applied) and the process exited. */
  | (AtNode & { kind: 'halt'; index: number; reason: string })
  | (AtNode & { kind: 'snapshot-take'; index: number; term: number; rowsHash: string })
  /** `node`'s state machine was replaced by `from`'s snapshot; applied index jumps to `index`. */
  | (AtNode & { kind: 'snapshot-install'; index: number; term: number; from: string; rows: TraceRow[] })
  // --- processes and disks ------------------------------------------------
  /** Volatile state is gone; `lostWrites` pending (unsynced) writes were dropped. */
  | (AtNode & { kind: 'crash'; lostWrites: number })
  /** The process came back from its disk: applied index restarts at `appliedIndex`. */
  | (AtNode & { kind: 'restart'; appliedIndex: number; rows: TraceRow[] })
  /** A copy of `node`'s whole disk was taken and kept under `name` (for a later restore). */
  | (AtNode & { kind: 'backup'; name: string })
  /** The whole disk was replaced by a backup taken at virtual time `backupAt`. */
  | (AtNode & { kind: 'restore'; backupAt: number; rows: TraceRow[]; name?: string })
  // --- network --------------------------------------------------------------
  | (At & { kind: 'partition'; groups: string[][]; oneWay?: { from: string; to: string } })
  | (At & { kind: 'heal' })
  // --- node lifecycle and encryption (the workload) --------------------------
  /** Process start: the sidecar epoch for `dekId` was bumped to `epoch` and synced. */
  | (AtNode & { kind: 'epoch-bump'; dekId: number; epoch: number })
  /** A start-up guard refused to start the node. */
  | (AtNode & { kind: 'guard-refused'; guard: string; detail: string })
  /** The node asked the leader to commit Register(dek, full id, epoch). */
  | (AtNode & { kind: 'register-propose'; dekId: number; epoch: number; attempt: number })
  /** A DEK rotation committed: nodes now register and encrypt under `dekId`. */
  | (At & { kind: 'rotate-dek'; dekId: number })
  | (AtNode & { kind: 'add-node'; fullNodeId: string })
  /** `node` was decommissioned: its process stopped for good (its registry rows stay). */
  | (AtNode & { kind: 'remove-node' })
  /**
   * A replica encrypted the KV value at `index` with nonce
   * (nodeId16 ‖ epoch ‖ writeCount) under `dekId`.
   */
  | (AtNode & {
      kind: 'nonce';
      index: number;
      dekId: number;
      nodeId16: number;
      epoch: number;
      writeCount: string;
    });

export interface TraceNodeSummary {
  node: string;
  up: boolean;
  halted: boolean;
  appliedIndex: number;
  commitIndex: number;
  rowsHash: string;
}

export type TraceEventKind = TraceEvent['kind'];
