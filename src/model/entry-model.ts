// Which FSM the oracle's reference history runs: Stage 6A's (registration.ts,
// rows only) or production main's (main-model.ts: rows, the replicated part
// of the sidecar and the keystore), chosen by the trace's run-start `fsm`.
// Either way the result is told in the trace's vocabulary: main's applier
// runs in the simulator behind Stage 6A's responses (an applied 0x04/0x05 is
// `registered` with its last row's outcome, `noop` if it applied none), so
// the model says the same. Every function is pure.
import type { HaltReason, RegistryRow } from '../applier/types.ts';
import type { TraceEvent, TraceSidecar } from '../trace/types.ts';
import { EMPTY_MAIN_STATE, keystoreOf, modelMainApply } from './main-model.ts';
import type { ModelMainResult, ModelMainState, ModelSidecar } from './main-model.ts';
import { modelApplyEntry } from './registration.ts';
import type { ModelEntryResult } from './registration.ts';

/** The model's state after a prefix of the committed log: the rows, and whatever else its FSM keeps. */
export interface ModelState {
  readonly rows: ReadonlyMap<string, RegistryRow>;
}

/**
 * What a node's FSM keeps besides its rows, as the trace shows it: under
 * main its sidecar (loaded at process start, `sidecar-load`) and the
 * keystore hydrated from it, then moved by the node's own 0x04/0x05 applies.
 * Stage 6A keeps nothing (undefined).
 */
export type NodeLocal = Pick<ModelMainState, 'sidecar' | 'keystore'>;

export interface EntryModel {
  readonly name: 'stage6a' | 'main';
  readonly initial: ModelState;
  /**
   * One committed non-empty entry at `index`: the result and the state after
   * it. A halt under Stage 6A changes nothing; under main it keeps what the
   * entry did before halting (a bootstrap's rows before the halting one).
   */
  apply(state: ModelState, index: number, entry: Uint8Array): { result: ModelEntryResult; state: ModelState };
  /**
   * The result of `entry` on a node's own `rows` and `local` state (what the
   * applier does on the store the node has). Under main without `local` the
   * sidecar is taken as fresh.
   */
  resultOn(rows: ReadonlyMap<string, RegistryRow>, index: number, entry: Uint8Array, local?: NodeLocal): ModelEntryResult;
  /** The local state in a state of the reference history (what a node that applied the log in order has). */
  localOf(state: ModelState): NodeLocal | undefined;
  /** The node's `local` state after it applied `entry` on `rows` (a halt keeps what the entry did before it). */
  localAfter(rows: ReadonlyMap<string, RegistryRow>, index: number, entry: Uint8Array, local: NodeLocal | undefined): NodeLocal | undefined;
}

export const STAGE6A_MODEL: EntryModel = {
  name: 'stage6a',
  initial: { rows: new Map() },
  apply: (state, _index, entry) => {
    const applied = modelApplyEntry(state.rows, entry);
    return { result: applied.result, state: { rows: applied.rows } };
  },
  resultOn: (rows, _index, entry) => modelApplyEntry(rows, entry).result,
  localOf: () => undefined,
  localAfter: () => undefined,
};

/** Main's result in the trace's vocabulary (see the header). */
function asTraced(r: ModelMainResult): ModelEntryResult {
  switch (r.kind) {
    case 'kv':
    case 'registered':
      return r;
    case 'encryption':
      return { kind: 'registered', outcome: r.rows.at(-1) ?? 'noop' };
    case 'halt':
      // Main's halt reasons extend Stage 6A's; the trace records them as strings.
      return { kind: 'halt', reason: r.reason as HaltReason };
  }
}

export const MAIN_MODEL: EntryModel = {
  name: 'main',
  initial: EMPTY_MAIN_STATE,
  apply: (state, index, entry) => {
    const applied = modelMainApply(state as ModelMainState, index, entry);
    return { result: asTraced(applied.result), state: applied.state };
  },
  resultOn: (rows, index, entry, local) => asTraced(modelMainApply({ ...EMPTY_MAIN_STATE, ...local, rows }, index, entry).result),
  localOf: (state) => {
    const { sidecar, keystore } = state as ModelMainState;
    return { sidecar, keystore };
  },
  localAfter: (rows, index, entry, local) => {
    const { sidecar, keystore } = modelMainApply({ ...EMPTY_MAIN_STATE, ...local, rows }, index, entry).state;
    return { sidecar, keystore };
  },
};

/** A node's local state from the sidecar it loaded (sidecar-load): the keystore is hydrated from it, as main's start does. */
export function localFromSidecar(t: TraceSidecar | null): NodeLocal {
  if (t === null) return { sidecar: undefined, keystore: new Map() };
  const sidecar: ModelSidecar = {
    activeStorage: t.activeStorage,
    activeRaft: t.activeRaft,
    storageEnvelopeActive: t.storageEnvelopeActive,
    storageCutoverIndex: t.storageCutoverIndex,
    raftCutoverIndex: t.raftCutoverIndex,
    keys: new Map(t.keys.map((k) => [k.dekId, { purpose: k.purpose, wrappedHex: k.wrappedHex }])),
  };
  return { sidecar, keystore: keystoreOf(sidecar) };
}

/** The model the trace's run-start names. */
export function entryModelFor(trace: readonly TraceEvent[]): EntryModel {
  const start = trace[0];
  return start?.kind === 'run-start' && start.fsm === 'main' ? MAIN_MODEL : STAGE6A_MODEL;
}
