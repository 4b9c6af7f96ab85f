// The canonical digest of a registry: written by the simulator into every
// apply event and recomputed by the oracle from its reference model, so the
// two can be compared byte for byte without shipping whole row sets.
import { createHash } from 'node:crypto';
import type { TraceRow } from './types.ts';

/** Every row an apply event wrote, in order (`write` is the last). */
export function appliedWrites(ev: { write?: TraceRow; earlierWrites?: TraceRow[] }): TraceRow[] {
  if (ev.write === undefined) return [];
  return ev.earlierWrites === undefined ? [ev.write] : [...ev.earlierWrites, ev.write];
}

/** Rows sorted by key: the canonical order for digests and snapshots. */
export function sortRows(rows: Iterable<TraceRow>): TraceRow[] {
  return [...rows].sort((a, b) => (a.keyHex < b.keyHex ? -1 : a.keyHex > b.keyHex ? 1 : 0));
}

/** A short hex digest of a row set; independent of the order rows are given in. */
export function rowsDigest(rows: Iterable<TraceRow>): string {
  const hash = createHash('sha256');
  for (const row of sortRows(rows)) hash.update(`${row.keyHex}=${row.valueHex};`);
  return hash.digest('hex').slice(0, 16);
}
