// Production main's raft envelope (addendum §2.6, §4 rows 10 and 15, §5.5):
// the operator's raft cutover, leaders sealing what they propose under the
// raft DEK, the raft epoch bumped at start once the cutover is recorded, the
// watcher that registers it, the gate on proposals until it has, and row 15.
// Each bug variant is caught, and the generator reaches what they break.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/applier/hex.ts';
import { loadScenario, runScenario, scenarioArbitrary } from '../../src/scenario/index.ts';
import { POLICY_PRESETS, resolvePolicy } from '../../src/sim/lifecycle/index.ts';
import { cutoverGuard, raftEpochGuard } from '../../src/sim/lifecycle/main-start.ts';
import { registrationEntry } from '../../src/sim/workload.ts';
import { raftCutoverEntry, rotateDekEntry } from '../../src/sim/lifecycle/bootstrap.ts';
import { DEK_PURPOSE, OPCODE, decodeRegistration, deriveNodeId } from '../../src/applier/index.ts';
import { hexToBytes } from '../../src/model/invariants/trace-hex.ts';
import type { TraceEvent } from '../../src/trace/types.ts';

const ME = 0x1234_5678_9abc_def0n;
const row = (lastSeen: number, fullNodeId = ME) => ({ fullNodeId, firstSeen: 0, lastSeen });
const fixture = (name: string) => loadScenario(readFileSync(new URL(`../../fixtures/production/${name}.json`, import.meta.url), 'utf8'));

type Nonce = Extract<TraceEvent, { kind: 'nonce' }>;

describe('row 15 on its inputs', () => {
  it('refuses a raft epoch at or below the last_seen of its own row; a missing or foreign row passes', () => {
    expect(raftEpochGuard(ME, row(3), 3)?.guard).toBe('raft-epoch-rollback');
    expect(raftEpochGuard(ME, row(3), 2)?.guard).toBe('raft-epoch-rollback');
    expect(raftEpochGuard(ME, row(3), 4)).toBeUndefined();
    expect(raftEpochGuard(ME, undefined, 0)).toBeUndefined();
    expect(raftEpochGuard(ME, row(9, ME ^ (1n << 40n)), 0)).toBeUndefined();
  });
});

describe('row 1 on its inputs', () => {
  it("refuses a snapshot header's raft cutover that the sidecar does not record; no header, or the same index, passes", () => {
    expect(cutoverGuard(0, undefined)).toBeUndefined();
    expect(cutoverGuard(0, 7)).toBeUndefined(); // an image from before the cutover
    expect(cutoverGuard(7, 7)).toBeUndefined();
    expect(cutoverGuard(7, 0)?.detail).toMatch(/index 7, the sidecar none$/);
    expect(cutoverGuard(7, undefined)?.detail).toMatch(/index 7, the node has no sidecar$/);
    expect(cutoverGuard(7, 9)?.detail).toMatch(/index 7, the sidecar at index 9$/);
  });
});

