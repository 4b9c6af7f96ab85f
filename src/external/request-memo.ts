// The apply requests of recent entries, by what they hold. The replicas of an
// entry mostly ask the same request (the same rows, read from stores that
// agree), so each distinct request is built once (its rows and entry in hex,
// its JSON key) and a replica's own is recognised by comparing bytes: the
// entry, then the rows its slots hold now. Only a cache: a request found here
// is the one applyRequest would build.
import { sameBytes } from '../applier/main/bytes.ts';
import type { MainApplierDeps } from '../applier/main/index.ts';
import { applyRequest, envOf, requestOf } from './exchange-v2.ts';
import type { ApplyRequest } from './protocol-v2.ts';
import { slotsOf } from './slots.ts';

/** A request and its key (its JSON: equal keys, equal requests). */
export interface KeyedRequest {
  request: ApplyRequest;
  key: string;
}

interface Built extends KeyedRequest {
  entry: Uint8Array;
  slots: Uint8Array[];
  values: (Uint8Array | undefined)[];
}

/** Indices remembered: far more than the entries between a leader's proposal and its slowest replica's apply. */
const INDICES = 256;
/** Distinct requests remembered per index (index 0, unknown, collects those of applies that name none). */
const PER_INDEX = 16;

function sameValues(a: readonly (Uint8Array | undefined)[], b: readonly (Uint8Array | undefined)[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const w = b[i];
    if (v === undefined ? w !== undefined : w === undefined || !sameBytes(v, w)) return false;
  }
  return true;
}

export class RequestMemo {
  private readonly byIndex = new Map<number, Built[]>();

  /** The request of `entry` at `index` on the node of `deps`, as its stores are now. */
  of(deps: MainApplierDeps | undefined, index: number, entry: Uint8Array): KeyedRequest {
    const registry = deps?.registry;
    const env = envOf(deps);
    // A node whose environment travels too (main's FSM: sidecar, keystore) is built afresh each time.
    if (registry?.peek === undefined || env !== undefined) return keyed(applyRequest(deps, index, entry, env));
    let built = this.byIndex.get(index);
    let slots: Uint8Array[] | undefined;
    for (const b of built ?? []) if (sameBytes(b.entry, entry)) slots = b.slots;
    slots ??= slotsOf(entry);
    const values: (Uint8Array | undefined)[] = [];
    for (const key of slots) values.push(registry.peek(key));
    for (const b of built ?? []) if (sameBytes(b.entry, entry) && sameValues(b.values, values)) return b;
    const request = requestOf(index, entry, slots, values, undefined);
    const made: Built = { request, key: JSON.stringify(request), entry, slots, values };
    if (built === undefined) {
      if (this.byIndex.size >= INDICES) this.byIndex.delete(this.byIndex.keys().next().value as number);
      this.byIndex.set(index, (built = []));
    }
    if (built.length >= PER_INDEX) built.shift();
    built.push(made);
    return made;
  }
}

function keyed(request: ApplyRequest): KeyedRequest {
  return { request, key: JSON.stringify(request) };
}
