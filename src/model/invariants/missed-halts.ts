// The applies that should have halted and did not: a committed registration
// that the reference model halts with `reason` (rollback or collision), while
// the node went on (an environmental halt, e.g. a store fault, also stops it).
// Shared by no-silent-rollback and collisions-halt, which differ only in the
// reason and in how they explain the miss.
import type { RegistryRow } from '../../applier/types.ts';
import type { TraceEvent } from '../../trace/types.ts';
import { modelKeyHex } from '../registration.ts';
import { decodeRegistrationEntry, modelStepFor } from './context.ts';
import type { CheckContext, DecodedRegistration } from './context.ts';

export interface MissedHalt {
  eventIndex: number;
  ev: Extract<TraceEvent, { kind: 'apply' }>;
  reg: DecodedRegistration;
  keyHex: string;
  /** The committed row of the slot before this entry. */
  row: RegistryRow | undefined;
}

export function missedHalts(trace: readonly TraceEvent[], ctx: CheckContext, reason: 'rollback' | 'collision'): MissedHalt[] {
  const out: MissedHalt[] = [];
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind !== 'apply') continue;
    const pair = modelStepFor(ctx, ev);
    const model = pair?.step.result;
    if (!pair || model?.kind !== 'halt' || model.reason !== reason) continue;
    const r = ev.result;
    if ((r.kind === 'halt' && (r.reason === reason || ctx.isEnvironmental(e))) || ctx.isSidecarExplained(e)) continue;
    const reg = decodeRegistrationEntry(ev.entryHex) as DecodedRegistration; // the model decoded it
    const keyHex = modelKeyHex(reg.dekId, reg.nodeId16);
    out.push({ eventIndex: e, ev, reg, keyHex, row: pair.prev.rows.get(keyHex) });
  }
  return out;
}
