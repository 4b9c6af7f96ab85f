// Membership through the log (src/sim/raft/conf.ts, src/sim/operator/membership.ts):
// the configuration arithmetic, and what a replacement does to a cluster.
import { describe, expect, it } from 'vitest';
import { applyChange, changes, confOf, foldConf, isLearner, isMember, isVoter, quorumOf } from '../../src/sim/raft/conf.ts';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import type { TraceEventOf as Of } from '../../src/trace/types.ts';
import { REPLACEMENT } from './helpers.ts';

describe('configurations', () => {
  const c0 = confOf([0, 1, 2], [3]);

  it('promote, add-learner and remove change one slot; a change that changes nothing is none', () => {
    const promoted = applyChange(c0, { op: 'promote', node: 3 });
    expect([isVoter(promoted, 3), isLearner(promoted, 3), quorumOf(promoted)]).toEqual([true, false, 3]);
    const removed = applyChange(promoted, { op: 'remove', node: 1 });
    expect([isMember(removed, 1), quorumOf(removed)]).toEqual([false, 2]);
    expect(changes(c0, { op: 'add-learner', node: 0 })).toBe(false); // a voter is no learner to add
    expect(changes(c0, { op: 'promote', node: 4 })).toBe(false); // nor is a non-member one to promote
    expect(changes(c0, { op: 'add-learner', node: 4 })).toBe(true);
  });

  it('folds the configuration entries of a log prefix, in order', () => {
    const log = [{}, { conf: { op: 'promote', node: 3 } }, {}, { conf: { op: 'remove', node: 0 } }] as const;
    expect(foldConf(c0, log, 2)).toEqual(confOf([0, 1, 2, 3], []));
    expect(foldConf(c0, log)).toEqual(confOf([1, 2, 3], []));
  });
});


describe('a replacement through the log', () => {
  const r = runScenario(loadScenario(REPLACEMENT));
  const proposed = r.trace.filter((e): e is Of<'conf-propose'> => e.kind === 'conf-propose');
  const firstCommit = (index: number): number => (r.trace.find((e) => e.kind === 'commit' && e.index === index) as Of<'commit'>).t;

  it('takes the changes one at a time: a leader proposes one only once its earlier ones in its term committed', () => {
    expect(r.violations).toEqual([]);
    expect(new Set(proposed.map((e) => `${e.op} ${e.target}`))).toEqual(new Set(['add-learner n8', 'promote n8', 'remove n2']));
    for (const p of proposed) {
      for (const q of proposed) if (q.term === p.term && q.index < p.index) expect(firstCommit(q.index), `${q.op} before ${p.op}`).toBeLessThanOrEqual(p.t);
    }
  });

  it("stops the removed node's process, and every remaining member applies every change", () => {
    expect(r.trace.some((e) => e.kind === 'member-exit' && e.node === 'n2')).toBe(true);
    for (const node of ['n1', 'n3', 'n8']) {
      const applied = r.trace.filter((e): e is Of<'conf-apply'> => e.kind === 'conf-apply' && e.node === node).map((e) => e.op);
      expect(new Set(applied), node).toEqual(new Set(['add-learner', 'promote', 'remove']));
    }
  });

  it('counts the paths it took', () => {
    expect(r.stats.confChangesByOp).toEqual({ 'add-learner': 1, promote: 1, remove: 1 });
  });
});

describe('isolate-leader atConfChange', () => {
  /** n1-n3, joiner n8 added at 300 ms; a cut armed at `at` for the next membership change. */
  const scenario = (at: number) =>
    loadScenario(
      JSON.stringify({
        version: 1,
        seed: 'conf-cut',
        durationMs: 4000,
        faultsEndMs: 2500,
        cluster: { nodes: ['n1', 'n2', 'n3'], joiners: ['n8'] },
        faults: { membership: {}, storms: {} },
        workload: { kvWritesPerSec: 20 },
        events: [
          { at, kind: 'isolate-leader', atConfChange: true, keep: 0, lastsMs: 600 },
          { at: 300, kind: 'add-node', node: 'n8' },
        ],
      }),
    );

  it('cuts the leader off right after it appends the change, which the heal truncates there', () => {
    const result = runScenario(scenario(0));
    expect(result.violations).toEqual([]);
    const trace = result.trace;
    const first = trace.findIndex((e) => e.kind === 'conf-propose');
    const propose = trace[first] as Of<'conf-propose'>;
    const cut = trace[first + 1] as Of<'partition'>;
    expect([cut.kind, cut.leader, cut.t]).toEqual(['partition', propose.node, propose.t]);
    const dropped = trace.slice(first).find((e): e is Of<'truncate'> => e.kind === 'truncate' && e.node === propose.node && e.fromIndex <= propose.index);
    expect(dropped).toBeDefined();
    expect(result.stats.confEntriesTruncated).toBeGreaterThan(0);
    // Only the first change is cut: the operator's retries and the promotion go through.
    expect(trace.filter((e) => e.kind === 'partition')).toHaveLength(1);
  });

  it('is a fault: armed after the last change, or past faults-end, it never fires', () => {
    const trace = runScenario(scenario(2400)).trace;
    expect(trace.filter((e) => e.kind === 'partition')).toEqual([]);
  });
});
