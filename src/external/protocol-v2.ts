// Protocol v2's messages (docs/external-applier.md#protocol-v2): an entry
// travels with its Raft index and the durable state it may read, and the
// child answers with the store operations it made and its result in one
// message. Shared by the bridge and the reference server.
import type { MainApplyResponse, MainHaltReason, RejectDetail } from '../applier/main/index.ts';
import { MAIN_HALT_REASONS, REJECT_DETAILS } from '../applier/main/index.ts';
import type { SidecarDoc } from './sidecar-doc.ts';

/**
 * What the node's applier is built with (production's options, addendum
 * §7.2) and the state behind them. Absent fields: not configured.
 */
export interface Env {
  /** false: an FSM built without an applier (every encryption opcode halts no-applier). */
  applier?: false;
  /** WithKEK: the protocol's fake KEK (see FAKE_KEK in the docs). */
  kek?: true;
  /** WithKeystore, with the DEKs this process has loaded: id -> DEK hex. */
  keystore?: Record<string, string>;
  /** WithSidecarPath: the sidecar file (null: there is none yet). */
  sidecar?: SidecarDoc | null;
  /** WithLocalEpoch / WithRaftLocalEpoch (absent: 0). */
  localEpoch?: number;
  raftLocalEpoch?: number;
}

/** One operation on the node's durable state, as the child made it and what it saw. */
export type Op =
  | { op: 'get'; key: string; value: string | null }
  | { op: 'set'; key: string; value: string }
  | { op: 'read-sidecar'; sidecar: SidecarDoc | null }
  | { op: 'write-sidecar'; sidecar: SidecarDoc }
  | { op: 'install'; dek: number; key: string };

/** A result without its rows: regsim reads the rows off the store operations (addendum §7.3). */
export type Result =
  | { kind: 'empty' }
  | { kind: 'lease' }
  | { kind: 'kv'; opcode: number }
  | { kind: 'applied' }
  | { kind: 'halt'; reason: MainHaltReason; message: string; detail?: RejectDetail };

/** An `apply` message: the entry, its Raft index, the rows of its slots and the node's environment. */
export interface ApplyRequest {
  type: 'apply';
  index: number;
  entry: string;
  rows?: Record<string, string | null>;
  env?: Env;
}

/** An answer to one request of an `ahead` message: what an apply would have answered, or `unanswered` (it needed a call). */
export type Answer = ({ ops: Op[] } & Result) | { kind: 'unanswered' };

/** regsim -> child. */
export type HostMessageV2 =
  | ApplyRequest
  | { type: 'ahead'; requests: Omit<ApplyRequest, 'type'>[] }
  | { type: 'batch'; entries: { index: number; entry: string }[]; env?: Env }
  | { type: 'value'; value: string | null }
  | { type: 'fault'; message: string }
  | { type: 'abort' }
  | { type: 'correct'; op: number; value?: string | null; fault?: string; sidecar?: SidecarDoc | null };

/** child -> regsim. */
export type ChildMessageV2 =
  | ({ type: 'result'; ops?: Op[] } & Result)
  | { type: 'results'; results: Result[] }
  | { type: 'answers'; answers: Answer[] }
  | { type: 'get'; key: string; ops?: Op[] }
  | { type: 'aborted' }
  | { type: 'error'; message: string };

const REASONS: ReadonlySet<string> = new Set(MAIN_HALT_REASONS);
const DETAILS: ReadonlySet<string> = new Set(REJECT_DETAILS);

/** The Result a `result` message (or an item of `results`) carries; SyntaxError naming the bad field. */
export function resultOf(msg: Record<string, unknown>): Result {
  switch (msg.kind) {
    case 'empty':
    case 'lease':
    case 'applied':
      return { kind: msg.kind };
    case 'kv':
      if (!Number.isInteger(msg.opcode) || (msg.opcode as number) < 0 || (msg.opcode as number) > 255) {
        throw new SyntaxError('result kind "kv" needs an integer opcode 0..255');
      }
      return { kind: 'kv', opcode: msg.opcode as number };
    case 'halt': {
      if (!REASONS.has(msg.reason as string)) throw new SyntaxError(`result kind "halt" has bad reason ${JSON.stringify(msg.reason)}`);
      if (typeof msg.message !== 'string') throw new SyntaxError('result kind "halt" needs a string message');
      const halt = { kind: 'halt' as const, reason: msg.reason as MainHaltReason, message: msg.message };
      if (msg.detail === undefined) return halt;
      if (!DETAILS.has(msg.detail as string)) throw new SyntaxError(`result kind "halt" has bad detail ${JSON.stringify(msg.detail)}`);
      return { ...halt, detail: msg.detail as RejectDetail };
    }
    default:
      throw new SyntaxError(`result has bad kind ${JSON.stringify(msg.kind)}`);
  }
}

/** The `result` message of a response (field order fixed, so the bytes are deterministic). */
export function resultFields(r: MainApplyResponse): Result {
  switch (r.kind) {
    case 'empty':
    case 'lease':
    case 'applied':
      return { kind: r.kind };
    case 'kv':
      return { kind: 'kv', opcode: r.opcode };
    case 'halt':
      return r.detail === undefined
        ? { kind: 'halt', reason: r.reason, message: r.message }
        : { kind: 'halt', reason: r.reason, message: r.message, detail: r.detail };
  }
}

/** The ops of a message (absent: none); SyntaxError on anything but an array of op objects. */
export function opsOf(msg: Record<string, unknown>): Record<string, unknown>[] {
  if (msg.ops === undefined) return [];
  if (!Array.isArray(msg.ops) || !msg.ops.every((op) => typeof op === 'object' && op !== null && !Array.isArray(op))) {
    throw new SyntaxError('ops is not an array of objects');
  }
  return msg.ops as Record<string, unknown>[];
}

/** Entries regsim sends in a batch: non-empty, and routed outside the encryption dispatcher (no state to read). */
export function isOrdinary(entry: Uint8Array | undefined): entry is Uint8Array {
  const opcode = entry?.[0];
  return opcode !== undefined && (opcode < 0x03 || opcode > 0x07);
}
