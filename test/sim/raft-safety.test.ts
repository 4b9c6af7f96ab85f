import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEntryApplier } from '../../src/applier/index.ts';
import { checkTrace } from '../../src/model/oracle.ts';
import { RAFT_VARIANTS, faultSchedule, simulate, workloadHooks } from '../../src/sim/index.ts';
import type { ScenarioEvent, SimResult, SimVariant } from '../../src/sim/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { LEARNER_CUT, REPLACEMENT, faultyRun, ofKind, runEnd } from './helpers.ts';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';

/** The oracle's Raft safety invariant (§7.6) alone: every violation, as `code: message`. */
const raftSafety = (trace: readonly TraceEvent[]): string[] =>
  checkTrace(trace, { only: ['raft-safety'] }).map((v) => `${v.code}: ${v.message}`);

/** The raft-safety codes that say a committed entry was lost or changed. */
const COMMIT_DURABILITY = ['commit-changed', 'committed-truncated', 'truncated-below-commit', 'committed-overwritten'];

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

/** Raft's figure 8 set up by the nemesis of that name, on five nodes sending one entry per append. */
function figure8(seed: string, variants: SimVariant[] = []): SimResult {
  return simulate({
    seed,
    nodes: ['n1', 'n2', 'n3', 'n4', 'n5'],
    applier: createEntryApplier,
    timeLimitMs: 3000,
    faultsEndMs: 1800,
    raft: { maxBatch: 1 },
    variants,
    events: [
      { at: 1000, kind: 'figure-8', keep: 1, restartAfterMs: 400 },
      { at: 1200, kind: 'heal' },
    ],
    hooks: workloadHooks({ fromMs: 50, toMs: 2500, ratePerSec: 20, registrationShare: 0 }),
  });
}

/**
 * figure-8 with restoreVoter on 3 nodes and CheckQuorum off (so the cut-off
 * leader still leads at the heal): the voter of the majority's dead leader is
 * restored from a backup and must refuse the deposed leader's entries.
 */
function figure8Restore(seed: string, variants: SimVariant[] = []): SimResult {
  return simulate({
    seed,
    nodes: ['n1', 'n2', 'n3'],
    applier: createEntryApplier,
    timeLimitMs: 3000,
    faultsEndMs: 1800,
    raft: { checkQuorum: false },
    variants,
    events: [{ at: 500, kind: 'figure-8', keep: 0, lastsMs: 400, restartAfterMs: 700, restoreVoter: true }],
    hooks: workloadHooks({ fromMs: 50, toMs: 2500, ratePerSec: 20, registrationShare: 0 }),
  });
}

/**
 * Crashes right before an fsync of Raft's WAL, every 170 ms on the next node,
 * with every unsynced record lost and the cut one torn, and the leader cut
 * off and crashed at the heal (crashAtHeal): logs and commit indices go back.
 */
function walCrashes(seed: string, variants: SimVariant[] = []): SimResult {
  const nodes = ['a', 'b', 'c'];
  const events: ScenarioEvent[] = [];
  for (let t = 100, i = 0; t < 2400; t += 170, i++) events.push({ at: t, kind: 'crash-before-sync', node: nodes[i % 3] as string, restartAfterMs: 15 });
  for (let t = 300; t < 2400; t += 500) events.push({ at: t, kind: 'isolate-leader', keep: 0, lastsMs: 150, crashAtHeal: true });
  return simulate({
    seed,
    nodes,
    applier: createEntryApplier,
    timeLimitMs: 4000,
    faultsEndMs: 2500,
    pendingLossRate: 1,
    tornRate: 1,
    raft: { checkQuorum: false, maxBatch: 2 },
    variants,
    events,
    hooks: workloadHooks({ fromMs: 50, toMs: 3500, ratePerSec: 40, registrationShare: 0 }),
  });
}

