// The rows an entry applied, read off its store traffic: production's
// ApplyRegistration returns only an error (addendum §7.3), so regsim infers
// insert, advance, noop or halted from what each registration did to its row,
// for every child alike, rather than have each shim guess.
import { sameBytes } from '../applier/main/bytes.ts';
import type { MainHaltReason, RowResult } from '../applier/main/index.ts';

/** One durable operation of an apply as it really went (after replay): a row read, a row write, or anything else. */
export type Traffic =
  | { kind: 'get'; key: Uint8Array; value: Uint8Array | undefined; fault: boolean }
  | { kind: 'set'; key: Uint8Array; value: Uint8Array; fault: boolean }
  | { kind: 'other' };

/** The halts a registration's own row makes (a halt for another reason comes after its last row was done). */
const ROW_HALTS: ReadonlySet<MainHaltReason> = new Set<MainHaltReason>(['collision', 'rollback', 'corrupt-row', 'store-fault']);

/** Same writer: the full id (first 8 bytes) of the row read equals the one written. */
function sameWriter(read: Uint8Array, written: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (read[i] !== written[i]) return false;
  return read.length >= 8;
}

/**
 * A registration reads its row, then writes it or not. A read followed by a
 * write of the same key is an insert (no row, or another writer's) or an
 * advance (the same writer's row); a read with no write is a noop, unless it
 * is the last row of an entry that halted for a row reason, or the read or
 * write itself failed: then it is the halting row.
 */
export function rowsOf(traffic: readonly Traffic[], halt: MainHaltReason | undefined): RowResult[] {
  const rows: RowResult[] = [];
  let open: Extract<Traffic, { kind: 'get' }> | undefined;
  const close = (result: RowResult['result']): void => {
    if (open !== undefined) rows.push({ key: open.key, result });
    open = undefined;
  };
  for (const t of traffic) {
    if (t.kind === 'get') {
      close('noop');
      open = t;
      if (t.fault) close('halted');
    } else if (t.kind === 'set' && open !== undefined && sameBytes(open.key, t.key)) {
      if (t.fault) close('halted');
      else {
        rows.push({ key: open.key, result: open.value !== undefined && sameWriter(open.value, t.value) ? 'advance' : 'insert', value: t.value });
        open = undefined;
      }
    } else {
      close('noop');
    }
  }
  close(halt !== undefined && ROW_HALTS.has(halt) ? 'halted' : 'noop');
  return rows;
}
