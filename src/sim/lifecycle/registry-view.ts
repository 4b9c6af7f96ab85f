// What a starting node's guards read: registry rows decoded, either the
// node's local registry or the one caught up to the cluster's commit index.
// Catching up is modelled as etcd's ReadIndex: the node learns the commit
// index of a leader that has committed in its own term and waits until its own
// commit index reaches it. It can then fold the registrations in its committed
// log into a scratch copy of its rows with the applier under test, without
// applying (and so encrypting) the KV entries in between. Under the engine's
// registryReplay 'skip-applied' the fold skips what the apply loop would skip
// (registrations whose target row already stores their index or a later one).
// A fold that reaches a committed entry on which the apply loop will halt
// stops there and says so (RegistryView.haltAhead).
import { MemoryRegistryStore, decodeRegistryValue, fromHex } from '../../applier/index.ts';
import type { EntryApplier, RegistryRow } from '../../applier/index.ts';
import type { TraceRow } from '../../trace/types.ts';
import type { SimNode } from '../process/node.ts';
import { alreadyApplied, registrationKeyHex } from '../storage/registry-replay.ts';
import { isEncryptedWrite } from '../../trace/rotation-marker.ts';
import type { SimApi } from '../hooks.ts';

export interface ViewRow extends RegistryRow {
  dekId: number;
  nodeId16: number;
}

/** A committed entry on which the node's apply loop will halt (fail closed). */
export interface HaltAhead {
  index: number;
  reason: string;
  /** Some entry between the node's applied index and `index` is a KV write it would encrypt. */
  encryptsBefore: boolean;
}

/** Registry rows by (dekId, nodeId16), decoded from their stored bytes. */
export class RegistryView {
  private readonly byKey: Map<string, ViewRow>;

  constructor(
    /** The rows as stored (sorted by key). */
    readonly stored: readonly TraceRow[],
    /**
     * A caught-up view only: the committed entry where the fold stopped because
     * the node's apply loop will halt there (rows after it are not folded in).
     */
    readonly haltAhead?: HaltAhead,
    /** A caught-up view only: the committed index whose registry these rows are (none when the fold stopped at a halt). */
    readonly through?: number,
    /** The decoded rows of a view of the same `stored` rows (not decoded again). */
    decoded?: RegistryView,
  ) {
    if (decoded !== undefined) {
      this.byKey = decoded.byKey;
      return;
    }
    this.byKey = new Map();
    for (const r of stored) {
      const key = fromHex(r.keyHex);
      const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
      const dekId = view.getUint32(20);
      const nodeId16 = view.getUint16(25);
      this.byKey.set(`${dekId}|${nodeId16}`, { dekId, nodeId16, ...decodeRegistryValue(fromHex(r.valueHex)) });
    }
  }

  row(dekId: number, nodeId16: number): ViewRow | undefined {
    return this.byKey.get(`${dekId}|${nodeId16}`);
  }

  /** Rows in key order (rows come sorted by key). */
  rows(): ViewRow[] {
    return [...this.byKey.values()];
  }

  /** True if the row for `fullNodeId` under `dekId` has last_seen == epoch. */
  shows(dekId: number, fullNodeId: bigint, epoch: number): boolean {
    const row = this.row(dekId, Number(fullNodeId & 0xffffn));
    return row !== undefined && row.fullNodeId === fullNodeId && row.lastSeen === epoch;
  }
}

export function localView(node: SimNode): RegistryView {
  return new RegistryView(node.rowsNow());
}

/** A linearizable read's index: what a leader of the node's term has committed. */
export interface ReadIndex {
  term: number;
  index: number;
}

/** The read index the node's current leader would hand out now, if it can. */
export function requestReadIndex(sim: SimApi, node: SimNode): ReadIndex | undefined {
  const raft = node.raft;
  if (raft === null || raft.leader < 0) return undefined;
  const leader = sim.nodes[raft.leader];
  const lr = leader?.raft;
  if (leader === undefined || lr == null || !leader.isLeader() || lr.hs.term !== raft.hs.term) return undefined;
  // A new leader knows the commit index only once it has committed an entry of its own term.
  if (lr.termAt(lr.commit) !== lr.hs.term) return undefined;
  if (!sim.network.open(node.idx, leader.idx) || !sim.network.open(leader.idx, node.idx)) return undefined;
  return { term: lr.hs.term, index: lr.commit };
}

