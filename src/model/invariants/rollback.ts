// §7.2 no-silent-rollback, five parts:
//  (a) every apply of a committed registration that the model halts as
//      rollback (its epoch is below the committed last_seen of the same full
//      id) must halt with reason rollback (an environmental halt also stops it);
//  (b) on every node a row's last_seen never goes down and a row never
//      disappears (rows.ts: from apply writes, restart rows and snapshot
//      installs; a restore from backup is an operator rewind and is exempt);
//  (c) every rollback and exhaustion guard decision at a process start is the
//      one §9.1 makes on what the guard read (guard-decisions.ts);
//  (d) a start reads on its sidecar at least the epoch its disk last bumped
//      to, registered or encrypted under (epoch-durability.ts);
//  (e) only a running process registers, at the epoch it holds
//      (registration-owner.ts).
// At most one violation per event.
// Codes: 'rollback-accepted' (a), 'last-seen-decreased' / 'row-lost' (b),
// 'guard-missed' / 'guard-wrong-refusal' / 'guard-view' (c), 'epoch-lost' (d),
// 'stale-registration' (e).
import { fullIdHex } from '../../trace/ids.ts';
import type { TraceEvent } from '../../trace/types.ts';
import { describeKey, describeResult, violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';
import { epochLossFindings } from './epoch-durability.ts';
import { guardFindings } from './guard-decisions.ts';
import { missedHalts } from './missed-halts.ts';
import { staleRegistrations } from './registration-owner.ts';
import { rowFindings } from './rows.ts';

export function checkNoSilentRollback(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const reported = new Set<number>();
  for (const { eventIndex: e, ev, reg, keyHex, row } of missedHalts(trace, ctx, 'rollback')) {
    out.push(
      violation(
        'no-silent-rollback', 'rollback-accepted',
        e,
        ev.node,
        `${ev.node} got ${describeResult(ev.result)} for committed index ${ev.index}: Register(dek ${reg.dekId}, full ${fullIdHex(reg.fullNodeId)}, epoch ${reg.epoch}) is below the committed last_seen ${row?.lastSeen} of ${describeKey(keyHex)}; it must halt (rollback)`,
      ),
    );
    reported.add(e);
  }
  for (const f of rowFindings(trace, ctx)) {
    if (f.kind === 'owner-change' || reported.has(f.eventIndex)) continue;
    reported.add(f.eventIndex);
    const what =
      f.kind === 'vanished'
        ? `lost the row of ${describeKey(f.keyHex)} (full ${fullIdHex(f.before.full)}, last_seen ${f.before.last})`
        : `lowered last_seen of ${describeKey(f.keyHex)} (full ${fullIdHex(f.before.full)}) from ${f.before.last} to ${f.after?.last}`;
    const via =
      f.source === 'write'
        ? 'by an apply write'
        : f.source === 'restart'
          ? 'across a restart (a synced registry write did not survive)'
          : f.source === 'restore'
            ? 'by a restore that should bring back the rows of its backup'
            : 'by installing a snapshot that should contain it';
    out.push(
      violation('no-silent-rollback', f.kind === 'vanished' ? 'row-lost' : 'last-seen-decreased', f.eventIndex, f.node, `${f.node} ${what} ${via}; it was shown at event #${f.before.eventIndex}`),
    );
  }
  for (const f of guardFindings(trace, ctx, 'no-silent-rollback')) out.push(violation('no-silent-rollback', f.code, f.eventIndex, f.node, f.message));
  for (const f of epochLossFindings(trace)) out.push(violation('no-silent-rollback', 'epoch-lost', f.eventIndex, f.node, f.message));
  for (const f of staleRegistrations(trace)) out.push(violation('no-silent-rollback', 'stale-registration', f.eventIndex, f.node, f.message));
  return out;
}
