// A small hand-driven cluster for report tests: each node applies committed
// entries with the real applier (a chosen variant) over its own in-memory
// store, so apply outcomes, writes and row sets in the trace are consistent.
// Time moves forward by `step` ms per event unless set with at().
import {
  applierFactoryByName,
  deriveNodeId,
  encodeRegistration,
  MemoryRegistryStore,
  toHex,
} from '../../src/applier/index.ts';
import type { EntryApplier } from '../../src/applier/index.ts';
import { rowsDigest } from '../../src/trace/rows.ts';
import type { TraceApplyResult, TraceEvent, TraceRow } from '../../src/trace/types.ts';
import type { ReportViolation } from '../../src/report/violation.ts';

/** A registration entry (opcode 0x03) for a node name or a full id. */
export function reg(dekId: number, node: string | bigint, epoch: number): string {
  const fullNodeId = typeof node === 'bigint' ? node : deriveNodeId(node);
  return `03${toHex(encodeRegistration({ dekId, fullNodeId, localEpoch: epoch }))}`;
}

export const kv = (body = 'aabb'): string => `00${body}`;

interface Node {
  store: MemoryRegistryStore;
  applier: EntryApplier;
  applied: number;
  snapshot: number;
}

type Untimed<E> = E extends TraceEvent ? Omit<E, 't'> : never;

export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  private readonly log: { entryHex: string; term: number }[] = [];
  private readonly state = new Map<string, Node>();
  private t = 0;

  constructor(
    readonly nodes: string[] = ['n1', 'n2', 'n3'],
    private readonly variant = 'correct',
    private readonly step = 1.25,
  ) {
    for (const n of nodes) this.state.set(n, this.freshNode());
    this.push({ kind: 'run-start', seed: '0xc0ffee', nodes, variant });
  }

  private freshNode(): Node {
    const store = new MemoryRegistryStore();
    return { store, applier: applierFactoryByName(this.variant)(store), applied: 0, snapshot: 0 };
  }

  private node(name: string): Node {
    const n = this.state.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Set the virtual time of the next event. */
  at(t: number): this {
    if (t < this.t) throw new Error(`time goes forward: at(${t}) after ${this.t}`);
    this.t = t;
    return this;
  }

  /** Record an event at the current time, then move time on; returns its index. */
  push(ev: Untimed<TraceEvent>): number {
    this.events.push({ ...ev, t: this.t } as TraceEvent);
    this.t = Math.round((this.t + this.step) * 1000) / 1000;
    return this.events.length - 1;
  }

  rows(node: string): TraceRow[] {
    return this.node(node).store.rowsHex();
  }

  leader(node: string, term: number): number {
    return this.push({ kind: 'became-leader', node, term });
  }

  /** Append and commit an entry on every node; returns its log index. */
  commit(entryHex: string, term = 1): number {
    this.log.push({ entryHex, term });
    const index = this.log.length;
    const digest = `d${index}`;
    for (const node of this.nodes) this.push({ kind: 'append', node, index, term, digest });
    for (const node of this.nodes) this.push({ kind: 'commit', node, index, term, digest });
    return index;
  }

  /** `node` applies its next entry; a halting apply also records the halt. Returns the apply's event index. */
  apply(node: string): number {
    const n = this.node(node);
    const index = n.applied + 1;
    const entry = this.log[index - 1];
    if (!entry) throw new Error(`${node}: nothing committed at ${index}`);
    const before = new Map(n.store.rowsHex().map((r) => [r.keyHex, r.valueHex]));
    const response = n.applier.apply(Buffer.from(entry.entryHex, 'hex'));
    const after = n.store.rowsHex();
    const write = after.find((r) => before.get(r.keyHex) !== r.valueHex);
    const result: TraceApplyResult = response;
    const e = this.push({
      kind: 'apply',
      node,
      index,
      term: entry.term,
      entryHex: entry.entryHex,
      result,
      ...(write ? { write } : {}),
      rowsHash: rowsDigest(after),
    });
    if (response.kind === 'halt') this.push({ kind: 'halt', node, index, reason: response.reason });
    else n.applied = index;
    return e;
  }

  /** Every node applies everything committed (stopping at a halt). */
  applyAll(): void {
    for (const node of this.nodes) {
      while (this.node(node).applied < this.log.length) {
        const e = this.apply(node);
        if (this.events[e + 1]?.kind === 'halt') break;
      }
    }
  }

  snapshot(node: string): number {
    const n = this.node(node);
    n.snapshot = n.applied;
    return this.push({ kind: 'snapshot-take', node, index: n.applied, term: 1, rowsHash: rowsDigest(n.store.rowsHex()) });
  }

  /** `node` takes `from`'s state machine (its rows and applied index). */
  install(node: string, from: string): number {
    const src = this.node(from);
    const n = this.freshNode();
    for (const r of src.store.rowsHex()) n.store.set(Buffer.from(r.keyHex, 'hex'), Buffer.from(r.valueHex, 'hex'));
    n.applied = src.applied;
    n.snapshot = src.applied;
    this.state.set(node, n);
    return this.push({ kind: 'snapshot-install', node, index: src.applied, term: 1, from, rows: n.store.rowsHex() });
  }

  crash(node: string, lostWrites = 0): number {
    return this.push({ kind: 'crash', node, lostWrites });
  }

  /** Back from disk: the store persists; applied restarts at the last snapshot. */
  restart(node: string): number {
    const n = this.node(node);
    n.applied = n.snapshot;
    return this.push({ kind: 'restart', node, appliedIndex: n.applied, rows: n.store.rowsHex() });
  }

  partition(groups: string[][]): number {
    return this.push({ kind: 'partition', groups });
  }

  heal(): number {
    return this.push({ kind: 'heal' });
  }

  end(): number {
    const nodes = this.nodes.map((node) => {
      const halted = [...this.events].reverse().find((e) => 'node' in e && e.node === node && (e.kind === 'halt' || e.kind === 'restart'));
      const isHalted = halted?.kind === 'halt';
      return {
        node,
        up: !isHalted,
        halted: isHalted,
        appliedIndex: this.node(node).applied,
        commitIndex: this.log.length,
        rowsHash: rowsDigest(this.rows(node)),
      };
    });
    return this.push({ kind: 'run-end', nodes });
  }
}

