import { describe, expect, it } from 'vitest';
import {
  MemoryRegistryStore,
  RegistrationApplier,
  applierFactoryByName,
  applierVariants,
  createEntryApplier,
  encodeRegistryValue,
  fromHex,
  registryKey,
  toHex,
} from '../../src/applier/index.ts';
import type { RegistryStore } from '../../src/applier/index.ts';
import { FaultyStore, registrationEntry } from './helpers.ts';

const A = 0x0000_0001_0000_2551n; // A and B share the low 16 bits (0x2551)
const B = 0x0000_0002_0000_2551n;
const DEK = 5;
const keyA = registryKey(DEK, 0x2551);

function setup() {
  const store = new FaultyStore();
  return { store, applier: new RegistrationApplier(store) };
}

function rowOf(store: RegistryStore) {
  const value = store.get(keyA);
  return value && toHex(value);
}

describe('RegistrationApplier: spec §3 cases', () => {
  it('1 insert: writes first = last = epoch', () => {
    const { store, applier } = setup();
    expect(applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 4 })).toEqual({ kind: 'registered', outcome: 'insert' });
    expect(rowOf(store)).toBe(toHex(encodeRegistryValue({ fullNodeId: A, firstSeen: 4, lastSeen: 4 })));
  });

  it('2 advance: raises last_seen, keeps first_seen', () => {
    const { store, applier } = setup();
    applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 4 });
    expect(applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 0xffff })).toEqual({ kind: 'registered', outcome: 'advance' });
    expect(rowOf(store)).toBe(toHex(encodeRegistryValue({ fullNodeId: A, firstSeen: 4, lastSeen: 0xffff })));
  });

  it("2' equal epoch: idempotent replay, no write", () => {
    const { store, applier } = setup();
    applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 4 });
    const before = rowOf(store);
    const writes = store.writes;
    expect(applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 4 })).toEqual({ kind: 'registered', outcome: 'noop' });
    expect(store.writes).toBe(writes);
    expect(rowOf(store)).toBe(before);
  });

  it('3 lower epoch: halts as rollback, row unchanged', () => {
    const { store, applier } = setup();
    applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 5 });
    const before = rowOf(store);
    const response = applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 4 });
    expect(response).toMatchObject({ kind: 'halt', reason: 'rollback' });
    expect(rowOf(store)).toBe(before);
  });

  it('4 different full id in the slot: halts as collision whatever the epoch, row unchanged', () => {
    const { store, applier } = setup();
    applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 5 });
    const before = rowOf(store);
    for (const localEpoch of [0, 5, 6, 0xffff]) {
      const response = applier.applyRegistration({ dekId: DEK, fullNodeId: B, localEpoch });
      expect(response).toMatchObject({ kind: 'halt', reason: 'collision' });
      expect(response.kind === 'halt' && response.message).toContain('0x2551');
    }
    expect(rowOf(store)).toBe(before);
  });

  it('keeps DEKs apart: the same node registers independently under each', () => {
    const { store, applier } = setup();
    applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 9 });
    expect(applier.applyRegistration({ dekId: DEK + 1, fullNodeId: B, localEpoch: 0 })).toMatchObject({ outcome: 'insert' });
    expect(store.rowsHex()).toHaveLength(2);
  });

  it('keeps no state of its own: a second applier over the same store sees the rows', () => {
    const { store, applier } = setup();
    applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 9 });
    const fresh = new RegistrationApplier(store);
    expect(fresh.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 9 })).toMatchObject({ outcome: 'noop' });
  });
});

