import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_PRESETS, POLICY_PRESET_NAMES, loadScenario, scenarioArbitrary, serializeScenario } from '../../src/scenario/index.ts';
import type { Scenario } from '../../src/scenario/index.ts';

describe('scenarioArbitrary', () => {
  it('gives the same scenarios for the same seed, and others for another seed', () => {
    const a = fc.sample(scenarioArbitrary(), { seed: 42, numRuns: 30 });
    const b = fc.sample(scenarioArbitrary(), { seed: 42, numRuns: 30 });
    expect(a.map(serializeScenario)).toEqual(b.map(serializeScenario));
    const c = fc.sample(scenarioArbitrary(), { seed: 43, numRuns: 30 });
    expect(c.map(serializeScenario)).not.toEqual(a.map(serializeScenario));
  });

  it('only generates valid scenarios, events sorted by time, under every configuration', () => {
    for (const config of POLICY_PRESET_NAMES) {
      // Rotations on: their DEK ids must stay above the cluster's first DEK (under main, never 0).
      for (const s of fc.sample(scenarioArbitrary({ nodes: [3, 7], config, families: { rotation: true } }), { seed: 7, numRuns: 300 })) {
        expect(loadScenario(JSON.parse(serializeScenario(s)))).toEqual(s);
        expect(s.events.map((e) => e.at)).toEqual([...s.events.map((e) => e.at)].sort((x, y) => x - y));
      }
    }
  });

  it('swarm: families are switched on and off independently', () => {
    const samples = fc.sample(scenarioArbitrary(), { seed: 3, numRuns: 200 });
    for (const family of ['network', 'crashes', 'restores', 'membership', 'rotation', 'timeouts', 'storms'] as const) {
      const on = samples.filter((s) => s.faults[family] !== undefined).length;
      expect(on).toBeGreaterThan(40);
      expect(on).toBeLessThan(160);
    }
  });

  it('long runs: ten rounds of fault templates, each shifted to the next node, still valid; about 1 run in 20', () => {
    const [s] = fc.sample(scenarioArbitrary({ long: true, families: { crashes: true, restores: true } }), { seed: 4, numRuns: 1 });
    expect(s?.faultsEndMs).toBe(18_000);
    expect(loadScenario(JSON.parse(serializeScenario(s as Scenario)))).toEqual(s);
    const restores = (s as Scenario).events.filter((e) => e.kind === 'restore');
    expect(new Set(restores.map((e) => (e as { name: string }).name)).size).toBe(restores.length);
    const longs = fc.sample(scenarioArbitrary(), { seed: 5, numRuns: 400 }).filter((x) => x.faultsEndMs > 1800).length;
    expect(longs).toBeGreaterThan(5);
    expect(longs).toBeLessThan(45);
  });

  it('honours forced families and a fixed node count', () => {
    for (const s of fc.sample(scenarioArbitrary({ nodes: 5, families: { restores: true, network: false } }), { seed: 1, numRuns: 50 })) {
      expect(s.cluster.nodes).toHaveLength(5);
      expect(s.faults.restores).toBeDefined();
      expect(s.faults.network).toBeUndefined();
    }
  });

  it('shrinks to fewer nodes and events', () => {
    // A "failure" that needs a restore: the shrunk scenario keeps just the backup and the restore.
    const hasRestore = (s: Scenario): boolean => s.events.some((e) => e.kind === 'restore');
    const out = fc.check(fc.property(scenarioArbitrary(), (s) => !hasRestore(s)), { seed: 5, numRuns: 500 });
    expect(out.failed).toBe(true);
    const [min] = out.counterexample as [Scenario];
    expect(min.cluster.nodes).toHaveLength(3);
    expect(min.events.map((e) => e.kind)).toEqual(['backup', 'restore']);
    expect(Object.keys(min.faults)).toEqual(['restores']);
  });

  it('storms: a storm window around leader kills and vote-crash triggers, and it shrinks to one of each', () => {
    for (const s of fc.sample(scenarioArbitrary({ families: { storms: true } }), { seed: 4, numRuns: 50 })) {
      const kinds = s.events.map((e) => e.kind);
      expect(kinds.filter((k) => k === 'storm')).toHaveLength(kinds.filter((k) => k === 'storm-end').length);
      expect(kinds).toContain('crash-after-vote');
      for (const e of s.events) if (e.kind === 'storm') expect(e.electionTimeoutMs[0]).toBeLessThanOrEqual(e.electionTimeoutMs[1]);
    }
    const votes = (s: Scenario): boolean => s.events.some((e) => e.kind === 'crash-after-vote') && s.events.some((e) => e.kind === 'crash-leader');
    const out = fc.check(fc.property(scenarioArbitrary(), (s) => !votes(s)), { seed: 5, numRuns: 500 });
    expect(out.failed).toBe(true);
    const [min] = out.counterexample as [Scenario];
    expect(min.cluster.nodes).toHaveLength(3);
    expect(min.events.map((e) => e.kind)).toEqual(['storm', 'crash-after-vote', 'crash-leader', 'storm-end']);
    expect(Object.keys(min.faults)).toEqual(['storms']);
  });

  it('generates under the hardened configuration by default, always with the full policy spelt out', () => {
    for (const s of fc.sample(scenarioArbitrary(), { seed: 9, numRuns: 20 })) expect(s.policy).toEqual(POLICY_PRESETS.hardened);
    // Every preset, from the catalog (adding one changes no test).
    for (const config of POLICY_PRESET_NAMES) {
      for (const s of fc.sample(scenarioArbitrary({ config }), { seed: 9, numRuns: 20 })) expect(s.policy).toEqual(POLICY_PRESETS[config]);
    }
    // `policy` changes fields on top of the chosen configuration.
    const [one] = fc.sample(scenarioArbitrary({ config: 'hardened', policy: { guards: { rollback: false } } }), { seed: 9, numRuns: 1 });
    expect(one?.policy).toEqual({ ...POLICY_PRESETS.hardened, guards: { ...POLICY_PRESETS.hardened.guards, rollback: false } });
    // The saved text carries every field: loading it back needs no default.
    expect(loadScenario(serializeScenario(one as Scenario)).policy).toEqual(one?.policy);
  });

  it('rejects an unknown configuration name', () => {
    expect(() => scenarioArbitrary({ config: 'nope' as 'spec' })).toThrow(`unknown config "nope" (known: ${POLICY_PRESET_NAMES.join(', ')})`);
  });

  it('the config presets differ exactly by the four fixes', () => {
    const { spec, hardened } = POLICY_PRESETS;
    expect(hardened).toEqual({
      ...spec,
      guards: { ...spec.guards, collisionScope: 'registry' },
      nonces: { ...spec.nonces, applies: 'after-registration-committed', heldBehindHalt: 'halt' },
      engine: { registryReplay: 'skip-applied' },
    });
    expect(spec.engine.registryReplay).toBe('reapply');
    expect(spec.guards.collisionScope).toBe('members');
    expect(spec.nonces.applies).toBe('after-guards');
    expect(spec.nonces.heldBehindHalt).toBe('wait');
  });
});
