// §7.3 collisions-halt, production main's admission check (addendum §6.1):
// before adding a node, the leader refuses if another full id owns the new
// node's 16-bit slot in its own local registry, under its active storage DEK
// and then under its active raft DEK. Judged on each admission-check event:
//  - the row the check read is the leader's local row in the joiner's slot
//    under that DEK, as the trace's restarts, restores, installs and applies
//    built that store ('guard-view');
//  - its decision is the one §6.1 makes on that row: refuse another owner's
//    row, admit the joiner's own, pre-register into an empty slot
//    ('guard-missed', 'guard-wrong-refusal', 'guard-view');
//  - an add the checks let through covered every active DEK of the leader's
//    sidecar when the checks began, as the trace shows it (NodeSidecars:
//    main's sidecar-load, then the leader's own 0x04/0x05 applies)
//    ('admission-dek-skipped'). Stage 6A has no sidecar to judge by: its one
//    cluster DEK is the one the check names;
//  - a pre-registration has applied at the leader before the add
//    ('admission-not-awaited').
import type { TraceEvent } from '../../trace/types.ts';
import { modelKeyHex } from '../registration.ts';
import { appliedWrites } from '../../trace/rows.ts';
import { fullIdHex, slotOfId } from '../../trace/ids.ts';
import type { CheckContext } from './context.ts';
import { applyWrites, trackStore } from './node-states.ts';
import type { Stores } from './node-states.ts';
import { parseRowValue } from './trace-hex.ts';

export interface AdmissionFinding {
  eventIndex: number;
  node: string;
  code: 'guard-missed' | 'guard-wrong-refusal' | 'guard-view' | 'admission-dek-skipped' | 'admission-not-awaited';
  message: string;
}

type AdmissionCheckEvent = Extract<TraceEvent, { kind: 'admission-check' }>;

export function admissionFindings(trace: readonly TraceEvent[], ctx: CheckContext): AdmissionFinding[] {
  const out: AdmissionFinding[] = [];
  const stores: Stores = new Map();
  /** joiner -> the admission under way: the leader's active DEKs when it began, and those checked. */
  const underWay = new Map<string, { due: number[]; checked: Set<number>; leader: string; preRegistered: string[] }>();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    trackStore(stores, ev);
    switch (ev.kind) {
      case 'apply':
        applyWrites(stores, ev.node, appliedWrites(ev));
        break;
      case 'admission-check': {
        let admission = underWay.get(ev.node);
        if (admission === undefined) {
          const sidecar = ctx.sidecars.leaderAt(e)?.sidecar;
          const due = sidecar === undefined ? [] : [sidecar.activeStorage, sidecar.activeRaft].filter((d) => d !== 0);
          underWay.set(ev.node, (admission = { due, checked: new Set(), leader: ev.leader, preRegistered: [] }));
        }
        admission.checked.add(ev.dekId);
        const keyHex = modelKeyHex(ev.dekId, slotOfId(ev.fullNodeId));
        if (ev.decision === 'pre-register') admission.preRegistered.push(keyHex);
        const finding = judgeCheck(ev, keyHex, stores.get(ev.leader));
        if (finding !== undefined) out.push({ eventIndex: e, node: ev.node, ...finding });
        if (ev.decision === 'refuse') underWay.delete(ev.node);
        break;
      }
      case 'guard-refused':
        underWay.delete(ev.node);
        break;
      case 'add-node': {
        const admission = underWay.get(ev.node);
        underWay.delete(ev.node);
        if (admission === undefined) break;
        const leaderRows = stores.get(admission.leader);
        const missing = admission.preRegistered.find((k) => leaderRows !== undefined && parseRowValue(leaderRows.get(k) ?? '')?.fullNodeId !== BigInt(ev.fullNodeId));
        if (missing !== undefined) {
          out.push({
            eventIndex: e,
            node: ev.node,
            code: 'admission-not-awaited',
            message: `${ev.node} was added before its pre-registration (${missing}) applied at ${admission.leader}: §6.1 adds the node once Register(dek, new, 0) has applied`,
          });
          break;
        }
        const skipped = admission.due.filter((d) => !admission.checked.has(d));
        if (skipped.length === 0) break;
        out.push({
          eventIndex: e,
          node: ev.node,
          code: 'admission-dek-skipped',
          message: `${ev.node} was added after an admission check that skipped the leader's active dek ${skipped.join(', ')} (checked: ${[...admission.checked].join(', ')}): §6.1 checks the storage DEK, then the raft DEK`,
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** One check judged again on the leader's local row (`store` undefined: the oracle does not know it). */
function judgeCheck(ev: AdmissionCheckEvent, keyHex: string, store: Map<string, string> | undefined): Omit<AdmissionFinding, 'eventIndex' | 'node'> | undefined {
  const joiner = BigInt(ev.fullNodeId);
  const local = store?.get(keyHex);
  if (store !== undefined && (ev.row?.valueHex !== local || (ev.row !== undefined && ev.row.keyHex !== keyHex))) {
    const read = ev.row === undefined ? 'no row' : `row ${ev.row.keyHex}=${ev.row.valueHex}`;
    return { code: 'guard-view', message: `${ev.node}'s admission check on ${ev.leader} under dek ${ev.dekId} read ${read}; the leader's local registry holds ${local === undefined ? 'no row' : local} in that slot` };
  }
  const owner = ev.row === undefined ? undefined : parseRowValue(ev.row.valueHex)?.fullNodeId;
  const due: AdmissionCheckEvent['decision'] = owner === undefined ? 'pre-register' : owner === joiner ? 'admit' : 'refuse';
  if (ev.decision === due) return undefined;
  const whose = owner === undefined ? 'an empty slot' : `a row of full id ${fullIdHex(owner)}`;
  const message = `${ev.node}'s admission check on ${ev.leader} under dek ${ev.dekId} decided ${ev.decision} on ${whose}: §6.1 says ${due}`;
  if (due === 'refuse') return { code: 'guard-missed', message };
  if (ev.decision === 'refuse') return { code: 'guard-wrong-refusal', message };
  return { code: 'guard-view', message };
}