/**
 * The classic lte-rollback run: three nodes register, n2 crashes after
 * applying its registration and before a snapshot, restarts, replays the
 * entry and halts (equal epoch taken as rollback). Returns the trace and a
 * violation at the halt, shaped like the oracle's.
 */
export function lteRollbackRun(): { trace: TraceEvent[]; violations: ReportViolation[]; haltEvent: number } {
  const b = new TraceBuilder(['n1', 'n2', 'n3'], 'lte-rollback');
  b.at(2).leader('n1', 1);
  b.commit(reg(1, 'n1', 1));
  b.commit(reg(1, 'n2', 1));
  b.commit(reg(1, 'n3', 1));
  b.applyAll();
  b.snapshot('n1');
  b.commit(kv('01'));
  b.commit(kv('02'));
  b.applyAll();
  b.at(65).partition([['n1', 'n2'], ['n3']]);
  b.commit(kv('03'));
  b.apply('n1');
  b.apply('n2');
  b.at(78).crash('n2', 1);
  b.at(90).heal();
  b.at(104).restart('n2');
  const applyEvent = b.apply('n2');
  const haltEvent = applyEvent + 1;
  b.at(130).end();
  const violations: ReportViolation[] = [
    {
      invariant: 'replay-idempotence',
      section: '§7.1',
      eventIndex: haltEvent,
      node: 'n2',
      message: 'n2 halted (rollback) replaying #1 register(dek 1, n1, epoch 1); a single in-order application applies it',
      explanation:
        'Re-applying committed entries after a crash must leave every registry row byte-identical to a single in-order application, with the same halt decisions. An equal epoch is an idempotent replay, not a rollback.',
      kind: 'safety',
    },
  ];
  return { trace: b.events, violations, haltEvent };
}
