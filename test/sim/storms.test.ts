// Election-storm faults: crash-leader, isolate-leader, crash-after-vote,
// crash-after-elect, crash-after-commit, set-election-timeout,
// and the rule that no armed crash trigger fires after faults-end.
import { describe, expect, it } from 'vitest';
import { createEntryApplier } from '../../src/applier/index.ts';
import { checkTrace } from '../../src/model/oracle.ts';
import { Simulator, simulate, workloadHooks } from '../../src/sim/index.ts';
import type { ScenarioEvent, SimConfig, SimVariant } from '../../src/sim/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { THREE, ofKind } from './helpers.ts';

/** The oracle's Raft safety invariant (§7.6) alone. */
const raftSafety = (trace: readonly TraceEvent[]) => checkTrace(trace, { only: ['raft-safety'] });

function config(seed: string, events: ScenarioEvent[], over: Partial<SimConfig> = {}): SimConfig {
  return {
    seed,
    nodes: THREE,
    applier: createEntryApplier,
    applierName: 'correct',
    timeLimitMs: 3000,
    faultsEndMs: 1800,
    events,
    hooks: workloadHooks({ fromMs: 50, toMs: 2500, ratePerSec: 20, registrationShare: 0 }),
    ...over,
  };
}

/** Repeated storms: short, close time-outs and slow messages, a leader kill, vote-crash triggers on every node. */
function storms(seed: string, variants: SimVariant[] = []): ReturnType<typeof simulate> {
  const events: ScenarioEvent[] = [];
  for (let t = 300; t < 1600; t += 300) {
    events.push({ at: t, kind: 'set-election-timeout', electionTimeoutMs: [60, 70] });
    events.push({ at: t, kind: 'set-network', params: { maxDelayMs: 40 } });
    for (const node of THREE) events.push({ at: t, kind: 'crash-after-vote', node, restartAfterMs: 2 });
    events.push({ at: t + 80, kind: 'crash-leader', restartAfterMs: 20 });
    events.push({ at: t + 250, kind: 'set-election-timeout' });
    events.push({ at: t + 250, kind: 'set-network', params: { maxDelayMs: 10 } });
  }
  return simulate(config(seed, events, { variants }));
}