/** The node's registry through its commit index, once that has reached `read`; else undefined (`fold`: the process's, kept between polls). */
export function caughtUpView(sim: SimApi, node: SimNode, read: ReadIndex, fold: CaughtUpFold): RegistryView | undefined {
  const raft = node.raft;
  if (raft === null || raft.hs.term !== read.term || raft.commit < read.index) return undefined;
  return fold.through(sim, node, raft);
}

/**
 * The fold of a node's committed log into a scratch copy of its rows, kept
 * between a starting process's polls (every few ms, while its commit index
 * creeps on): it folds only the entries committed since the last poll, and
 * starts again whenever what it was folded from changed (the node's rows,
 * its applied index, its store, or its log array, which Raft replaces on
 * anything but an append). The result is the same as folding from scratch.
 */
export class CaughtUpFold {
  /** The node's rows as folded from (DiskTable.version). */
  private version = -1;
  private applied = -1;
  private store: SimNode['store'] = null;
  private entries: unknown = undefined;
  private scratch = new MemoryRegistryStore();
  private applier: EntryApplier | undefined = undefined;
  /** The next index to fold. */
  private next = 0;
  private encrypts = false;
  private view: RegistryView | undefined = undefined;
  /** The scratch store's writes when `view` was made. */
  private viewWrites = -1;

  through(sim: SimApi, node: SimNode, raft: NonNullable<SimNode['raft']>): RegistryView {
    const version = node.disk.registry.version;
    if (version !== this.version || node.applied !== this.applied || node.store !== this.store || raft.hs.entries !== this.entries) {
      this.version = version;
      this.applied = node.applied;
      this.store = node.store;
      this.entries = raft.hs.entries;
      this.scratch = new MemoryRegistryStore();
      for (const r of node.rowsNow()) this.scratch.set(fromHex(r.keyHex), fromHex(r.valueHex));
      // The node's seat, as a scratch applier: an external one answers it as it answers the node's (speculating too).
      this.applier = sim.applierFactory(this.scratch, { seat: { cluster: sim, node: node.name, scratch: true } });
      if (this.applier.settle !== undefined) sim.settleAtEnd(this.applier.settle);
      this.next = node.applied + 1;
      this.encrypts = false;
      this.view = undefined;
      this.viewWrites = -1;
    }
    // Folded through the commit index already, or stopped at a halt.
    if (this.view !== undefined && (this.view.haltAhead !== undefined || this.next > raft.commit)) return this.view;
    const store = node.store;
    const skip = sim.engine.registryReplay === 'skip-applied' && store !== null;
    const applier = this.applier as EntryApplier;
    for (; this.next <= raft.commit; this.next++) {
      const i = this.next;
      const e = raft.entryAt(i);
      if (e === undefined || e.data.length === 0) continue;

      if (skip) {
        // The indices stored with the node's own rows (the scratch copy is only ever behind them).
        const keyHex = registrationKeyHex(e.data);
        if (keyHex !== undefined && alreadyApplied(i, store.appliedAtOf(keyHex))) continue;
      }
      const result = applier.apply(e.data);
      if (result.kind !== 'halt') {
        if (isEncryptedWrite(e.data)) this.encrypts = true;
        continue;
      }
      // The skip-entry-on-halt bug's engine goes on past it, and so does the fold.
      if (sim.flags.skipEntryOnHalt) continue;
      // The registry stops where this node's apply loop would halt.
      this.view = new RegistryView(this.scratch.rowsHex(), { index: i, reason: result.reason, encryptsBefore: this.encrypts });
      return this.view;
    }
    // No row written since the last view: the same rows, through a later index.
    const last = this.view;
    this.view =
      last !== undefined && this.scratch.writes === this.viewWrites
        ? new RegistryView(last.stored, undefined, raft.commit, last)
        : new RegistryView(this.scratch.rowsHex(), undefined, raft.commit);
    this.viewWrites = this.scratch.writes;
    return this.view;
  }
}
