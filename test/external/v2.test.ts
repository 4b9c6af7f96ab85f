// Protocol v2: one round trip per entry, with the state sent ahead and the
// child's operations replayed on regsim's stores. Faults, corrupt reads and
// aborts that hit a replayed operation are corrected, so the child's answers
// match the built-in applier's exactly; production main's vectors, sidecar and
// keystore included, go through main's reference child; ordinary entries the
// engine has committed travel in batches, and the replicas of an entry in one
// message of requests ahead.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore, OPCODE, StoreFault, createEntryApplier, encodeRegistration } from '../../src/applier/index.ts';
import type { ApplierFactory, ApplyResponse, RegistryStore } from '../../src/applier/index.ts';
import { runConformance, sentLine, variantTarget } from '../../src/cli/conformance.ts';
import { referenceApplierCommand } from '../../src/external/index.ts';
import { faultSchedule, simulate, traceHash, workloadHooks } from '../../src/sim/index.ts';
import { childStarter, clusterRun } from './helpers.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
const start = childStarter();

const registration = (dekId: number, fullNodeId: bigint, localEpoch: number): Uint8Array =>
  Uint8Array.of(OPCODE.registration, ...encodeRegistration({ dekId, fullNodeId, localEpoch }));

describe('negotiation', () => {
  it('the reference child picks protocol 2 and says which applier it implements', () => {
    const ext = start(referenceApplierCommand('correct', { main: true }));
    expect([ext.protocol, ext.applier, ext.name]).toEqual([2, 'production-main', 'regsim-reference (main, variant correct)']);
  });

  it('main\'s FSM needs protocol 2: a protocol-1 child refuses it', () => {
    const v1 = start([process.execPath, new URL('./fixtures/misbehave.mjs', import.meta.url).pathname, 'kv']);
    expect(v1.protocol).toBe(1);
    expect(() => v1.mainFactory({ registry: new MemoryRegistryStore() })).toThrow(/speaks protocol 1.*needs protocol 2/);
  });
});

describe('production main\'s vectors through main\'s reference child', () => {
  const main = fixture('production-main-conformance.json');

  it('pass as on the built-in applier, and 485 of 605 vectors reach the child', () => {
    const ext = start(referenceApplierCommand('correct', { main: true }));
    const result = runConformance(main, { stage6a: ext.factory, main: ext.mainFactory, applies: () => ext.stats().applies });
    expect(result.failures).toEqual([]);
    expect(sentLine(result.sent ?? [])).toBe(
      "485 of 605 vectors went through the external applier; not sent: codec 40 of 40 (regsim's byte codecs), deriveNodeId 27 of 27 (regsim's FNV-1a), node16Collisions 10 of 10 (regsim's FNV-1a), applySequences 12 of 123 (restarts and guard checks run in regsim), startupPrimitives 31 of 31 (regsim's start-up guards)",
    );
  });

  it('the lte-rollback variant fails the vectors the built-in variant fails', () => {
    const ext = start(referenceApplierCommand('lte-rollback', { main: true }));
    expect(runConformance(main, { stage6a: ext.factory, main: ext.mainFactory })).toEqual(runConformance(main, variantTarget('lte-rollback')));
  });
});

// A store that can be read ahead (peek) and fails or corrupts on demand: every
// fault lands on an operation the child already reported, so it is corrected.
class PeekableFaultyStore implements RegistryStore {
  readonly rows = new MemoryRegistryStore();
  fault: 'none' | 'get' | 'set' | 'corrupt' | 'crash' = 'none';
  peek(key: Uint8Array) {
    return this.rows.get(key);
  }
  get(key: Uint8Array) {
    if (this.fault === 'get') throw new StoreFault('injected read fault');
    const value = this.rows.get(key);
    return this.fault === 'corrupt' && value !== undefined ? value.subarray(0, 5) : value;
  }
  set(key: Uint8Array, value: Uint8Array) {
    if (this.fault === 'set') throw new StoreFault('injected write fault');
    if (this.fault === 'crash') throw new Error('simulated crash inside set');
    this.rows.set(key, value);
  }
}

const fullIds = [7n, 8n, 0x1_0000_0007n];
const step = fc.record({
  entry: fc.oneof(
    fc.record({ dek: fc.constantFrom(1, 2), id: fc.constantFrom(...fullIds), epoch: fc.integer({ min: 0, max: 3 }) }).map((r) => registration(r.dek, r.id, r.epoch)),
    fc.uint8Array({ maxLength: 12 }),
  ),
  fault: fc.constantFrom('none', 'none', 'get', 'set', 'corrupt', 'crash'),
});

function run(factory: ApplierFactory, steps: { entry: Uint8Array; fault: PeekableFaultyStore['fault'] }[]) {
  const store = new PeekableFaultyStore();
  const applier = factory(store);
  const responses: (ApplyResponse | string)[] = steps.map(({ entry, fault }) => {
    store.fault = fault;
    try {
      return applier.apply(entry);
    } catch (err) {
      return `threw ${(err as Error).message}`;
    }
  });
  return { responses, rows: store.rows.rowsHex() };
}

describe('corrections', () => {
  it('faults, corrupt reads and crashes on replayed operations: the built-in applier\'s responses and rows', () => {
    const ext = start(referenceApplierCommand());
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        expect(run(ext.factory, steps)).toEqual(run(createEntryApplier, steps));
      }),
      { numRuns: 150 },
    );
    const stats = ext.stats();
    // Corrections cost round trips beyond one per apply.
    expect(stats.roundTrips).toBeGreaterThan(stats.applies);
  });
});

