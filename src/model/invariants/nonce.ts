// §7.0 no-nonce-reuse: every `nonce` event is one AES-GCM nonce
// (nodeId16 ‖ epoch ‖ writeCount) under one DEK; the second use of a pair is
// reported with both event indices. Two nodes sharing their low 16 bits are the
// same writer as far as the nonce is concerned, so they are keyed together.
// A nonce used again for the very same entry (a replay re-applying index i of
// term t, bytes unchanged) is still reported: the spec forbids any second use,
// and the ciphertext is the same only if the sealed bytes depend on the entry
// alone. The message says so (the entry a nonce seals is the one the node's
// last apply event names).
// Codes, by cause:
//  - 'restored-epoch-reuse': the same node used the nonce again after its disk
//    was restored from a backup (its sidecar epoch went back, and it bumped
//    to an epoch it had used): what the §9.1 rollback guard exists to stop;
//    spec §7.0 says that without the guard the reuse follows, the applier
//    accepting the re-registration as an idempotent replay;
//  - 'nonce-reuse': any other reuse (two nodes sharing low 16 bits, an
//    epoch used twice without a restore, ...).
import type { TraceEvent } from '../../trace/types.ts';
import { violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

export function checkNonceReuse(trace: readonly TraceEvent[], _ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const first = new Map<string, { node: string; index: number; eventIndex: number; entry: string | undefined }>();
  const lastRestore = new Map<string, number>();
  /** Per node, the entry its last apply event applied: index, term and bytes. */
  const applying = new Map<string, string>();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind === 'restore') {
      lastRestore.set(ev.node, e);
      continue;
    }
    if (ev.kind === 'apply') {
      applying.set(ev.node, `${ev.index}|${ev.term}|${ev.entryHex}`);
      continue;
    }
    if (ev.kind !== 'nonce') continue;
    const key = `${ev.dekId}|${ev.nodeId16}|${ev.epoch}|${ev.writeCount}`;
    const entry = applying.get(ev.node);
    const prior = first.get(key);
    if (!prior) {
      first.set(key, { node: ev.node, index: ev.index, eventIndex: e, entry });
      continue;
    }
    const same = entry !== undefined && entry === prior.entry ? ' (the same entry sealed again: the same ciphertext only if the sealed bytes depend on the entry alone)' : '';
    const nonce = `(node16 0x${ev.nodeId16.toString(16).padStart(4, '0')}, epoch ${ev.epoch}, write_count ${ev.writeCount})`;
    const who =
      prior.node === ev.node ? `${ev.node} again` : `${ev.node}, which shares its low 16 bits with ${prior.node},`;
    const restored = lastRestore.get(ev.node);
    const afterRestore = restored !== undefined && restored > prior.eventIndex;
    const hint = afterRestore ? `; ${ev.node} was restored from a backup at event #${restored}` : '';
    out.push(
      violation(
        'no-nonce-reuse', afterRestore && prior.node === ev.node ? 'restored-epoch-reuse' : 'nonce-reuse',
        e,
        ev.node,
        `nonce ${nonce} under dek ${ev.dekId} used by ${who} for index ${ev.index}; first used by ${prior.node} for index ${prior.index} at event #${prior.eventIndex}${same}${hint}`,
      ),
    );
  }
  return out;
}
