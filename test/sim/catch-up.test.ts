// A log kept behind local snapshots (raft.catchUpEntries, etcd server's
// SnapshotCatchUpEntries): a follower cut off for a while catches up by log
// over entries the leader's snapshot covers, where a log compacted to the
// snapshot sends it the snapshot instead.
import { expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';

const scenario = (catchUpEntries: number) =>
  loadScenario(
    JSON.stringify({
      version: 1,
      seed: 's7',
      cluster: { nodes: ['n1', 'n2', 'n3'] },
      durationMs: 4000,
      faultsEndMs: 1800,
      faults: { partitions: {}, snapshots: { interval: 4 } },
      events: [
        { at: 400, kind: 'partition', groups: [['n3']] },
        { at: 1400, kind: 'heal' },
      ],
      raft: { catchUpEntries },
      workload: { kvWritesPerSec: 20 },
    }),
  );

it('with entries kept behind the snapshot, the cut-off follower catches up by log; without, by an install', () => {
  const kept = runScenario(scenario(256));
  expect(kept.violations).toEqual([]);
  const marks = kept.trace.filter((e) => e.kind === 'catch-up' && e.to === 'n3');
  expect(marks.length).toBeGreaterThan(0);
  for (const m of marks) if (m.kind === 'catch-up') expect(m.fromIndex).toBeLessThanOrEqual(m.snapshotIndex);
  expect(kept.trace.some((e) => e.kind === 'snapshot-install' && e.node === 'n3')).toBe(false);

  const compacted = runScenario(scenario(0));
  expect(compacted.violations).toEqual([]);
  expect(compacted.trace.some((e) => e.kind === 'catch-up')).toBe(false);
  expect(compacted.trace.some((e) => e.kind === 'snapshot-install' && e.node === 'n3')).toBe(true);
});
