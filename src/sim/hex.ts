// Interned hex strings and short digests for the simulator's hot paths.
import { toHex } from '../applier/hex.ts';
import { sha256Hex } from '../trace/digest.ts';
import type { TraceRow } from '../trace/types.ts';

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

// Interned hex of registry keys: a store looks up the same few keys again and
// again, and a Map lookup with an already-hashed string is cheap. Bounded;
// results never depend on its contents.
const INTERN_LIMIT = 1 << 16;
const interned = new Map<number, { bytes: Uint8Array; hex: string }>();

/** toHex(key), reusing the same string object for equal keys. */
export function internedHex(key: Uint8Array): string {
  const h = fnv1a(key);
  const hit = interned.get(h);
  if (hit !== undefined && sameBytes(hit.bytes, key)) return hit.hex;
  const text = toHex(key);
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(h, { bytes: key.slice(), hex: text });
  return text;
}

// Interned registry values: every replica writes the same value bytes for the
// same key, so the stored value, its hex and the trace's row object are made
// once and shared (all immutable). Bounded; results never depend on it.
export interface InternedRow {
  readonly bytes: Uint8Array;
  readonly hex: string;
  readonly row: { readonly keyHex: string; readonly valueHex: string };
}
const rowsInterned = new Map<string, Map<number, InternedRow>>();
let rowsInternedCount = 0;

/** The shared {bytes, hex, row} for `value` stored under `keyHex`. `value` is copied, never kept. */
export function internedRow(keyHex: string, value: Uint8Array): InternedRow {
  const h = fnv1a(value);
  let byValue = rowsInterned.get(keyHex);
  const hit = byValue?.get(h);
  if (hit !== undefined && sameBytes(hit.bytes, value)) return hit;
  const bytes = value.slice();
  const valueHex = toHex(bytes);
  const made: InternedRow = { bytes, hex: valueHex, row: Object.freeze({ keyHex, valueHex }) };
  if (rowsInternedCount >= INTERN_LIMIT) {
    rowsInterned.clear();
    rowsInternedCount = 0;
    byValue = undefined;
  }
  if (byValue === undefined) rowsInterned.set(keyHex, (byValue = new Map()));
  byValue.set(h, made);
  rowsInternedCount++;
  return made;
}

/**
 * rowsDigest (src/trace/rows.ts) of rows already sorted by key: the same
 * bytes hashed in one update instead of one per row.
 */
export function sortedRowsDigest(rows: readonly TraceRow[]): string {
  let text = '';
  for (const row of rows) text += `${row.keyHex}=${row.valueHex};`;
  return sha256Hex(text).slice(0, 16);
}
