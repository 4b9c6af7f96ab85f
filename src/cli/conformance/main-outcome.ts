// Main's responses in the words of production main's vectors. The reasons are
// regsim's (Stage 6A's names where the meaning is the same); the vectors
// spell two of them as production's error classes.
import { MAIN_HALT_REASONS } from '../../applier/index.ts';
import type { MainApplyResponse, MainHaltReason } from '../../applier/index.ts';

const VECTOR_SPELLING: Partial<Record<MainHaltReason, string>> = { 'unknown-version': 'version', 'unknown-subtag': 'subtag' };

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
