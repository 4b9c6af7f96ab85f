// What every invariant checker shares: the Violation type, the oracle options,
// small decoders for the hex in a trace, the committed log (built from commit
// events: the reference history), the reference timeline (the registry a
// single in-order application of the committed log produces, per index) and the
// per-node lifecycle annotations (how far ahead of its applied index a node's
// store may legitimately be). Built once per trace; each checker is then one
// linear pass over the trace.
import type { RegistryRow } from '../../applier/types.ts';
import { EMPTY_ENTRY_DIGEST, entryHexDigest } from '../../trace/digest.ts';
import { fullIdHex } from '../../trace/ids.ts';
import { rowsDigest } from '../../trace/rows.ts';
import type { TraceApplyResult, TraceConfOp, TraceEvent, TraceRow } from '../../trace/types.ts';
import { invariantInfo } from '../invariant-catalog.ts';
import type { InvariantKind, InvariantName } from '../invariant-catalog.ts';
import { STAGE6A_MODEL, entryModelFor } from '../entry-model.ts';
import type { EntryModel, ModelState, NodeLocal } from '../entry-model.ts';
import { modelValueHex } from '../registration.ts';
import { NodeSidecars } from './node-states.ts';
import { hexToBytes, sameResult } from './trace-hex.ts';
import type { ModelEntryResult } from '../registration.ts';

/** One broken invariant at one event of a trace. */
export interface Violation {
  invariant: InvariantName;
  /**
   * Which check of the invariant failed, stable and kebab-case (e.g.
   * 'rows-mismatch', 'replay-window-halt'): for filtering, shrinking ("the same
   * failure") and tests. Listed in each checker module's header.
   */
  code: string;
  /** The spec section the invariant is (e.g. "§7.1"). */
  section: string;
  /** Position of the offending event in the trace (0-based). */
  eventIndex: number;
  node?: string;
  /** One line: what exactly happened, with indices, epochs and ids. */
  message: string;
  /** The catalog paragraph explaining the invariant. */
  explanation: string;
  kind: InvariantKind;
}

export interface OracleOptions {
  /** Check only these invariants (default: all). */
  only?: readonly InvariantName[];
  /** Judge liveness (default true). */
  liveness?: boolean;
  /** The liveness bound in ms (default: LIVENESS_BOUND_TIMEOUTS election time-outs of the run; see invariants/liveness.ts). */
  livenessBoundMs?: number;
  /**
   * Do not report replay-idempotence 'replay-window-halt': a node that, while
   * re-applying after a crash or install, halts exactly as spec §3 prescribes
   * for the store it has (already holding later entries' effects), where a
   * single in-order application would not halt. It is a real violation of
   * §7.1 by the design (replaying Register(e) over a store that already
   * registered e' > e for the same id halts as rollback), not an applier bug;
   * this switch lets suites about the applier run clean. Default false.
   */
  allowReplayWindowHalts?: boolean;
}

export function violation(
  invariant: InvariantName,
  code: string,
  eventIndex: number,
  node: string | undefined,
  message: string,
): Violation {
  const info = invariantInfo(invariant);
  const v: Violation = {
    invariant,
    code,
    section: info.section,
    eventIndex,
    message,
    explanation: info.explanation,
    kind: info.kind,
  };
  if (node !== undefined) v.node = node;
  return v;
}

export { hexToBytes, parseRowValue, rowsToModel, sameResult } from './trace-hex.ts';

/** What the model's FSM does with the entry at `index` on the given rows (see EntryModel.resultOn). */
export function modelResultOn(model: EntryModel, rows: ReadonlyMap<string, RegistryRow>, index: number, entryHex: string, local?: NodeLocal): ModelEntryResult {
  return model.resultOn(rows, index, hexToBytes(entryHex), local);
}

/** The DEK id and slot fields of a 27-byte key, as a registry key places them (undefined for another length). */
export function keyFields(keyHex: string): { dekId: number; nodeId16: number } | undefined {
  if (keyHex.length !== 54) return undefined;
  return { dekId: Number.parseInt(keyHex.slice(40, 48), 16), nodeId16: Number.parseInt(keyHex.slice(50, 54), 16) };
}

/** "dek D slot 0xNNNN" of a 27-byte registry key (the key itself if it is not one). */
export function describeKey(keyHex: string): string {
  const k = keyFields(keyHex);
  return k === undefined ? `key ${keyHex}` : `dek ${k.dekId} slot 0x${keyHex.slice(50, 54)}`;
}

