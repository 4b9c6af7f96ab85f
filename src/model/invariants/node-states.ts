// Each node's own state as the trace shows it. The registry: restart, restore
// and install rows, then every apply's writes. Under production main also
// the sidecar, which main keeps to the node: it is in no snapshot (addendum
// §2.2), a joiner's is provisioned, a restore brings back a backup's. It is
// followed from the sidecar a process loaded (sidecar-load), then through the
// node's own bootstrap and rotation applies under the model. Both are kept as
// they were right before each 0x04/0x05 apply, where the sidecar decides: a
// replica may decide otherwise there than a single in-order application of
// the committed log does, because of the sidecar it has and not because its
// applier is wrong (CheckContext.isSidecarExplained).
import type { RegistryRow } from '../../applier/types.ts';
import { appliedWrites } from '../../trace/rows.ts';
import type { TraceEvent, TraceRow } from '../../trace/types.ts';
import { localFromSidecar } from '../entry-model.ts';
import type { EntryModel, NodeLocal } from '../entry-model.ts';
import { hexToBytes, rowsToModel } from './trace-hex.ts';

/** Each node's registry, raw hex (keyHex -> valueHex). */
export type Stores = Map<string, Map<string, string>>;

/** Updates `stores` for the events that replace or reveal a whole registry (before the event is judged). */
export function trackStore(stores: Stores, ev: TraceEvent): void {
  switch (ev.kind) {
    case 'run-start':
      for (const node of ev.nodes) stores.set(node, new Map());
      return;
    case 'add-node':
      stores.set(ev.node, new Map());
      return;
    case 'restart':
    case 'restore':
    case 'snapshot-install':
      stores.set(ev.node, new Map(ev.rows.map((r) => [r.keyHex, r.valueHex])));
      return;
    default:
      return;
  }
}

/** After an apply was judged: its writes land in the node's store. */
export function applyWrites(stores: Stores, node: string, writes: readonly TraceRow[]): void {
  for (const w of writes) stores.get(node)?.set(w.keyHex, w.valueHex);
}

/** A node's store as model rows (undefined if unknown or holding a value that is not a row). */
export function modelRowsOf(store: Map<string, string> | undefined): Map<string, RegistryRow> | undefined {
  if (!store) return undefined;
  return rowsToModel([...store].map(([keyHex, valueHex]) => ({ keyHex, valueHex })));
}

/** The events after which no process of the node runs (a later one is a new process). */
const PROCESS_ENDS: ReadonlySet<TraceEvent['kind']> = new Set(['crash', 'restart', 'halt', 'guard-refused', 'member-exit', 'restore']);

/** The node whose process `ev` ends, if it ends one. */
export function processEndedBy(ev: TraceEvent): string | undefined {
  return PROCESS_ENDS.has(ev.kind) && 'node' in ev ? ev.node : undefined;
}

/** The entries that read and move main's sidecar: bootstrap and rotation. */
export const SIDECAR_OPCODES: ReadonlySet<string> = new Set(['04', '05']);

export interface NodeStateBefore {
  /** The node's registry (undefined: unknown, a value that is not a row). */
  rows: Map<string, RegistryRow> | undefined;
  local: NodeLocal;
}

export class NodeSidecars {
  private readonly before = new Map<number, NodeStateBefore>();
  /** The leader's sidecar at each admission-check event (admission.ts). */
  private readonly leaders = new Map<number, NodeLocal>();

  constructor(trace: readonly TraceEvent[], model: EntryModel) {
    if (model.name !== 'main') return;
    const stores: Stores = new Map();
    const locals = new Map<string, NodeLocal>();
    for (let e = 0; e < trace.length; e++) {
      const ev = trace[e] as TraceEvent;
      trackStore(stores, ev);
      if (ev.kind === 'sidecar-load') locals.set(ev.node, localFromSidecar(ev.sidecar));
      if (ev.kind === 'admission-check') {
        const leader = locals.get(ev.leader);
        if (leader !== undefined) this.leaders.set(e, leader);
      }
      if (ev.kind !== 'apply') continue;
      const local = locals.get(ev.node);
      if (local !== undefined && ev.skipped === undefined && SIDECAR_OPCODES.has(ev.entryHex.slice(0, 2))) {
        const rows = modelRowsOf(stores.get(ev.node));
        this.before.set(e, { rows, local });
        const next = model.localAfter(rows ?? new Map(), ev.index, hexToBytes(ev.entryHex), local);
        if (next !== undefined) locals.set(ev.node, next);
      }
      applyWrites(stores, ev.node, appliedWrites(ev));
    }
  }

  /** The node's registry and sidecar right before apply event `e` (0x04/0x05 applies under main only). */
  at(e: number): NodeStateBefore | undefined {
    return this.before.get(e);
  }

  /** The sidecar of the leader that admission-check event `e` ran on (under main only; undefined: none loaded). */
  leaderAt(e: number): NodeLocal | undefined {
    return this.leaders.get(e);
  }

  /** Every apply event the pass kept a state for, in trace order. */
  events(): IterableIterator<number> {
    return this.before.keys();
  }
}