describe('in production runs', () => {
  const samples = fc.sample(scenarioArbitrary({ config: 'production' }), { seed: 21, numRuns: 40 });
  const runs = samples.map((s) => ({ s, r: runScenario(s) }));

  it('the operator cuts the raft envelope over in most runs, and leaders seal their proposals from then on', () => {
    const cut = runs.filter(({ s }) => s.events.some((e) => e.kind === 'enable-raft-envelope'));
    expect(cut.length).toBeGreaterThan(20);
    const sealing = cut.filter(({ r }) => r.trace.some((ev) => ev.kind === 'nonce' && ev.proposal === true));
    expect(sealing.length).toBeGreaterThan(cut.length / 2);
    // Without the event no proposal is sealed.
    for (const { s, r } of runs) {
      if (!s.events.some((e) => e.kind === 'enable-raft-envelope')) expect(r.trace.some((ev) => ev.kind === 'nonce' && ev.proposal === true)).toBe(false);
    }
  });

  it('every start under main runs row 1 first, and a start with no raft cutover in its newest snapshot passes it', () => {
    let starts = 0;
    for (const { r } of runs) {
      for (const ev of r.trace) {
        if (ev.kind !== 'guard-check') continue;
        starts++;
        expect(ev.guards[0]).toBe('cutover-divergence');
        if (ev.cutover?.snapshot === 0) expect(ev.refused).not.toBe('cutover-divergence');
      }
    }
    expect(starts).toBeGreaterThan(runs.length * 3);
  });

  it('a seal follows its propose event, on the leader that took the entry', () => {
    for (const { r } of runs) {
      r.trace.forEach((ev, e) => {
        if (ev.kind !== 'nonce' || ev.proposal !== true) return;
        const before = r.trace[e - 1];
        expect(before?.kind === 'propose' && before.node === ev.node).toBe(true);
      });
    }
  });

  it("a process seals under a raft epoch above 0, or a rotated raft DEK, only its own registration until that registration applied on it (§5.5's gate)", () => {
    let gated = 0;
    let rotatedGated = 0;
    for (const { r } of runs) {
      const registeredAt = new Map<string, number>();
      const rotated = new Set<number>();
      r.trace.forEach((ev, e) => {
        if (ev.kind === 'rotate-dek' && ev.purpose === 'raft') rotated.add(ev.dekId);
        if (ev.kind !== 'nonce' || ev.proposal !== true || (ev.epoch === 0 && !rotated.has(ev.dekId))) return;
        gated++;
        if (rotated.has(ev.dekId)) rotatedGated++;
        const propose = r.trace[e - 1];
        if (propose?.kind !== 'propose') throw new Error('a seal without its propose event');
        const key = `${ev.node}|${ev.dekId}|${ev.epoch}`;
        if (!registeredAt.has(key)) {
          const start = r.trace[0];
          const named = start?.kind === 'run-start' ? start.fullIds?.[ev.node] : undefined;
          const full = named === undefined ? deriveNodeId(ev.node) : BigInt(named);
          const own = toHex(registrationEntry(ev.dekId, full, ev.epoch));
          // The proposer of a raft rotation, or of the raft cutover, is registered under its DEK by that entry itself.
          const carriers = new Set([own, toHex(rotateDekEntry(DEK_PURPOSE.raft, ev.dekId, full, ev.epoch)), toHex(raftCutoverEntry(ev.dekId, full, ev.epoch))]);
          const applied = r.trace.findIndex((x, i) => i < e && x.kind === 'apply' && x.node === ev.node && x.result.kind !== 'halt' && carriers.has(x.entryHex));
          if (applied < 0) {
            // Not registered yet: the only entries it may seal are its own registrations (this one, or one under its storage DEK).
            const entry = hexToBytes(propose.entryHex);
            expect(entry[0] === OPCODE.registration && decodeRegistration(entry.subarray(1)).fullNodeId === full, propose.entryHex).toBe(true);
            return;
          }
          registeredAt.set(key, applied);
        }
      });
    }
    expect(gated).toBeGreaterThan(0);
    expect(rotatedGated).toBeGreaterThan(0);
  });

  it('the leader rotates the raft DEK in many runs, before or after the cutover; a node then seals under the new raft DEK at the raft epoch it pinned', () => {
    // The generator schedules a raft rotation in about 65% of production runs (40% here leaves room for the sample).
    const rotating = runs.filter(({ s }) => s.events.some((e) => e.kind === 'rotate-raft-dek'));
    expect(rotating.length).toBeGreaterThan(runs.length * 0.4);
    const order = { before: 0, after: 0 };
    let sealedUnderNew = 0;
    for (const { s, r } of rotating) {
      const cut = s.events.find((e) => e.kind === 'enable-raft-envelope')?.at;
      const rot = s.events.find((e) => e.kind === 'rotate-raft-dek')?.at ?? 0;
      if (cut !== undefined) order[rot < cut ? 'before' : 'after']++;
      const rotated = new Set(r.trace.flatMap((ev) => (ev.kind === 'rotate-dek' && ev.purpose === 'raft' ? [ev.dekId] : [])));
      for (const ev of r.trace) {
        if (ev.kind !== 'nonce' || ev.proposal !== true || !rotated.has(ev.dekId)) continue;
        sealedUnderNew++;
        // The epoch it seals at under the new DEK is the one its process pinned: what it seals under the old one.
        const earlier = r.trace.find((x) => x.kind === 'nonce' && x.proposal === true && x.node === ev.node && !rotated.has(x.dekId) && x.t <= ev.t);
        if (earlier?.kind === 'nonce' && !r.trace.some((x) => (x.kind === 'crash' || x.kind === 'restore') && x.node === ev.node && x.t > earlier.t && x.t < ev.t)) {
          expect(ev.epoch).toBe(earlier.epoch);
        }
      }
    }
    expect(order.before).toBeGreaterThan(0);
    expect(order.after).toBeGreaterThan(0);
    expect(sealedUnderNew).toBeGreaterThan(0);
  });

  it('a start after the cutover bumps the raft epoch, and the oracle agrees with every decision of rows 12, 13 and 15', () => {
    let bumps = 0;
    let row15 = 0;
    for (const { s, r } of runs) {
      expect(r.violations.filter((v) => v.code.startsWith('guard-')), JSON.stringify(s)).toEqual([]);
      const raftDeks = new Set(r.trace.flatMap((ev) => (ev.kind === 'nonce' && ev.proposal === true ? [ev.dekId] : [])));
      bumps += r.trace.filter((ev) => ev.kind === 'epoch-bump' && raftDeks.has(ev.dekId)).length;
      row15 += r.trace.filter((ev) => ev.kind === 'replay-guard-check' && ev.guards.includes('raft-epoch')).length;
    }
    expect(bumps).toBeGreaterThan(0);
    expect(row15).toBeGreaterThan(0);
  });

  it("no process seals under a raft DEK before its registration there applied on it (the oracle's gate check)", () => {
    for (const { r } of runs) expect(r.violations.filter((v) => v.code === 'sealed-unregistered')).toEqual([]);
  });

  it("a raft nonce used twice by the correct lifecycle is production's: its node was restored between the two uses (raft-epoch-not-bumped-before-cutover), and no-nonce-reuse says so", () => {
    let reused = 0;
    for (const { r } of runs) {
      const seen = new Map<string, number>();
      r.trace.forEach((ev, i) => {
        if (ev.kind !== 'nonce' || ev.proposal !== true) return;
        const n = ev as Nonce;
        const key = `${n.dekId}|${n.nodeId16}|${n.epoch}|${n.writeCount}`;
        const first = seen.get(key);
        seen.set(key, i);
        if (first === undefined) return;
        reused++;
        expect(r.trace.slice(first, i).some((e) => e.kind === 'restore' && e.node === n.node)).toBe(true);
        expect(r.violations.some((v) => v.invariant === 'no-nonce-reuse')).toBe(true);
      });
    }
    expect(reused).toBeLessThan(runs.length);
  });
});