describe('the simulator through protocol v2', () => {
  const NODES = ['n1', 'n2', 'n3'];
  const T = 20_000;
  const simRun = (applier: ApplierFactory) =>
    simulate({
      seed: 'v2-batches',
      nodes: NODES,
      applier,
      applierName: 'correct',
      timeLimitMs: T,
      snapshotInterval: 500,
      events: faultSchedule({ seed: 'v2-batches', nodes: NODES, fromMs: 1000, toMs: T - 5000, ratePerSec: 0.5 }),
      hooks: workloadHooks({ fromMs: 500, toMs: T - 1000, ratePerSec: 40, registrationShare: 0.2 }),
    });

  it('batches the ordinary entries a restarted node replays, with the built-in trace', () => {
    const ext = start(referenceApplierCommand());
    const builtin = simRun(createEntryApplier);
    expect(traceHash(simRun(ext.factory).trace)).toBe(traceHash(builtin.trace));
    expect(ext.stats().batched).toBeGreaterThan(20);
  });

  it('a child restarted at every process start and at random applies gives the same trace', () => {
    const ext = start(referenceApplierCommand(), { restarts: { onProcessStart: true, rate: 0.002, seed: 'test' } });
    expect(traceHash(simRun(ext.factory).trace)).toBe(traceHash(simRun(createEntryApplier).trace));
    expect(ext.stats().restarts).toBeGreaterThan(3);
  });
});

describe('requests ahead', () => {
  const simRun = (applier: ApplierFactory, storeFaults?: { errorRate: number; corruptRate: number }) => clusterRun('v2-ahead', applier, storeFaults);

  it('the replicas of an entry are answered in the messages sent at its proposal, with the built-in trace', () => {
    const ext = start(referenceApplierCommand());
    expect(traceHash(simRun(ext.factory).trace)).toBe(traceHash(simRun(createEntryApplier).trace));
    const stats = ext.stats();
    expect(stats.answeredAhead).toBeGreaterThan(stats.applies * 0.8);
    expect(stats.roundTrips).toBeLessThan(stats.applies * 0.5);
    // Replicas in agreement ask the same: most entries need one request ahead, not one per node.
    expect(stats.requestsAhead).toBeLessThan(stats.answeredAhead * 0.5);
  });

  it('store faults on the operations of answers given ahead are corrected through the child, with the built-in trace', () => {
    const ext = start(referenceApplierCommand());
    const faults = { errorRate: 0.01, corruptRate: 0.01 };
    expect(traceHash(simRun(ext.factory, faults).trace)).toBe(traceHash(simRun(createEntryApplier, faults).trace));
    expect(ext.stats().answeredAhead).toBeGreaterThan(50);
    expect(ext.stats().correctedAhead).toBeGreaterThan(0);
  });

  it('a child that keeps rows across requests ahead answers otherwise: its trace is not the built-in one', () => {
    const ext = start(referenceApplierCommand('correct', { cacheRows: true }));
    expect(traceHash(simRun(ext.factory).trace)).not.toBe(traceHash(simRun(createEntryApplier).trace));
    expect(ext.stats().answeredAhead).toBeGreaterThan(0);
  });

  it('a child that does not answer them gets every apply as before, with the same trace', () => {
    const ext = start(referenceApplierCommand('correct', { noAhead: true }));
    expect(traceHash(simRun(ext.factory).trace)).toBe(traceHash(simRun(createEntryApplier).trace));
    expect(ext.stats().answeredAhead).toBe(0);
  });

  it('an answer given ahead is used only for the same request: a node whose row changed since is asked again', () => {
    const ext = start(referenceApplierCommand());
    const cluster = {};
    const stores = [new MemoryRegistryStore(), new MemoryRegistryStore()];
    const [a, b] = stores.map((store, i) => ext.factory(store, { seat: { cluster, node: `n${i}` } })) as [ReturnType<ApplierFactory>, ReturnType<ApplierFactory>];
    const at = (index: number) => ({ index, next: () => undefined });
    const first = registration(1, 0x1000_0000_0000_0001n, 5);
    expect(a.apply(first, at(1)).kind).toBe('registered');
    expect(b.apply(first, at(1)).kind).toBe('registered');
    const second = registration(1, 0x1000_0000_0000_0001n, 6);
    a.proposed?.(2, second);
    // b's row moves on after its request went ahead (epoch 7): the answer is stale, and b's apply goes to the child.
    const later = registration(1, 0x1000_0000_0000_0001n, 7);
    createEntryApplier(stores[1] as MemoryRegistryStore).apply(later);
    const expected = new MemoryRegistryStore();
    for (const e of [first, later]) createEntryApplier(expected).apply(e);
    const before = ext.stats().answeredAhead;
    expect(a.apply(second, at(2)).kind).toBe('registered');
    expect(b.apply(second, at(2))).toEqual(createEntryApplier(expected).apply(second));
    expect(b.apply(second, at(2)).kind).toBe('halt');
    expect(ext.stats().answeredAhead).toBe(before + 1);
  });
});

describe('statelessness', () => {
  it('a child that caches rows across applies is caught by the vectors', () => {
    const ext = start(referenceApplierCommand('correct', { cacheRows: true }));
    expect(runConformance(fixture('applier-conformance.json'), { stage6a: ext.factory }).failed).toBeGreaterThan(20);
  });
});
