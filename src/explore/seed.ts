// Seeds of an exploration. Run i of seed S draws its scenario with its own
// fast-check seed, derived from (S, i) alone: any run can be regenerated (and
// shrunk) without the runs before it, on any worker.
import { createHash } from 'node:crypto';

/** The fast-check seed of run `index` of exploration `seed` (FNV-1a 32 of "S:i", then a final avalanche). */
export function runSeed(seed: number, index: number): number {
  let h = 0x811c9dc5;
  for (const c of `${seed}:${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  // FNV-1a's low bits mix poorly for near-identical keys; murmur3's finalizer spreads them.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** SHA-256 over the trace hashes in run order: two explorations ran the same runs iff their digests match. */
export function exploreDigest(traceHashes: readonly string[]): string {
  const hash = createHash('sha256');
  for (const h of traceHashes) hash.update(`${h}\n`);
  return hash.digest('hex');
}