export interface DecodedRegistration {
  dekId: number;
  fullNodeId: bigint;
  epoch: number;
  nodeId16: number;
}

/** The registration an entry carries, if it is a well-formed opcode 0x03 entry. */
export function decodeRegistrationEntry(entryHex: string): DecodedRegistration | undefined {
  if (entryHex.length !== 32 || !entryHex.startsWith('0301') || !/^[0-9a-f]+$/.test(entryHex)) return undefined;
  const fullNodeId = BigInt(`0x${entryHex.slice(12, 28)}`);
  return {
    dekId: Number.parseInt(entryHex.slice(4, 12), 16),
    fullNodeId,
    epoch: Number.parseInt(entryHex.slice(28, 32), 16),
    nodeId16: Number(fullNodeId & 0xffffn),
  };
}

/** A short human description of an entry for messages. */
export function describeEntry(entryHex: string): string {
  const reg = decodeRegistrationEntry(entryHex);
  if (reg) return `Register(dek ${reg.dekId}, full ${fullIdHex(reg.fullNodeId)}, epoch ${reg.epoch})`;
  if (entryHex.length === 0) return 'empty entry';
  const opcode = entryHex.slice(0, 2);
  return `opcode 0x${opcode} entry${entryHex.length > 2 ? ` (${(entryHex.length - 2) / 2} body bytes)` : ''}`;
}

/** A result as one word, for messages: "kv(0x00)", "insert", "halt(rollback)". */
export function describeResult(result: TraceApplyResult | ModelEntryResult): string {
  switch (result.kind) {
    case 'kv':
      return `kv(0x${result.opcode.toString(16).padStart(2, '0')})`;
    case 'registered':
      return result.outcome;
    case 'halt':
      return `halt(${result.reason})`;
  }
}

// --- the committed log -----------------------------------------------------------

/**
 * The committed log, as the trace's commit events show it: for every index
 * some node committed, the term and digest of its first commit (raft-safety
 * reports a later commit that disagrees), and the entry itself, found by its
 * digest among the entries clients proposed or a crash recovery found on a
 * disk (an empty entry, a Raft leader's no-op, needs no proposal: the engine
 * never hands it to the applier, nor a configuration entry, which a leader's
 * conf-propose event shows, to Raft's own). This,
 * not what nodes applied, is the reference history every apply is judged
 * against (TigerBeetle's state checker). Built once per trace.
 */
/** A membership change as the trace names it. */
export interface ConfChangeEvent {
  op: TraceConfOp;
  target: string;
}

export class CommittedLog {
  private readonly terms = new Map<number, number>();
  private readonly digests = new Map<number, string>();
  /** Committed non-empty entries, as hex. */
  private readonly entries = new Map<number, string>();
  /** Committed configuration entries (the engine's, like empty ones). */
  private readonly confs = new Map<number, ConfChangeEvent>();
  private readonly firstCommitEvent = new Map<number, number>();
  /** Every configuration entry a leader proposed (conf-propose), committed or not, by digest. */
  private readonly confByDigest = new Map<string, ConfChangeEvent>();
  private maxIndex = 0;

  constructor(trace: readonly TraceEvent[]) {
    // The entries that can be in a log: proposed ones, and what a crash recovery found on a disk.
    const proposed = new Map<string, string>();
    for (const ev of trace) {
      const entryHex = ev.kind === 'propose' ? ev.entryHex : ev.kind === 'append' ? ev.entryHex : undefined;
      if (entryHex !== undefined && !proposed.has(entryHex)) proposed.set(entryHex, entryHexDigest(entryHex));
    }
    const byDigest = new Map<string, string>();
    for (const [entryHex, digest] of proposed) if (!byDigest.has(digest)) byDigest.set(digest, entryHex);
    const confByDigest = this.confByDigest;
    for (const ev of trace) if (ev.kind === 'conf-propose') confByDigest.set(entryHexDigest(ev.entryHex), { op: ev.op, target: ev.target });
    for (let e = 0; e < trace.length; e++) {
      const ev = trace[e] as TraceEvent;
      if (ev.kind !== 'commit' || this.terms.has(ev.index)) continue;
      this.terms.set(ev.index, ev.term);
      this.digests.set(ev.index, ev.digest);
      this.firstCommitEvent.set(ev.index, e);
      if (ev.index > this.maxIndex) this.maxIndex = ev.index;
      if (ev.digest === EMPTY_ENTRY_DIGEST) continue;
      const conf = confByDigest.get(ev.digest);
      if (conf !== undefined) {
        this.confs.set(ev.index, conf);
        continue;
      }
      const entryHex = byDigest.get(ev.digest);
      if (entryHex === undefined) {
        throw new MalformedTraceError(e, `commit of index ${ev.index} names digest ${ev.digest}, which is neither a proposed entry nor the empty entry`);
      }
      this.entries.set(ev.index, entryHex);
    }
  }

