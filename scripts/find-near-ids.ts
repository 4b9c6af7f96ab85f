// Meet-in-the-middle search for raft ids whose full ids (FNV-1a-64, see deriveNodeId) agree with a
// default member id (n1..n7) in the low 32 bits, or the low 48 bits, but not in the full 64 bits.
// They exist to test id comparisons that look at fewer than 64 bits (a truncated or masked
// compare must treat these ids as different nodes). Regenerates src/sim/lifecycle/near-ids.ts:
//   npx tsx scripts/find-near-ids.ts > src/sim/lifecycle/near-ids.ts
// The output is deterministic; timings go to stderr (about 1.5 min in all, ~630 MB peak RSS).
//
// Why it works: FNV-1a-64 is h = (h ^ byte) * P mod 2^64, and the low k bits of a product depend
// only on the low k bits of its factors, so the low k bits of the hash evolve on their own. P is odd,
// so each step is invertible mod 2^k: h_prev = (h * P^-1 mod 2^k) ^ byte. An id is
// `<member>-` + A + B with A, B over ALPHABET: enumerate every B backward from the member's low-k
// hash, every A forward from the state after `<member>-`, and join the halves whose states meet.
//   k = 32: |A| = 4, |B| = 3: 36^7 / 2^32 ~ 18 hits per member (Math.imul arithmetic).
//   k = 48: |A| = |B| = 5: 36^10 / 2^48 ~ 13 hits per member; the 48-bit state is kept as two
//   24-bit halves in doubles, and the 36^5 backward states sit in a table bucketed by their low
//   24 bits (~550 MB of typed arrays). Most of the time is the 48-bit search's random memory access.
// Every hit is checked against the real deriveNodeId; among the hits the lexicographically
// smallest ids are kept.
import { deriveNodeId } from '../src/applier/index.ts';

const MEMBERS = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
const PER_MEMBER_32 = 2;
const PER_MEMBER_48 = 1;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const BYTES = Array.from(ALPHABET, (ch) => ch.charCodeAt(0));
const R = BYTES.length;
const MAX_LENGTH = 24;

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const M64 = (1n << 64n) - 1n;

/** FNV-1a-64 state after `text` (no "" / 0 rules: this is a mid-stream state). */
function stateAfter(text: string): bigint {
  let h = OFFSET;
  for (const byte of new TextEncoder().encode(text)) h = ((h ^ BigInt(byte)) * PRIME) & M64;
  return h;
}

/** Inverse of the odd `a` modulo 2^bits (Newton iteration). */
function inverseMod2k(a: bigint, bits: number): bigint {
  const mod = 1n << BigInt(bits);
  let x = 1n;
  for (let i = 0; i < 7; i++) x = (x * (2n - a * x)) % mod;
  x = ((x % mod) + mod) % mod;
  if ((a * x) % mod !== 1n) throw new Error('no inverse');
  return x;
}

function word(index: number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s = ALPHABET[index % R] + s;
    index = Math.floor(index / R);
  }
  return s;
}

const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

// ---------------------------------------------------------------- 32 bits
const A32 = 4;
const B32 = 3;
const P32 = Number(PRIME & mask(32)) | 0;
const PINV32 = Number(inverseMod2k(PRIME & mask(32), 32)) | 0;

function search32(prefix: string, target: number): string[] {
  // Backward: state before B, for every B (index with B's first char most significant).
  const back = new Map<number, number[]>();
  const walkBack = (level: number, h: number, idx: number, weight: number): void => {
    if (level === B32) {
      const key = h >>> 0;
      const list = back.get(key);
      if (list) list.push(idx);
      else back.set(key, [idx]);
      return;
    }
    for (let c = 0; c < R; c++) walkBack(level + 1, Math.imul(h, PINV32) ^ BYTES[c]!, idx + c * weight, weight * R);
  };
  walkBack(0, target | 0, 0, 1);

  const hits: string[] = [];
  const walkFwd = (level: number, h: number, idx: number): void => {
    if (level === A32) {
      const list = back.get(h >>> 0);
      if (list) for (const b of list) hits.push(prefix + word(idx, A32) + word(b, B32));
      return;
    }
    for (let c = 0; c < R; c++) walkFwd(level + 1, Math.imul(h ^ BYTES[c]!, P32), idx * R + c);
  };
  walkFwd(0, Number(stateAfter(prefix) & mask(32)) | 0, 0);
  return hits;
}

// ---------------------------------------------------------------- 48 bits
// A 48-bit state is (hi, lo): two 24-bit halves, value = hi * 2^24 + lo.
const A48 = 5;
const B48 = 5;
const TWO24 = 0x1000000;
const LOW24 = 0xffffff;
const P48 = PRIME & mask(48);
const PINV48 = inverseMod2k(P48, 48);
const PH = Number(P48 >> 24n);
const PL = Number(P48 & 0xffffffn);
const PIH = Number(PINV48 >> 24n);
const PIL = Number(PINV48 & 0xffffffn);
const N48 = R ** B48;

// Backward table: buckets by low 24 bits; start[lo]..start[lo + 1] index backHi/backIdx.
const start = new Uint32Array(TWO24 + 1);
const backHi = new Uint32Array(N48);
const backIdx = new Uint32Array(N48);

let placing = false; // first backward pass counts bucket sizes, the second one places entries
let hits48: string[] = [];
let prefix48 = '';

