import { describe, expect, it } from 'vitest';
import { deriveNodeId, low16 } from '../../src/applier/index.ts';
import { COLLIDING_RAFT_IDS } from '../../src/sim/lifecycle/index.ts';

describe('the colliding raft-id table', () => {
  it('pairs each id with a member id of the same low 16 bits and a different full id', () => {
    expect(COLLIDING_RAFT_IDS.length).toBeGreaterThanOrEqual(7);
    for (const c of COLLIDING_RAFT_IDS) {
      const [a, b] = [deriveNodeId(c.raftId), deriveNodeId(c.collidesWith)];
      expect(a).not.toBe(b);
      expect(low16(a)).toBe(low16(b));
      expect(low16(a)).toBe(c.nodeId16);
    }
  });

  it('the default member ids and the plain joiner n8 do not collide among themselves', () => {
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8'].map((id) => low16(deriveNodeId(id)));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
