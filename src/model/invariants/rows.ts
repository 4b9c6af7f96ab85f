// Per-node row history, shared by no-silent-rollback and collisions-halt: every
// time a node's registry shows a row (an apply's write, the rows of a restart
// or a snapshot install) it is compared with what the node showed before for
// the same key. Findings are neutral facts; the two checkers pick theirs.
//
// Choices (spec §7.2/§7.3 say "never"; these are the legitimate exceptions):
//  - restore from a backup is an operator action that replaces the whole disk
//    with an old copy: the node's row history restarts from the backup's rows.
//    The hazard it creates (an epoch used again) is what the §9.1 guard and
//    no-nonce-reuse judge, not the registry. But the restore must bring back
//    exactly what the node held when the backup was taken (its `backup`
//    event, by name): every row of that moment, same owner, same last_seen.
//  - a snapshot install replaces the state machine with the state of a
//    committed prefix. A row the node wrote at an index <= the snapshot index
//    must be in the snapshot with the same owner and a last_seen at least as
//    high; a row the node wrote after the snapshot index (its store was ahead,
//    e.g. in a replay window) may legitimately go back, re-applying the log
//    restores it.
//  - a restart shows the persisted store: registry writes are synced, so
//    every row must still be there, same owner, last_seen not lower. Unless
//    production's cold start replaced the store by the node's snapshot
//    (restart `coldStart: 'restore'`): that is judged as an install of it.
import { appliedWrites } from '../../trace/rows.ts';
import type { TraceEvent, TraceRow } from '../../trace/types.ts';
import type { CheckContext } from './context.ts';

/** What a node showed for a key. Owner kept as its 16 hex digits: compared often, printed rarely. */
interface Seen {
  fullHex: string;
  last: number;
  /** The state index at which the node showed this value. */
  at: number;
  eventIndex: number;
}

export type RowFindingKind = 'decrease' | 'vanished' | 'owner-change';

export interface RowFinding {
  kind: RowFindingKind;
  eventIndex: number;
  node: string;
  keyHex: string;
  source: 'write' | 'restart' | 'snapshot-install' | 'restore';
  before: { full: bigint; last: number; eventIndex: number };
  after?: { full: bigint; last: number };
}

/** A 12-byte row value as (owner hex, last_seen), or undefined if it is not one. */
function seen(valueHex: string, at: number, eventIndex: number): Seen | undefined {
  if (valueHex.length !== 24) return undefined;
  const last = Number.parseInt(valueHex.slice(20, 24), 16);
  if (!Number.isInteger(last)) return undefined;
  return { fullHex: valueHex.slice(0, 16), last, at, eventIndex };
}

function toSeen(rows: readonly TraceRow[], at: number, eventIndex: number): Map<string, Seen> {
  const m = new Map<string, Seen>();
  for (const row of rows) {
    const v = seen(row.valueHex, at, eventIndex);
    if (v) m.set(row.keyHex, v);
  }
  return m;
}

function finding(
  kind: RowFindingKind,
  eventIndex: number,
  node: string,
  keyHex: string,
  source: RowFinding['source'],
  before: Seen,
  after: Seen | undefined,
): RowFinding {
  const f: RowFinding = {
    kind,
    eventIndex,
    node,
    keyHex,
    source,
    before: { full: BigInt(`0x${before.fullHex}`), last: before.last, eventIndex: before.eventIndex },
  };
  if (after) f.after = { full: BigInt(`0x${after.fullHex}`), last: after.last };
  return f;
}

const cache = new WeakMap<CheckContext, RowFinding[]>();

/** All row findings of a trace, in event order (computed once per context). */
export function rowFindings(trace: readonly TraceEvent[], ctx: CheckContext): RowFinding[] {
  let found = cache.get(ctx);
  if (!found) cache.set(ctx, (found = trackRows(trace, ctx)));
  return found;
}

function trackRows(trace: readonly TraceEvent[], ctx: CheckContext): RowFinding[] {
  const out: RowFinding[] = [];
  const byNode = new Map<string, Map<string, Seen>>();
  /** What the backed-up node showed at each backup, by name (a backup may be restored onto another machine). */
  const backups = new Map<string, Map<string, Seen>>();
  const rowsOf = (node: string): Map<string, Seen> => {
    let m = byNode.get(node);
    if (!m) byNode.set(node, (m = new Map()));
    return m;
  };
  /** Compare the rows a node now shows with what it showed before. */
  const replace = (
    e: number,
    node: string,
    next: Map<string, Seen>,
    source: 'restart' | 'snapshot-install' | 'restore',
    onlyUpTo: number,
  ): void => {
    for (const [keyHex, before] of rowsOf(node)) {
      if (before.at > onlyUpTo) continue;
      const after = next.get(keyHex);
      if (!after) out.push(finding('vanished', e, node, keyHex, source, before, undefined));
      else if (after.fullHex !== before.fullHex) out.push(finding('owner-change', e, node, keyHex, source, before, after));
      else if (after.last < before.last) out.push(finding('decrease', e, node, keyHex, source, before, after));
      else if (after.last === before.last) after.at = before.at;
    }
    byNode.set(node, next);
  };

  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    switch (ev.kind) {
      case 'apply': {
        for (const w of appliedWrites(ev)) {
          const after = seen(w.valueHex, ev.index, e);
          if (!after) continue;
          const rows = rowsOf(ev.node);
          const key = w.keyHex;
          const before = rows.get(key);
          if (before && before.fullHex !== after.fullHex)
            out.push(finding('owner-change', e, ev.node, key, 'write', before, after));
          else if (before && after.last < before.last) out.push(finding('decrease', e, ev.node, key, 'write', before, after));
          rows.set(key, after);
        }
        break;
      }
      case 'restart':
        if (ev.coldStart === 'restore') replace(e, ev.node, toSeen(ev.rows, ev.appliedIndex, e), 'restart', ev.appliedIndex);
        else replace(e, ev.node, toSeen(ev.rows, ctx.life.hwmAfter[e] ?? 0, e), 'restart', Number.POSITIVE_INFINITY);
        break;
      case 'snapshot-install':
        replace(e, ev.node, toSeen(ev.rows, ev.index, e), 'snapshot-install', ev.index);
        break;
      case 'backup':
        backups.set(ev.name, new Map(rowsOf(ev.node)));
        break;
      case 'restore': {
        const restored = toSeen(ev.rows, ctx.life.hwmAfter[e] ?? 0, e);
        const saved = ev.name !== undefined ? backups.get(ev.name) : undefined;
        if (saved === undefined) byNode.set(ev.node, restored);
        else {
          byNode.set(ev.node, saved);
          replace(e, ev.node, restored, 'restore', Number.POSITIVE_INFINITY);
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}
