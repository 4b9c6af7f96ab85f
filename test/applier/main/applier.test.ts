// Main's applier and routing beyond what the golden vectors show: the
// routing classes, construction errors, store faults on the sidecar and the
// registry, and the branches no vector reaches.
import { describe, expect, it } from 'vitest';
import {
  Keystore,
  MemoryRegistryStore,
  MemorySidecarStore,
  OPCODE,
  SidecarInvalidError,
  StoreFault,
  createMainFsm,
  emptySidecar,
  encodeBootstrap,
  encodeRotation,
  fakeKek,
} from '../../../src/applier/index.ts';
import type { MainApplierDeps, RegistryStore, Sidecar, StateCache } from '../../../src/applier/index.ts';
import { FaultyStore, registrationEntry } from '../helpers.ts';

const n1 = 626980046172116160n;
const wrapped = (s: string) => new TextEncoder().encode(s);
const bootstrapEntry = (over: Partial<Parameters<typeof encodeBootstrap>[0]> = {}) =>
  Uint8Array.of(
    OPCODE.bootstrap,
    ...encodeBootstrap({ storageDekId: 1, wrappedStorage: wrapped('s1'), raftDekId: 2, wrappedRaft: wrapped('r2'), batch: [{ dekId: 1, fullNodeId: n1, localEpoch: 0 }], ...over }),
  );
const cutover = (subTag: 4 | 5, dekId: number) =>
  Uint8Array.of(OPCODE.rotation, ...encodeRotation({ subTag, dekId, purpose: subTag === 4 ? 1 : 2, wrapped: new Uint8Array(), proposer: { dekId, fullNodeId: n1, localEpoch: 1 } }));

function node(registry: RegistryStore = new MemoryRegistryStore(), sidecar = new MemorySidecarStore()) {
  const deps: MainApplierDeps = { registry, kek: fakeKek, keystore: new Keystore(), sidecar };
  return { fsm: createMainFsm(deps), sidecar };
}

/** A sidecar store whose reads or writes fail. */
class FaultySidecar extends MemorySidecarStore {
  failRead = false;
  failWrite = false;
  override read(): Sidecar | undefined {
    if (this.failRead) throw new StoreFault('injected sidecar read fault');
    return super.read();
  }
  override write(s: Sidecar): void {
    if (this.failWrite) throw new StoreFault('injected sidecar write fault');
    super.write(s);
  }
}

describe('routing (addendum §1.5)', () => {
  const fsm = createMainFsm({ registry: new MemoryRegistryStore() });
  it('an empty entry is skipped, never a halt; 0x02 is the lease; the rest outside 0x03..0x07 is KV', () => {
    expect(fsm.apply(1, new Uint8Array())).toEqual({ kind: 'empty' });
    expect(fsm.apply(1, Uint8Array.of(0x02, 1))).toEqual({ kind: 'lease' });
    for (const opcode of [0x00, 0x01, 0x08, 0xff]) expect(fsm.apply(1, Uint8Array.of(opcode))).toEqual({ kind: 'kv', opcode });
  });
  it('without an applier every encryption opcode halts, whatever its body', () => {
    const bare = createMainFsm(undefined);
    for (const opcode of [3, 4, 5, 6, 7]) expect(bare.apply(1, Uint8Array.of(opcode))).toMatchObject({ kind: 'halt', reason: 'no-applier', rows: [] });
    expect(bare.apply(1, Uint8Array.of(0x01))).toEqual({ kind: 'kv', opcode: 1 });
  });
});

describe('construction', () => {
  it('refuses a missing registry store (the typed-nil bug)', () => {
    expect(() => createMainFsm({ registry: null as unknown as RegistryStore })).toThrow(TypeError);
  });
  it('refuses a sidecar that breaks its own rules, and primes the state cache from a valid one', () => {
    const sidecar = new MemorySidecarStore();
    sidecar.write({ ...emptySidecar(), activeStorage: 7 });
    expect(() => createMainFsm({ registry: new MemoryRegistryStore(), sidecar })).toThrow(SidecarInvalidError);
    sidecar.write({ ...emptySidecar(), activeStorage: 7, storageEnvelopeActive: true, keys: new Map([[7, { purpose: 'storage', wrapped: new Uint8Array(), localEpoch: 3 }]]) });
    const stateCache: StateCache = { activeStorage: 0, storageEnvelopeActive: false };
    createMainFsm({ registry: new MemoryRegistryStore(), sidecar, stateCache });
    expect(stateCache).toEqual({ activeStorage: 7, storageEnvelopeActive: true });
  });
});

describe('bootstrap and rotation', () => {
  it('a bootstrap on a sidecar that names its DEKs but lost a key is rejected', () => {
    const sidecar = new MemorySidecarStore();
    const { fsm } = node(new MemoryRegistryStore(), sidecar);
    expect(fsm.apply(5, bootstrapEntry())).toMatchObject({ kind: 'applied' });
    const doc = sidecar.read()!;
    // Bypass validation, as a hand-edited file would.
    sidecar.write({ ...doc, keys: new Map([...doc.keys].filter(([id]) => id === 1)) });
    expect(fsm.apply(6, bootstrapEntry())).toMatchObject({ kind: 'halt', reason: 'rejected', detail: 'bootstrap-key-missing', rows: [] });
  });

  it('sidecar faults halt as store faults, before or after the keystore install', () => {
    const sidecar = new FaultySidecar();
    const { fsm } = node(new MemoryRegistryStore(), sidecar);
    sidecar.failRead = true;
    expect(fsm.apply(5, bootstrapEntry())).toMatchObject({ kind: 'halt', reason: 'store-fault', message: expect.stringContaining('sidecar read') });
    sidecar.failRead = false;
    sidecar.failWrite = true;
    expect(fsm.apply(5, bootstrapEntry())).toMatchObject({ kind: 'halt', reason: 'store-fault', message: expect.stringContaining('sidecar write'), rows: [] });
    expect(sidecar.read()).toBeUndefined();
  });

  it('registry faults halt 0x03 and the batch row they hit', () => {
    const registry = new FaultyStore();
    const { fsm } = node(registry);
    registry.failSet = true;
    expect(fsm.apply(3, registrationEntry({ dekId: 1, fullNodeId: n1, localEpoch: 0 }))).toMatchObject({ kind: 'halt', reason: 'store-fault', rows: [{ result: 'halted' }] });
    expect(fsm.apply(5, bootstrapEntry())).toMatchObject({ kind: 'halt', reason: 'store-fault', rows: [{ result: 'halted' }] });
  });

  it('both cutovers on a node with no sidecar halt sidecar-missing', () => {
    const { fsm } = node();
    expect(fsm.apply(7, cutover(4, 1))).toMatchObject({ kind: 'halt', reason: 'sidecar-missing', rows: [] });
    expect(fsm.apply(7, cutover(5, 2))).toMatchObject({ kind: 'halt', reason: 'sidecar-missing', rows: [] });
  });

  it('works without a state cache (nothing in the applier reads it)', () => {
    const { fsm, sidecar } = node();
    expect(fsm.apply(5, bootstrapEntry())).toMatchObject({ kind: 'applied', rows: [{ result: 'insert' }] });
    expect(fsm.apply(7, cutover(4, 1))).toMatchObject({ kind: 'applied', rows: [{ result: 'advance' }] });
    expect(sidecar.read()).toMatchObject({ storageEnvelopeActive: true, storageEnvelopeCutoverIndex: 7, raftAppliedIndex: 7 });
  });
});
