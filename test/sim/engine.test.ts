// The engine semantics of spec §4 as the simulator models them: halts,
// replay after a crash, snapshot install, unsynced writes, restore from
// backup, duplicate commits of a retried proposal.
import { describe, expect, it } from 'vitest';
import { applierFactoryByName } from '../../src/applier/index.ts';
import { kvEntry } from '../../src/sim/index.ts';
import type { ScenarioEvent, SimConfig, SimHooks } from '../../src/sim/index.ts';
import { rowsDigest } from '../../src/trace/rows.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { THREE, ofKind, reg, runEnd, runEngine } from './helpers.ts';

const run = (events: ScenarioEvent[], extra: Partial<SimConfig> = {}): TraceEvent[] => runEngine('engine', events, extra);

const forNode = <T extends { node?: string }>(events: T[], node: string): T[] => events.filter((e) => e.node === node);

describe('halts (fail closed)', () => {
  const events: ScenarioEvent[] = [
    { at: 500, kind: 'propose', data: reg('n1', 5) },
    { at: 800, kind: 'propose', data: reg('n1', 3) }, // rollback
    { at: 1500, kind: 'restart', node: 'n2' },
    { at: 1600, kind: 'propose', data: kvEntry(new Uint8Array([1])) },
  ];

  it('stops the apply loop without advancing the applied index; a restart halts again', () => {
    const trace = run(events);
    const halts = ofKind(trace, 'halt');
    const haltIndex = halts[0]?.index as number;
    expect(haltIndex).toBeGreaterThan(0);
    expect(halts.every((h) => h.index === haltIndex && h.reason === 'rollback')).toBe(true);
    // every node halted once, n2 a second time after its restart
    expect(halts.map((h) => h.node).sort()).toEqual(['n1', 'n2', 'n2', 'n3']);
    for (const node of THREE) {
      const applies = forNode(ofKind(trace, 'apply'), node);
      expect(Math.max(...applies.map((a) => a.index))).toBe(haltIndex);
      expect(applies.find((a) => a.index === haltIndex)?.result.kind).toBe('halt');
    }
    const restart = ofKind(trace, 'restart')[0];
    expect(restart).toMatchObject({ node: 'n2', appliedIndex: 0 });
    // after the restart n2 replays on top of its store: the epoch-5 registration is an idempotent replay
    const replay = forNode(ofKind(trace, 'apply'), 'n2').filter((a) => a.t >= 1500);
    expect(replay.map((a) => a.result.kind)).toEqual(['registered', 'halt']);
    expect(replay[0]?.result).toEqual({ kind: 'registered', outcome: 'noop' });
    const end = runEnd(trace);
    for (const s of end.nodes) expect(s).toMatchObject({ up: false, halted: true, appliedIndex: haltIndex - 1 });
  });

  it('skip-entry-on-halt advances past the halting entry and keeps applying', () => {
    const trace = run(events, { variants: ['skip-entry-on-halt'] });
    expect(ofKind(trace, 'halt')).toEqual([]);
    const halting = ofKind(trace, 'apply').filter((a) => a.result.kind === 'halt');
    expect(halting.length).toBe(3);
    const idx = halting[0]?.index as number;
    for (const node of THREE) {
      expect(forNode(ofKind(trace, 'apply'), node).some((a) => a.index > idx)).toBe(true);
    }
    expect(runEnd(trace).nodes.every((s) => s.up && !s.halted && s.appliedIndex > idx)).toBe(true);
  });
});

