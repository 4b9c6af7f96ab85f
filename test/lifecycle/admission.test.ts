// Production main's admission check (addendum §6.1), policy
// membership.admission 'leader-check': the leader refuses an add whose slot
// its local registry gives another full id (a former member's too), else
// pre-registers the new node at epoch 0 and adds it once that has applied;
// the new node's first start then advances its row to its bumped epoch.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore, decodeRegistration, deriveNodeId, encodeRegistryValue, fromHex, low16, registryKey } from '../../src/applier/index.ts';
import { toHex } from '../../src/applier/hex.ts';
import { loadScenario, presetPolicy, resolvePolicy, runScenario, scenarioArbitrary, serializeScenario } from '../../src/scenario/index.ts';
import type { Scenario } from '../../src/scenario/index.ts';
import { admissionCheck } from '../../src/sim/lifecycle/admission.ts';
import type { TraceEvent } from '../../src/trace/types.ts';

const ADMISSION = { membership: { admission: 'leader-check' as const } };
const former = loadScenario(readFileSync(new URL('../../fixtures/findings/former-member-collision/scenario.json', import.meta.url), 'utf8'));

describe('admissionCheck (the leader\'s local row in the new node\'s slot)', () => {
  const id = deriveNodeId('n4');
  const store = new MemoryRegistryStore();
  it('absent: pre-register; the new node\'s own: admit; another full id\'s: refuse', () => {
    expect(admissionCheck(store, 1, id)).toEqual({ kind: 'pre-register' });
    store.set(registryKey(1, low16(id)), encodeRegistryValue({ fullNodeId: id, firstSeen: 0, lastSeen: 0 }));
    expect(admissionCheck(store, 1, id)).toMatchObject({ kind: 'admit', row: { keyHex: toHex(registryKey(1, low16(id))) } });
    expect(admissionCheck(store, 2, id)).toEqual({ kind: 'pre-register' });
    const other = id ^ (1n << 40n);
    expect(admissionCheck(store, 1, other)).toMatchObject({ kind: 'refuse', detail: expect.stringContaining('ErrWriterUint16Collision') });
  });
});

const events = (s: Scenario): TraceEvent[] => runScenario(s).trace;

