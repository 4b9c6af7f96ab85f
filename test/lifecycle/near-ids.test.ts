import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveNodeId } from '../../src/applier/index.ts';
import { COLLIDING_RAFT_IDS } from '../../src/sim/lifecycle/colliding-ids.ts';
import { NEAR_RAFT_IDS } from '../../src/sim/lifecycle/near-ids.ts';

interface Vectors {
  source: string;
  vectors: { raftId: string; fullNodeId: string }[];
}

const VECTORS: Vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/node-id-vectors.json', import.meta.url), 'utf8'),
) as Vectors;
const MEMBERS = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

describe('the near raft-id table', () => {
  it('pairs each id with a member of the same low 32 or 48 bits and a different full id', () => {
    for (const n of NEAR_RAFT_IDS) {
      const [a, b] = [deriveNodeId(n.raftId), deriveNodeId(n.nearTo)];
      expect(n.raftId.startsWith(`${n.nearTo}-`)).toBe(true);
      expect(n.raftId.length).toBeLessThanOrEqual(24);
      expect(n.raftId).toMatch(/^[\x21-\x7e]+$/);
      expect(n.fullNodeId).toBe(a.toString());
      expect(a & mask(n.equalLowBits)).toBe(b & mask(n.equalLowBits));
      expect(a >> BigInt(n.equalLowBits)).not.toBe(b >> BigInt(n.equalLowBits));
      expect(a).not.toBe(b);
    }
  });

  it('covers every default member: two 32-bit ids and one 48-bit id each, no duplicates', () => {
    for (const member of MEMBERS) {
      const near = NEAR_RAFT_IDS.filter((n) => n.nearTo === member);
      expect(near.filter((n) => n.equalLowBits === 32).length).toBeGreaterThanOrEqual(2);
      expect(near.filter((n) => n.equalLowBits === 48).length).toBeGreaterThanOrEqual(1);
    }
    expect(new Set(NEAR_RAFT_IDS.map((n) => n.raftId)).size).toBe(NEAR_RAFT_IDS.length);
  });
});

describe('fixtures/node-id-vectors.json (Go hash/fnv New64a)', () => {
  it('agrees with deriveNodeId on every vector', () => {
    expect(VECTORS.source).toContain('hash/fnv');
    expect(VECTORS.vectors.length).toBeGreaterThan(0);
    for (const v of VECTORS.vectors) expect(deriveNodeId(v.raftId).toString(), JSON.stringify(v.raftId)).toBe(v.fullNodeId);
  });

  it('is in sync with the near and colliding tables and covers the edge cases', () => {
    const byId = new Map(VECTORS.vectors.map((v) => [v.raftId, v.fullNodeId]));
    for (const n of NEAR_RAFT_IDS) expect(byId.get(n.raftId), n.raftId).toBe(n.fullNodeId);
    for (const c of COLLIDING_RAFT_IDS) expect(byId.has(c.raftId), c.raftId).toBe(true);
    for (const id of [...MEMBERS, 'n8']) expect(byId.has(id), id).toBe(true);
    expect(byId.get('')).toBe('0');
    expect(VECTORS.vectors.some((v) => /[^\x00-\x7f]/.test(v.raftId))).toBe(true);
    expect(VECTORS.vectors.some((v) => /[\u{10000}-\u{10ffff}]/u.test(v.raftId))).toBe(true);
  });
});
