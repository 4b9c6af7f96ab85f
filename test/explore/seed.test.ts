// Run seeds: 64 bits from (seed, run index), distinct over a million runs, and
// each fills fast-check's whole generator state, so distinct run seeds draw
// from distinct states (32-bit seeds collided about 116 times per million).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RunDigest, runSeed, runSeedHex, runState } from '../../src/explore/seed.ts';

describe('run seeds', () => {
  it('do not collide over a million runs, nor do the generator states they give', () => {
    const seeds = new BigUint64Array(1_000_000);
    for (let i = 0; i < seeds.length; i++) seeds[i] = runSeed(7, i);
    seeds.sort();
    expect(seeds.findIndex((s, i) => i > 0 && s === seeds[i - 1])).toBe(-1);
    const states = new Set(Array.from(seeds.subarray(0, 50_000), (s) => runState(s).join(',')));
    expect(states.size).toBe(50_000);
  });

  it('depend on the exploration seed and the run index alone', () => {
    expect(runSeed(7, 3)).toBe(runSeed(7, 3));
    expect(runSeed(7, 3)).not.toBe(runSeed(8, 3));
    expect(runSeed(7, 3)).not.toBe(runSeed(7, 4));
    expect(runSeedHex(runSeed(7, 0))).toMatch(/^[0-9a-f]{16}$/);
    expect(runSeedHex(5n)).toBe('0000000000000005');
  });
});

it('the run digest fed one hash at a time is SHA-256 over the hashes in order', () => {
  const hashes = ['a1', 'b2', 'c3'];
  const digest = new RunDigest();
  hashes.forEach((h, i) => {
    digest.add(h);
    expect(digest.value()).toBe(createHash('sha256').update(hashes.slice(0, i + 1).map((x) => `${x}\n`).join('')).digest('hex'));
  });
});
