// Unit tests of the simulator's parts: event queue, PRNG streams, disk, network.
import { describe, expect, it } from 'vitest';
import { DiskTable } from '../../src/sim/storage/disk.ts';
import { EventQueue } from '../../src/sim/event-queue.ts';
import { Network } from '../../src/sim/network/network.ts';
import { Prng } from '../../src/sim/prng.ts';
import { DEFAULT_NETWORK } from '../../src/sim/config.ts';
import { toHex } from '../../src/applier/hex.ts';
import { sortedRowsDigest } from '../../src/sim/hex.ts';
import { rowsDigest, sortRows } from '../../src/trace/rows.ts';
import { Message, MSG_APP } from '../../src/sim/raft/raft.ts';

describe('EventQueue', () => {
  it('pops by time, ties in scheduling order', () => {
    const q = new EventQueue<{ time: number; seq: number; name: string }>();
    const rng = new Prng('q').stream('x');
    const items = Array.from({ length: 500 }, (_, i) => ({ time: rng.int(0, 20), seq: 0, name: `e${i}` }));
    for (const it of items) q.push(it);
    const out: typeof items = [];
    while (q.size > 0) out.push(q.pop() as (typeof items)[number]);
    const expected = items
      .map((it, i) => ({ it, i }))
      .sort((a, b) => a.it.time - b.it.time || a.i - b.i)
      .map((x) => x.it.name);
    expect(out.map((x) => x.name)).toEqual(expected);
    expect(q.pop()).toBeUndefined();
    expect(q.peekTime()).toBe(Infinity);
  });
});

describe('Prng', () => {
  it('is reproducible and its named streams are independent', () => {
    const a = new Prng('seed');
    const b = new Prng('seed');
    const draw = (p: Prng, name: string): number[] => Array.from({ length: 5 }, () => p.stream(name).float());
    // drawing from another stream first does not shift this one
    draw(b, 'network');
    expect(draw(a, 'timing')).toEqual(draw(b, 'timing'));
    expect(draw(new Prng('other'), 'timing')).not.toEqual(draw(new Prng('seed'), 'timing'));
    const r = new Prng('s').stream('ints');
    for (let i = 0; i < 200; i++) {
      const v = r.int(3, 7);
      expect(v >= 3 && v <= 7 && Number.isInteger(v)).toBe(true);
    }
  });
});

describe('DiskTable', () => {
  it('a crash keeps synced writes and drops pending ones by coin', () => {
    const t = new DiskTable<number>();
    t.write('a', 1, true);
    t.write('b', 2, false);
    t.write('a', 3, false);
    expect(t.get('a')).toBe(3);
    expect(t.pendingCount).toBe(2);
    const lost = t.crash(new Prng('d').stream('faults'), 1);
    expect(lost).toBe(2);
    expect([...t.view]).toEqual([['a', 1]]);
    t.write('c', 4, false);
    expect(t.crash(new Prng('d').stream('faults'), 0)).toBe(0);
    expect(t.get('c')).toBe(4);
  });

  it('sync makes pending writes durable; replaceAll replaces', () => {
    const t = new DiskTable<number>();
    t.write('a', 1, false);
    t.sync();
    expect(t.crash(new Prng('d').stream('faults'), 1)).toBe(0);
    expect(t.get('a')).toBe(1);
    t.replaceAll([['z', 9]], false);
    expect([...t.view]).toEqual([['z', 9]]);
    t.crash(new Prng('d').stream('faults'), 1);
    expect([...t.view]).toEqual([['a', 1]]);
  });
});

describe('Network', () => {
  function net(params = {}): { n: Network; got: [number, number, number][] } {
    const got: [number, number, number][] = [];
    const prng = new Prng('n');
    const streams = { loss: prng.stream('loss'), dup: prng.stream('dup'), reorder: prng.stream('reorder') };
    const n = new Network(3, { ...DEFAULT_NETWORK, ...params }, prng.stream('network'), streams, () => 0, (m, time) => {
      got.push([m.from, m.to, time]);
    });
    return { n, got };
  }
  const msg = (from: number, to: number): Message => new Message(MSG_APP, from, to, 1, 0, 0, null, 0, false, 0, null);

  it('keeps links FIFO and within the delay range', () => {
    const { n, got } = net({ minDelayMs: 3, maxDelayMs: 9 });
    for (let i = 0; i < 50; i++) n.send(msg(0, 1));
    const times = got.map((g) => g[2]);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => t >= 3 && t <= 9)).toBe(true);
  });

  it('drops across symmetric and one-way partitions until healed', () => {
    const { n, got } = net();
    n.partition([[0], [1, 2]]);
    n.send(msg(0, 1));
    n.send(msg(1, 2));
    expect(got.map((g) => [g[0], g[1]])).toEqual([[1, 2]]);
    n.heal();
    n.blockOneWay(2, 0);
    n.send(msg(2, 0));
    n.send(msg(0, 2));
    expect(got.map((g) => [g[0], g[1]])).toEqual([
      [1, 2],
      [0, 2],
    ]);
    expect(n.open(2, 0)).toBe(false);
    n.heal();
    expect(n.open(2, 0)).toBe(true);
  });

  it('loses and duplicates at the configured rates', () => {
    const { n, got } = net({ lossRate: 0.5, dupRate: 0.5 });
    for (let i = 0; i < 1000; i++) n.send(msg(0, 1));
    expect(n.stats.dropped).toBeGreaterThan(400);
    expect(n.stats.dropped).toBeLessThan(600);
    expect(n.stats.duplicated).toBeGreaterThan(180);
    expect(got.length).toBe(1000 - n.stats.dropped + n.stats.duplicated);
  });
});

describe('digests', () => {
  it("the simulator's one-shot row digest equals rowsDigest", () => {
    const rng = new Prng('rows').stream('x');
    for (let n = 0; n < 20; n++) {
      const rows = Array.from({ length: n }, () => ({
        keyHex: toHex(Uint8Array.from({ length: 27 }, () => rng.int(0, 255))),
        valueHex: toHex(Uint8Array.from({ length: 12 }, () => rng.int(0, 255))),
      }));
      expect(sortedRowsDigest(sortRows(rows))).toBe(rowsDigest(rows));
    }
  });
});
