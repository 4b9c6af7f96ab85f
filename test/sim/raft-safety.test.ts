import { describe, expect, it } from 'vitest';
import { createEntryApplier } from '../../src/applier/index.ts';
import { RAFT_VARIANTS, checkRaftSafety, faultSchedule, simulate, workloadHooks } from '../../src/sim/index.ts';
import type { SimResult, SimVariant } from '../../src/sim/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { faultyRun, ofKind, runEnd } from './helpers.ts';

/** Leader crashes and quick restarts with slow, jittery links: many contested elections. */
function electionStorm(seed: string, variants: SimVariant[] = []): SimResult {
  const nodes = ['a', 'b', 'c'];
  const T = 5000;
  return simulate({
    seed,
    nodes,
    applier: createEntryApplier,
    timeLimitMs: T,
    variants,
    network: { minDelayMs: 1, maxDelayMs: 60 },
    raft: { electionTimeoutMs: [100, 120] },
    events: faultSchedule({
      seed,
      nodes,
      fromMs: 0,
      toMs: T,
      ratePerSec: 10,
      weights: { crash: 1, partition: 0, 'one-way': 0, snapshot: 0, loss: 0 },
      downMs: [1, 40],
    }),
  });
}

/** The first seed (of `tries`) on which the checks flag a violation of `check`. */
function findViolation(run: (seed: string) => SimResult, check: string, tries: number): string | undefined {
  for (let i = 0; i < tries; i++) {
    const seed = `${check}-${i}`;
    if (checkRaftSafety(run(seed).trace).some((v) => v.check === check)) return seed;
  }
  return undefined;
}

describe('Raft safety of the correct build', () => {
  it('holds on 150 seeds with crashes, partitions, one-way cuts, loss, duplication and reordering', () => {
    let elections = 0;
    let installs = 0;
    let truncations = 0;
    for (let i = 0; i < 150; i++) {
      const { trace } = faultyRun(`safe-${i}`, { timeLimitMs: 4000 });
      expect(checkRaftSafety(trace), `seed safe-${i}`).toEqual([]);
      elections += ofKind(trace, 'became-leader').length;
      installs += ofKind(trace, 'snapshot-install').length;
      truncations += ofKind(trace, 'truncate').length;
    }
    // The runs did exercise what the checks are about.
    expect(elections).toBeGreaterThan(300);
    expect(installs).toBeGreaterThan(10);
    expect(truncations).toBeGreaterThan(10);
  });

  it('holds in election storms', () => {
    for (let i = 0; i < 100; i++) expect(checkRaftSafety(electionStorm(`storm-${i}`).trace), `storm-${i}`).toEqual([]);
  });
});

describe('liveness of the simulated cluster', () => {
  it('after faults end, every node is up and holds the same applied index and registry', () => {
    for (let i = 0; i < 60; i++) {
      const seed = `live-${i}`;
      const nodes = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].slice(0, 3 + (i % 5));
      const { trace } = simulate({
        seed,
        nodes,
        applier: createEntryApplier,
        timeLimitMs: 8000,
        faultsEndMs: 4000,
        snapshotInterval: [4, 32],
        network: { lossRate: 0.02, dupRate: 0.02, reorderRate: 0.05 },
        events: faultSchedule({ seed, nodes, fromMs: 100, toMs: 4000, ratePerSec: 4, downMs: [20, 1500] }),
        // KV writes only: a registration replayed after a crash can halt a node for good (see engine tests)
        hooks: workloadHooks({ fromMs: 50, toMs: 5000, ratePerSec: 25, registrationShare: 0 }),
      });
      const end = runEnd(trace).nodes;
      expect(end.every((n) => n.up && !n.halted), seed).toBe(true);
      expect(new Set(end.map((n) => `${n.appliedIndex}/${n.commitIndex}/${n.rowsHash}`)).size, seed).toBe(1);
      expect(checkRaftSafety(trace), seed).toEqual([]);
    }
  });
});