  /** Whether some node committed `index`. */
  isCommitted(index: number): boolean {
    return this.terms.has(index);
  }

  /** The committed non-empty entry at `index`, as hex (undefined: not committed, or an empty entry). */
  entryAt(index: number): string | undefined {
    return this.entries.get(index);
  }

  /** Whether `index` holds a committed entry the engine must hand to the applier (non-empty). */
  hasEntry(index: number): boolean {
    return this.entries.has(index);
  }

  /** Whether `index` is committed as an entry the engine keeps from the applier (an empty or a configuration entry). */
  isEmptyEntry(index: number): boolean {
    return this.digests.get(index) === EMPTY_ENTRY_DIGEST || this.confs.has(index);
  }

  /** The membership change a configuration entry of this digest makes (undefined: not one a leader proposed). */
  confChangeOf(digest: string): ConfChangeEvent | undefined {
    return this.confByDigest.get(digest);
  }

  /** The committed configuration changes, by index (ascending). */
  confChanges(): [number, ConfChangeEvent][] {
    return [...this.confs].sort((a, b) => a[0] - b[0]);
  }

  termAt(index: number): number | undefined {
    return this.terms.get(index);
  }

  digestAt(index: number): string | undefined {
    return this.digests.get(index);
  }

  /** The trace position of the first commit of `index`. */
  commitEventOf(index: number): number | undefined {
    return this.firstCommitEvent.get(index);
  }

  /** Whether every index in (from, to] is committed as an empty entry (the engine skips them without an apply). */
  onlyEmptyBetween(from: number, to: number): boolean {
    for (let k = from + 1; k <= to; k++) if (!this.isEmptyEntry(k)) return false;
    return true;
  }

  /** Highest committed index. */
  get lastIndex(): number {
    return this.maxIndex;
  }
}

/** A trace that breaks the trace contract: a harness error, never a verdict on the system under test. */
export class MalformedTraceError extends Error {
  override name = 'MalformedTraceError';
  constructor(
    readonly eventIndex: number,
    problem: string,
  ) {
    super(`malformed trace: ${eventIndex >= 0 ? `event #${eventIndex}: ` : ''}${problem}`);
  }
}

// --- the reference timeline --------------------------------------------------------

/** The reference registry after applying committed entries 1..index in order. */
export interface ModelStep {
  index: number;
  /** The entry at this index ('' for an empty entry, which the engine filters). */
  entryHex: string;
  /** What applying this entry does in the model (undefined for index 0 and empty entries). */
  result: ModelEntryResult | undefined;
  rows: ReadonlyMap<string, RegistryRow>;
  digest: string;
  /** The same rows as the store would hold them: key hex -> value hex. */
  hex: ReadonlyMap<string, string>;
  /** The model's whole state (its rows are `rows`; under main also the sidecar and keystore). */
  state: ModelState;
}

/** Stage 6A: only an insert or an advance writes a row (a halt writes nothing). */
function stage6aChanged(result: ModelEntryResult): boolean {
  return result.kind === 'registered' && (result.outcome === 'insert' || result.outcome === 'advance');
}

/** Whether some row object differs (the models keep untouched row objects; rows are never deleted). */
function rowsChanged(prev: ReadonlyMap<string, RegistryRow>, next: ReadonlyMap<string, RegistryRow>): boolean {
  if (prev === next) return false;
  if (prev.size !== next.size) return true;
  for (const [keyHex, row] of next) if (prev.get(keyHex) !== row) return true;
  return false;
}

/** rowsDigest of a key -> value hex map. */
function digestOfHex(hex: ReadonlyMap<string, string>): string {
  const rows: TraceRow[] = [];
  for (const [keyHex, valueHex] of hex) rows.push({ keyHex, valueHex });
  return rowsDigest(rows);
}

/**
 * The model's registry after every prefix of the committed log. Empty entries
 * change nothing, and neither do halting entries, so the timeline continues
 * past them (a node that skips a halt is fail-closed-halts' business, not a
 * cascade of mismatches here). Steps are computed lazily and shared when an
 * entry does not change the rows.
 */
export class ModelTimeline {
  private readonly steps: ModelStep[];

