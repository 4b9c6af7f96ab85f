// The §9.1 start-up guards judged again, independently of the lifecycle's
// code, on what each guard-check event says they read (spec §5: a node
// refuses to start if its epoch is <= the registry's last_seen for it, if
// its epoch is 0xFFFF, or if its low-16 id collides with another member's),
// and production main's guards on the node's own rows and its sidecar
// (addendum §4 rows 1 and 9 on guard-check events, rows 12, 13 and 15 on
// replay-guard-check events):
//  - 'guard-missed': a guard let the node through where §9.1 refuses;
//  - 'guard-wrong-refusal': a guard refused where §9.1 does not;
//  - 'guard-view': the registry a caught-up guard read is not the committed
//    log's registry at the index it says it caught up to, or a row rows 12
//    and 15 show is not the node's own row under the DEK each reads, as its
//    store after the replay holds it (built from the trace).
// A missed guard is often masked later (the applier halts the registration
// it lets through, failing closed, or the collision halts every replica),
// so no other check sees it; that halt is the outage the guard exists to
// prevent. The rollback and exhaustion guards belong to §7.2 (rollback.ts),
// the collision guards to §7.3 (collision.ts).
import { fullIdHex, slotOfId } from '../../trace/ids.ts';
import type { GuardName, TraceEvent, TraceRow } from '../../trace/types.ts';
import { keyFields, parseRowValue, traceRowsDigest } from './context.ts';
import type { CheckContext } from './context.ts';
import { appliedWrites } from '../../trace/rows.ts';
import { modelKeyHex } from '../registration.ts';
import { applyWrites, trackStore } from './node-states.ts';
import type { Stores } from './node-states.ts';

type GuardCheckEvent = Extract<TraceEvent, { kind: 'guard-check' }>;
type ReplayGuardCheckEvent = Extract<TraceEvent, { kind: 'replay-guard-check' }>;

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
  return guard === 'member-collision' || guard === 'registry-collision' ? 'collisions-halt' : 'no-silent-rollback';
}

interface Row {
  dekId: number;
  nodeId16: number;
  fullNodeId: bigint;
  lastSeen: number;
}

/** A trace row decoded (undefined if it is not a registry row). */
function decodeRow(r: TraceRow): Row | undefined {
  const v = parseRowValue(r.valueHex);
  const k = keyFields(r.keyHex);
  return v === undefined || k === undefined ? undefined : { ...k, fullNodeId: v.fullNodeId, lastSeen: v.lastSeen };
}

/** The rows the event carries, decoded (undefined if one is not a registry row: the decision is then not judged). */
function decodeRows(ev: GuardCheckEvent): Row[] | undefined {
  const out: Row[] = [];
  for (const r of ev.rows ?? []) {
    const row = decodeRow(r);
    if (row === undefined) return undefined;
    out.push(row);
  }
  return out;
}

