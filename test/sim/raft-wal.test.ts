// The Raft WAL on the simulated disk: what a crash keeps of unsynced records.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/sim/prng.ts';
import { RaftWal } from '../../src/sim/storage/raft-wal.ts';
import type { Entry, RaftDiskState } from '../../src/sim/raft/log.ts';
import { entryDigest } from '../../src/trace/digest.ts';

const entry = (index: number, term: number, byte = index): Entry => {
  const data = Uint8Array.of(0x00, byte, byte, byte);
  return { index, term, data, hex: Buffer.from(data).toString('hex'), digest: entryDigest(data), origin: null };
};

/** A log of entries 1..n of term 1, commit `commit`, synced. */
function synced(n: number, commit: number): { state: RaftDiskState; wal: RaftWal } {
  const state: RaftDiskState = { term: 1, vote: 0, commit, offset: 0, offsetTerm: 0, entries: [] };
  for (let i = 1; i <= n; i++) state.entries.push(entry(i, 1));
  return { state, wal: new RaftWal(state) };
}

const rng = (): Rng => new Rng('wal-test');
const LOSE_ALL = { lossRate: 1, tornRate: 0, acceptTorn: false };
const KEEP_ALL = { lossRate: 0, tornRate: 0, acceptTorn: false };

describe('RaftWal', () => {
  it('loses nothing that was synced', () => {
    const { state, wal } = synced(3, 2);
    const { state: disk, loss } = wal.crash(state, rng(), LOSE_ALL);
    expect(loss.lost).toBe(0);
    expect(disk.entries.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(disk.commit).toBe(2);
  });

  it('syncs only what etcd must sync: a commit index alone is not', () => {
    const { state, wal } = synced(3, 1);
    state.commit = 3;
    expect(wal.mustSync(state)).toBe(false);
    expect(wal.dirty(state)).toBe(true);
    state.vote = 2;
    expect(wal.mustSync(state)).toBe(true);
    wal.sync(state);
    state.entries.push(entry(4, 1));
    expect(wal.mustSync(state)).toBe(true);
  });

  it('tells an fsync that overwrites synced entries from one that only appends', () => {
    const { state, wal } = synced(3, 1);
    state.entries.push(entry(4, 1));
    expect(wal.truncates(state)).toBe(false);
    // A conflict truncation replaces the array: dropping only unsynced entry 4 overwrites nothing synced.
    state.entries = state.entries.slice(0, 3).concat(entry(4, 2));
    expect(wal.truncates(state)).toBe(false);
    state.entries = state.entries.slice(0, 2).concat(entry(3, 2));
    expect(wal.truncates(state)).toBe(true);
    wal.sync(state);
    expect(wal.truncates(state)).toBe(false);
  });

  it('takes back an unsynced commit index', () => {
    const { state, wal } = synced(3, 1);
    state.commit = 3;
    const { state: disk, loss } = wal.crash(state, rng(), LOSE_ALL);
    expect(disk.commit).toBe(1);
    expect(loss).toMatchObject({ lost: 1, commit: 1 });
    expect(loss.fromIndex).toBeUndefined();
  });

  it('loses unsynced entries and the HardState after them', () => {
    const { state, wal } = synced(2, 2);
    state.entries.push(entry(3, 2), entry(4, 2));
    state.term = 2;
    const { state: disk, loss } = wal.crash(state, rng(), LOSE_ALL);
    expect(disk.entries.map((e) => e.index)).toEqual([1, 2]);
    expect(disk.term).toBe(1);
    expect(loss).toMatchObject({ lost: 3, fromIndex: 3, recovered: [] });
  });

  it('keeps every record when none is lost, and the dead process cannot write to the disk it leaves', () => {
    const { state, wal } = synced(2, 2);
    state.entries.push(entry(3, 2));
    state.term = 2;
    const { state: disk, loss } = wal.crash(state, rng(), KEEP_ALL);
    expect(loss.lost).toBe(0);
    state.entries.push(entry(4, 2));
    expect(disk.entries.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(disk.term).toBe(2);
  });

  it('brings the old tail back when an unsynced truncation never reached the disk', () => {
    const { state, wal } = synced(4, 2);
    const old = state.entries.slice(2);
    state.entries = state.entries.slice(0, 2);
    state.entries.push(entry(3, 3, 0xaa));
    const { state: disk, loss } = wal.crash(state, rng(), LOSE_ALL);
    expect(disk.entries.slice(2)).toEqual(old);
    expect(loss.fromIndex).toBe(3);
    expect(loss.recovered).toEqual(old);
  });

  it('drops a torn record; a recovery that skips checksums keeps it with its data cut short', () => {
    const make = (): { state: RaftDiskState; wal: RaftWal } => {
      const w = synced(2, 2);
      w.state.entries.push(entry(3, 1));
      return w;
    };
    const a = make();
    const dropped = a.wal.crash(a.state, rng(), { lossRate: 1, tornRate: 1, acceptTorn: false });
    expect(dropped.loss.torn).toBe(true);
    expect(dropped.state.entries).toHaveLength(2);
    const b = make();
    const kept = b.wal.crash(b.state, rng(), { lossRate: 1, tornRate: 1, acceptTorn: true });
    const torn = kept.state.entries[2] as Entry;
    expect(torn).toMatchObject({ index: 3, term: 1 });
    expect(torn.data.length).toBeLessThan(4);
    expect(torn.digest).not.toBe(entry(3, 1).digest);
    expect(kept.loss.recovered).toEqual([torn]);
  });

  it('refuses a compaction that was never synced (a harness error, not a silent rebase)', () => {
    const { state, wal } = synced(3, 3);
    state.entries = state.entries.slice(2);
    state.offset = 2;
    expect(() => wal.mustSync(state)).toThrow(/compacted without an fsync/);
  });
});
