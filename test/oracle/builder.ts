// A tiny trace builder for oracle tests: a hand-driven cluster whose nodes
// apply entries with the reference model (so a trace built without overrides
// is a correct run), plus knobs to inject exactly one bug at one event.
import type { RegistryRow } from '../../src/applier/types.ts';
import { modelApplyEntry, modelKeyHex, modelRowsHex, modelValueHex } from '../../src/model/registration.ts';
import { EMPTY_ENTRY_DIGEST, entryHexDigest } from '../../src/trace/digest.ts';
import { LIVENESS_PROBE_ENTRY, LIVENESS_PROBE_REQUEST } from '../../src/trace/probe.ts';
import { rowsDigest } from '../../src/trace/rows.ts';
import type { TraceApplyResult, TraceApplySkip, TraceEvent, TraceNodeSummary, TraceRow } from '../../src/trace/types.ts';

const hex = (n: number | bigint, bytes: number): string => BigInt(n).toString(16).padStart(bytes * 2, '0');

/** A registration entry (opcode 0x03, version 1). */
export function reg(dekId: number, full: bigint, epoch: number): string {
  return `0301${hex(dekId, 4)}${hex(full, 8)}${hex(epoch, 2)}`;
}

/** An ordinary KV entry. */
export const kv = (body = 'aa'): string => `00${body}`;

export function row(dekId: number, full: bigint, first: number, last: number): TraceRow {
  return {
    keyHex: modelKeyHex(dekId, Number(full & 0xffffn)),
    valueHex: modelValueHex({ fullNodeId: full, firstSeen: first, lastSeen: last }),
  };
}

export const digestOf = (rows: readonly TraceRow[]): string => rowsDigest(rows);

interface NodeState {
  rows: Map<string, RegistryRow>;
  applied: number;
  commit: number;
  up: boolean;
  halted: boolean;
}

export interface ApplyOverride {
  result?: TraceApplyResult;
  /** Replace the row set after the apply (and so the rowsHash and the write). */
  rows?: TraceRow[];
  write?: TraceRow | null;
  rowsHash?: string;
  entryHex?: string;
  term?: number;
  /**
   * The engine acknowledged the entry without running the applier
   * (registryReplay 'skip-applied'): a noop that writes nothing, unless
   * `result`/`rows` say otherwise.
   */
  skipped?: TraceApplySkip;
  /** A store-fault or corrupt-row halt comes with the injected fault that explains it, unless false. */
  injected?: boolean;
}

