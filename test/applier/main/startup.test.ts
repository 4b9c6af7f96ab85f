// Start-up primitives and the sidecar document beyond the golden vectors:
// a process start (hydrate, bump), the guards' edge cases, the sidecar rules.
import { describe, expect, it } from 'vitest';
import {
  MemoryRegistryStore,
  MemorySidecarStore,
  SidecarInvalidError,
  StartupError,
  advanceAppliedIndex,
  bumpLocalEpoch,
  checkLocalEpochRollback,
  checkSidecarBehindRaftLog,
  emptySidecar,
  fakeKek,
  nonceFactory,
  startProcess,
  toHex,
  validateSidecar,
} from '../../../src/applier/index.ts';
import type { Sidecar, SidecarKey } from '../../../src/applier/index.ts';

const key = (purpose: SidecarKey['purpose'], localEpoch: number, wrapped = 'w'): SidecarKey => ({ purpose, wrapped: new TextEncoder().encode(wrapped), localEpoch });
const bootstrapped = (over: Partial<Sidecar> = {}): Sidecar => ({
  ...emptySidecar(),
  activeStorage: 1,
  activeRaft: 2,
  keys: new Map([
    [1, key('storage', 4)],
    [2, key('raft', 2)],
  ]),
  ...over,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof StartupError) return err.reason;
    throw err;
  }
  return 'ok';
}

describe('startProcess', () => {
  it('hydrates the keystore from every sidecar key and bumps the storage epoch only, before the raft cutover', () => {
    const sidecar = new MemorySidecarStore();
    sidecar.write({ ...bootstrapped(), keys: new Map([...bootstrapped().keys, [3, key('storage', 9)]]) });
    const started = startProcess(sidecar, fakeKek);
    expect(started).toMatchObject({ localEpoch: 5, raftLocalEpoch: 0 });
    expect(started.keystore.ids()).toEqual([1, 2, 3]);
    expect(sidecar.read()!.keys.get(1)!.localEpoch).toBe(5);
    expect(sidecar.read()!.keys.get(2)!.localEpoch).toBe(2);
  });
  it('bumps the raft epoch too once the raft cutover is recorded', () => {
    const sidecar = new MemorySidecarStore();
    sidecar.write(bootstrapped({ raftEnvelopeCutoverIndex: 11 }));
    expect(startProcess(sidecar, fakeKek)).toMatchObject({ localEpoch: 5, raftLocalEpoch: 3 });
  });
  it('a node with no sidecar starts with nothing; a KEK that cannot unwrap a key refuses', () => {
    expect(startProcess(new MemorySidecarStore(), fakeKek)).toMatchObject({ localEpoch: 0, raftLocalEpoch: 0 });
    const sidecar = new MemorySidecarStore();
    sidecar.write(bootstrapped({ keys: new Map([[1, key('storage', 0, 'kek-refuses-this')]]), activeRaft: 0 }));
    expect(refusal(() => startProcess(sidecar, fakeKek))).toBe('kek-mismatch');
  });
  it('an exhausted epoch refuses to start', () => {
    const sidecar = new MemorySidecarStore();
    sidecar.write(bootstrapped({ keys: new Map([[1, key('storage', 0xffff)], [2, key('raft', 0)]]) }));
    expect(refusal(() => startProcess(sidecar, fakeKek))).toBe('local-epoch-exhausted');
    expect(refusal(() => bumpLocalEpoch(new MemorySidecarStore(), 1))).toBe('no-such-dek');
  });
});

describe('guards', () => {
  it('the rollback primitive has nothing to compare before a storage DEK is active', () => {
    const check = { registry: new MemoryRegistryStore(), fullNodeId: 1n, activeStorage: 0, sidecarLocalEpoch: 0, storageEnvelopeActive: true };
    expect(refusal(() => checkLocalEpochRollback(check))).toBe('ok');
  });
  it('the sidecar-behind guard skips a legacy sidecar (index 0) and refuses a compacted gap', () => {
    const data = (index: number) => (index < 7 ? undefined : new Uint8Array());
    expect(refusal(() => checkSidecarBehindRaftLog(0, 9, undefined))).toBe('ok');
    expect(refusal(() => checkSidecarBehindRaftLog(5, 9, data))).toBe('sidecar-behind-raft-log');
    expect(refusal(() => checkSidecarBehindRaftLog(6, 9, data))).toBe('ok');
  });
  it('nonces count from 1 in each process load', () => {
    const first = nonceFactory(0xd4c0, 2);
    first();
    expect(toHex(first())).toBe('d4c000020000000000000002');
    expect(toHex(nonceFactory(0xd4c0, 2)())).toBe('d4c000020000000000000001');
  });
});

describe('sidecar', () => {
  it.each([
    ['a key id of 0', bootstrapped({ keys: new Map([...bootstrapped().keys, [0, key('storage', 0)]]) })],
    ['an active id with no key', bootstrapped({ activeRaft: 5 })],
    ['an active id of the other purpose', bootstrapped({ activeStorage: 2, activeRaft: 1 })],
  ])('refuses %s', (_what, doc) => {
    expect(() => validateSidecar(doc)).toThrow(SidecarInvalidError);
  });
  it('raft_applied_index only moves forward, and never to 0', () => {
    expect([advanceAppliedIndex(5, 7), advanceAppliedIndex(7, 5), advanceAppliedIndex(5, 0)]).toEqual([7, 7, 5]);
  });
  it('the memory store hands out copies', () => {
    const store = new MemorySidecarStore();
    store.write(bootstrapped());
    store.read()!.keys.get(1)!.wrapped[0] = 0;
    (store.read()!.keys as Map<number, SidecarKey>).delete(1);
    expect(store.read()).toEqual(bootstrapped());
  });
});
