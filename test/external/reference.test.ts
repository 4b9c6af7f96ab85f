// The reference external applier (our own applier served over the protocol)
// must be indistinguishable from the built-in one: on the golden vectors, on
// random entry sequences with store faults, and as a named bug variant.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryRegistryStore,
  OPCODE,
  StoreFault,
  applierFactoryByName,
  createEntryApplier,
  encodeRegistration,
} from '../../src/applier/index.ts';
import type { ApplierFactory, ApplyResponse, RegistryStore } from '../../src/applier/index.ts';
import { runConformance } from '../../src/cli/conformance.ts';
import { referenceApplierCommand, startExternalApplier } from '../../src/external/index.ts';
import type { ExternalApplier } from '../../src/external/index.ts';

const vectors: unknown = JSON.parse(readFileSync(new URL('../../fixtures/applier-conformance.json', import.meta.url), 'utf8'));

let correct: ExternalApplier;
beforeAll(() => {
  correct = startExternalApplier(referenceApplierCommand('correct'));
});
afterAll(() => correct?.close());

describe('conformance vectors through the reference external applier', () => {
  it('the correct applier passes every vector, as the built-in one does', () => {
    const external = runConformance(vectors, { stage6a: correct.factory });
    expect(external.failures).toEqual([]);
    expect(external).toEqual(runConformance(vectors, { stage6a: createEntryApplier }));
    expect(correct.name).toBe('regsim-reference (variant correct)');
  });

  it('the lte-rollback variant served externally is caught, with the built-in variant\'s failures', () => {
    const ext = startExternalApplier(referenceApplierCommand('lte-rollback'));
    try {
      const external = runConformance(vectors, { stage6a: ext.factory });
      expect(external.failed).toBeGreaterThan(0);
      expect(external).toEqual(runConformance(vectors, { stage6a: applierFactoryByName('lte-rollback') }));
      // The signature of the bug: a replayed registration halts as rollback.
      const replay = Uint8Array.of(OPCODE.registration, ...encodeRegistration({ dekId: 1, fullNodeId: 42n, localEpoch: 3 }));
      const applier = ext.factory(new MemoryRegistryStore());
      expect(applier.apply(replay)).toEqual({ kind: 'registered', outcome: 'insert' });
      expect(applier.apply(replay)).toMatchObject({ kind: 'halt', reason: 'rollback' });
    } finally {
      ext.close();
    }
  });

  it('an unknown variant fails at start-up with the reference applier\'s own message', () => {
    expect(() => startExternalApplier(referenceApplierCommand('no-such-variant'))).toThrow(
      /exited with code 2 while waiting for its hello; stderr: regsim-reference-applier: unknown applier variant "no-such-variant"/,
    );
  });
});

// Random entries: registrations over a small id space (two full ids share a
// low-16 slot, so collisions happen), KV writes, every other opcode with
// random bodies, and a store fault on some steps' reads or writes.
const fullIds = [7n, 8n, 0x1_0000_0007n, 0xffff_ffff_ffff_0008n];
const registration = fc
  .record({ dekId: fc.constantFrom(1, 2), fullNodeId: fc.constantFrom(...fullIds), localEpoch: fc.integer({ min: 0, max: 4 }) })
  .map((reg) => Uint8Array.of(OPCODE.registration, ...encodeRegistration(reg)));
const anyEntry = fc.uint8Array({ maxLength: 20 });
const kv = fc.tuple(fc.constantFrom(0, 1, 2), fc.uint8Array({ maxLength: 8 })).map(([op, body]) => Uint8Array.of(op, ...body));
const step = fc.record({
  entry: fc.oneof({ arbitrary: registration, weight: 4 }, { arbitrary: kv, weight: 2 }, { arbitrary: anyEntry, weight: 1 }),
  fault: fc.constantFrom('none', 'none', 'none', 'get', 'set'),
});

/** A memory store that throws StoreFault on the armed operation. */
class FaultyStore implements RegistryStore {
  readonly rows = new MemoryRegistryStore();
  fault: string = 'none';
  get(key: Uint8Array) {
    if (this.fault === 'get') throw new StoreFault('injected read fault');
    return this.rows.get(key);
  }
  set(key: Uint8Array, value: Uint8Array) {
    if (this.fault === 'set') throw new StoreFault('injected write fault');
    this.rows.set(key, value);
  }
}

function run(factory: ApplierFactory, steps: { entry: Uint8Array; fault: string }[]) {
  const store = new FaultyStore();
  const applier = factory(store);
  const responses: ApplyResponse[] = steps.map(({ entry, fault }) => {
    store.fault = fault;
    return applier.apply(entry);
  });
  return { responses, rows: store.rows.rowsHex() };
}

describe('external vs built-in on random entry sequences', () => {
  it('same responses (halt messages included) and same rows', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        expect(run(correct.factory, steps)).toEqual(run(createEntryApplier, steps));
      }),
      { numRuns: 200 },
    );
  });

  it('a store that throws something else aborts the apply, rethrows it here, and the child stays in step', () => {
    const crash = new Error('simulated crash inside set');
    const store = new MemoryRegistryStore();
    let crashNextSet = true;
    const crashing: RegistryStore = {
      get: (key) => store.get(key),
      set: (key, value) => {
        if (crashNextSet) {
          crashNextSet = false;
          throw crash;
        }
        store.set(key, value);
      },
    };
    const applier = correct.factory(crashing);
    const entry = Uint8Array.of(OPCODE.registration, ...encodeRegistration({ dekId: 9, fullNodeId: 5n, localEpoch: 1 }));
    expect(() => applier.apply(entry)).toThrow(crash);
    expect(store.rowsHex()).toEqual([]);
    // Replayed after the "crash": applies normally.
    expect(applier.apply(entry)).toEqual({ kind: 'registered', outcome: 'insert' });
    expect(applier.apply(entry)).toEqual({ kind: 'registered', outcome: 'noop' });
  });

  it('nodes sharing the child each see their own store', () => {
    const stores = [new MemoryRegistryStore(), new MemoryRegistryStore()];
    const [a, b] = stores.map((s) => correct.factory(s));
    const entry = Uint8Array.of(OPCODE.registration, ...encodeRegistration({ dekId: 1, fullNodeId: 77n, localEpoch: 2 }));
    expect(a!.apply(entry)).toEqual({ kind: 'registered', outcome: 'insert' });
    expect(b!.apply(entry)).toEqual({ kind: 'registered', outcome: 'insert' });
    expect(a!.apply(entry)).toEqual({ kind: 'registered', outcome: 'noop' });
    expect(stores[0]!.rowsHex()).toEqual(stores[1]!.rowsHex());
  });
});
