// §5.5's gate, judged (no-nonce-reuse 'sealed-unregistered'): once the raft
// envelope is on, production main refuses a node's raft-wrapped proposals
// until its registration under the raft DEK at its raft epoch has committed,
// its own registrations excepted. That order is what keeps nonces unique
// across processes: an epoch sealed before its registration commits is
// invisible to row 15 at the next start, so a later process (a restore, a
// replayed rotation) can seal at it again unseen. The check judges the
// precondition on every seal, whether or not a reuse follows in the run. It
// reads the node's registry as the trace shows it (node-states.ts), not the
// lifecycle's state cache: a seal by node X under (DEK, epoch) needs X's own
// row there at that epoch, in X's local store.
import { deriveNodeId, registryKey } from '../../applier/index.ts';
import { toHex } from '../../applier/hex.ts';
import { appliedWrites } from '../../trace/rows.ts';
import type { TraceEvent } from '../../trace/types.ts';
import { decodeRegistrationEntry, violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';
import { applyWrites, trackStore } from './node-states.ts';
import type { Stores } from './node-states.ts';
import { parseRowValue } from './trace-hex.ts';

export function checkSealGate(trace: readonly TraceEvent[], _ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const stores: Stores = new Map();
  /** Full ids the trace names (run-start's fullIds, add-node's); any other node's is FNV-1a-64 of its name. */
  const named = new Map<string, bigint>();
  const fullIdOf = (node: string): bigint => named.get(node) ?? deriveNodeId(node);
  /** Reported once per node, DEK and epoch: its later seals there are the same fault. */
  const reported = new Set<string>();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    trackStore(stores, ev);
    if (ev.kind === 'run-start') for (const [node, id] of Object.entries(ev.fullIds ?? {})) named.set(node, BigInt(id));
    if (ev.kind === 'add-node') named.set(ev.node, BigInt(ev.fullNodeId));
    if (ev.kind === 'apply') applyWrites(stores, ev.node, appliedWrites(ev));
    if (ev.kind !== 'nonce' || ev.proposal !== true) continue;
    const full = fullIdOf(ev.node);
    // A seal directly follows the propose event of the entry it seals (the trace contract of the lifecycle).
    const propose = trace[e - 1];
    if (propose?.kind === 'propose' && decodeRegistrationEntry(propose.entryHex)?.fullNodeId === full) continue;
    const value = stores.get(ev.node)?.get(toHex(registryKey(ev.dekId, ev.nodeId16)));
    const row = value === undefined ? undefined : parseRowValue(value);
    if (row?.fullNodeId === full && row.lastSeen === ev.epoch) continue;
    const key = `${ev.node}|${ev.dekId}|${ev.epoch}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const has = row === undefined ? 'no row there' : row.fullNodeId === full ? `its row there at epoch ${row.lastSeen}` : 'another node\'s row there';
    out.push(
      violation(
        'no-nonce-reuse', 'sealed-unregistered',
        e,
        ev.node,
        `${ev.node} sealed index ${ev.index} under raft dek ${ev.dekId} at epoch ${ev.epoch} before its registration there committed on it (its registry has ${has}; later seals there not reported): production main turns away every proposal but the node's own registrations until then (§5.5), or the next start's row 15 cannot see the epoch was used`,
      ),
    );
  }
  return out;
}
