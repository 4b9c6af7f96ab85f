// The `production` configuration: nodes apply through production main's
// applier, the bootstrap cohort proposes a real 0x04 entry at cluster start,
// main's cold start and PreVote + CheckQuorum are its defaults. Without
// restarts (no replay of the bootstrap or of registrations: the behaviours of
// production the addendum itself describes, §2.3, §3.4) its runs are clean but
// for one known class (a node caught up by snapshot past the bootstrap);
// every run is deterministic.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_PRESETS, loadScenario, runScenario, scenarioArbitrary } from '../../src/scenario/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';

type Apply = Extract<TraceEvent, { kind: 'apply' }>;

const NO_RESTARTS = { crashes: false, restores: false, storms: false, storage: false, membership: false } as const;

describe('the production configuration', () => {
  it('is main\'s FSM, main\'s cold start, the admission check; generated runs keep PreVote and CheckQuorum on', () => {
    const p = POLICY_PRESETS.production;
    expect(p.fsm).toBe('main');
    expect(p.engine.coldStart).toBe('durable-applied-index');
    expect(p.membership?.admission).toBe('leader-check');
    for (const s of fc.sample(scenarioArbitrary({ config: 'production' }), { seed: 3, numRuns: 60 })) {
      expect(s.raft?.preVote).not.toBe(false);
      expect(s.raft?.checkQuorum).not.toBe(false);
      expect(s.cluster.initialEpochs).toBeUndefined();
    }
  });

  it('without restarts, runs are clean but for a node that caught up by snapshot past the bootstrap, and bootstrap the cluster; each runs the same twice', () => {
    let bootstrapped = 0;
    let nonces = 0;
    for (const s of fc.sample(scenarioArbitrary({ config: 'production', families: NO_RESTARTS }), { seed: 11, numRuns: 30 })) {
      const r = runScenario(s);
      // The one known class (snapshot-past-bootstrap, §7.4): main keeps the sidecar out of snapshots, so a
      // node that installs an image covering the bootstrap entry never gets one, and halts at the next 0x05.
      for (const v of r.violations) {
        expect(v.code, JSON.stringify(s)).toBe('sidecar-divergence');
        expect(r.trace.some((ev) => ev.kind === 'snapshot-install' && ev.node === v.node), JSON.stringify(s)).toBe(true);
        expect(r.trace.some((ev) => ev.kind === 'apply' && ev.node === v.node && ev.entryHex.startsWith('04')), JSON.stringify(s)).toBe(false);
      }
      expect(runScenario(s).traceHash).toBe(r.traceHash);
      const start = r.trace[0];
      expect(start?.kind === 'run-start' && start.fsm).toBe('main');
      if (r.trace.some((ev) => ev.kind === 'apply' && ev.entryHex.startsWith('04') && ev.result.kind === 'registered')) bootstrapped++;
      nonces += r.stats.noncesIssued;
    }
    expect(bootstrapped).toBeGreaterThan(20);
    expect(nonces).toBeGreaterThan(0);
  });

  it('a rotation is a real 0x05 entry: the leader proposes it with its own registration, every node moves to the new DEK and the others register there', () => {
    let rotated = 0;
    let registered = 0;
    for (const s of fc.sample(scenarioArbitrary({ config: 'production', families: { ...NO_RESTARTS, rotation: true } }), { seed: 11, numRuns: 20 })) {
      const r = runScenario(s);
      expect(r.violations, JSON.stringify(s)).toEqual([]);
      // The last one: a node's watcher registers only under the DEK still active at its tick, a second later.
      // Rotate-dek of the storage purpose (byte 7 of the entry; a raft rotation moves only the raft DEK).
      const rotations = r.trace.filter(
        (ev): ev is Apply => ev.kind === 'apply' && ev.entryHex.startsWith('050101') && ev.entryHex.slice(14, 16) === '01' && ev.result.kind === 'registered',
      );
      const rotation = rotations.at(-1);
      if (rotation === undefined) continue;
      rotated++;
      const dekId = Number.parseInt(rotation.entryHex.slice(6, 14), 16);
      // The proposer's registration is in the entry; every other node registers its own epoch under the new DEK.
      const proposer = r.trace.find((ev) => ev.kind === 'propose' && ev.entryHex === rotation.entryHex);
      const proposals = r.trace.filter((ev): ev is Extract<TraceEvent, { kind: 'register-propose' }> => ev.kind === 'register-propose');
      const registering = new Set(proposals.filter((ev) => ev.dekId === dekId).map((ev) => ev.node));
      expect(proposer?.kind === 'propose' && registering.has(proposer.node)).toBe(false);
      registered += registering.size;
      // Writes applied after the rotation are encrypted under the new DEK (what a leader seals is under its raft DEK).
      const after = r.trace.slice(r.trace.indexOf(rotation)).filter((ev) => ev.kind === 'nonce' && ev.proposal !== true && ev.node === rotation.node);
      expect(after.length === 0 || after.every((ev) => ev.kind === 'nonce' && ev.dekId >= dekId)).toBe(true);
    }
    expect(rotated).toBeGreaterThan(5);
    expect(registered).toBeGreaterThan(rotated);
  });

  it('a node writes cleartext until it applies the storage cutover (Phase 0), and encrypts after it', () => {
    let cut = 0;
    for (const s of fc.sample(scenarioArbitrary({ config: 'production', families: NO_RESTARTS }), { seed: 13, numRuns: 20 })) {
      const r = runScenario(s);
      // A node that caught up by snapshot past the bootstrap has no sidecar and halts at the cutover (snapshot-past-bootstrap).
      expect(r.violations.filter((v) => v.code !== 'sidecar-divergence'), JSON.stringify(s)).toEqual([]);
      for (const node of s.cluster.nodes) {
        const at = r.trace.findIndex((ev) => ev.kind === 'apply' && ev.node === node && ev.entryHex.startsWith('050104') && ev.result.kind !== 'halt');
        // Storage nonces only: a leader seals its proposals under the raft DEK once the raft cutover applied, whatever the storage envelope.
        const nonces = r.trace.map((ev, e) => (ev.kind === 'nonce' && ev.proposal !== true && ev.node === node ? e : -1)).filter((e) => e >= 0);
        if (at < 0) {
          expect(nonces).toEqual([]);
          continue;
        }
        cut++;
        expect(nonces.every((e) => e > at)).toBe(true);
      }
    }
    expect(cut).toBeGreaterThan(30);
  });

  it("a bootstrap replayed after a rotation is judged on the node's own sidecar: sidecar-divergence, not an applier error", () => {
    const s = loadScenario(readFileSync(new URL('../../fixtures/findings/bootstrap-replayed-after-rotation/scenario.json', import.meta.url), 'utf8'));
    const r = runScenario(s);
    expect(r.violations.map((v) => `${v.invariant}/${v.code}/${v.node}`)).toEqual(['replica-agreement/sidecar-divergence/n1']);
    const load = r.trace.filter((ev) => ev.kind === 'sidecar-load' && ev.node === 'n1').at(-1);
    expect(load?.kind === 'sidecar-load' && load.sidecar?.activeStorage).toBe(3);
  });

  it("the bootstrap registers every boot member at epoch 0 and a node's sidecar follows its applies", () => {
    const [s] = fc.sample(scenarioArbitrary({ config: 'production', families: NO_RESTARTS, nodes: 3 }), { seed: 12, numRuns: 1 });
    const r = runScenario(s as NonNullable<typeof s>);
    const boot = r.trace.find((ev) => ev.kind === 'apply' && ev.entryHex.startsWith('04'));
    expect(boot?.kind === 'apply' && [...(boot.earlierWrites ?? []), boot.write].length).toBe(6);
  });

  it('a Stage 6A bug on main\'s applier is caught: lte-rollback halts a replayed equal epoch', () => {
    const samples = fc.sample(scenarioArbitrary({ config: 'production', families: { crashes: true, snapshots: true } }), { seed: 5, numRuns: 40 });
    const caught = samples.filter((s) => {
      const mine = runScenario(s, { variant: 'lte-rollback' }).violations.filter((v) => v.kind === 'safety');
      const correct = new Set(runScenario(s).violations.map((v) => `${v.invariant}/${v.code}`));
      return mine.some((v) => !correct.has(`${v.invariant}/${v.code}`));
    }).length;
    expect(caught).toBeGreaterThan(0);
  });
});
