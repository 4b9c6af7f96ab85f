// Each node's registry rows at every point of a trace, rebuilt by replaying
// the events that change them: an apply's `write` upserts one row; a snapshot
// install, a restart and a restore carry the node's whole row set, which
// replaces it. Row sets are stored once per distinct content ("versions") and
// each node keeps the event indices where its version changed, so a page can
// look up any node at any event without embedding a copy per event.
import { REGISTRY_KEY_LENGTH, REGISTRY_PREFIX, decodeRegistryValue, fromHex } from '../applier/index.ts';
import { fullIdHex } from '../trace/ids.ts';
import { appliedWrites, sortRows } from '../trace/rows.ts';
import type { TraceEvent, TraceRow } from '../trace/types.ts';
import { hex16 } from './describe.ts';
import type { NodeNames } from './describe.ts';

/** A row as a reader wants it; `problem` is set (and fields may be missing) when it does not decode. */
export interface DecodedRow {
  keyHex: string;
  valueHex: string;
  dekId?: number;
  /** The 16-bit slot from the key, e.g. "0x2551". */
  slot?: string;
  /** The full node id from the value, 16 hex digits. */
  fullId?: string;
  /** The member whose full id this is, when the trace names one. */
  owner?: string;
  first?: number;
  last?: number;
  problem?: string;
}

const PREFIX_HEX = Buffer.from(REGISTRY_PREFIX, 'latin1').toString('hex');

export function decodeRow(row: TraceRow, names: NodeNames): DecodedRow {
  const out: DecodedRow = { keyHex: row.keyHex, valueHex: row.valueHex };
  const problems: string[] = [];
  const key = decodeKey(row.keyHex);
  if (key) {
    out.dekId = key.dekId;
    out.slot = hex16(key.slot);
  } else problems.push('bad key');
  try {
    const value = decodeRegistryValue(fromHex(row.valueHex));
    out.fullId = fullIdHex(value.fullNodeId);
    const owner = names.get(value.fullNodeId);
    if (owner !== undefined) out.owner = owner;
    out.first = value.firstSeen;
    out.last = value.lastSeen;
  } catch (err) {
    problems.push(err instanceof Error ? err.message : 'bad value');
  }
  if (problems.length > 0) out.problem = problems.join('; ');
  return out;
}

/** `prefix ‖ dek u32 ‖ '|' ‖ slot u16`, or undefined when the key is not a registry key. */
function decodeKey(keyHex: string): { dekId: number; slot: number } | undefined {
  const hex = keyHex.toLowerCase();
  if (hex.length !== REGISTRY_KEY_LENGTH * 2 || !hex.startsWith(PREFIX_HEX) || hex.slice(48, 50) !== '7c') return undefined;
  const dekId = Number.parseInt(hex.slice(40, 48), 16);
  const slot = Number.parseInt(hex.slice(50, 54), 16);
  return Number.isNaN(dekId) || Number.isNaN(slot) ? undefined : { dekId, slot };
}

export interface RowHistory {
  /** Distinct row sets, sorted by key; version 0 is the empty registry. */
  versions: TraceRow[][];
  /** Per node: [eventIndex, version] at every event that changed its rows, in trace order. */
  changes: Map<string, [number, number][]>;
}

export function replayRows(trace: readonly TraceEvent[]): RowHistory {
  const versions: TraceRow[][] = [[]];
  const ids = new Map<string, number>([['', 0]]);
  const changes = new Map<string, [number, number][]>();
  const current = new Map<string, Map<string, string>>();

  const record = (node: string, eventIndex: number, rows: Map<string, string>): void => {
    current.set(node, rows);
    const sorted = sortRows([...rows].map(([keyHex, valueHex]) => ({ keyHex, valueHex })));
    const sig = sorted.map((r) => `${r.keyHex}=${r.valueHex}`).join(';');
    let id = ids.get(sig);
    if (id === undefined) {
      id = versions.length;
      ids.set(sig, id);
      versions.push(sorted);
    }
    const list = changes.get(node) ?? [];
    const lastChange = list[list.length - 1];
    if (lastChange?.[1] !== id) list.push([eventIndex, id]);
    changes.set(node, list);
  };

  trace.forEach((ev, i) => {
    switch (ev.kind) {
      case 'apply':
        if (ev.write) {
          const rows = new Map(current.get(ev.node));
          for (const w of appliedWrites(ev)) rows.set(w.keyHex, w.valueHex);
          record(ev.node, i, rows);
        }
        return;
      case 'snapshot-install':
      case 'restart':
      case 'restore':
        record(ev.node, i, new Map(ev.rows.map((r) => [r.keyHex, r.valueHex])));
        return;
      default:
        return;
    }
  });
  return { versions, changes };
}

/** The version `node` held just after event `eventIndex` (0, the empty registry, before any change). */
export function versionAt(history: RowHistory, node: string, eventIndex: number): number {
  const list = history.changes.get(node) ?? [];
  let lo = 0;
  let hi = list.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const entry = list[mid];
    if (entry === undefined) break;
    if (entry[0] <= eventIndex) {
      found = entry[1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function rowsAt(history: RowHistory, node: string, eventIndex: number): TraceRow[] {
  return history.versions[versionAt(history, node, eventIndex)] ?? [];
}
