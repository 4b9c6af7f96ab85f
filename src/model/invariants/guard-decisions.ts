// The §9.1 start-up guards judged again, independently of the lifecycle's
// code, on what each guard-check event says they read (spec §5: a node
// refuses to start if its epoch is <= the registry's last_seen for it, if
// its epoch is 0xFFFF, or if its low-16 id collides with another member's):
//  - 'guard-missed': a guard let the node through where §9.1 refuses;
//  - 'guard-wrong-refusal': a guard refused where §9.1 does not;
//  - 'guard-view': the registry a caught-up guard read is not the committed
//    log's registry at the index it says it caught up to.
// A missed guard is often masked later (the applier halts the registration
// it lets through, failing closed, or the collision halts every replica),
// so no other check sees it; that halt is the outage the guard exists to
// prevent. The rollback and exhaustion guards belong to §7.2 (rollback.ts),
// the collision guards to §7.3 (collision.ts).
import { fullIdHex } from '../../trace/ids.ts';
import type { GuardName, TraceEvent } from '../../trace/types.ts';
import { keyFields, parseRowValue, traceRowsDigest } from './context.ts';
import type { CheckContext } from './context.ts';

type GuardCheckEvent = Extract<TraceEvent, { kind: 'guard-check' }>;

export interface GuardFinding {
  eventIndex: number;
  node: string;
  guard: GuardName;
  code: 'guard-missed' | 'guard-wrong-refusal' | 'guard-view';
  message: string;
}

type GuardInvariant = 'no-silent-rollback' | 'collisions-halt';

/** The invariant a guard's decision belongs to. */
function guardInvariant(guard: GuardName): GuardInvariant {
  return guard === 'rollback' || guard === 'exhaustion' ? 'no-silent-rollback' : 'collisions-halt';
}

interface Row {
  dekId: number;
  nodeId16: number;
  fullNodeId: bigint;
  lastSeen: number;
}

/** The rows the event carries, decoded (undefined if one is not a registry row: the decision is then not judged). */
function decodeRows(ev: GuardCheckEvent): Row[] | undefined {
  const out: Row[] = [];
  for (const r of ev.rows ?? []) {
    const v = parseRowValue(r.valueHex);
    const k = keyFields(r.keyHex);
    if (v === undefined || k === undefined) return undefined;
    out.push({ ...k, fullNodeId: v.fullNodeId, lastSeen: v.lastSeen });
  }
  return out;
}

/** Why §9.1 refuses at `guard` on the event's inputs, or undefined if it lets the node through. */
function refuses(guard: GuardName, ev: GuardCheckEvent, rows: readonly Row[]): string | undefined {
  const mine = BigInt(ev.fullNodeId);
  const slot = Number(mine & 0xffffn);
  switch (guard) {
    case 'exhaustion':
      return ev.epochBefore >= 0xffff ? `its epoch under dek ${ev.dekId} is already 0xffff` : undefined;
    case 'member-collision': {
      const other = (ev.members ?? []).find((m) => {
        const id = BigInt(m.fullNodeId);
        return id !== mine && Number(id & 0xffffn) === slot;
      });
      return other === undefined ? undefined : `member ${other.node} (full ${other.fullNodeId}) has the same low 16 bits`;
    }
    case 'registry-collision': {
      const row = rows.find((r) => r.nodeId16 === slot && r.fullNodeId !== mine);
      return row === undefined ? undefined : `its slot under dek ${row.dekId} is registered to full ${fullIdHex(row.fullNodeId)}`;
    }
    case 'rollback': {
      for (const row of rows) {
        if (row.fullNodeId !== mine) continue;
        const active = row.dekId === ev.dekId;
        const stored = active ? ev.epochBefore : (ev.sidecar?.[String(row.dekId)] ?? 0);
        const compared = ev.compare === 'before-bump' ? stored : active ? (ev.epoch ?? stored + 1) : stored + 1;
        if (compared <= row.lastSeen) return `under dek ${row.dekId} the compared epoch ${compared} is <= registry last_seen ${row.lastSeen}`;
      }
      return undefined;
    }
  }
}

/** The guard decisions of the trace that break `invariant`'s part (c). */
export function guardFindings(trace: readonly TraceEvent[], ctx: CheckContext, invariant: GuardInvariant): GuardFinding[] {
  const out: GuardFinding[] = [];
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind !== 'guard-check') continue;
    const rows = decodeRows(ev);
    if (rows === undefined) continue;
    const registryGuard = ev.guards.find((g) => g === 'rollback' || g === 'registry-collision');
    if (ev.through !== undefined && registryGuard !== undefined) {
      const step = ctx.timeline.step(ev.through);
      const read = traceRowsDigest(ev.rows ?? []);
      if (step !== undefined && step.digest !== read) {
        const message = `${ev.node}'s start-up guards read a registry caught up to index ${ev.through} (digest ${read}), but the committed log's registry there has digest ${step.digest}`;
        out.push({ eventIndex: e, node: ev.node, guard: registryGuard, code: 'guard-view', message });
        continue;
      }
    }
    for (const guard of ev.guards) {
      const why = refuses(guard, ev, rows);
      const refused = ev.refused === guard;
      if (why !== undefined && !refused) {
        out.push({ eventIndex: e, node: ev.node, guard, code: 'guard-missed', message: `${ev.node}'s ${guard} guard let it start (full ${ev.fullNodeId}), but §9.1 refuses: ${why}` });
        break;
      }
      if (why === undefined && refused) {
        out.push({ eventIndex: e, node: ev.node, guard, code: 'guard-wrong-refusal', message: `${ev.node}'s ${guard} guard refused to start it (full ${ev.fullNodeId}), but §9.1 does not refuse on what it read` });
        break;
      }
      if (refused) break;
    }
  }
  return out.filter((f) => guardInvariant(f.guard) === invariant);
}
