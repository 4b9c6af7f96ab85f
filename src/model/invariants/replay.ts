// §7.1 replay-idempotence: every node's registry must follow the reference
// timeline (the model's rows after a single in-order application of the
// committed entries), and every apply must make the model's decision.
//
// What is compared, and when (see Lifecycle in context.ts for `hwm`):
//  - the result of every apply of the canonical entry at its index
//    ('result-mismatch'): equal to the model's, except that inside a replay
//    window (index <= hwm: the store already holds the effects of entries up
//    to hwm, after a crash or an install of a snapshot taken inside its
//    source's window) a registration the model inserts or advances may come
//    back as a no-op, if that is what spec §3 gives on the node's store.
//    Results where the model halts for rollback or collision are left to
//    no-silent-rollback / collisions-halt; environmental halts (store faults)
//    are not compared.
//  - 'replay-window-halt': inside a replay window the node halts exactly as
//    spec §3 prescribes for the store it actually has (tracked from the
//    trace: restart/install/restore rows plus every apply's write), where a
//    single in-order application does not halt. The applier is right; the
//    replay is not idempotent: re-applying Register(e) over a store that
//    already registered e' > e for the same id (two registrations of one node
//    between two local snapshots) halts as rollback, forever. A violation of
//    §7.1 by the design; `allowReplayWindowHalts` silences it. A halt that
//    spec §3 would not make on that store (the historic `<=` bug replaying an
//    equal epoch) is a 'result-mismatch'.
//  - 'rows-mismatch': the rowsHash of an apply once the node has left its
//    replay window (index >= hwm): equal to the model after that index (after
//    index-1 for a halt; either for an environmental halt, which may strike
//    before or after the write).
//  - 'window-rows': inside the window the rows are legitimately ahead of the
//    entry, but only to a state the committed log went through: the model
//    after some index in [index, hwm].
//  - 'restart-rows': the rows a restart shows (the persisted store) are the
//    model after some index in [restart applied index, hwm]: every synced
//    registry write survived, and nothing else was written.
//  - 'snapshot-take-rows' / 'snapshot-install-rows': the rows of a snapshot
//    must be the model after some index in [snapshot index, source hwm].
//  - 'run-end-rows': the run-end rowsHash of every node that is up and has
//    left its window equals the model at its applied index (catches a node
//    that never applies again after a bad install or a lost write).
//  - 'skip-not-applied': an apply the engine acknowledged without running the
//    applier (`skipped: 'registry-applied-index'`, engine option registryReplay
//    'skip-applied') is a legitimate no-op only if the entry's effect is in the
//    node's store: the index is inside the replay window (index <= hwm) and
//    the store's row for the key the entry targets is the reference row at
//    some index in [index, hwm] (the row the entry wrote, or a later write of
//    that row on top of it). Otherwise the engine claimed an entry it never
//    applied (a lost write whose index survived, an index carried by a
//    snapshot or restore that does not hold the row, an entry the model halts
//    on): a violation, whatever result the skip reported. Skips of entries the
//    model halts as rollback/collision are no-silent-rollback's /
//    collisions-halt's to report.
// A restore only resets the node's divergence flag: its window comes from the
// backup (context.ts), and no-silent-rollback checks the rows it brings back.
// After a node's rows diverge they are reported once; further row mismatches on
// that node are suppressed until its rows match the model again or its state is
// replaced (install, restore).
import type { RegistryRow } from '../../applier/types.ts';
import { appliedWrites } from '../../trace/rows.ts';
import type { TraceEvent, TraceRow } from '../../trace/types.ts';
import { modelKeyHex } from '../registration.ts';
import type { ModelEntryResult } from '../registration.ts';
import {
  decodeRegistrationEntry,
  describeEntry,
  describeKey,
  describeResult,
  modelResultOn,
  modelStepFor,
  rowsToModel,
  sameResult,
  traceRowsDigest,
  violation,
} from './context.ts';
import type { CheckContext, ModelStep, Violation } from './context.ts';
import { applyWrites, modelRowsOf, trackStore } from './node-states.ts';

