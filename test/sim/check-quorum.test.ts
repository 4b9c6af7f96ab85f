// CheckQuorum (production's etcd raft runs with it, as with PreVote): a leader
// cut off from every voter steps down within an election timeout; without
// it, it keeps leading its minority for the rest of the run.
import { expect, it } from 'vitest';
import { createEntryApplier } from '../../src/applier/index.ts';
import { simulate } from '../../src/sim/index.ts';
import type { SimConfig } from '../../src/sim/index.ts';
import { THREE } from './helpers.ts';

/** Whether the first leader still leads at the end, after being cut off from both followers at 1 s. */
function cutOffLeaderStillLeads(raft: SimConfig['raft']): boolean {
  let leader: string | undefined;
  let leadsAtEnd = false;
  simulate({
    seed: 'check-quorum',
    nodes: THREE,
    applier: createEntryApplier,
    applierName: 'correct',
    timeLimitMs: 2500,
    livenessProbe: false,
    calmAtFaultsEnd: false,
    raft,
    hooks: {
      onNodeStart(sim, node, info) {
        if (node !== 'n1' || info.restart) return;
        sim.after(1000, (s) => {
          leader = s.leader()?.name;
          if (leader !== undefined) s.inject({ at: s.now, kind: 'partition', groups: [[leader]] });
        });
      },
      onEnd(sim) {
        leadsAtEnd = leader !== undefined && sim.node(leader).isLeader();
      },
    },
  });
  expect(leader).toBeDefined();
  return leadsAtEnd;
}

it('a leader without a quorum steps down under CheckQuorum (the default), and keeps leading without it', () => {
  expect(cutOffLeaderStillLeads({})).toBe(false);
  expect(cutOffLeaderStillLeads({ checkQuorum: false })).toBe(true);
});