describe('RegistrationApplier: failures', () => {
  it.each([null, undefined, {}, { get: () => undefined }])('construction refuses a missing store (%o)', (store) => {
    expect(() => new RegistrationApplier(store as unknown as RegistryStore)).toThrow(TypeError);
    expect(() => createEntryApplier(store as unknown as RegistryStore)).toThrow(TypeError);
  });

  it('a read fault halts as store-fault', () => {
    const { store, applier } = setup();
    store.failGet = true;
    expect(applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 1 })).toMatchObject({ kind: 'halt', reason: 'store-fault' });
  });

  it('a write fault halts as store-fault, on insert and on advance', () => {
    const { store, applier } = setup();
    store.failSet = true;
    expect(applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 1 })).toMatchObject({ reason: 'store-fault' });
    store.failSet = false;
    applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 1 });
    store.failSet = true;
    expect(applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 2 })).toMatchObject({ reason: 'store-fault' });
  });

  it('an equal-epoch replay does not touch a failing writer', () => {
    const { store, applier } = setup();
    applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 1 });
    store.failSet = true;
    expect(applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 1 })).toMatchObject({ outcome: 'noop' });
  });

  it.each(['', '00', '0000000000000001000100', '0000000000000001000100ffee'])('a stored value %s (wrong length) halts as corrupt-row', (hex) => {
    const { store, applier } = setup();
    store.set(keyA, fromHex(hex));
    expect(applier.applyRegistration({ dekId: DEK, fullNodeId: A, localEpoch: 1 })).toMatchObject({ kind: 'halt', reason: 'corrupt-row' });
    expect(toHex(store.get(keyA)!)).toBe(hex);
  });

  it('an exception that is not a StoreFault is a harness bug and propagates', () => {
    const broken: RegistryStore = {
      get: () => {
        throw new TypeError('bug');
      },
      set: () => {},
    };
    expect(() => new RegistrationApplier(broken).applyRegistration({ dekId: 1, fullNodeId: 1n, localEpoch: 1 })).toThrow(TypeError);
    expect(() => createEntryApplier(broken).apply(registrationEntry({ dekId: 1, fullNodeId: 1n, localEpoch: 1 }))).toThrow(TypeError);
  });

  it('bootstrap and rotation halt as kek-not-configured', () => {
    const { store, applier } = setup();
    expect(applier.applyBootstrap(new Uint8Array())).toMatchObject({ kind: 'halt', reason: 'kek-not-configured' });
    expect(applier.applyRotation(Uint8Array.of(1, 2))).toMatchObject({ kind: 'halt', reason: 'kek-not-configured' });
    expect(store.rowsHex()).toEqual([]);
  });
});

describe('createEntryApplier: opcode dispatch', () => {
  const reg = { dekId: 1, fullNodeId: A, localEpoch: 3 };

  it('0x03 decodes and applies a registration', () => {
    const store = new MemoryRegistryStore();
    const applier = createEntryApplier(store);
    expect(applier.apply(registrationEntry(reg))).toEqual({ kind: 'registered', outcome: 'insert' });
    expect(applier.apply(registrationEntry(reg))).toEqual({ kind: 'registered', outcome: 'noop' });
    expect(store.rowsHex()).toHaveLength(1);
  });

  it.each([
    ['an empty body', '03', 'malformed'],
    ['a short body', '0301000000010000000000000001', 'malformed'],
    ['a long body', `03${'01'.repeat(16)}`, 'malformed'],
    ['an unknown version', '03020000000100000000000000010003', 'unknown-version'],
  ])('0x03 with %s halts', (_name, hex, reason) => {
    expect(createEntryApplier(new MemoryRegistryStore()).apply(fromHex(hex))).toMatchObject({ kind: 'halt', reason });
  });

  it.each([
    [0x04, 'kek-not-configured'],
    [0x05, 'kek-not-configured'],
    [0x06, 'unknown-opcode'],
    [0x07, 'unknown-opcode'],
  ])('opcode 0x0%i halts as %s, with or without a body', (opcode, reason) => {
    const applier = createEntryApplier(new MemoryRegistryStore());
    expect(applier.apply(Uint8Array.of(opcode))).toMatchObject({ kind: 'halt', reason });
    expect(applier.apply(Uint8Array.of(opcode, ...registrationEntry(reg)))).toMatchObject({ kind: 'halt', reason });
  });

  it.each([0x00, 0x01, 0x02, 0x08, 0x7f, 0xff])('opcode 0x%s is handed back as an ordinary entry', (opcode) => {
    const store = new MemoryRegistryStore();
    expect(createEntryApplier(store).apply(Uint8Array.of(opcode, 1, 2, 3))).toEqual({ kind: 'kv', opcode });
    expect(store.rowsHex()).toEqual([]);
  });

  it('an empty entry fails closed (halt malformed)', () => {
    expect(createEntryApplier(new MemoryRegistryStore()).apply(new Uint8Array())).toMatchObject({ kind: 'halt', reason: 'malformed' });
  });
});