  constructor(
    readonly log: CommittedLog,
    /** The FSM the reference history runs (the trace's run-start names it: entryModelFor). */
    readonly model: EntryModel = STAGE6A_MODEL,
  ) {
    const state = model.initial;
    this.steps = [{ index: 0, entryHex: '', result: undefined, rows: state.rows, digest: rowsDigest([]), hex: new Map(), state }];
  }

  /** The committed non-empty entry at `index`. */
  entryAt(index: number): string | undefined {
    return this.log.entryAt(index);
  }

  /** Whether `index` holds a committed non-empty entry. */
  hasEntry(index: number): boolean {
    return this.log.hasEntry(index);
  }

  /** Highest committed index. */
  get lastIndex(): number {
    return this.log.lastIndex;
  }

  /** The model after `index` (undefined for a negative index or one past the committed log). */
  step(index: number): ModelStep | undefined {
    if (index < 0 || index > this.lastIndex || !Number.isInteger(index)) return undefined;
    while (this.steps.length <= index) {
      const prev = this.steps[this.steps.length - 1] as ModelStep;
      const at = this.steps.length;
      const entryHex = this.log.entryAt(at);
      if (entryHex === undefined) {
        this.steps.push({ ...prev, index: at, entryHex: '', result: undefined });
        continue;
      }
      const applied = this.model.apply(prev.state, at, hexToBytes(entryHex));
      const rows = applied.state.rows;
      const changed = this.model === STAGE6A_MODEL ? stage6aChanged(applied.result) : rowsChanged(prev.rows, rows);
      let hex = prev.hex;
      if (changed) {
        // Only the rows the entry replaced need re-encoding (the model keeps untouched row objects).
        const next = new Map(prev.hex);
        for (const [keyHex, row] of rows) if (prev.rows.get(keyHex) !== row) next.set(keyHex, modelValueHex(row));
        hex = next;
      }
      this.steps.push({
        index: at,
        entryHex,
        result: applied.result,
        rows: changed ? rows : prev.rows,
        digest: changed ? digestOfHex(hex) : prev.digest,
        hex,
        state: changed ? applied.state : { ...applied.state, rows: prev.rows },
      });
    }
    return this.steps[index];
  }

  /** Whether `digest` is the model's registry after some index in [from, to]. */
  digestInRange(digest: string, from: number, to: number): boolean {
    for (let k = Math.max(0, from); k <= to; k++) {
      const s = this.step(k);
      if (s === undefined) return false;
      if (s.digest === digest) return true;
    }
    return false;
  }
}

// --- per-node lifecycle ---------------------------------------------------------------

/**
 * How far ahead of its applied index each node's store may be. `hwm` (high
 * water mark) is the highest index whose effects the node's registry may
 * already hold:
 *  - a successful apply at i raises it to i (a halting one writes nothing);
 *  - a crash/restart keeps it (registry writes are synced, the store persists;
 *    the applied index restarts lower, at the last local snapshot, which is the
 *    replay window (applied, hwm] in which re-applied registrations may be no-ops
 *    and the rows may be ahead of the index being applied), unless production's
 *    cold start replaced the store by its snapshot (restart `coldStart:
 *    'restore'`): then it is that snapshot's hwm;
 *  - a snapshot install sets it to the hwm the source had when it took that
 *    snapshot (a snapshot taken inside the source's own replay window carries
 *    rows that are ahead of its index);
 *  - a restore from a backup sets it to the backed-up node's hwm at its
 *    `backup` event (by name), or without one, to the node's own hwm at
 *    `backupAt`.
 * `hwmBefore[e]` is the node's hwm just before event e (-1 for events without a node).
 */
export class Lifecycle {
  readonly hwmBefore: Int32Array;
  /** The node's hwm just after event e (-1 for events without a node). */
  readonly hwmAfter: Int32Array;
  /** For each snapshot-install event: the source's hwm for that snapshot. */
  readonly installSourceHwm = new Map<number, number>();
  /** Each node's hwm at the end of the trace. */
  readonly endHwm = new Map<string, number>();

