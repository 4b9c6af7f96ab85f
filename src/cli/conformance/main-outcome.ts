// Main's responses in the words of production main's vectors. The reasons are
// regsim's (Stage 6A's names where the meaning is the same); the vectors
// spell two of them as production's error classes.
import type { MainApplyResponse, MainHaltReason, RejectDetail } from '../../applier/index.ts';

const VECTOR_SPELLING: Partial<Record<MainHaltReason, string>> = { 'unknown-version': 'version', 'unknown-subtag': 'subtag' };

// Records, so the compiler insists every reason and detail is listed.
const HALT_REASONS: Readonly<Record<MainHaltReason, true>> = {
  collision: true,
  rollback: true,
  malformed: true,
  'unknown-version': true,
  'unknown-subtag': true,
  'kek-not-configured': true,
  'kek-unwrap': true,
  'key-conflict': true,
  'reserved-key-id': true,
  rejected: true,
  'sidecar-missing': true,
  'sidecar-invalid': true,
  'unknown-opcode': true,
  'no-applier': true,
  'store-fault': true,
  'corrupt-row': true,
};
export const MAIN_HALT_REASONS = Object.keys(HALT_REASONS) as MainHaltReason[];

const DETAILS: Readonly<Record<RejectDetail, true>> = {
  'bootstrap-same-dek-ids': true,
  'bootstrap-batch-foreign-dek': true,
  'already-bootstrapped': true,
  'bootstrap-key-missing': true,
  'bootstrap-wrapped-mismatch': true,
  'proposer-dek-mismatch': true,
  'purpose-mismatch': true,
  'wrapped-not-empty': true,
  'raft-index-zero': true,
};
export const REJECT_DETAILS = Object.keys(DETAILS) as RejectDetail[];

/** A halt or decode reason as the vectors spell it. */
export function vectorReason(reason: MainHaltReason): string {
  return VECTOR_SPELLING[reason] ?? reason;
}

export const VECTOR_REASONS: readonly string[] = MAIN_HALT_REASONS.map(vectorReason);

export type VectorOutcome = { kind: 'applied' | 'halt' | 'not-routed'; reason?: string; detail?: string };

/** The `outcome` object of a dispatch or applySequences vector (its message is production's text: not compared). */
export function vectorOutcome(r: MainApplyResponse): VectorOutcome {
  switch (r.kind) {
    case 'applied':
      return { kind: 'applied' };
    case 'halt':
      return r.detail === undefined ? { kind: 'halt', reason: vectorReason(r.reason) } : { kind: 'halt', reason: vectorReason(r.reason), detail: r.detail };
    default:
      return { kind: 'not-routed' };
  }
}

/** A 0x03 entry's outcome in the regsim format's words: insert, advance, noop, halt-<reason>. */
export function registrationWord(r: MainApplyResponse): string {
  if (r.kind === 'halt') return `halt-${r.reason}`;
  if (r.kind === 'applied' && r.rows.length === 1) return r.rows[0]!.result;
  return r.kind === 'kv' ? `kv(0x${r.opcode.toString(16)})` : r.kind;
}