/** The first seed (of `tries`) on which the oracle flags a raft-safety violation with one of `codes`. */
function findViolation(run: (seed: string) => SimResult, codes: readonly string[], tries: number): string | undefined {
  for (let i = 0; i < tries; i++) {
    const seed = `${codes[0]}-${i}`;
    if (checkTrace(run(seed).trace, { only: ['raft-safety'] }).some((v) => codes.includes(v.code))) return seed;
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
      expect(raftSafety(trace), `seed safe-${i}`).toEqual([]);
      elections += ofKind(trace, 'became-leader').length;
      installs += ofKind(trace, 'snapshot-install').length;
      truncations += ofKind(trace, 'truncate').length;
    }
    // The runs did exercise what the checks are about.
    expect(elections).toBeGreaterThan(200); // 289 measured (PreVote keeps stale nodes from forcing elections)
    expect(installs).toBeGreaterThan(10);
    expect(truncations).toBeGreaterThan(10);
  });

  it("holds when crashes take back unsynced WAL records: lost entries, commit indices and truncations", () => {
    let lost = 0;
    let recovered = 0;
    let commitsBack = 0;
    for (let i = 0; i < 30; i++) {
      const { trace } = walCrashes(`wal-${i}`);
      expect(raftSafety(trace), `seed wal-${i}`).toEqual([]);
      lost += ofKind(trace, 'truncate').filter((ev) => ev.crash === true).length;
      recovered += ofKind(trace, 'append').filter((ev) => ev.crash === true).length;
      commitsBack += ofKind(trace, 'crash').filter((ev) => ev.commit !== undefined).length;
    }
    // Measured: 194 entry losses, 9 recovered tail entries, 255 commit indices taken back.
    expect(lost).toBeGreaterThan(50);
    expect(recovered).toBeGreaterThan(0);
    expect(commitsBack).toBeGreaterThan(50);
  });

  it('holds in election storms', () => {
    for (let i = 0; i < 100; i++) expect(raftSafety(electionStorm(`storm-${i}`).trace), `storm-${i}`).toEqual([]);
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
      expect(raftSafety(trace), seed).toEqual([]);
    }
  });
});

describe('broken Raft variants are caught by the oracle', () => {
  it('lists exactly the variants tested here', () => {
    expect([...RAFT_VARIANTS].sort()).toEqual([
      'raft-commit-old-term',
      'raft-commit-without-majority',
      'raft-forget-vote',
      'restore-forgets-term',
      'wal-accepts-torn-record',
      'learner-counts-in-quorum',
      'concurrent-conf-changes',
      'truncation-keeps-conf',
      'learner-campaigns',
    ].sort());
  });

  // The quorum checks on the two variants' recorded fixtures (scripts/record-variant-fixtures.ts).
  for (const [variant, codes] of [
    ['truncation-keeps-conf', ['leader-not-voter', 'commit-without-quorum']],
    ['learner-campaigns', ['leader-not-voter']],
  ] as const) {
    it(`${variant}: ${codes.join(' and ')}, never on the correct build`, () => {
      const scenario = loadScenario(readFileSync(new URL(`../../fixtures/variants/${variant}.json`, import.meta.url), 'utf8'));
      expect(runScenario(scenario).violations).toEqual([]);
      const found = new Set(runScenario(scenario, { variant }).violations.filter((v) => v.invariant === 'raft-safety').map((v) => v.code));
      expect([...found].sort()).toEqual([...codes].sort());
    });
  }

  it('learner-counts-in-quorum: a leader cut off with a learner commits what no other voter holds', () => {
    const scenario = loadScenario(LEARNER_CUT);
    expect(runScenario(scenario).violations).toEqual([]);
    expect(runScenario(scenario, { variant: 'learner-counts-in-quorum' }).violations.map((v) => v.invariant)).toContain('raft-safety');
  });

  it('concurrent-conf-changes: a replacement taken in one go lets the cut-off leader and its joiner commit alone', () => {
    const scenario = loadScenario(REPLACEMENT);
    expect(runScenario(scenario).violations).toEqual([]);
    expect(runScenario(scenario, { variant: 'concurrent-conf-changes' }).violations.map((v) => v.invariant)).toContain('raft-safety');
  });

  it('wal-accepts-torn-record: a torn entry kept under its index and term breaks log matching', () => {
    expect(findViolation((s) => walCrashes(s, ['wal-accepts-torn-record']), ['log-mismatch'], 20)).toBeDefined();
  });

  it("restore-forgets-term: a restored voter back at term 0 lets the deposed leader commit over the newer term's entry", () => {
    for (let i = 0; i < 10; i++) expect(raftSafety(figure8Restore(`f8r-${i}`).trace), `f8r-${i}`).toEqual([]);
    expect(findViolation((s) => figure8Restore(s, ['restore-forgets-term']), COMMIT_DURABILITY, 20)).toBeDefined();
  });

  it("raft-commit-old-term: figure 8's committed entry of an earlier term is overwritten; the correct rule keeps it", () => {
    for (let i = 0; i < 20; i++) expect(raftSafety(figure8(`f8-${i}`).trace), `f8-${i}`).toEqual([]);
    expect(findViolation((s) => figure8(s, ['raft-commit-old-term']), COMMIT_DURABILITY, 40)).toBeDefined();
  });

  it('raft-commit-without-majority: a committed entry is lost', () => {
    const seed = findViolation(
      (s) => faultyRun(s, { timeLimitMs: 3000, variants: ['raft-commit-without-majority'] }),
      COMMIT_DURABILITY,
      60,
    );
    expect(seed).toBeDefined();
  });

  it('raft-forget-vote: two leaders in one term', () => {
    const seed = findViolation((s) => electionStorm(s, ['raft-forget-vote']), ['two-leaders'], 300);
    expect(seed).toBeDefined();
  });
});
// The checks themselves are unit-tested in test/oracle/raft-liveness.test.ts.