  constructor(trace: readonly TraceEvent[], isEnvironmental: (eventIndex: number) => boolean) {
    this.hwmBefore = new Int32Array(trace.length).fill(-1);
    this.hwmAfter = new Int32Array(trace.length).fill(-1);
    const hwm = new Map<string, number>();
    // Per node, the times and values of every hwm change (parallel arrays), for restores without a backup event.
    const history = new Map<string, { t: number[]; hwm: number[] }>();
    // hwm of the backed-up node at each backup event, by backup name.
    const backups = new Map<string, number>();
    const takes = new Map<string, Map<number, number>>();
    const keepSnapshot = (node: string, index: number, value: number): void => {
      let m = takes.get(node);
      if (!m) takes.set(node, (m = new Map()));
      m.set(index, value);
    };
    /** The hwm of `from`'s snapshot at `index` as it sends it (its own hwm if the trace has no take of it). */
    const sourceHwm = (from: string, index: number): number => takes.get(from)?.get(index) ?? Math.max(index, hwm.get(from) ?? 0);
    const set = (node: string, t: number, value: number): void => {
      hwm.set(node, value);
      let h = history.get(node);
      if (!h) history.set(node, (h = { t: [], hwm: [] }));
      h.t.push(t);
      h.hwm.push(value);
    };
    for (let e = 0; e < trace.length; e++) {
      const ev = trace[e] as TraceEvent;
      if (!('node' in ev)) continue;
      const cur = hwm.get(ev.node) ?? 0;
      this.hwmBefore[e] = cur;
      switch (ev.kind) {
        case 'apply':
          if (ev.result.kind !== 'halt' && ev.index > cur) set(ev.node, ev.t, ev.index);
          else if (ev.result.kind === 'halt' && isEnvironmental(e) && ev.index > cur) {
            // An environmental fault may strike after the write landed: the store
            // may hold this entry's effect.
            set(ev.node, ev.t, ev.index);
          }
          break;
        case 'snapshot-take':
          keepSnapshot(ev.node, ev.index, Math.max(cur, ev.index));
          break;
        case 'snapshot-install': {
          const src = sourceHwm(ev.from, ev.index);
          this.installSourceHwm.set(e, src);
          set(ev.node, ev.t, src);
          // The node keeps the installed snapshot and may send it on, still at its source's hwm.
          keepSnapshot(ev.node, ev.index, src);
          break;
        }
        case 'snapshot-persist':
          // Persisted, not installed: the store keeps its hwm, the snapshot is its source's.
          keepSnapshot(ev.node, ev.index, sourceHwm(ev.from, ev.index));
          break;
        case 'restart':
          // Production's cold start may replace the store by the snapshot's image: its rows are the snapshot's.
          if (ev.coldStart === 'restore') set(ev.node, ev.t, takes.get(ev.node)?.get(ev.appliedIndex) ?? ev.appliedIndex);
          else if (ev.appliedIndex > cur) set(ev.node, ev.t, ev.appliedIndex);
          break;
        case 'backup':
          backups.set(ev.name, cur);
          break;
        case 'restore': {
          let at = ev.name !== undefined ? backups.get(ev.name) : undefined;
          if (at === undefined) {
            // No backup event: the node's own hwm at the backup's time.
            const h = history.get(ev.node);
            at = 0;
            for (let k = (h?.t.length ?? 0) - 1; k >= 0; k--) {
              if ((h?.t[k] as number) <= ev.backupAt) {
                at = h?.hwm[k] as number;
                break;
              }
            }
          }
          set(ev.node, ev.t, at);
          break;
        }
        default:
          break;
      }
      this.hwmAfter[e] = hwm.get(ev.node) ?? 0;
    }
    for (const [node, value] of hwm) this.endHwm.set(node, value);
  }
}

// --- the context ----------------------------------------------------------------------

export interface CheckContext {
  readonly log: CommittedLog;
  readonly timeline: ModelTimeline;
  readonly life: Lifecycle;
  readonly options: OracleOptions;
  /**
   * Whether the halt of event `eventIndex` (an apply that halted, or the halt
   * event after it) was caused by the environment: the trace shows a store
   * fault injected into that very apply (a `store-fault` event of the node
   * since its previous apply). Such a halt is node-local: it is not compared
   * with the model or with other replicas, and it still counts as a halt for
   * fail-closed-halts and the rollback and collision checks. A store-fault or
   * corrupt-row halt the trace does not explain is judged like any other.
   */
  isEnvironmental(eventIndex: number): boolean;
  /** Each node's registry and sidecar before its 0x04/0x05 applies (under main; node-states.ts). */
  readonly sidecars: NodeSidecars;
  /**
   * Whether apply event `eventIndex` (or the halt event after it) decided as
   * the model decides on the node's own registry and sidecar, and otherwise
   * than on that registry with the sidecar of the in-order history: production
   * main's node-local sidecar explains it, not the applier (nor the replay window).
   * replica-agreement reports it once ('sidecar-divergence'); the other
   * checks do not compare it, as with an environmental halt.
   */
  isSidecarExplained(eventIndex: number): boolean;
}

/** The apply events (and the halt events after them) whose result the node's own sidecar explains (see CheckContext.isSidecarExplained). */
function sidecarExplained(trace: readonly TraceEvent[], timeline: ModelTimeline, sidecars: NodeSidecars): Set<number> {
  const out = new Set<number>();
  const model = timeline.model;
  for (const e of sidecars.events()) {
    const ev = trace[e] as Extract<TraceEvent, { kind: 'apply' }>;
    const state = sidecars.at(e) as NonNullable<ReturnType<NodeSidecars['at']>>;
    if (timeline.entryAt(ev.index) !== ev.entryHex) continue;
    const before = timeline.step(ev.index - 1);
    const rows = state.rows ?? before?.rows;
    if (before === undefined || rows === undefined) continue;
    const entry = hexToBytes(ev.entryHex);
    const own = model.resultOn(rows, ev.index, entry, state.local);
    const historys = model.resultOn(rows, ev.index, entry, model.localOf(before.state));
    if (!sameResult(own, ev.result) || sameResult(historys, ev.result)) continue;
    out.add(e);
    const next = trace[e + 1];
    if (next?.kind === 'halt' && next.node === ev.node && next.index === ev.index) out.add(e + 1);
  }
  return out;
}

/** The events whose halt an injected store fault explains (see CheckContext.isEnvironmental). */
function environmentalHalts(trace: readonly TraceEvent[]): Set<number> {
  const out = new Set<number>();
  const injected = new Set<string>();
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind === 'store-fault') injected.add(ev.node);
    else if (ev.kind === 'apply') {
      const explained = injected.delete(ev.node);
      const r = ev.result;
      if (!explained || r.kind !== 'halt' || (r.reason !== 'store-fault' && r.reason !== 'corrupt-row')) continue;
      out.add(e);
      const next = trace[e + 1];
      if (next?.kind === 'halt' && next.node === ev.node && next.index === ev.index) out.add(e + 1);
    } else if (ev.kind === 'restart' || ev.kind === 'crash') injected.delete(ev.node);
  }
  return out;
}

