// Production main's sidecar as a file on the simulated disk (storage/sidecar-file.ts)
// and main's applier writing it through a node (applier/main/node-applier.ts).
import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore, emptySidecar, mainNodeFactory, createMainFsm } from '../../src/applier/index.ts';
import { Disk } from '../../src/sim/storage/disk.ts';
import { DiskSidecarStore, sidecarFile } from '../../src/sim/storage/sidecar-file.ts';
import { Prng } from '../../src/sim/prng.ts';
import { bootstrapEntry, batchRefusal, raftDekFor } from '../../src/sim/lifecycle/bootstrap.ts';
import { MAIN_SIDECAR } from '../../src/sim/lifecycle/sidecar.ts';

const crashOpts = { lossRate: 1, tornRate: 0, acceptTorn: false };

describe('the sidecar file on a simulated disk', () => {
  it('a synced write survives a crash, and reads never alias the stored document', () => {
    const disk = new Disk();
    const store = new DiskSidecarStore(disk);
    expect(store.read()).toBeUndefined();
    store.write({ ...emptySidecar(), raftAppliedIndex: 7 });
    const doc = store.read();
    (doc as { raftAppliedIndex: number }).raftAppliedIndex = 99;
    disk.crash(new Prng('c').stream('faults'), crashOpts);
    expect(sidecarFile(disk)?.raftAppliedIndex).toBe(7);
  });

  it('an unsynced write stays pending: a crash may lose it, a clean exit keeps it, a backup copies it', () => {
    const lost = new Disk();
    new DiskSidecarStore(lost).write(emptySidecar());
    new DiskSidecarStore(lost, false).write({ ...emptySidecar(), raftAppliedIndex: 3 });
    expect(lost.mainSidecar.pendingCount).toBe(1);
    const backup = lost.copy();
    const { lostWrites } = lost.crash(new Prng('c').stream('faults'), crashOpts);
    expect(lostWrites).toBe(1);
    expect(sidecarFile(lost)?.raftAppliedIndex).toBe(0);
    expect(sidecarFile(backup)?.raftAppliedIndex).toBe(3);
    const kept = new Disk();
    new DiskSidecarStore(kept, false).write({ ...emptySidecar(), raftAppliedIndex: 5 });
    kept.flush();
    kept.crash(new Prng('c').stream('faults'), crashOpts);
    expect(sidecarFile(kept)?.raftAppliedIndex).toBe(5);
  });

  it('a Stage 6A disk never draws a coin for it (empty table)', () => {
    const disk = new Disk();
    expect(disk.crash(new Prng('c').stream('faults'), crashOpts).lostWrites).toBe(0);
  });
});

describe('the bootstrap cohort and main applier on a node', () => {
  const ids = [11n, 0x10002n, 0x20003n];

  it('the RPC refuses a batch with a zero id, a duplicate or a low-16 collision', () => {
    expect(batchRefusal(1, ids)).toBeUndefined();
    expect(batchRefusal(0, ids)).toMatch(/reserved/);
    expect(batchRefusal(1, [0n, 1n])).toMatch(/full id 0/);
    expect(batchRefusal(1, [5n, 5n])).toMatch(/share a full id/);
    expect(batchRefusal(1, [5n, 0x10005n])).toMatch(/low 16 bits/);
    expect(bootstrapEntry(1, [5n, 0x10005n])).toBeUndefined();
    expect(raftDekFor(0xffffffff)).toBe(0xfffffffe);
  });

  it('a bootstrap applied through a node writes the sidecar on its disk and every batch row at epoch 0', () => {
    const disk = new Disk();
    const registry = new MemoryRegistryStore();
    const applier = mainNodeFactory(createMainFsm)(registry, { sidecar: new DiskSidecarStore(disk) });
    const entry = bootstrapEntry(7, ids) as Uint8Array;
    const at = { index: 2, next: () => undefined };
    expect(applier.apply(entry, at)).toEqual({ kind: 'registered', outcome: 'insert' });
    const doc = sidecarFile(disk);
    expect(doc?.activeStorage).toBe(7);
    expect(doc?.activeRaft).toBe(8);
    expect(doc?.raftAppliedIndex).toBe(2);
    expect(registry.rowsHex()).toHaveLength(ids.length * 2);
    expect(MAIN_SIDECAR.activeDek(disk)).toBe(7);
    // The lifecycle's bump, then a replay of the bootstrap by a new process: local_epoch back to 0 (addendum §2.3).
    MAIN_SIDECAR.setEpoch(disk, 7, 1);
    expect(MAIN_SIDECAR.epoch(disk, 7)).toBe(1);
    const next = mainNodeFactory(createMainFsm)(registry, { sidecar: new DiskSidecarStore(disk) });
    expect(next.apply(entry, at)).toEqual({ kind: 'registered', outcome: 'noop' });
    expect(MAIN_SIDECAR.epoch(disk, 7)).toBe(0);
  });

  it('without a sidecar a node runs the registry-only FSM: a bootstrap halts kek-not-configured', () => {
    const applier = mainNodeFactory(createMainFsm)(new MemoryRegistryStore());
    expect(applier.apply(bootstrapEntry(7, ids) as Uint8Array, { index: 2, next: () => undefined })).toMatchObject({ kind: 'halt', reason: 'kek-not-configured' });
  });
});