/** Every B, backward from the target: at the leaves, the state before B. Top-level functions, no closures: hot. */
function back48(level: number, hi: number, lo: number, idx: number, weight: number): void {
  if (level === B48) {
    if (placing) {
      const at = --start[lo]!; // after this pass, start[i] is the start of bucket i
      backHi[at] = hi;
      backIdx[at] = idx;
    } else {
      start[lo]!++;
    }
    return;
  }
  // (hi, lo) * P^-1 mod 2^48; lo * PIL < 2^48 is exact in a double.
  const x = lo * PIL;
  const carry = Math.floor(x / TWO24);
  const nlo = x - carry * TWO24;
  const nhi = (carry + Math.imul(hi, PIL) + Math.imul(lo, PIH)) & LOW24;
  for (let c = 0; c < R; c++) back48(level + 1, nhi, nlo ^ BYTES[c]!, idx + c * weight, weight * R);
}

/** Every A, forward from the prefix state: at the leaves, look the state up among the backward ones. */
function fwd48(level: number, hi: number, lo: number, idx: number): void {
  if (level === A48) {
    for (let k = start[lo]!, end = start[lo + 1]!; k < end; k++) {
      if (backHi[k] === hi) hits48.push(prefix48 + word(idx, A48) + word(backIdx[k]!, B48));
    }
    return;
  }
  for (let c = 0; c < R; c++) {
    // ((hi, lo) ^ byte) * P mod 2^48
    const l = lo ^ BYTES[c]!;
    const x = l * PL;
    const carry = Math.floor(x / TWO24);
    fwd48(level + 1, (carry + Math.imul(hi, PL) + Math.imul(l, PH)) & LOW24, x - carry * TWO24, idx * R + c);
  }
}

function search48(prefix: string, target: bigint): string[] {
  const tHi = Number(target >> 24n);
  const tLo = Number(target & 0xffffffn);
  // Counting sort of the backward states by their low 24 bits, in two passes.
  start.fill(0);
  placing = false;
  back48(0, tHi, tLo, 0, 1);
  let sum = 0;
  for (let i = 0; i < TWO24; i++) {
    sum += start[i]!;
    start[i] = sum; // end of bucket i
  }
  start[TWO24] = sum;
  placing = true;
  back48(0, tHi, tLo, 0, 1);

  hits48 = [];
  prefix48 = prefix;
  const s = stateAfter(prefix) & mask(48);
  fwd48(0, Number(s >> 24n), Number(s & 0xffffffn), 0);
  return hits48;
}

// ---------------------------------------------------------------- driver
interface Row {
  raftId: string;
  nearTo: string;
  equalLowBits: 32 | 48;
  fullNodeId: bigint;
}

/** Prefixes to try, in order, until enough verified hits turn up (the first one almost surely suffices). */
function prefixes(member: string): string[] {
  return [`${member}-`, ...Array.from(ALPHABET, (ch) => `${member}-${ch}`)];
}

function isNear(raftId: string, member: string, bits: 32 | 48): boolean {
  const [a, b] = [deriveNodeId(raftId), deriveNodeId(member)];
  const equalLow = (a & mask(bits)) === (b & mask(bits));
  // A 32-bit entry must also differ in bits 32..47, so it is not a 48-bit one as well.
  const differsAbove = bits === 32 ? (a & mask(48)) !== (b & mask(48)) : a !== b;
  return equalLow && differsAbove;
}

function find(member: string, bits: 32 | 48, wanted: number): Row[] {
  const target = deriveNodeId(member);
  const found: string[] = [];
  for (const prefix of prefixes(member)) {
    const hits =
      bits === 32 ? search32(prefix, Number(target & mask(32))) : search48(prefix, target & mask(48));
    for (const id of hits) {
      if ((deriveNodeId(id) & mask(bits)) !== (target & mask(bits))) {
        throw new Error(`search bug: ${id} does not share the low ${bits} bits of ${member}`);
      }
    }
    found.push(...hits.filter((id) => id.length <= MAX_LENGTH && isNear(id, member, bits)));
    if (found.length >= wanted) break;
  }
  if (found.length < wanted) throw new Error(`only ${found.length} ${bits}-bit ids near ${member}`);
  return found
    .sort()
    .slice(0, wanted)
    .map((raftId) => ({ raftId, nearTo: member, equalLowBits: bits, fullNodeId: deriveNodeId(raftId) }));
}

const rows: Row[] = [];
const t0 = performance.now();
for (const member of MEMBERS) {
  const t = performance.now();
  rows.push(...find(member, 32, PER_MEMBER_32), ...find(member, 48, PER_MEMBER_48));
  process.stderr.write(`${member}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
process.stderr.write(`total: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

for (const r of rows) if (!isNear(r.raftId, r.nearTo, r.equalLowBits)) throw new Error(`not near: ${r.raftId}`);
if (new Set(rows.map((r) => r.raftId)).size !== rows.length) throw new Error('duplicate raft ids');

const hex = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;
const lines = rows.map(
  (r) =>
    `  { raftId: '${r.raftId}', nearTo: '${r.nearTo}', equalLowBits: ${r.equalLowBits}, fullNodeId: '${r.fullNodeId}' }, // ${hex(r.fullNodeId)} vs ${hex(deriveNodeId(r.nearTo))}`,
);
process.stdout.write(`// Generated by scripts/find-near-ids.ts (meet-in-the-middle search on the low bits of FNV-1a-64):
//   npx tsx scripts/find-near-ids.ts > src/sim/lifecycle/near-ids.ts
// Raft ids whose full id equals a default member's (n1..n7) in the low 32 or 48 bits but differs
// above them, for testing id comparisons that use fewer than 64 bits. fullNodeId is decimal.
// Cross-checked against Go's hash/fnv in fixtures/node-id-vectors.json.
export interface NearRaftId {
  raftId: string;
  nearTo: string;
  equalLowBits: 32 | 48;
  fullNodeId: string;
}

export const NEAR_RAFT_IDS: readonly NearRaftId[] = [
${lines.join('\n')}
];
`);