function sameModel(a: ModelEntryResult, b: ModelEntryResult): boolean {
  return describeResult(a) === describeResult(b);
}

/**
 * An environmental fault that struck in the middle of an entry writing
 * several rows (main's bootstrap), maybe again on a replay of it: the digest
 * of the node's store with this apply's writes, if every row of it is the
 * model's row before or after the entry (undefined otherwise).
 */
function partialDigest(prev: ModelStep, step: ModelStep, store: Map<string, string> | undefined, writes: readonly TraceRow[]): string | undefined {
  if (store === undefined) return undefined;
  const rows = new Map(store);
  for (const w of writes) rows.set(w.keyHex, w.valueHex);
  for (const key of new Set([...rows.keys(), ...step.hex.keys()])) {
    const v = rows.get(key);
    if (v !== prev.hex.get(key) && v !== step.hex.get(key)) return undefined;
  }
  return traceRowsDigest([...rows].map(([keyHex, valueHex]) => ({ keyHex, valueHex })));
}

/**
 * Why a skipped apply at `index` is not legitimate (undefined if it is): its
 * entry's effect must be in the node's store, i.e. the index is in the replay
 * window and the target row is the reference row at some index in [index, hwm].
 */
function skipProblem(
  ctx: CheckContext,
  entryHex: string,
  index: number,
  hwm: number,
  model: ModelEntryResult,
  store: Map<string, string> | undefined,
): string | undefined {
  if (model.kind === 'halt') return `a single in-order application halts there (${model.reason})`;
  const reg = decodeRegistrationEntry(entryHex);
  if (reg === undefined) return 'it is not a well-formed registration (only those are skipped)';
  if (index > hwm) {
    return `its store held the effects of entries only through index ${hwm}, so not this one`;
  }
  const keyHex = modelKeyHex(reg.dekId, reg.nodeId16);
  const have = store?.get(keyHex);
  if (store === undefined) return undefined; // the node's store is unknown here: nothing to compare
  for (let k = index; k <= hwm; k++) {
    const step = ctx.timeline.step(k);
    if (step === undefined) break;
    if (step.hex.get(keyHex) === have) return undefined;
  }
  return `its row of ${describeKey(keyHex)} (${have === undefined ? 'absent' : `value ${have}`}) is not the committed registry's row at any index in [${index}, ${hwm}]: the store does not hold the entry's effect`;
}