describe('fixtures/production/raft-leader-restarts.json (found by explore, shrunk; row 15 off, as the guard swarm runs it)', () => {
  const scenario = fixture('raft-leader-restarts');

  it('is ok on the correct lifecycle: the restarted leader seals at a new raft epoch', () => {
    expect(runScenario(scenario).verdict).toBe('ok');
  });

  it('raft-epoch-not-bumped: the restarted leader seals with raft nonces it used before, and no-nonce-reuse says so', () => {
    const r = runScenario(scenario, { variant: 'raft-epoch-not-bumped' });
    const reuse = r.violations.find((v) => v.invariant === 'no-nonce-reuse');
    expect(reuse?.message).toMatch(/under dek 2 used by n\d again/);
  });
});

describe('fixtures/production/raft-cutover-in-replay-tail.json (found by explore, shrunk)', () => {
  const scenario = fixture('raft-cutover-in-replay-tail');

  it("refuses n1, whose local replay applied the raft cutover it had not applied before (its raft epoch was not bumped): row 15, failing closed", () => {
    const r = runScenario(scenario);
    expect(r.verdict).toBe('ok');
    const refused = r.trace.filter((ev) => ev.kind === 'guard-refused' && ev.node === 'n1');
    expect(refused.map((ev) => ev.kind === 'guard-refused' && ev.guard)).toEqual(['raft-epoch-rollback']);
  });

  it("raft-epoch-guard-off lets n1 through, and the oracle says row 15 missed", () => {
    const r = runScenario(scenario, { variant: 'raft-epoch-guard-off' });
    expect(r.violations.some((v) => v.code === 'guard-missed' && v.message.includes("n1's raft-epoch guard"))).toBe(true);
  });
});

describe('fixtures/production/raft-rotation-keeps-registration.json (found by explore, shrunk)', () => {
  const scenario = fixture('raft-rotation-keeps-registration');

  it('is ok on the correct lifecycle: after the raft rotation the leader waits for its registration under the new raft DEK', () => {
    expect(runScenario(scenario).verdict).toBe('ok');
  });

  it("raft-rotation-keeps-registration: the leader seals under the new raft DEK before registering there, and the oracle's gate check says so", () => {
    const r = runScenario(scenario, { variant: 'raft-rotation-keeps-registration' });
    expect(r.violations.find((v) => v.code === 'sealed-unregistered')?.message).toMatch(/under raft dek 3 at epoch 0 before its registration there committed/);
  });
});