describe('replay after a crash', () => {
  const events: ScenarioEvent[] = [
    { at: 300, kind: 'propose', data: reg('n1', 1) },
    { at: 400, kind: 'propose', data: reg('n2', 1) },
    { at: 1000, kind: 'crash', node: 'n3' },
    { at: 1200, kind: 'restart', node: 'n3' },
  ];

  it('re-applies every committed entry after the last snapshot on top of the persisted store', () => {
    const trace = run(events);
    const restart = ofKind(trace, 'restart')[0];
    expect(restart).toMatchObject({ node: 'n3', appliedIndex: 0 });
    expect(restart?.rows.length).toBe(2);
    const before = forNode(ofKind(trace, 'apply'), 'n3').filter((a) => a.t < 1000);
    const after = forNode(ofKind(trace, 'apply'), 'n3').filter((a) => a.t >= 1200);
    expect(after.map((a) => a.index)).toEqual(before.map((a) => a.index));
    expect(before.map((a) => a.result)).toEqual([
      { kind: 'registered', outcome: 'insert' },
      { kind: 'registered', outcome: 'insert' },
    ]);
    expect(after.map((a) => a.result)).toEqual([
      { kind: 'registered', outcome: 'noop' },
      { kind: 'registered', outcome: 'noop' },
    ]);
    const finalHash = rowsDigest(restart?.rows ?? []);
    expect(after.every((a) => a.rowsHash === finalHash && a.write === undefined)).toBe(true);
  });

  it('makes the historic <= bug (lte-rollback) halt on replay', () => {
    const trace = run(events, { applier: applierFactoryByName('lte-rollback'), applierName: 'lte-rollback' });
    expect(ofKind(trace, 'halt')).toMatchObject([{ node: 'n3', reason: 'rollback' }]);
  });

  it('starts from the last local snapshot when there is one', () => {
    const trace = run([...events.slice(0, 2), { at: 900, kind: 'snapshot', node: 'n3' }, ...events.slice(2)]);
    const snap = forNode(ofKind(trace, 'snapshot-take'), 'n3')[0];
    expect(snap).toBeDefined();
    expect(ofKind(trace, 'restart')[0]?.appliedIndex).toBe(snap?.index);
    expect(forNode(ofKind(trace, 'apply'), 'n3').filter((a) => a.t >= 1200)).toEqual([]);
  });

  it('replays an older registration over a newer row: a rollback halt with the correct applier', () => {
    // Two registrations of n1 in one snapshot window, then a crash: the
    // replay of epoch 1 meets last_seen 2 in the persisted store.
    const trace = run([
      { at: 300, kind: 'propose', data: reg('n1', 1) },
      { at: 500, kind: 'propose', data: reg('n1', 2) },
      { at: 1000, kind: 'crash', node: 'n3' },
      { at: 1200, kind: 'restart', node: 'n3' },
    ]);
    expect(ofKind(trace, 'halt')).toMatchObject([{ node: 'n3', reason: 'rollback' }]);
  });
});

/** Hooks: at `at`, cut one follower off (which one depends on who leads); heal at `healAt`. */
function isolateFollower(at: number, healAt: number, chosen: { node?: string }): SimHooks {
  return {
    onNodeStart(sim, node, info) {
      if (node !== 'n1' || info.restart) return;
      sim.after(at, (s) => {
        const leader = s.leader();
        const follower = s.nodes.find((n) => n !== leader) as NonNullable<typeof leader>;
        chosen.node = follower.name;
        s.inject({ at: s.now, kind: 'partition', groups: [[follower.name]] });
        s.after(healAt - at, (s2) => s2.inject({ at: s2.now, kind: 'heal' }));
      });
    },
  };
}

describe('snapshots and InstallSnapshot', () => {
  const proposals: ScenarioEvent[] = [];
  for (let i = 0; i < 12; i++) {
    proposals.push({ at: 400 + i * 50, kind: 'propose', data: i % 3 === 0 ? kvEntry(new Uint8Array([i])) : reg(THREE[i % 3] as string, i + 1) });
  }

  it("replaces a lagging follower's state by the leader's snapshot and jumps its applied index", () => {
    const chosen: { node?: string } = {};
    const trace = run(proposals, { snapshotInterval: 4, hooks: isolateFollower(300, 1500, chosen) });
    const lagger = chosen.node as string;
    const installs = ofKind(trace, 'snapshot-install');
    expect(installs.length).toBe(1);
    const inst = installs[0] as (typeof installs)[number];
    expect(inst.node).toBe(lagger);
    // the rows are the sender's snapshot rows
    const taken = ofKind(trace, 'snapshot-take').filter((s) => s.node === inst.from && s.index === inst.index);
    expect(taken.length).toBe(1);
    expect(rowsDigest(inst.rows)).toBe(taken[0]?.rowsHash);
    expect(inst.rows.length).toBe(2); // n2 and n3 registered before the snapshot index
    // the follower applied nothing at or below the snapshot index after it
    const later = forNode(ofKind(trace, 'apply'), lagger).filter((a) => a.t >= inst.t);
    expect(later.every((a) => a.index > inst.index)).toBe(true);
    const end = runEnd(trace);
    expect(new Set(end.nodes.map((s) => s.rowsHash)).size).toBe(1);
    expect(new Set(end.nodes.map((s) => s.appliedIndex)).size).toBe(1);
  });

  it('snapshot-omits-registry: the installed snapshot carries no rows and the follower diverges', () => {
    const chosen: { node?: string } = {};
    const trace = run(proposals, {
      snapshotInterval: 4,
      variants: ['snapshot-omits-registry'],
      hooks: isolateFollower(300, 1500, chosen),
    });
    const inst = ofKind(trace, 'snapshot-install')[0];
    expect(inst?.rows).toEqual([]);
    const end = runEnd(trace);
    const lagger = end.nodes.find((s) => s.node === chosen.node);
    expect(end.nodes.filter((s) => s.rowsHash !== lagger?.rowsHash).length).toBe(2);
  });
});

