// The network fault domain's scenario events: symmetric partitions (named
// groups; unlisted nodes form one more group), one-way cuts, heal, and
// changed parameters. Each recorded as the trace shows it.
import type { NetworkParams } from '../config.ts';
import type { TraceRecorder } from '../trace.ts';
import type { Network } from './network.ts';

/**
 * The most followers an isolate-leader may cut off with the leader so that
 * its side stays a minority of `members` (and the rest can elect).
 */
export function maxIsolatedFollowers(members: number): number {
  return Math.floor((members - 1) / 2) - 1;
}

export type NetworkEvent =
  /** `leader`: the partition isolates the node that led when it was cut (isolate-leader); `trap`: figure-8's crash points armed with it. */
  | { kind: 'partition'; groups: string[][]; leader?: string; trap?: boolean }
  | { kind: 'one-way'; from: string; to: string }
  | { kind: 'heal' }
  | { kind: 'set-network'; params: Partial<NetworkParams> };

export function applyNetworkEvent(
  ev: NetworkEvent,
  network: Network,
  names: readonly string[],
  trace: TraceRecorder,
  now: number,
): void {
  const index = (name: string): number => {
    const i = names.indexOf(name);
    if (i < 0) throw new RangeError(`unknown node "${name}"`);
    return i;
  };
  switch (ev.kind) {
    case 'partition': {
      const groups = partitionGroups(ev.groups, names.length, index);
      network.partition(groups);
      trace.record({ groups: groups.map((g) => g.map((i) => names[i] as string)), kind: 'partition', ...(ev.leader !== undefined ? { leader: ev.leader } : {}), ...(ev.trap === true ? { trap: true } : {}), t: now });
      return;
    }
    case 'one-way':
      network.blockOneWay(index(ev.from), index(ev.to));
      trace.record({ groups: [[...names]], kind: 'partition', oneWay: { from: ev.from, to: ev.to }, t: now });
      return;
    case 'heal':
      network.heal();
      trace.record({ kind: 'heal', t: now });
      return;
    case 'set-network':
      network.params = { ...network.params, ...ev.params };
      return;
  }
}

/** Groups as sorted node indices; the nodes no group names form one more group. */
function partitionGroups(groups: string[][], count: number, index: (name: string) => number): number[][] {
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const g of groups) {
    const idx: number[] = [];
    for (const name of g) {
      const i = index(name);
      if (seen.has(i)) throw new RangeError(`node ${name} is in two partition groups`);
      seen.add(i);
      idx.push(i);
    }
    if (idx.length > 0) out.push(idx.sort((a, b) => a - b));
  }
  const rest: number[] = [];
  for (let i = 0; i < count; i++) if (!seen.has(i)) rest.push(i);
  if (rest.length > 0) out.push(rest);
  return out;
}
