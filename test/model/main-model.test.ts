// The reference model of production main's FSM (src/model/main-model.ts)
// against production main's golden vectors: every applySequences step of a
// node with KEK, keystore and sidecar (the only nodes the simulator runs),
// step by step: the outcome (a halt's reason as main's applier names it), the
// registry rows each entry applied, the rows after, and the replicated part
// of the sidecar after. Fault steps (an injected registry-store error) are
// the engine's business, not the model's: a sequence stops being compared at
// its first one.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Keystore, MemoryRegistryStore, MemorySidecarStore, createMainFsm, encodeRegistryValue, fakeKek, fromHex, startProcess, toHex } from '../../src/applier/index.ts';
import type { MainFsm } from '../../src/applier/index.ts';
import type { ApplySequence, SidecarVector } from '../../src/cli/conformance/main-schema.ts';
import { EMPTY_MAIN_STATE, keystoreOf, modelMainApply } from '../../src/model/main-model.ts';
import type { ModelMainResult, ModelMainState, ModelSidecar } from '../../src/model/main-model.ts';
import { rowsToModel } from '../../src/model/invariants/context.ts';

const fixture = fileURLToPath(new URL('../../fixtures/production-main-conformance.json', import.meta.url));
const sequences = (JSON.parse(readFileSync(fixture, 'utf8')) as { applySequences: ApplySequence[] }).applySequences;
// A corrupt initial row is a state the model does not know (the oracle stops judging rows there).
const withKek = sequences.filter((s) => s.applier.kek && s.applier.keystore && s.applier.sidecar && rowsToModel(s.initialRows) !== undefined);

function sidecarOf(model: ModelSidecar | undefined): object | null {
  if (model === undefined) return null;
  const keys = [...model.keys].sort(([a], [b]) => a - b).map(([id, k]) => ({ id, purpose: k.purpose, wrappedHex: k.wrappedHex }));
  const { activeStorage, activeRaft, storageEnvelopeActive, storageCutoverIndex, raftCutoverIndex } = model;
  return { activeStorage, activeRaft, storageEnvelopeActive, storageCutoverIndex, raftCutoverIndex, keys };
}

function replicated(v: SidecarVector | null): object | null {
  if (v === null) return null;
  return {
    activeStorage: v.activeStorage,
    activeRaft: v.activeRaft,
    storageEnvelopeActive: v.storageEnvelopeActive,
    storageCutoverIndex: v.storageEnvelopeCutoverIndex,
    raftCutoverIndex: v.raftEnvelopeCutoverIndex,
    keys: v.keys.map(({ id, purpose, wrappedHex }) => ({ id, purpose, wrappedHex })),
  };
}

function rowsHex(state: ModelMainState): { keyHex: string; valueHex: string }[] {
  return [...state.rows]
    .map(([keyHex, r]) => ({ keyHex, valueHex: toHex(encodeRegistryValue(r)) }))
    .sort((a, b) => (a.keyHex < b.keyHex ? -1 : 1));
}

/** The model's result in the words main's applier answers in. */
function word(r: ModelMainResult): string {
  if (r.kind === 'halt') return `halt ${r.reason}`;
  if (r.kind === 'kv') return 'not-routed';
  return `applied ${r.kind === 'registered' ? r.outcome : r.rows.join(',')}`;
}

function mainWord(r: ReturnType<MainFsm['apply']>): string {
  if (r.kind === 'halt') return `halt ${r.reason}`;
  if (r.kind === 'applied') return `applied ${r.rows.map((x) => x.result).join(',')}`;
  return 'not-routed';
}

describe('the model of main\'s FSM against production main\'s vectors', () => {
  it('covers the sequences of a node with a KEK', () => {
    expect(withKek.length).toBe(25);
  });

  for (const seq of withKek) {
    it(seq.name, () => {
      const registry = new MemoryRegistryStore();
      for (const row of seq.initialRows) registry.set(fromHex(row.keyHex), fromHex(row.valueHex));
      const sidecar = new MemorySidecarStore();
      const open = (keystore: Keystore): MainFsm => createMainFsm({ registry, kek: fakeKek, keystore, sidecar, stateCache: { activeStorage: 0, storageEnvelopeActive: false } });
      let fsm = open(new Keystore());
      let state: ModelMainState = { ...EMPTY_MAIN_STATE, rows: rowsToModel(seq.initialRows) ?? new Map() };
      for (const [j, step] of seq.steps.entries()) {
        if (step.kind === 'entry' && step.fault !== undefined) break;
        const at = `step ${j}`;
        if (step.kind === 'restart') {
          fsm = open(startProcess(sidecar, fakeKek).keystore);
          state = { ...state, keystore: keystoreOf(state.sidecar) };
        } else if (step.kind === 'entry') {
          const entry = fromHex(step.entryHex);
          const actual = fsm.apply(step.raftIndex, entry);
          if (entry.length === 0) continue; // the engine filters empty entries before the model
          const applied = modelMainApply(state, step.raftIndex, entry);
          state = applied.state;
          expect(`${at} ${word(applied.result)}`).toBe(`${at} ${mainWord(actual).replace(/,?halted$/, '')}`);
        }
        expect({ at, rows: rowsHex(state) }).toEqual({ at, rows: step.rowsAfter });
        expect({ at, sidecar: sidecarOf(state.sidecar) }).toEqual({ at, sidecar: replicated(step.sidecarAfter) });
      }
    });
  }
});
