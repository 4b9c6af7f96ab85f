// The request memo is only a cache: whatever the stores hold and however the
// replicas' applies interleave, the request it hands out is the one
// applyRequest builds now, and its key is that request's JSON.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore, OPCODE, createEntryApplier } from '../../src/applier/index.ts';
import { fakeKek } from '../../src/applier/main/index.ts';
import { applyRequest } from '../../src/external/exchange-v2.ts';
import { RequestMemo } from '../../src/external/request-memo.ts';
import { registrationEntry } from '../applier/helpers.ts';

// Few writers, DEKs and epochs, so replicas meet the same rows and entries often.
const registration = fc
  .record({ dekId: fc.integer({ min: 1, max: 2 }), writer: fc.integer({ min: 0, max: 2 }), localEpoch: fc.integer({ min: 0, max: 3 }) })
  .map(({ dekId, writer, localEpoch }) => registrationEntry({ dekId, fullNodeId: BigInt(writer) << 16n | 7n, localEpoch }));
const entry = fc.oneof(
  { weight: 4, arbitrary: registration },
  { weight: 1, arbitrary: fc.constant(Uint8Array.of(OPCODE.kvWrite, 1, 2)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) },
);

/** One step: replica `node` asks for `entry` at `index`, then applies it (its rows change) or not. */
const step = fc.record({ node: fc.integer({ min: 0, max: 2 }), index: fc.integer({ min: 1, max: 4 }), entry, apply: fc.boolean() });

describe('RequestMemo', () => {
  it('hands out what applyRequest builds from the stores as they are, whatever came before', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const stores = [0, 1, 2].map(() => new MemoryRegistryStore());
        const memo = new RequestMemo();
        for (const s of steps) {
          const deps = { registry: stores[s.node] as MemoryRegistryStore };
          const got = memo.of(deps, s.index, s.entry);
          const want = applyRequest(deps, s.index, s.entry);
          expect(got.request).toEqual(want);
          expect(got.key).toBe(JSON.stringify(want));
          if (s.apply) createEntryApplier(deps.registry).apply(s.entry);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('shares one request between replicas whose rows agree', () => {
    const entry = registrationEntry({ dekId: 1, fullNodeId: 5n, localEpoch: 1 });
    const [a, b] = [new MemoryRegistryStore(), new MemoryRegistryStore()];
    const memo = new RequestMemo();
    expect(memo.of({ registry: b }, 1, entry)).toBe(memo.of({ registry: a }, 1, entry));
    createEntryApplier(a).apply(entry);
    expect(memo.of({ registry: a }, 1, entry)).not.toBe(memo.of({ registry: b }, 1, entry));
  });

  it('builds a node with an environment (main FSM) afresh', () => {
    const entry = registrationEntry({ dekId: 1, fullNodeId: 5n, localEpoch: 1 });
    const deps = { registry: new MemoryRegistryStore(), kek: fakeKek };
    const memo = new RequestMemo();
    const got = memo.of(deps, 1, entry);
    expect(got.request).toEqual(applyRequest(deps, 1, entry));
    expect(memo.of(deps, 1, entry)).not.toBe(got);
  });
});