describe('disk durability', () => {
  const events: ScenarioEvent[] = [
    { at: 300, kind: 'propose', data: reg('n1', 1) },
    { at: 400, kind: 'propose', data: reg('n2', 1) },
    { at: 1000, kind: 'crash', node: 'n2' },
    { at: 1100, kind: 'restart', node: 'n2' },
  ];

  it('registry writes are synced: a crash loses none', () => {
    const trace = run(events, { pendingLossRate: 1 });
    expect(ofKind(trace, 'crash')).toMatchObject([{ node: 'n2', lostWrites: 0 }]);
    expect(ofKind(trace, 'restart')[0]?.rows.length).toBe(2);
  });

  it('unsynced-registry-writes: a crash loses the pending writes, replay rebuilds them', () => {
    const trace = run(events, { pendingLossRate: 1, variants: ['unsynced-registry-writes'] });
    expect(ofKind(trace, 'crash')).toMatchObject([{ node: 'n2', lostWrites: 2 }]);
    expect(ofKind(trace, 'restart')[0]?.rows).toEqual([]);
    const replay = forNode(ofKind(trace, 'apply'), 'n2').filter((a) => a.t >= 1100);
    expect(replay.map((a) => a.result)).toEqual([
      { kind: 'registered', outcome: 'insert' },
      { kind: 'registered', outcome: 'insert' },
    ]);
  });

  it('restore from backup brings back the registry as it was; Raft state is discarded and the node rejoins', () => {
    const trace = run([
      { at: 300, kind: 'propose', data: reg('n1', 1) },
      { at: 600, kind: 'backup', node: 'n2', name: 'b1' },
      { at: 700, kind: 'propose', data: reg('n1', 2) },
      { at: 1000, kind: 'restore', node: 'n2', name: 'b1' },
      { at: 1100, kind: 'restart', node: 'n2' },
    ]);
    expect(ofKind(trace, 'backup')).toMatchObject([{ node: 'n2', name: 'b1', t: 600 }]);
    const crashAt = ofKind(trace, 'crash')[0];
    expect(crashAt).toMatchObject({ node: 'n2', t: 1000 });
    const restore = ofKind(trace, 'restore')[0];
    expect(restore).toMatchObject({ node: 'n2', backupAt: 600, name: 'b1' });
    expect(restore?.rows.length).toBe(1);
    expect(restore?.rows[0]?.valueHex.endsWith('00010001')).toBe(true); // first=last=1
    expect(ofKind(trace, 'restart')[0]?.rows).toEqual(restore?.rows);
    // Raft's own state does not come back from a backup: n2 rejoins from index 0.
    expect(restore?.raft).toBe('discarded');
    expect(ofKind(trace, 'restart')[0]?.appliedIndex).toBe(0);
    // n2 catches up again after the restart
    const end = runEnd(trace);
    expect(new Set(end.nodes.map((s) => s.rowsHash)).size).toBe(1);
  });
});

describe('client retries', () => {
  it('a proposal that times out is retried and the same registration commits twice', () => {
    const trace = run([{ at: 500, kind: 'propose', data: reg('n1', 1) }], {
      network: { minDelayMs: 5, maxDelayMs: 10 },
      client: { proposalTimeoutMs: 8, maxAttempts: 3 },
    });
    const proposes = ofKind(trace, 'propose');
    expect(proposes.length).toBeGreaterThanOrEqual(2);
    expect(proposes.map((p) => p.requestId).slice(0, 2)).toEqual(['p1#1', 'p1#2']);
    const digest = ofKind(trace, 'append').find((a) => a.index > 1)?.digest;
    const commits = forNode(ofKind(trace, 'commit'), 'n1').filter((c) => c.digest === digest);
    expect(new Set(commits.map((c) => c.index)).size).toBeGreaterThanOrEqual(2);
    const outcomes = forNode(ofKind(trace, 'apply'), 'n1').map((a) => a.result);
    expect(outcomes[0]).toEqual({ kind: 'registered', outcome: 'insert' });
    expect(outcomes[1]).toEqual({ kind: 'registered', outcome: 'noop' });
  });
});