/** Why §9.1 refuses at `guard` on the event's inputs, or undefined if it lets the node through. */
function refuses(guard: GuardName, ev: GuardCheckEvent, rows: readonly Row[]): string | undefined {
  const mine = BigInt(ev.fullNodeId);
  const slot = Number(mine & 0xffffn);
  switch (guard) {
    case 'exhaustion':
    case 'bump-exhausted':
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
    case 'own-row-pre-bump': {
      const row = rows.find((r) => r.dekId === ev.dekId && r.nodeId16 === slot);
      return ownRowRefuses(row, mine, ev.envelope === true, ev.epochBefore, (epoch, lastSeen) => epoch < lastSeen);
    }
    case 'cutover-divergence': {
      const c = ev.cutover;
      if (c === undefined || c.snapshot === 0 || c.snapshot === c.sidecar) return undefined;
      return `the header of its newest snapshot records the raft cutover at index ${c.snapshot}, its sidecar ${c.sidecar === 0 ? 'none' : `at ${c.sidecar}`}`;
    }
    case 'own-row-after-replay':
    case 'sidecar-behind-log':
    case 'raft-epoch':
      return undefined; // judged on replay-guard-check events (replayRefuses)
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

/**
 * Production main's rows 9 and 12 (addendum §4): the node's own row under the
 * active storage DEK. Missing: refused once the storage envelope is active;
 * another full id's: refused; else refused when `back(sidecar epoch,
 * last_seen)` (row 9: below; row 12: at or below).
 */
function ownRowRefuses(
  row: Row | undefined,
  mine: bigint,
  envelope: boolean,
  epoch: number,
  back: (epoch: number, lastSeen: number) => boolean,
): string | undefined {
  if (row === undefined) return envelope ? 'it has no row of its own and the storage envelope is active' : undefined;
  if (row.fullNodeId !== mine) return `its slot under dek ${row.dekId} is registered to full ${fullIdHex(row.fullNodeId)}`;
  return back(epoch, row.lastSeen) ? `its sidecar epoch ${epoch} has gone back against registry last_seen ${row.lastSeen}` : undefined;
}

/**
 * Row 15 on what a replay-guard-check event read: why the raft epoch is not
 * above the last_seen of the node's own row under the raft DEK, or undefined
 * (no raft cutover recorded; no row, or another's: not compared).
 */
export function raftEpochNotAbove(ev: ReplayGuardCheckEvent): string | undefined {
  const row = ev.raft?.row === undefined ? undefined : decodeRow(ev.raft.row);
  if (ev.raft === undefined || row === undefined || row.fullNodeId !== BigInt(ev.fullNodeId)) return undefined;
  return ev.raft.epoch <= row.lastSeen ? `its raft epoch ${ev.raft.epoch} is not above registry last_seen ${row.lastSeen} under raft dek ${ev.raft.dekId}` : undefined;
}

/** Why production main refuses at `guard` after the local replay, on the event's inputs and the committed log. */
function replayRefuses(guard: GuardName, ev: ReplayGuardCheckEvent, ctx: CheckContext): string | undefined {
  if (guard === 'own-row-after-replay') {
    // A row that does not decode is not the node's own.
    const row = ev.row === undefined ? undefined : (decodeRow(ev.row) ?? { dekId: ev.dekId, nodeId16: 0, fullNodeId: -1n, lastSeen: 0 });
    return ownRowRefuses(row, BigInt(ev.fullNodeId), ev.envelope, ev.epoch, (epoch, lastSeen) => epoch <= lastSeen);
  }
  if (guard === 'raft-epoch') return raftEpochNotAbove(ev);
  if (guard !== 'sidecar-behind-log') return undefined;
  // Row 13: a sidecar behind the engine must be shown harmless entry by entry (0 is a legacy sidecar).
  if (ev.sidecarIndex === 0 || ev.sidecarIndex >= ev.appliedIndex) return undefined;
  for (let index = ev.sidecarIndex + 1; index <= ev.appliedIndex; index++) {
    if (index <= ev.compactedThrough || index > ev.logLastIndex) {
      return `the gap (${ev.sidecarIndex}, ${ev.appliedIndex}] between its sidecar and its engine holds entry ${index}, which its log no longer or does not yet hold`;
    }
    const first = ctx.log.entryAt(index)?.slice(0, 2);
    if (first !== undefined && ['04', '05', '06', '07'].includes(first)) {
      return `entry ${index} (opcode 0x${first}) lies between its sidecar (${ev.sidecarIndex}) and its engine (${ev.appliedIndex})`;
    }
  }
  return undefined;
}

/** What rows 12 and 15 read: the node's own row (if any) under the active storage DEK, and under the raft DEK once the cutover is recorded. */
function replayReads(ev: ReplayGuardCheckEvent): [GuardName, number, TraceRow | undefined][] {
  const reads: [GuardName, number, TraceRow | undefined][] = [['own-row-after-replay', ev.dekId, ev.row]];
  if (ev.raft !== undefined) reads.push(['raft-epoch', ev.raft.dekId, ev.raft.row]);
  return reads;
}

/**
 * Rows 12 and 15 read the node's own row under one DEK: the key of a row the
 * event shows must be that DEK and the node's 16-bit slot, or the guard
 * judged another row (its decision is then not evidence either way).
 */
function replayRowMisread(ev: ReplayGuardCheckEvent): { guard: GuardName; message: string } | undefined {
  const slot = slotOfId(ev.fullNodeId);
  for (const [guard, dekId, row] of replayReads(ev)) {
    const k = row === undefined ? undefined : keyFields(row.keyHex);
    if (row === undefined || (k !== undefined && k.dekId === dekId && k.nodeId16 === slot)) continue;
    const read = k === undefined ? `a row with key ${row.keyHex}` : `the row of slot 0x${k.nodeId16.toString(16).padStart(4, '0')} under dek ${k.dekId}`;
    return { guard, message: `${ev.node}'s ${guard} guard read ${read}, not its own row under dek ${dekId} (slot 0x${slot.toString(16).padStart(4, '0')})` };
  }
  return undefined;
}

/** The rule a guard is judged by. */
function ruleOf(guard: GuardName): string {
  return guard === 'own-row-pre-bump' || guard === 'own-row-after-replay' || guard === 'sidecar-behind-log' || guard === 'raft-epoch'
    ? 'production main (addendum §4)'
    : '§9.1';
}

/** A finding if the decision on `guard` differs from `why` (the reference's reason to refuse, if any); `stop`: the pass ended here. */
function judge(
  out: GuardFinding[],
  e: number,
  ev: { node: string; fullNodeId: string; refused?: GuardName },
  guard: GuardName,
  why: string | undefined,
): 'stop' | undefined {
  const refused = ev.refused === guard;
  if (why !== undefined && !refused) {
    out.push({ eventIndex: e, node: ev.node, guard, code: 'guard-missed', message: `${ev.node}'s ${guard} guard let it start (full ${ev.fullNodeId}), but ${ruleOf(guard)} refuses: ${why}` });
    return 'stop';
  }
  if (why === undefined && refused) {
    out.push({ eventIndex: e, node: ev.node, guard, code: 'guard-wrong-refusal', message: `${ev.node}'s ${guard} guard refused to start it (full ${ev.fullNodeId}), but ${ruleOf(guard)} does not refuse on what it read` });
    return 'stop';
  }
  return refused ? 'stop' : undefined;
}

/**
 * Rows 12 and 15 read the node's live store after the replay: the row each
 * shows must be the one that store holds, as the trace's restarts, restores,
 * installs and applies built it.
 */
function replayRowStale(ev: ReplayGuardCheckEvent, store: ReadonlyMap<string, string> | undefined): { guard: GuardName; message: string } | undefined {
  if (store === undefined) return undefined;
  const slot = slotOfId(ev.fullNodeId);
  for (const [guard, dekId, row] of replayReads(ev)) {
    const held = store.get(modelKeyHex(dekId, slot));
    if (row?.valueHex === held) continue;
    return { guard, message: `${ev.node}'s ${guard} guard read ${row === undefined ? 'no row' : row.valueHex} as its own row under dek ${dekId}, but its store holds ${held ?? 'none'} there after the replay` };
  }
  return undefined;
}

/** The guard decisions of the trace that break `invariant`'s part (c). */
export function guardFindings(trace: readonly TraceEvent[], ctx: CheckContext, invariant: GuardInvariant): GuardFinding[] {
  const out: GuardFinding[] = [];
  const stores: Stores = new Map();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    trackStore(stores, ev);
    if (ev.kind === 'apply') applyWrites(stores, ev.node, appliedWrites(ev));
    if (ev.kind === 'replay-guard-check') {
      const misread = replayRowMisread(ev) ?? replayRowStale(ev, stores.get(ev.node));
      if (misread !== undefined) {
        out.push({ eventIndex: e, node: ev.node, guard: misread.guard, code: 'guard-view', message: misread.message });
        continue;
      }
      for (const guard of ev.guards) if (judge(out, e, ev, guard, replayRefuses(guard, ev, ctx)) === 'stop') break;
      continue;
    }
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
    for (const guard of ev.guards) if (judge(out, e, ev, guard, refuses(guard, ev, rows)) === 'stop') break;
  }
  return out.filter((f) => guardInvariant(f.guard) === invariant);
}
