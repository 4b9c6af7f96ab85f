// Raft's membership: who votes and who only replicates, changed through the
// log one node at a time (the Raft dissertation's single-server changes, as
// etcd's ConfChange entries do it). A configuration takes effect on a node as
// soon as its entry is in that node's log, committed or not, and goes away
// again if a truncation drops the entry; a leader proposes a change only
// when every earlier one is committed, which is what makes one-at-a-time
// changes safe (any two successive configurations share a majority).
// Slots are node indices (at most 7), kept as bitmasks.
import type { TraceConfOp } from '../../trace/types.ts';

export type ConfOp = TraceConfOp;

/** One membership change: the payload of a configuration entry. */
export interface ConfChange {
  readonly op: ConfOp;
  /** The slot (node index) it changes. */
  readonly node: number;
}

/** A configuration: voters and learners as bitmasks of slots (disjoint). */
export interface Conf {
  readonly voters: number;
  readonly learners: number;
}

export function confOf(voters: readonly number[], learners: readonly number[]): Conf {
  let v = 0;
  let l = 0;
  for (const i of voters) v |= 1 << i;
  for (const i of learners) l |= 1 << i;
  return { voters: v, learners: l & ~v };
}

export function applyChange(conf: Conf, change: ConfChange): Conf {
  const bit = 1 << change.node;
  switch (change.op) {
    case 'add-learner':
      return (conf.voters | conf.learners) & bit ? conf : { voters: conf.voters, learners: conf.learners | bit };
    case 'promote':
      return conf.learners & bit ? { voters: conf.voters | bit, learners: conf.learners & ~bit } : conf;
    case 'remove':
      return { voters: conf.voters & ~bit, learners: conf.learners & ~bit };
  }
}

/** Whether `change` would change `conf` (a leader proposes nothing else). */
export function changes(conf: Conf, change: ConfChange): boolean {
  const next = applyChange(conf, change);
  return next.voters !== conf.voters || next.learners !== conf.learners;
}

/** `base` with the configuration entries of `entries[0..count)` applied in order. */
export function foldConf(base: Conf, entries: readonly { readonly conf?: ConfChange }[], count = entries.length): Conf {
  let conf = base;
  for (let i = 0; i < count; i++) {
    const change = entries[i]?.conf;
    if (change !== undefined) conf = applyChange(conf, change);
  }
  return conf;
}

export function isVoter(conf: Conf, slot: number): boolean {
  return ((conf.voters >> slot) & 1) === 1;
}

export function isLearner(conf: Conf, slot: number): boolean {
  return ((conf.learners >> slot) & 1) === 1;
}

export function isMember(conf: Conf, slot: number): boolean {
  return (((conf.voters | conf.learners) >> slot) & 1) === 1;
}

/** Votes (or acknowledgements) a decision needs: a majority of the voters. */
export function quorumOf(conf: Conf): number {
  let n = 0;
  for (let v = conf.voters; v !== 0; v &= v - 1) n++;
  return (n >> 1) + 1;
}

const UTF8 = new TextEncoder();

/**
 * A configuration entry's bytes, for its digest and the trace (its meaning
 * is Entry.conf, as etcd's entry type is not in its data): readable text no
 * workload entry begins with.
 */
export function confEntryData(op: ConfOp, node: string): Uint8Array {
  return UTF8.encode(`raft-conf ${op} ${node}`);
}