describe("engine option registryReplay 'skip-applied'", () => {
  // Two registrations of n1 between snapshots, then a crash: the finding
  // replay-window-rollback at the engine level.
  const events: ScenarioEvent[] = [
    { at: 300, kind: 'propose', data: reg('n1', 1) },
    { at: 500, kind: 'propose', data: reg('n1', 2) },
    { at: 800, kind: 'crash', node: 'n2', restartAfterMs: 100 },
  ];

  it("'reapply' (the spec) halts as rollback when re-applying the older registration", () => {
    const trace = run(events);
    expect(ofKind(trace, 'halt').map((h) => [h.node, h.reason])).toEqual([['n2', 'rollback']]);
  });

  it("'skip-applied' acknowledges both registrations as already applied, without the applier", () => {
    const trace = run(events, { engine: { registryReplay: 'skip-applied' } });
    expect(ofKind(trace, 'halt')).toEqual([]);
    const replay = forNode(ofKind(trace, 'apply'), 'n2').filter((a) => a.t >= 900);
    expect(replay.map((a) => [a.result, a.skipped, a.write])).toEqual([
      [{ kind: 'registered', outcome: 'noop' }, 'registry-applied-index', undefined],
      [{ kind: 'registered', outcome: 'noop' }, 'registry-applied-index', undefined],
    ]);
    expect(trace[0]).toMatchObject({ variant: 'applier=correct;sim=none;engine=skip-applied' });
    expect(new Set(runEnd(trace).nodes.map((s) => s.rowsHash)).size).toBe(1);
  });

  it('an entry after the index stored with its row is applied as usual (a halt still halts on every replay)', () => {
    const trace = run(
      [
        { at: 300, kind: 'propose', data: reg('n1', 5) },
        { at: 500, kind: 'propose', data: reg('n1', 3) }, // rollback: halts everywhere
        { at: 800, kind: 'restart', node: 'n2' },
      ],
      { engine: { registryReplay: 'skip-applied' } },
    );
    const n2 = forNode(ofKind(trace, 'apply'), 'n2').filter((a) => a.t >= 800);
    expect(n2.map((a) => [a.skipped, a.result.kind])).toEqual([
      ['registry-applied-index', 'registered'],
      [undefined, 'halt'],
    ]);
  });

  it('a snapshot carries the index stored with each row; an install keeps it', () => {
    const trace = run(
      [
        { at: 300, kind: 'propose', data: reg('n1', 1) },
        { at: 400, kind: 'crash', node: 'n3' },
        { at: 500, kind: 'propose', data: reg('n1', 2) },
        { at: 600, kind: 'snapshot', node: 'n1' },
        { at: 700, kind: 'restart', node: 'n3' },
      ],
      { engine: { registryReplay: 'skip-applied' }, snapshotInterval: 1 },
    );
    expect(ofKind(trace, 'snapshot-install').map((i) => i.node)).toContain('n3');
    expect(ofKind(trace, 'halt')).toEqual([]);
    expect(new Set(runEnd(trace).nodes.map((s) => s.rowsHash)).size).toBe(1);
  });

  it('under unsynced registry writes, a lost row write loses its index too, and replay rebuilds the row', () => {
    const trace = run(
      [
        { at: 300, kind: 'propose', data: reg('n1', 1) },
        { at: 500, kind: 'propose', data: reg('n2', 1) },
        { at: 800, kind: 'crash', node: 'n2', restartAfterMs: 100 },
      ],
      { engine: { registryReplay: 'skip-applied' }, variants: ['unsynced-registry-writes'], pendingLossRate: 1 },
    );
    // Both rows were lost (every pending write lost): nothing claims them, both are re-applied as inserts.
    expect(ofKind(trace, 'restart')[0]?.rows).toEqual([]);
    const replay = forNode(ofKind(trace, 'apply'), 'n2').filter((a) => a.t >= 900);
    expect(replay.map((a) => [a.skipped, a.result])).toEqual([
      [undefined, { kind: 'registered', outcome: 'insert' }],
      [undefined, { kind: 'registered', outcome: 'insert' }],
    ]);
  });
});