export function checkReplayIdempotence(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  const out: Violation[] = [];
  const diverged = new Map<string, boolean>();
  const { timeline, life } = ctx;
  // Each node's registry as the trace shows it (rows of restart, install and
  // restore, plus every apply's write): what the applier had in front of it.
  // Raw hex (keyHex -> valueHex); turned into model rows only when needed.
  const stores = new Map<string, Map<string, string>>();
  // The registries an environmental fault left in the middle of an entry writing several rows (partialDigest):
  // a later restart may show one, also on another disk that a backup of it was restored onto.
  const partials = new Set<string>();

  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    trackStore(stores, ev);
    switch (ev.kind) {
      case 'apply': {
        const pair = modelStepFor(ctx, ev);
        if (!pair) break; // another entry than the committed one: raft-safety's finding
        const { step, prev } = pair;
        const model = step.result;
        if (model === undefined) break;
        const hwm = life.hwmBefore[e] ?? 0;
        const inWindow = ev.index <= hwm;
        const r = ev.result;
        const env = r.kind === 'halt' && ctx.isEnvironmental(e);
        // The node's own sidecar decided it (replica-agreement reports it): not compared with the in-order result.
        const ownSidecar = ctx.isSidecarExplained(e);
        const guarded = model.kind === 'halt' && (model.reason === 'rollback' || model.reason === 'collision');
        if (guarded && r.kind !== 'halt') {
          // no-silent-rollback / collisions-halt report it; the rows now differ on purpose.
          diverged.set(ev.node, true);
          break;
        }
        if (ev.skipped !== undefined) {
          const why = skipProblem(ctx, ev.entryHex, ev.index, hwm, model, stores.get(ev.node));
          if (why !== undefined) {
            out.push(
              violation(
                'replay-idempotence',
                'skip-not-applied',
                e,
                ev.node,
                `${ev.node}'s engine acknowledged index ${ev.index} (${describeEntry(ev.entryHex)}) as already applied (${ev.skipped}) without applying it, but ${why}; a single in-order application of the committed log gives ${describeResult(model)}`,
              ),
            );
            diverged.set(ev.node, true);
            break;
          }
        }
        if (!env && !ownSidecar && !guarded && !sameResult(model, r)) {
          const store = modelRowsOf(stores.get(ev.node));
          const onStore = store ? modelResultOn(ctx.timeline.model, store, ev.index, ev.entryHex, ctx.sidecars.at(e)?.local) : undefined;
          const replayNoop =
            inWindow &&
            model.kind === 'registered' &&
            r.kind === 'registered' &&
            r.outcome === 'noop' &&
            // A skip already shown to be in the store (above) is a no-op whatever §3 gives on the newer row.
            (ev.skipped !== undefined || onStore === undefined || sameResult(onStore, r));
          if (!replayNoop) {
            const where = inWindow
              ? ` while re-applying (its store already held the effects of entries through index ${hwm})`
              : '';
            const windowHalt = inWindow && r.kind === 'halt' && onStore !== undefined && sameResult(onStore, r);
            if (windowHalt) {
              // The applier did what spec §3 says on the store it has: the replay
              // itself is not idempotent (the store is ahead of the entry).
              if (!ctx.options.allowReplayWindowHalts)
                out.push(
                  violation(
                    'replay-idempotence',
                    'replay-window-halt',
                    e,
                    ev.node,
                    `${ev.node} got ${describeResult(r)} re-applying index ${ev.index} (${describeEntry(ev.entryHex)}) after a restart or install: its store already held the effects of entries through index ${hwm}, on which spec §3 halts too; a single in-order application of the committed log gives ${describeResult(model)}`,
                  ),
                );
              break;
            }
            const own =
              onStore !== undefined && !sameResult(onStore, r) && !sameModel(onStore, model)
                ? `; spec §3 on its own store gives ${describeResult(onStore)}`
                : '';
            out.push(
              violation(
                'replay-idempotence',
                'result-mismatch',
                e,
                ev.node,
                `${ev.node} got ${describeResult(r)} applying index ${ev.index} (${describeEntry(ev.entryHex)})${where}; a single in-order application of the committed log gives ${describeResult(model)}${own}`,
              ),
            );
            // A wrong success may have written a wrong row: report the cause, not the cascade.
            if (r.kind !== 'halt') diverged.set(ev.node, true);
            break;
          }
        }
        if (ev.index < hwm) {
          // Inside the replay window the rows may be ahead of the entry, but only
          // to a committed state the node had reached: the model at some index in [index, hwm]
          // (or the store a fault left half-way through an entry's rows, not yet re-applied).
          if (!diverged.get(ev.node) && hwm <= timeline.lastIndex && !partials.has(ev.rowsHash) && !timeline.digestInRange(ev.rowsHash, ev.index, hwm)) {
            diverged.set(ev.node, true);
            out.push(
              violation(
                'replay-idempotence', 'window-rows',
                e,
                ev.node,
                `${ev.node}'s registry after re-applying index ${ev.index} (${describeEntry(ev.entryHex)}, ${describeResult(r)}) has digest ${ev.rowsHash}, which is not the committed registry at any index in [${ev.index}, ${hwm}] (the entries its store already held)`,
              ),
            );
          }
          break;
        }
        // A halt keeps what the model's entry did before it (nothing under Stage 6A; under main a bootstrap's earlier rows).
        const partial = env && r.kind === 'halt' ? partialDigest(prev, step, stores.get(ev.node), appliedWrites(ev)) : undefined;
        if (partial !== undefined && ev.rowsHash === partial) partials.add(partial);
        const ok =
          env || ownSidecar
            ? ev.rowsHash === step.digest || ev.rowsHash === prev.digest || ev.rowsHash === partial
            : ev.rowsHash === step.digest;
        if (ok) {
          diverged.set(ev.node, false);
        } else if (ownSidecar) {
          // Rows the node's own sidecar led to (replica-agreement's sidecar-divergence says so): not reported again.
          diverged.set(ev.node, true);
        } else if (!diverged.get(ev.node)) {
          diverged.set(ev.node, true);
          out.push(
            violation(
              'replay-idempotence', 'rows-mismatch',
              e,
              ev.node,
              `${ev.node}'s registry after ${r.kind === 'halt' ? 'halting at' : 'applying'} index ${ev.index} (${describeEntry(ev.entryHex)}, ${describeResult(r)}) has digest ${ev.rowsHash}; a single in-order application of the committed log gives ${step.digest}`,
            ),
          );
        }
        break;
      }
      case 'snapshot-take': {
        if (diverged.get(ev.node)) break;
        const hwm = Math.max(life.hwmBefore[e] ?? 0, ev.index);
        if (hwm > timeline.lastIndex) break;
        if (!timeline.digestInRange(ev.rowsHash, ev.index, hwm)) {
          diverged.set(ev.node, true);
          out.push(
            violation(
              'replay-idempotence', 'snapshot-take-rows',
              e,
              ev.node,
              `${ev.node} took a snapshot at index ${ev.index} whose registry digest ${ev.rowsHash} is not the committed registry at any index in [${ev.index}, ${hwm}] (at ${ev.index}: ${timeline.step(ev.index)?.digest ?? '?'})`,
            ),
          );
        }
        break;
      }
      case 'snapshot-install': {
        const srcHwm = life.installSourceHwm.get(e) ?? ev.index;
        if (srcHwm > timeline.lastIndex) {
          diverged.set(ev.node, false);
          break;
        }
        const digest = traceRowsDigest(ev.rows);
        const ok = timeline.digestInRange(digest, ev.index, srcHwm);
        if (!ok && !diverged.get(ev.from)) {
          out.push(
            violation(
              'replay-idempotence', 'snapshot-install-rows',
              e,
              ev.node,
              `${ev.node} installed ${ev.from}'s snapshot at index ${ev.index} with ${ev.rows.length} registry row(s), digest ${digest}; the committed registry at index ${ev.index} has digest ${timeline.step(ev.index)?.digest ?? '?'} (${timeline.step(ev.index)?.rows.size ?? '?'} row(s))`,
            ),
          );
        }
        diverged.set(ev.node, !ok);
        break;
      }
      case 'restart': {
        // A restart shows the persisted store: synced registry writes through its hwm.
        const hwm = life.hwmAfter[e] ?? 0;
        if (diverged.get(ev.node) || hwm > timeline.lastIndex) break;
        const digest = traceRowsDigest(ev.rows);
        // The store a fault left half-way through an entry's rows is on the disk as it was left.
        if (!partials.has(digest) && !timeline.digestInRange(digest, ev.appliedIndex, hwm)) {
          diverged.set(ev.node, true);
          out.push(
            violation(
              'replay-idempotence', 'restart-rows',
              e,
              ev.node,
              `${ev.node} restarted (applied index ${ev.appliedIndex}) with registry digest ${digest}, which is not the committed registry at any index in [${ev.appliedIndex}, ${hwm}]: its persisted store lost or gained registry writes`,
            ),
          );
        }
        break;
      }
      case 'restore':
        diverged.set(ev.node, false);
        break;
      case 'run-end': {
        for (const s of ev.nodes) {
          if (!s.up || diverged.get(s.node)) continue;
          const hwm = life.endHwm.get(s.node) ?? 0;
          if (s.appliedIndex < hwm) continue;
          const step = timeline.step(s.appliedIndex);
          if (!step || step.digest === s.rowsHash) continue;
          out.push(
            violation(
              'replay-idempotence', 'run-end-rows',
              e,
              s.node,
              `at run-end ${s.node} (applied index ${s.appliedIndex}) holds registry digest ${s.rowsHash}; a single in-order application of the committed log through index ${s.appliedIndex} gives ${step.digest}`,
            ),
          );
        }
        break;
      }
      default:
        break;
    }
    if (ev.kind === 'apply') applyWrites(stores, ev.node, appliedWrites(ev));
  }
  return out;
}