describe('the add-node of a scenario under the admission check', () => {
  it('refuses the former-member collision: the finding passes under spec with the check', () => {
    expect(runScenario({ ...former, policy: presetPolicy('spec') }).violations.length).toBeGreaterThan(0);
    const r = runScenario({ ...former, policy: resolvePolicy(ADMISSION, presetPolicy('spec')) });
    expect(r.violations).toEqual([]);
    const refused = r.trace.flatMap((e) => (e.kind === 'guard-refused' && e.guard === 'admission' ? [e.node] : []));
    expect(refused).toEqual(['n1-12534']);
    expect(r.trace.some((e) => e.kind === 'add-node')).toBe(false);
  });

  it('pre-registers a new node at epoch 0 before the add; its first start advances the row to epoch 1', () => {
    const scenario: Scenario = {
      version: 1,
      seed: 'adm',
      durationMs: 3000,
      faultsEndMs: 1800,
      cluster: { nodes: ['n1', 'n2', 'n3'], joiners: ['n4'] },
      faults: { membership: {} },
      workload: { kvWritesPerSec: 20 },
      policy: resolvePolicy(ADMISSION, presetPolicy('hardened')),
      events: [{ at: 400, kind: 'add-node', node: 'n4' }],
    };
    const trace = events(scenario);
    const n4 = deriveNodeId('n4');
    const regs = trace.flatMap((e, i) => {
      if (e.kind !== 'apply' || e.node !== 'n1' || !e.entryHex.startsWith('03')) return [];
      const reg = decodeRegistration(fromHex(e.entryHex.slice(2)));
      return reg.fullNodeId === n4 ? [{ i, epoch: reg.localEpoch, result: e.result }] : [];
    });
    const added = trace.findIndex((e) => e.kind === 'add-node');
    expect(regs.map((r) => `${r.epoch} ${r.result.kind === 'registered' ? r.result.outcome : r.result.kind}`)).toEqual(['0 insert', '1 advance']);
    expect(regs[0]!.i).toBeLessThan(added);
    expect(runScenario(scenario).violations).toEqual([]);
    // A saved scenario carries the option, and loads back the same.
    expect(loadScenario(serializeScenario(scenario)).policy).toEqual(scenario.policy);
  });

  it('under production, after the bootstrap: pre-registers under the storage DEK, then the raft DEK (§6.1 step 4), before the add', () => {
    const scenario: Scenario = {
      version: 1,
      seed: 'adm-main',
      durationMs: 3000,
      faultsEndMs: 1800,
      cluster: { nodes: ['n1', 'n2', 'n3'], joiners: ['n4'] },
      faults: { membership: {} },
      workload: { kvWritesPerSec: 20 },
      policy: presetPolicy('production'),
      events: [{ at: 900, kind: 'add-node', node: 'n4' }],
    };
    const trace = events(scenario);
    const n4 = deriveNodeId('n4');
    const added = trace.findIndex((e) => e.kind === 'add-node');
    const preRegistered = trace.slice(0, added).flatMap((e) => {
      if (e.kind !== 'propose' || !e.entryHex.startsWith('03')) return [];
      const reg = decodeRegistration(fromHex(e.entryHex.slice(2)));
      return reg.fullNodeId === n4 ? [`dek ${reg.dekId} epoch ${reg.localEpoch}`] : [];
    });
    // The bootstrap's DEKs: storage 1, raft 2 (lifecycle/bootstrap.ts).
    expect(preRegistered).toEqual(['dek 1 epoch 0', 'dek 2 epoch 0']);
    expect(runScenario(scenario).violations).toEqual([]);
  });

  it('generated runs under hardened with the check: admissions refused and made, and no violation', () => {
    const arb = (config: 'spec' | 'hardened') => scenarioArbitrary({ config, policy: ADMISSION });
    let refused = 0;
    let added = 0;
    for (const s of fc.sample(arb('hardened'), { seed: 5, numRuns: 60 })) {
      if (!s.faults.membership) continue;
      const r = runScenario(s);
      expect(r.violations).toEqual([]);
      refused += r.trace.filter((e) => e.kind === 'guard-refused' && e.guard === 'admission').length;
      added += r.trace.filter((e) => e.kind === 'add-node').length;
    }
    expect(refused).toBeGreaterThan(0);
    expect(added).toBeGreaterThan(0);
  });
});

describe('fixtures/production/admission-storage-dek-only.json (found by explore, shrunk)', () => {
  const scenario = loadScenario(readFileSync(new URL('../../fixtures/production/admission-storage-dek-only.json', import.meta.url), 'utf8'));

  it('is ok on the correct lifecycle: the leader checks the joiner\'s slot under its storage DEK, then its raft DEK', () => {
    const r = runScenario(scenario);
    expect(r.verdict).toBe('ok');
    const checks = r.trace.filter((ev) => ev.kind === 'admission-check');
    expect(new Set(checks.map((ev) => ev.dekId)).size).toBe(2);
  });

  it("admission-storage-dek-only: the add follows a check under the storage DEK alone, and the oracle says the raft DEK was skipped", () => {
    const r = runScenario(scenario, { variant: 'admission-storage-dek-only' });
    expect(r.violations.find((v) => v.code === 'admission-dek-skipped')?.message).toMatch(/^n\S+ was added after an admission check that skipped the leader's active dek \d+/);
  });
});

describe('fixtures/production/admission-pre-registration-not-awaited.json (found by explore, shrunk)', () => {
  const scenario = loadScenario(readFileSync(new URL('../../fixtures/production/admission-pre-registration-not-awaited.json', import.meta.url), 'utf8'));

  it('is ok on the correct lifecycle, and the variant adds the node before its pre-registration applied (admission-not-awaited)', () => {
    expect(runScenario(scenario).verdict).toBe('ok');
    const r = runScenario(scenario, { variant: 'admission-pre-registration-not-awaited' });
    expect(r.violations.find((v) => v.code === 'admission-not-awaited')?.message).toMatch(/was added before its pre-registration \(\w+\) applied at n\d/);
  });
});
