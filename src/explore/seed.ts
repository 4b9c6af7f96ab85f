// Seeds of an exploration. Run i of seed S draws its scenario from its own
// 64-bit run seed, derived from (S, i) alone: any run can be regenerated (and
// shrunk) without the runs before it, on any worker, shard or machine.
// fast-check takes a 32-bit seed, and 32 bits collide (about 116 duplicate
// scenarios per million runs); so the run seed fills the whole 128-bit state
// of fast-check's own generator instead, which is distinct for distinct run
// seeds.
import { createHash, hash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { xorshift128plusFromState } from 'pure-rand/generator/xorshift128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

const MASK64 = (1n << 64n) - 1n;

/** Run `index`'s 64-bit seed: the first 8 bytes of SHA-256("regsim-run:S:i"). */
export function runSeed(seed: number, index: number): bigint {
  return hash('sha256', `regsim-run:${seed}:${index}`, 'buffer').readBigUInt64BE(0);
}

/** A run seed as records and messages show it (16 hex digits). */
export const runSeedHex = (value: bigint): string => value.toString(16).padStart(16, '0');

/** splitmix64: one step of the stream, and its output (a bijection of the input for the first step). */
function splitmix64(state: bigint): [next: bigint, out: bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/** The 128-bit generator state of a run seed: two splitmix64 outputs, as four signed 32-bit words. */
export function runState(value: bigint): number[] {
  const [next, a] = splitmix64(value);
  const [, b] = splitmix64(next);
  const words: number[] = [a >> 32n, a, b >> 32n, b].map((w) => Number(BigInt.asIntN(32, w)));
  // xorshift128+ never leaves the all-zero state; splitmix64 reaches it for no 64-bit input in practice, but be sure.
  if (!words.some((w) => w !== 0)) words[3] = 1;
  return words;
}

/** fast-check options that make a run draw from `value`: its generator, and a 32-bit seed for fast-check's own reports. */
export function runRandom(value: bigint): { seed: number; randomType: () => RandomGenerator } {
  const state = runState(value);
  return { seed: Number(BigInt.asIntN(32, value)), randomType: () => xorshift128plusFromState(state) };
}

/**
 * The digest of an exploration: SHA-256 over the runs' trace hashes in run
 * order, fed one run at a time (so nothing has to keep them), e.g. by a
 * merge of shards as by one process. Two explorations ran the same runs iff
 * their digests match.
 */
export class RunDigest {
  private readonly hash: Hash = createHash('sha256');
  add(traceHash: string): void {
    this.hash.update(`${traceHash}\n`);
  }
  /** The digest so far (the stream can go on). */
  value(): string {
    return this.hash.copy().digest('hex');
  }
}
