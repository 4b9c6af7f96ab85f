// Which FSM the oracle's reference history runs: Stage 6A's (registration.ts,
// rows only) or production main's (main-model.ts: rows, the replicated part
// of the sidecar and the keystore), chosen by the trace's run-start `fsm`.
// Either way the result is told in the trace's vocabulary: main's applier
// runs in the simulator behind Stage 6A's responses (an applied 0x04/0x05 is
// `registered` with its last row's outcome, `noop` if it applied none), so
// the model says the same. Every function is pure.
import type { HaltReason, RegistryRow } from '../applier/types.ts';
import type { TraceEvent } from '../trace/types.ts';
import { EMPTY_MAIN_STATE, modelMainApply } from './main-model.ts';
import type { ModelMainResult, ModelMainState } from './main-model.ts';
import { modelApplyEntry } from './registration.ts';
import type { ModelEntryResult } from './registration.ts';

/** The model's state after a prefix of the committed log: the rows, and whatever else its FSM keeps. */
export interface ModelState {
  readonly rows: ReadonlyMap<string, RegistryRow>;
}

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
   * The result of `entry` on a node's own `rows` (what the applier does on the
   * store the node has). Under main the node's sidecar is not in the trace:
   * the model takes it as fresh, which gives an identical bootstrap the same
   * result it gets on a bootstrapped one (accepted, its rows re-registered).
   */
  resultOn(rows: ReadonlyMap<string, RegistryRow>, index: number, entry: Uint8Array): ModelEntryResult;
}

export const STAGE6A_MODEL: EntryModel = {
  name: 'stage6a',
  initial: { rows: new Map() },
  apply: (state, _index, entry) => {
    const applied = modelApplyEntry(state.rows, entry);
    return { result: applied.result, state: { rows: applied.rows } };
  },
  resultOn: (rows, _index, entry) => modelApplyEntry(rows, entry).result,
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
  resultOn: (rows, index, entry) => asTraced(modelMainApply({ ...EMPTY_MAIN_STATE, rows }, index, entry).result),
};

/** The model the trace's run-start names. */
export function entryModelFor(trace: readonly TraceEvent[]): EntryModel {
  const start = trace[0];
  return start?.kind === 'run-start' && start.fsm === 'main' ? MAIN_MODEL : STAGE6A_MODEL;
}