describe('variants', () => {
  it('lists the correct applier first, then every named bug with its one-line description', () => {
    expect(Object.keys(applierVariants)[0]).toBe('correct');
    for (const v of Object.values(applierVariants)) expect(v.bug.length).toBeGreaterThan(10);
    expect(applierFactoryByName('correct')).toBe(createEntryApplier);
  });

  it('an unknown name throws, listing the known ones', () => {
    expect(() => applierFactoryByName('nope')).toThrow(/unknown applier variant "nope" \(known: correct, lte-rollback/);
    expect(() => applierFactoryByName('toString')).toThrow(/unknown applier variant/);
  });

  // One scenario per bug, each showing the exact divergence from the correct applier.
  const run = (name: string, regs: [bigint, number][]) => {
    const store = new MemoryRegistryStore();
    const applier = applierFactoryByName(name)(store);
    const outcomes = regs.map(([fullNodeId, localEpoch]) => {
      const r = applier.apply(registrationEntry({ dekId: DEK, fullNodeId, localEpoch }));
      return r.kind === 'registered' ? r.outcome : r.kind === 'halt' ? r.reason : 'kv';
    });
    return { outcomes, rows: store.rowsHex().map((r) => r.valueHex) };
  };
  const value = (fullNodeId: bigint, firstSeen: number, lastSeen: number) => toHex(encodeRegistryValue({ fullNodeId, firstSeen, lastSeen }));

  it.each([
    ['correct', [[A, 1], [A, 1], [A, 2], [A, 1], [B, 3]], ['insert', 'noop', 'advance', 'rollback', 'collision'], [value(A, 1, 2)]],
    ['lte-rollback', [[A, 1], [A, 1]], ['insert', 'rollback'], [value(A, 1, 1)]],
    ['no-collision-check', [[A, 1], [B, 3]], ['insert', 'insert'], [value(B, 3, 3)]],
    ['reset-first-seen', [[A, 1], [A, 2]], ['insert', 'advance'], [value(A, 2, 2)]],
    ['accept-rollback', [[A, 5], [A, 1]], ['insert', 'advance'], [value(A, 5, 1)]],
  ] as [string, [bigint, number][], string[], string[]][])('%s', (name, regs, outcomes, rows) => {
    expect(run(name, regs)).toEqual({ outcomes, rows });
  });

  it('short-id-compare takes an id equal in the low 32 bits for the owner', () => {
    const near = A ^ (1n << 40n);
    expect(run('correct', [[A, 1], [near, 2]]).outcomes).toEqual(['insert', 'collision']);
    expect(run('short-id-compare', [[A, 1], [near, 2]])).toEqual({ outcomes: ['insert', 'advance'], rows: [value(near, 1, 2)] });
  });

  it('signed-epoch sees 0x8000 as lower than 0x7FFF', () => {
    expect(run('correct', [[A, 0x7fff], [A, 0x8000]]).outcomes).toEqual(['insert', 'advance']);
    expect(run('signed-epoch', [[A, 0x7fff], [A, 0x8000]]).outcomes).toEqual(['insert', 'rollback']);
  });

  it('any-version decodes a payload of another version byte', () => {
    const entry = registrationEntry({ dekId: DEK, fullNodeId: A, localEpoch: 1 });
    entry[1] = 0x02;
    expect(applierFactoryByName('correct')(new MemoryRegistryStore()).apply(entry)).toMatchObject({ kind: 'halt', reason: 'unknown-version' });
    expect(applierFactoryByName('any-version')(new MemoryRegistryStore()).apply(entry)).toEqual({ kind: 'registered', outcome: 'insert' });
  });

  it('dek-truncated-key keys DEK 0x10001 like DEK 1', () => {
    const store = new MemoryRegistryStore();
    applierFactoryByName('dek-truncated-key')(store).apply(registrationEntry({ dekId: 0x10001, fullNodeId: A, localEpoch: 1 }));
    expect(store.rowsHex().map((r) => r.keyHex)).toEqual([toHex(registryKey(1, Number(A & 0xffffn)))]);
  });

  it('wrong-truncation keys the row on bits 16..31', () => {
    const store = new MemoryRegistryStore();
    applierFactoryByName('wrong-truncation')(store).apply(registrationEntry({ dekId: DEK, fullNodeId: 0xabcd_1234n, localEpoch: 1 }));
    expect(store.rowsHex().map((r) => r.keyHex)).toEqual([toHex(registryKey(DEK, 0xabcd))]);
  });
});