describe('fixtures/production/snapshot-past-raft-cutover.json and install-past-raft-cutover.json (found by explore, shrunk)', () => {
  const refusedBy = (name: string, variant: 'correct' | 'cutover-guard-off') =>
    runScenario(fixture(name), { variant }).trace.flatMap((ev) => (ev.kind === 'guard-refused' && ev.node === 'n1' ? [ev.guard] : []));

  it("refuses n1, whose state machine took the raft cutover from a snapshot, with no sidecar or a sidecar without it: row 1, failing closed", () => {
    for (const name of ['snapshot-past-raft-cutover', 'install-past-raft-cutover']) {
      expect(runScenario(fixture(name)).verdict).toBe('ok');
      expect(refusedBy(name, 'correct')).toEqual(['cutover-divergence']);
    }
  });

  it('cutover-guard-off lets n1 through, and the oracle says row 1 missed', () => {
    for (const name of ['snapshot-past-raft-cutover', 'install-past-raft-cutover']) {
      const r = runScenario(fixture(name), { variant: 'cutover-guard-off' });
      expect(r.violations.some((v) => v.code === 'guard-missed' && v.message.includes("n1's cutover-divergence guard"))).toBe(true);
    }
  });

  it("the header of a snapshot n1 takes after the install carries the installed cutover on: row 1 reads n1's own newer snapshot", () => {
    const r = runScenario(fixture('install-past-raft-cutover'));
    const at = (pred: (ev: TraceEvent) => boolean, from = 0) => r.trace.findIndex((ev, i) => i >= from && pred(ev));
    const installed = at((ev) => ev.kind === 'snapshot-install' && ev.node === 'n1');
    const refused = at((ev) => ev.kind === 'guard-refused' && ev.node === 'n1');
    const taken = at((ev) => ev.kind === 'snapshot-take' && ev.node === 'n1', installed);
    expect(installed).toBeGreaterThanOrEqual(0);
    expect(taken).toBeGreaterThan(installed);
    expect(refused).toBeGreaterThan(taken);
  });
});