export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  readonly log: { entryHex: string; term: number }[] = [];
  readonly state = new Map<string, NodeState>();
  t = 0;

  constructor(readonly nodes: string[] = ['n1', 'n2', 'n3']) {
    this.push({ kind: 'run-start', t: 0, seed: 's', nodes, variant: 'correct' });
    for (const n of nodes) this.state.set(n, { rows: new Map(), applied: 0, commit: 0, up: true, halted: false });
  }

  /** Index the next event will get. */
  get next(): number {
    return this.events.length;
  }

  /** Appends `ev`; its time is raised to the builder's clock if lower (a trace's time never goes back). */
  push(ev: TraceEvent): number {
    if (ev.t < this.t) ev = { ...ev, t: this.t };
    this.t = ev.t;
    // The node state follows what the event says, so summaries agree with hand-pushed events too.
    if (ev.kind === 'commit' && this.state.has(ev.node)) this.st(ev.node).commit = Math.max(this.st(ev.node).commit, ev.index);
    if (ev.kind === 'apply' && ev.result.kind !== 'halt' && this.state.has(ev.node)) this.st(ev.node).applied = ev.index;
    if (ev.kind === 'snapshot-install' && this.state.has(ev.node)) {
      const st = this.st(ev.node);
      st.applied = ev.index;
      st.commit = Math.max(st.commit, ev.index);
    }
    this.events.push(ev);
    return this.events.length - 1;
  }

  private tick(): number {
    return ++this.t;
  }

  private st(node: string): NodeState {
    const s = this.state.get(node);
    if (!s) throw new Error(`no node ${node}`);
    return s;
  }

  rowsOf(node: string): TraceRow[] {
    return modelRowsHex(this.st(node).rows);
  }

  leader(node: string, term = 1): number {
    return this.push({ kind: 'became-leader', t: this.tick(), node, term });
  }

  /**
   * Commit entries on every listed node (a propose by the first of them for
   * each non-empty entry, then append and commit events); returns the first new index.
   */
  commit(entries: string[], term = 1, nodes = this.nodes): number {
    const first = this.log.length + 1;
    for (const entryHex of entries) {
      this.log.push({ entryHex, term });
      const index = this.log.length;
      const digest = entryHex === '' ? EMPTY_ENTRY_DIGEST : entryHexDigest(entryHex);
      if (entryHex !== '') this.push({ kind: 'propose', t: this.tick(), node: nodes[0] as string, requestId: `p${index}#1`, entryHex });
      for (const node of nodes) this.push({ kind: 'append', t: this.tick(), node, index, term, digest });
    }
    for (let index = first; index <= this.log.length; index++) {
      const { entryHex } = this.log[index - 1] as { entryHex: string };
      const digest = entryHex === '' ? EMPTY_ENTRY_DIGEST : entryHexDigest(entryHex);
      for (const node of nodes) {
        this.push({ kind: 'commit', t: this.tick(), node, index, term, digest });
        this.st(node).commit = Math.max(this.st(node).commit, index);
      }
    }
    return first;
  }

  /** `node` learns that the log is committed up to `upTo` (commit events for the indices it had not committed). */
  learnCommit(node: string, upTo = this.log.length): void {
    for (let index = this.st(node).commit + 1; index <= upTo; index++) {
      const { entryHex, term } = this.log[index - 1] as { entryHex: string; term: number };
      this.push({ kind: 'commit', t: this.tick(), node, index, term, digest: entryHex === '' ? EMPTY_ENTRY_DIGEST : entryHexDigest(entryHex) });
    }
  }

  /** The simulator's liveness probe: proposed (its request id marks it) and committed on `nodes`; returns its index. */
  probe(nodes = this.nodes): number {
    const entryHex = Buffer.from(LIVENESS_PROBE_ENTRY).toString('hex');
    this.push({ kind: 'propose', t: this.tick(), node: nodes[0] as string, requestId: `${LIVENESS_PROBE_REQUEST}#1`, entryHex });
    return this.commit([entryHex], 1, nodes);
  }

  /** `node` applies the next entry (or `index`), as the model would unless overridden. */
  apply(node: string, o: ApplyOverride = {}, index = this.st(node).applied + 1): number {
    const s = this.st(node);
    const entry = this.log[index - 1];
    if (!entry) throw new Error(`no entry at ${index}`);
    const entryHex = o.entryHex ?? entry.entryHex;
    const env = o.result?.kind === 'halt' && (o.result.reason === 'store-fault' || o.result.reason === 'corrupt-row');
    if (env && o.injected !== false) {
      // The disk injected the fault the halt is for (the trace explains it).
      const fault = o.result?.kind === 'halt' && o.result.reason === 'corrupt-row' ? 'corrupt' : 'error';
      this.push({ kind: 'store-fault', t: this.tick(), node, op: 'get', fault, keyHex: 'aa' });
    }
    const m = o.skipped
      ? { result: { kind: 'registered', outcome: 'noop' } as const, rows: s.rows }
      : modelApplyEntry(s.rows, Buffer.from(entryHex, 'hex'));
    const result: TraceApplyResult =
      o.result ?? (m.result.kind === 'halt' ? { ...m.result, message: 'm' } : m.result);
    const before = modelRowsHex(s.rows);
    const after = result.kind === 'halt' && !o.rows ? before : (o.rows ?? modelRowsHex(m.rows));
    if (!o.rows && result.kind !== 'halt') s.rows = m.rows;
    if (o.rows) s.rows = toModel(o.rows);
    let write: TraceRow | undefined;
    if (o.write !== undefined) write = o.write ?? undefined;
    else write = after.find((r) => !before.some((b) => b.keyHex === r.keyHex && b.valueHex === r.valueHex));
    const e = this.push({
      kind: 'apply',
      t: this.tick(),
      node,
      index,
      term: o.term ?? entry.term,
      entryHex,
      result,
      ...(write ? { write } : {}),
      rowsHash: o.rowsHash ?? rowsDigest(after),
      ...(o.skipped ? { skipped: o.skipped } : {}),
    });
    if (result.kind === 'halt') {
      this.push({ kind: 'halt', t: this.tick(), node, index, reason: result.reason });
      s.halted = true;
      s.up = false;
    }
    return e;
  }

  /** Every listed node applies up to `index` (default: the whole log). */
  applyAll(index = this.log.length, nodes = this.nodes): void {
    for (let i = 1; i <= index; i++)
      for (const node of nodes) {
        const s = this.st(node);
        if (s.applied < i && !s.halted) this.apply(node, {}, i);
      }
  }

  snapshotTake(node: string, index = this.st(node).applied): number {
    return this.push({
      kind: 'snapshot-take',
      t: this.tick(),
      node,
      index,
      term: this.log[index - 1]?.term ?? 0,
      rowsHash: rowsDigest(this.rowsOf(node)),
    });
  }

  install(node: string, from: string, index: number, rows = this.rowsOf(from)): number {
    this.st(node).rows = toModel(rows);
    return this.push({ kind: 'snapshot-install', t: this.tick(), node, index, term: this.log[index - 1]?.term ?? 0, from, rows });
  }

  crash(node: string, lostWrites = 0): number {
    this.st(node).up = false;
    return this.push({ kind: 'crash', t: this.tick(), node, lostWrites });
  }

  restart(node: string, appliedIndex: number, rows = this.rowsOf(node)): number {
    const s = this.st(node);
    s.up = true;
    s.halted = false;
    s.applied = appliedIndex;
    s.rows = toModel(rows);
    return this.push({ kind: 'restart', t: this.tick(), node, appliedIndex, rows });
  }

  backup(node: string, name: string): number {
    return this.push({ kind: 'backup', t: this.tick(), node, name });
  }

  /** The node's disk is replaced by a backup (`name`: the backup event's; absent: a backup the trace does not show). */
  restore(node: string, backupAt: number, rows: TraceRow[], name?: string): number {
    this.st(node).rows = toModel(rows);
    return this.push({ kind: 'restore', t: this.tick(), node, backupAt, rows, ...(name !== undefined ? { name } : {}) });
  }

  nonce(node: string, index: number, dekId: number, nodeId16: number, epoch: number, writeCount: number | string): number {
    return this.push({ kind: 'nonce', t: this.tick(), node, index, dekId, nodeId16, epoch, writeCount: String(writeCount) });
  }

  faultsEnd(): number {
    return this.push({ kind: 'faults-end', t: this.tick() });
  }

  summary(node: string, o: Partial<TraceNodeSummary> = {}): TraceNodeSummary {
    const s = this.st(node);
    return {
      node,
      up: s.up,
      halted: s.halted,
      appliedIndex: s.applied,
      commitIndex: s.commit,
      rowsHash: rowsDigest(this.rowsOf(node)),
      ...o,
    };
  }

  /** The trace so far, finished as the simulator finishes one: faults-end (if missing) and run-end appended. */
  trace(): TraceEvent[] {
    const ended = this.events[this.events.length - 1]?.kind === 'run-end';
    if (ended) return this.events;
    const t = this.t + 1;
    const tail: TraceEvent[] = this.events.some((e) => e.kind === 'faults-end') ? [] : [{ kind: 'faults-end', t }];
    tail.push({ kind: 'run-end', t, nodes: this.nodes.map((n) => this.summary(n)) });
    return [...this.events, ...tail];
  }

  /** Ends the run (with a faults-end first if the run has none, as the simulator always writes one). */
  runEnd(overrides: Record<string, Partial<TraceNodeSummary>> = {}): number {
    if (!this.events.some((e) => e.kind === 'faults-end')) this.faultsEnd();
    return this.push({
      kind: 'run-end',
      t: this.tick(),
      nodes: this.nodes.map((n) => this.summary(n, overrides[n])),
    });
  }
}

function toModel(rows: readonly TraceRow[]): Map<string, RegistryRow> {
  const m = new Map<string, RegistryRow>();
  for (const r of rows) {
    if (r.valueHex.length !== 24) continue; // corrupt: not representable
    m.set(r.keyHex, {
      fullNodeId: BigInt(`0x${r.valueHex.slice(0, 16)}`),
      firstSeen: Number.parseInt(r.valueHex.slice(16, 20), 16),
      lastSeen: Number.parseInt(r.valueHex.slice(20, 24), 16),
    });
  }
  return m;
}