export function buildContext(trace: readonly TraceEvent[], options: OracleOptions = {}): CheckContext {
  const env = environmentalHalts(trace);
  const isEnvironmental = (eventIndex: number): boolean => env.has(eventIndex);
  const log = new CommittedLog(trace);
  const timeline = new ModelTimeline(log, entryModelFor(trace));
  const sidecars = new NodeSidecars(trace, timeline.model);
  const explained = sidecarExplained(trace, timeline, sidecars);
  return {
    log,
    timeline,
    life: new Lifecycle(trace, isEnvironmental),
    options,
    isEnvironmental,
    sidecars,
    isSidecarExplained: (eventIndex) => explained.has(eventIndex),
  };
}

/** Digest of trace rows (for snapshot-install / restart / restore payloads). */
export function traceRowsDigest(rows: readonly TraceRow[]): string {
  return rowsDigest(rows);
}

/** The model's result of the apply event's own entry, if it is the canonical entry at its index. */
export function modelStepFor(
  ctx: CheckContext,
  ev: { index: number; entryHex: string },
): { step: ModelStep; prev: ModelStep } | undefined {
  if (ctx.timeline.entryAt(ev.index) !== ev.entryHex) return undefined;
  const step = ctx.timeline.step(ev.index);
  const prev = ctx.timeline.step(ev.index - 1);
  if (!step || !prev) return undefined;
  return { step, prev };
}
