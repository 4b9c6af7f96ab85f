// §7.4 replica-agreement, judged without the reference model: replicas are
// compared with each other, index by index.
//  - rows: every "settled" successful apply at index i (the node's store is not
//    ahead of i: i >= its hwm, see context.ts) must show the rowsHash the first
//    settled successful apply at i showed;
//  - halt reasons: every halt at i (from apply results and halt events) must
//    give the reason of the first halt at i;
//  - decision: a settled replica must not halt at i where another settled
//    replica applied i successfully, or the other way round. A halt event with
//    no halting apply of i right before it (a node whose apply loop waited for
//    its registration and failed closed at i from its view of the committed
//    log, without applying up to it: policy nonces.heldBehindHalt 'halt') is a
//    halt decision at i like any other.
// Environmental halts (store faults) are node-local and not compared. So is a
// bootstrap or rotation that production main's node-local sidecar decided
// otherwise than the in-order application (CheckContext.isSidecarExplained):
// that is reported once per node and index as 'sidecar-divergence', the
// replicas parting ways by the design (the sidecar is in no snapshot).
// A rows disagreement between two replicas is reported once, then suppressed
// for that pair until they agree again at some index (a diverged replica
// otherwise disagrees at every later index); one with a node whose sidecar
// diverged is the divergence's, not reported again.
// Codes: 'rows-disagree', 'halt-reason-disagree', 'halt-decision-disagree', 'sidecar-divergence'.
import type { TraceEvent } from '../../trace/types.ts';
import { describeEntry, describeResult, violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

interface Seen {
  node: string;
  eventIndex: number;
}

export function checkReplicaAgreement(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const rowsAt = new Map<number, Seen & { rowsHash: string }>();
  const haltAt = new Map<number, Seen & { reason: string }>();
  const settledHaltAt = new Map<number, Seen & { reason: string }>();
  const disagreeing = new Set<string>();
  const pair = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

  const checkReason = (e: number, node: string, index: number, reason: string): boolean => {
    if (ctx.isEnvironmental(e)) return true;
    const first = haltAt.get(index);
    if (!first) {
      haltAt.set(index, { node, eventIndex: e, reason });
      return true;
    }
    if (first.reason === reason) return true;
    out.push(
      violation(
        'replica-agreement', 'halt-reason-disagree',
        e,
        node,
        `${node} halted at index ${index} for ${reason}, but ${first.node} halted there for ${first.reason} (event #${first.eventIndex})`,
      ),
    );
    return false;
  };

  /** A settled halt decision at `index`: no settled replica may have applied that index. */
  const settleHalt = (e: number, node: string, index: number, reason: string, how: string): void => {
    const applied = rowsAt.get(index);
    if (applied) {
      out.push(
        violation(
          'replica-agreement', 'halt-decision-disagree',
          e,
          node,
          `${node} halted at index ${index} for ${reason}${how}, but ${applied.node} applied that index (event #${applied.eventIndex})`,
        ),
      );
    } else if (!settledHaltAt.has(index)) {
      settledHaltAt.set(index, { node, eventIndex: e, reason });
    }
  };

  const diverged = new Set<string>();
  const sidecarNodes = new Set<string>();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ctx.isSidecarExplained(e)) {
      if (ev.kind === 'apply' && !diverged.has(`${ev.node}#${ev.index}`)) {
        diverged.add(`${ev.node}#${ev.index}`);
        sidecarNodes.add(ev.node);
        out.push(sidecarDivergence(ctx, e, ev));
      }
      continue;
    }
    if (ev.kind === 'halt') {
      if (!checkReason(e, ev.node, ev.index, ev.reason) || ctx.isEnvironmental(e)) continue;
      const prev = trace[e - 1];
      const afterApply = prev?.kind === 'apply' && prev.node === ev.node && prev.index === ev.index && prev.result.kind === 'halt';
      if (afterApply || ev.index < (ctx.life.hwmBefore[e] ?? 0)) continue;
      // A held node's halt: judged as a settled halt decision.
      settleHalt(e, ev.node, ev.index, ev.reason, ' (from its view of the committed log, without applying up to it)');
      continue;
    }
    if (ev.kind !== 'apply') continue;
    const settled = ev.index >= (ctx.life.hwmBefore[e] ?? 0);
    const r = ev.result;
    if (r.kind === 'halt') {
      if (ctx.isEnvironmental(e)) continue;
      if (!checkReason(e, ev.node, ev.index, r.reason) || !settled) continue;
      settleHalt(e, ev.node, ev.index, r.reason, '');
      continue;
    }
    if (!settled) continue;
    const halted = settledHaltAt.get(ev.index);
    if (halted) {
      out.push(
        violation(
          'replica-agreement', 'halt-decision-disagree',
          e,
          ev.node,
          `${ev.node} applied index ${ev.index}, but ${halted.node} halted there for ${halted.reason} (event #${halted.eventIndex})`,
        ),
      );
      continue;
    }
    const first = rowsAt.get(ev.index);
    if (!first) {
      rowsAt.set(ev.index, { node: ev.node, eventIndex: e, rowsHash: ev.rowsHash });
      continue;
    }
    const key = pair(first.node, ev.node);
    if (first.rowsHash === ev.rowsHash) {
      disagreeing.delete(key);
      continue;
    }
    if (disagreeing.has(key) || sidecarNodes.has(ev.node) || sidecarNodes.has(first.node)) continue;
    disagreeing.add(key);
    out.push(
      violation(
        'replica-agreement', 'rows-disagree',
        e,
        ev.node,
        `${ev.node}'s registry after index ${ev.index} has digest ${ev.rowsHash}, but ${first.node}'s had ${first.rowsHash} there (event #${first.eventIndex})`,
      ),
    );
  }
  return out;
}

function sidecarDivergence(ctx: CheckContext, e: number, ev: Extract<TraceEvent, { kind: 'apply' }>): Violation {
  const sidecar = ctx.sidecars.at(e)?.local.sidecar;
  const own = sidecar === undefined ? 'it has no sidecar' : `its sidecar's active DEKs are ${sidecar.activeStorage} (storage) and ${sidecar.activeRaft} (raft)`;
  const inOrder = ctx.timeline.step(ev.index)?.result;
  return violation(
    'replica-agreement', 'sidecar-divergence',
    e,
    ev.node,
    `${ev.node} got ${describeResult(ev.result)} applying index ${ev.index} (${describeEntry(ev.entryHex)}) where a single in-order application of the committed log gives ${inOrder === undefined ? '?' : describeResult(inOrder)}: ${own}, and main keeps the sidecar to the node (in no snapshot; a joiner's is provisioned), so replicas part ways on a bootstrap or rotation`,
  );
}
