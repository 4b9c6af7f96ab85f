// §7.3 collisions-halt, four parts:
//  (a) every apply of a committed registration that the model halts as
//      collision (its slot is owned by a different full id in the committed
//      registry) must halt with reason collision (an environmental halt also
//      stops it);
//  (b) a row's owning full id never changes on any node (rows.ts: apply
//      writes, restart rows, snapshot installs; restore is exempt);
//  (c) every collision guard decision at a process start (against the
//      members, or the registry) is the one §9.1 makes on what the guard read
//      (guard-decisions.ts);
//  (d) every admission check of production main is the one §6.1 makes on the
//      leader's local rows, under each of its active DEKs (admission.ts).
// At most one violation per event.
// Codes: 'collision-accepted' (a), 'owner-changed' (b), 'guard-missed' /
// 'guard-wrong-refusal' / 'guard-view' (c, d), 'admission-dek-skipped' (d).
import { fullIdHex } from '../../trace/ids.ts';
import type { TraceEvent } from '../../trace/types.ts';
import { describeKey, describeResult, violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';
import { admissionFindings } from './admission.ts';
import { guardFindings } from './guard-decisions.ts';
import { missedHalts } from './missed-halts.ts';
import { rowFindings } from './rows.ts';

export function checkCollisionsHalt(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const reported = new Set<number>();
  for (const { eventIndex: e, ev, reg, keyHex, row } of missedHalts(trace, ctx, 'collision')) {
    out.push(
      violation(
        'collisions-halt', 'collision-accepted',
        e,
        ev.node,
        `${ev.node} got ${describeResult(ev.result)} for committed index ${ev.index}: Register(dek ${reg.dekId}, full ${fullIdHex(reg.fullNodeId)}, epoch ${reg.epoch}) targets ${describeKey(keyHex)}, owned by full ${fullIdHex(row?.fullNodeId)}; it must halt (collision)`,
      ),
    );
    reported.add(e);
  }
  for (const f of rowFindings(trace, ctx)) {
    if (f.kind !== 'owner-change' || reported.has(f.eventIndex)) continue;
    reported.add(f.eventIndex);
    const via = { write: 'by an apply write', restart: 'across a restart', 'snapshot-install': 'by a snapshot install', restore: 'by a restore from its backup' }[f.source];
    out.push(
      violation(
        'collisions-halt', 'owner-changed',
        f.eventIndex,
        f.node,
        `${f.node}'s row of ${describeKey(f.keyHex)} changed owner from full ${fullIdHex(f.before.full)} (shown at event #${f.before.eventIndex}) to full ${fullIdHex(f.after?.full)} ${via}`,
      ),
    );
  }
  for (const f of guardFindings(trace, ctx, 'collisions-halt')) out.push(violation('collisions-halt', f.code, f.eventIndex, f.node, f.message));
  for (const f of admissionFindings(trace, ctx)) out.push(violation('collisions-halt', f.code, f.eventIndex, f.node, f.message));
  return out;
}