describe('broken Raft variants are caught by the checks', () => {
  it('lists exactly the variants tested here', () => {
    expect([...RAFT_VARIANTS].sort()).toEqual(['raft-commit-without-majority', 'raft-forget-vote']);
  });

  it('raft-commit-without-majority: a committed entry is lost', () => {
    const seed = findViolation(
      (s) => faultyRun(s, { timeLimitMs: 3000, variants: ['raft-commit-without-majority'] }),
      'commit-durability',
      60,
    );
    expect(seed).toBeDefined();
  });

  it('raft-forget-vote: two leaders in one term', () => {
    const seed = findViolation((s) => electionStorm(s, ['raft-forget-vote']), 'election-safety', 300);
    expect(seed).toBeDefined();
  });
});

describe('the checks themselves', () => {
  const base: TraceEvent[] = [{ t: 0, kind: 'run-start', seed: 'x', nodes: ['a', 'b', 'c'], variant: 'v' }];

  it('flag two leaders in a term', () => {
    const v = checkRaftSafety([
      ...base,
      { t: 1, node: 'a', kind: 'became-leader', term: 2 },
      { t: 2, node: 'b', kind: 'became-leader', term: 2 },
    ]);
    expect(v.map((x) => x.check)).toEqual(['election-safety']);
  });

  it('flag different entries at the same index and term', () => {
    const v = checkRaftSafety([
      ...base,
      { t: 1, node: 'a', kind: 'append', index: 1, term: 1, digest: 'aa' },
      { t: 2, node: 'b', kind: 'append', index: 1, term: 1, digest: 'bb' },
    ]);
    expect(v.map((x) => x.check)).toEqual(['log-matching']);
  });

  it('flag a truncated committed entry and a changed commit', () => {
    const v = checkRaftSafety([
      ...base,
      { t: 1, node: 'a', kind: 'append', index: 1, term: 1, digest: 'aa' },
      { t: 2, node: 'a', kind: 'commit', index: 1, term: 1, digest: 'aa' },
      { t: 3, node: 'a', kind: 'truncate', fromIndex: 1 },
      { t: 3, node: 'a', kind: 'append', index: 1, term: 2, digest: 'cc' },
      { t: 4, node: 'b', kind: 'commit', index: 1, term: 2, digest: 'cc' },
    ]);
    expect(v.map((x) => x.check)).toEqual(['commit-durability', 'commit-durability', 'commit-durability']);
  });

  it("do not flag a stale leader's older-term entry at a committed index, only a newer term's", () => {
    const committed: TraceEvent[] = [
      ...base,
      { t: 1, node: 'b', kind: 'append', index: 1, term: 4, digest: 'bb' },
      { t: 2, node: 'b', kind: 'commit', index: 1, term: 4, digest: 'bb' },
    ];
    // `a` still leads term 3 in a minority and appends a client write there: legal, it never commits.
    expect(checkRaftSafety([...committed, { t: 3, node: 'a', kind: 'append', index: 1, term: 3, digest: 'aa' }])).toEqual([]);
    const v = checkRaftSafety([...committed, { t: 3, node: 'c', kind: 'append', index: 1, term: 5, digest: 'cc' }]);
    expect(v.map((x) => x.check)).toEqual(['commit-durability']);
  });

  it('flag a leader missing a committed entry', () => {
    const v = checkRaftSafety([
      ...base,
      { t: 1, node: 'a', kind: 'append', index: 1, term: 1, digest: 'aa' },
      { t: 2, node: 'a', kind: 'commit', index: 1, term: 1, digest: 'aa' },
      { t: 3, node: 'c', kind: 'became-leader', term: 2 },
    ]);
    expect(v.map((x) => x.check)).toEqual(['leader-completeness']);
  });

  it('flag different entries applied at one index', () => {
    const apply = (node: string, entryHex: string): TraceEvent => ({
      t: 1,
      node,
      kind: 'apply',
      index: 3,
      term: 1,
      entryHex,
      result: { kind: 'kv', opcode: 0 },
      rowsHash: 'x',
    });
    const v = checkRaftSafety([...base, apply('a', '0001'), apply('b', '0002')]);
    expect(v.map((x) => x.check)).toEqual(['state-machine-safety']);
  });
});