describe('fixtures/production/header-wrap-leader-stalls.json (found by explore, shrunk)', () => {
  const scenario = fixture('header-wrap-leader-stalls');

  it("n1, rewound to before the raft cutover, takes the wrap from an installed snapshot's header at raft epoch 0, below its raft row: as leader it turns every proposal away, and the cluster stalls", () => {
    const r = runScenario(scenario);
    expect(r.verdict).toBe('liveness-violation');
    const at = (pred: (ev: TraceEvent) => boolean) => r.trace.findIndex(pred);
    const install = at((ev) => ev.kind === 'snapshot-install' && ev.node === 'n1' && ev.t > 1100);
    const leads = r.trace.findIndex((ev, i) => i > install && ev.kind === 'became-leader' && ev.node === 'n1');
    expect(install).toBeGreaterThan(0);
    expect(leads).toBeGreaterThan(install);
    expect(r.trace.slice(leads).some((ev) => ev.kind === 'propose' && ev.node === 'n1')).toBe(false);
    // Its raft row shows the raft epoch it registered before the rewind.
    const rows = r.trace.filter((ev) => ev.kind === 'apply' && ev.node === 'n1' && ev.write !== undefined);
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('fixtures/production/raft-nonce-reuse-through-header.json (found by explore; it shrinks to the cutover applied again)', () => {
  it("n5, rewound to before the raft cutover, takes the wrap from a snapshot's header again at raft epoch 0 and seals with raft nonces it used: no-nonce-reuse", () => {
    const r = runScenario(fixture('raft-nonce-reuse-through-header'));
    const reuse = r.violations.find((v) => v.invariant === 'no-nonce-reuse');
    expect(reuse?.message).toMatch(/epoch 0, write_count 1\) under dek 2 used by n5 again/);
    const at = reuse?.eventIndex ?? 0;
    const restore = r.trace.slice(0, at).map((ev) => ev.kind === 'restore' && ev.node === 'n5').lastIndexOf(true);
    const install = r.trace.findIndex((ev, i) => i > restore && i < at && ev.kind === 'snapshot-install' && ev.node === 'n5');
    expect(restore).toBeGreaterThan(0);
    expect(install).toBeGreaterThan(restore);
    // Between the restore and the reuse n5 never applied the 0x05/0x05 itself: its wrap came from the header.
    const cutover = r.trace.slice(restore, at).some((ev) => ev.kind === 'apply' && ev.node === 'n5' && ev.entryHex.startsWith('050105'));
    expect(cutover).toBe(false);
  });
});

describe('fixtures/production/header-wrap-follows-rotation.json (found by explore, shrunk)', () => {
  const scenario = fixture('header-wrap-follows-rotation');

  it("is ok on the correct lifecycle: n1's wrap, taken from the header of the snapshot it installed, stays on its raft DEK through the raft rotation", () => {
    expect(runScenario(scenario).verdict).toBe('ok');
  });

  it("header-wrap-follows-rotation: the rotation re-points that wrap, and n1 seals under a raft DEK it has no row for (the oracle's gate check)", () => {
    const r = runScenario(scenario, { variant: 'header-wrap-follows-rotation' });
    expect(r.violations.find((v) => v.code === 'sealed-unregistered')?.message).toMatch(/^n1 sealed index \d+ under raft dek 3 at epoch 0 before its registration there committed/);
  });
});

describe('fixtures/production/post-replay-guard-reads-raft-row.json (found by explore, shrunk)', () => {
  const scenario = fixture('post-replay-guard-reads-raft-row');

  it("is ok on the correct lifecycle: n1's row 12 reads its own row under the active storage DEK", () => {
    expect(runScenario(scenario).verdict).toBe('ok');
  });

  it("post-replay-guard-reads-raft-row: row 12 reads n1's row under the raft DEK, and the oracle says the guard judged another row (guard-view)", () => {
    const r = runScenario(scenario, { variant: 'post-replay-guard-reads-raft-row' });
    expect(r.violations.find((v) => v.code === 'guard-view')?.message).toMatch(/^n1's own-row-after-replay guard read the row of slot 0x[0-9a-f]{4} under dek 2, not its own row under dek 1/);
  });
});

describe('fixtures/production/post-replay-guard-reads-open-rows.json (found by explore, shrunk)', () => {
  const scenario = fixture('post-replay-guard-reads-open-rows');

  it('is ok on the correct lifecycle: rows 12 and 15 read the store after the replay', () => {
    expect(runScenario(scenario).verdict).toBe('ok');
  });

  it('post-replay-guard-reads-open-rows: the guards read the rows the disk held at open, and the oracle says they are not the store after the replay (guard-view)', () => {
    const r = runScenario(scenario, { variant: 'post-replay-guard-reads-open-rows' });
    expect(r.violations.find((v) => v.code === 'guard-view')?.message).toMatch(/guard read .* as its own row under dek \d+, but its store holds .* there after the replay$/);
  });
});

describe('under Stage 6A', () => {
  it('the operator\'s raft cutover and a raft rotation do nothing: the run is the one without the events', () => {
    const scenario = fixture('raft-leader-restarts');
    for (const config of ['spec', 'hardened'] as const) {
      const policy = resolvePolicy({}, POLICY_PRESETS[config]);
      const withEvent = runScenario({ ...scenario, policy, events: [...scenario.events, { at: 500, kind: 'rotate-raft-dek' as const }] });
      const without = runScenario({ ...scenario, policy, events: scenario.events.filter((e) => e.kind !== 'enable-raft-envelope') });
      expect(withEvent.traceHash).toBe(without.traceHash);
    }
  });
});

describe('rewind-leader', () => {
  const finding = loadScenario(readFileSync(new URL('../../fixtures/findings/raft-epoch-not-bumped-before-cutover/scenario.json', import.meta.url), 'utf8'));
  const rewound = {
    ...finding,
    events: [
      { at: 300, kind: 'rewind-leader' as const, name: 'r', afterMs: 400, restartAfterMs: 20 },
      ...finding.events.filter((e) => e.kind !== 'backup' && e.kind !== 'restore'),
    ],
  };

  it('backs up the leader of the moment and restores that node afterMs later; the saved finding reproduces through it', () => {
    const r = runScenario(rewound);
    const leaderAt = (t: number) => r.trace.flatMap((ev) => (ev.kind === 'became-leader' && ev.t <= t ? [ev.node] : [])).at(-1);
    const backup = r.trace.find((ev) => ev.kind === 'backup');
    const restore = r.trace.find((ev) => ev.kind === 'restore');
    expect(backup?.kind === 'backup' && backup.t).toBe(300);
    expect(backup?.kind === 'backup' && backup.node).toBe(leaderAt(300));
    expect(restore?.kind === 'restore' && [restore.node, restore.t]).toEqual([backup?.kind === 'backup' && backup.node, 700]);
    expect(r.violations[0]?.invariant).toBe('no-nonce-reuse');
  });

  it('is refused when its restore would come after faultsEndMs, or its name is another backup\'s', () => {
    const late = { ...rewound, events: [{ at: 900, kind: 'rewind-leader', name: 'r', afterMs: 400 }] };
    expect(() => loadScenario(JSON.stringify(late))).toThrow(/events\/0\/afterMs.*after faultsEndMs/);
    const twice = { ...rewound, events: [{ at: 100, kind: 'backup', node: 'n1', name: 'r' }, { at: 200, kind: 'rewind-leader', name: 'r', afterMs: 100 }] };
    expect(() => loadScenario(JSON.stringify(twice))).toThrow(/events\/1\/name.*reuses backup name "r"/);
  });
});