describe('storm events', () => {
  it('crash-leader crashes the node that leads at that moment', () => {
    const { trace } = simulate(config('kill', [{ at: 1000, kind: 'crash-leader', restartAfterMs: 50 }]));
    const leaders = ofKind(trace, 'became-leader').filter((e) => e.t <= 1000);
    const crash = ofKind(trace, 'crash');
    expect(crash).toHaveLength(1);
    expect(crash[0]?.t).toBe(1000);
    expect(crash[0]?.node).toBe(leaders[leaders.length - 1]?.node);
    expect(ofKind(trace, 'restart').map((e) => [e.node, e.t])).toEqual([[crash[0]?.node, 1050]]);
    expect(ofKind(trace, 'became-leader').some((e) => e.t > 1000)).toBe(true);
  });

  it('crash-after-vote crashes a voter right after it grants its vote; each event arms one crash', () => {
    const events: ScenarioEvent[] = [
      ...THREE.map((node): ScenarioEvent => ({ at: 900, kind: 'crash-after-vote', node, restartAfterMs: 5 })),
      { at: 900, kind: 'crash-after-vote', node: 'n1', restartAfterMs: 5 },
      { at: 1000, kind: 'crash-leader', restartAfterMs: 300 },
    ];
    const { trace } = simulate(config('vote', events));
    const crashes = ofKind(trace, 'crash').filter((e) => e.t > 1000);
    // Someone voted for the next leader and crashed at that moment.
    expect(crashes.length).toBeGreaterThan(0);
    const next = ofKind(trace, 'became-leader').find((e) => e.t > 1000);
    expect(next).toBeDefined();
    expect(crashes[0]?.t).toBeLessThanOrEqual(next?.t ?? 0);
    expect(ofKind(trace, 'restart').some((e) => e.node === crashes[0]?.node && e.t === (crashes[0]?.t ?? 0) + 5)).toBe(true);
    expect(raftSafety(trace)).toEqual([]);
  });

  it('isolate-leader cuts the leader of the moment off with a minority; the rest elect another; heal ends it', () => {
    const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const events: ScenarioEvent[] = [
      { at: 1000, kind: 'isolate-leader' },
      { at: 1400, kind: 'heal' },
    ];
    const { trace } = simulate(config('isolate', events, { nodes: five }));
    const leader = ofKind(trace, 'became-leader').filter((e) => e.t <= 1000).pop()?.node;
    const cut = ofKind(trace, 'partition');
    expect(cut).toHaveLength(1);
    expect(cut[0]?.leader).toBe(leader);
    // Default keep for five nodes: one follower goes with the leader, the three others elect.
    const side = cut[0]?.groups.find((g) => g.includes(leader ?? ''));
    expect(side).toHaveLength(2);
    const during = ofKind(trace, 'became-leader').filter((e) => e.t > 1000 && e.t < 1400);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((e) => !side?.includes(e.node))).toBe(true);
    expect(ofKind(trace, 'heal').map((e) => e.t)).toEqual([1400]);
    expect(raftSafety(trace)).toEqual([]);
  });

  it('crash-after-elect crashes the next winner of an election right after it; crash-after-commit a leader right after it commits', () => {
    const elect = simulate(config('elect', [...THREE.map((node): ScenarioEvent => ({ at: 900, kind: 'crash-after-elect', node, restartAfterMs: 50 })), { at: 1000, kind: 'crash-leader', restartAfterMs: 30 }]));
    const winner = ofKind(elect.trace, 'became-leader').find((e) => e.t > 1000);
    const afterElect = ofKind(elect.trace, 'crash').filter((e) => e.cause === 'after-elect');
    expect(afterElect[0]?.node).toBe(winner?.node);
    expect(afterElect[0]?.t).toBe(winner?.t);
    expect(raftSafety(elect.trace)).toEqual([]);

    const commit = simulate(config('commit', THREE.map((node): ScenarioEvent => ({ at: 1000, kind: 'crash-after-commit', node, restartAfterMs: 50 }))));
    const afterCommit = ofKind(commit.trace, 'crash').filter((e) => e.cause === 'after-commit');
    expect(afterCommit.length).toBeGreaterThan(0);
    const first = afterCommit[0];
    const leaderThen = ofKind(commit.trace, 'became-leader').filter((e) => e.t <= (first?.t ?? 0)).pop();
    expect(first?.node).toBe(leaderThen?.node);
    expect(ofKind(commit.trace, 'commit').some((e) => e.node === first?.node && e.t === first?.t)).toBe(true);
    expect(raftSafety(commit.trace)).toEqual([]);
  });

  it('set-election-timeout changes the range; no range, or faults-end, brings the configured one back', () => {
    const sim = new Simulator(config('range', [{ at: 500, kind: 'set-election-timeout', electionTimeoutMs: [40, 45] }], { timeLimitMs: 700 }));
    sim.run();
    expect(sim.raftParams.electionTimeoutMs).toEqual([40, 45]);
    const back = new Simulator(config('range', [{ at: 500, kind: 'set-election-timeout', electionTimeoutMs: [40, 45] }]));
    back.run();
    expect(back.raftParams.electionTimeoutMs).toEqual([150, 300]);
    expect(() => simulate(config('bad', [{ at: 5, kind: 'set-election-timeout', electionTimeoutMs: [50, 40] }]))).toThrow(/bad range/);
  });

  it('an armed crash-after-vote trigger expires at faults-end', () => {
    // Armed at faults-end, with the leader killed then: the election (and the votes) come after it.
    const events: ScenarioEvent[] = [
      ...THREE.map((node): ScenarioEvent => ({ at: 1800, kind: 'crash-after-vote', node, restartAfterMs: 5 })),
      { at: 1800, kind: 'crash-leader', restartAfterMs: 20 },
    ];
    const { trace } = simulate(config('expire', events));
    expect(ofKind(trace, 'became-leader').some((e) => e.t > 1800)).toBe(true);
    expect(ofKind(trace, 'crash').map((e) => e.t)).toEqual([1800]);
  });

  it('storms keep the correct Raft safe and catch raft-forget-vote (two leaders in a term)', () => {
    let caught = 0;
    for (let i = 0; i < 40; i++) {
      expect(raftSafety(storms(`storm-${i}`).trace), `storm-${i}`).toEqual([]);
      if (raftSafety(storms(`storm-${i}`, ['raft-forget-vote']).trace).some((v) => v.code === 'two-leaders')) caught++;
    }
    expect(caught).toBeGreaterThan(3);
  });
});
