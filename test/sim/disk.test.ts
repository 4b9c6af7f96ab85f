// The simulated disk: a crash takes every table's pending writes, and a copy
// (a backup) keeps every part of the disk, durable.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/sim/prng.ts';
import { Disk, DiskTable } from '../../src/sim/storage/disk.ts';

const NO_WAL_LOSS = { lossRate: 0, tornRate: 0, acceptTorn: false };
const tables = (d: Disk): [string, DiskTable<unknown>][] =>
  Object.entries(d).filter((entry): entry is [string, DiskTable<unknown>] => entry[1] instanceof DiskTable);
const contents = (t: DiskTable<unknown>) => t.sortedKeys().map((k) => [k, t.get(k)]);

/** A disk with something in every part. */
function fullDisk(): Disk {
  const d = new Disk();
  for (const [, t] of tables(d)) {
    t.write('synced', 1, true);
    t.write('pending', 2, false);
  }
  d.raft = { term: 3, vote: 1, commit: 2, entries: [], offset: 2, offsetTerm: 1 };
  d.snapshot = { index: 2, term: 1, rows: [], rowsHash: 'h' } as unknown as Disk['snapshot'];
  d.durableApplied = 2;
  d.pendingInstall = { snapshot: d.snapshot as NonNullable<Disk['snapshot']>, from: 1 };
  return d;
}

describe('Disk', () => {
  it('has three key-value tables, and a crash with loss rate 1 takes the pending write of each, keeping the synced one', () => {
    const d = fullDisk();
    expect(tables(d).map(([name]) => name)).toEqual(['registry', 'sidecar', 'mainSidecar']);
    const { lostWrites } = d.crash(new Rng('s'), { ...NO_WAL_LOSS, lossRate: 1 });
    expect(lostWrites).toBe(3);
    for (const [, t] of tables(d)) expect(contents(t)).toEqual([['synced', 1]]);
  });

  it('a copy holds every part of the disk, the pending writes of the page cache too, all of it durable', () => {
    const d = fullDisk();
    const copy = d.copy();
    for (const key of Object.keys(d) as (keyof Disk)[]) {
      if (key === 'wal') continue; // judged below: it is how durable `raft` is
      const a = d[key];
      if (a instanceof DiskTable) expect(contents(copy[key] as DiskTable<unknown>), key).toEqual(contents(a));
      else expect(copy[key], key).toEqual(a);
    }
    expect(copy.wal.dirty(copy.raft)).toBe(false);
    expect(copy.crash(new Rng('s'), { ...NO_WAL_LOSS, lossRate: 1 }).lostWrites).toBe(0);
  });
});
