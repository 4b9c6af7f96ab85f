// The crash-loop event: a node whose starts die right after the start-up
// bump, until its epoch reaches a boundary, fast-forwarded. Under main's FSM
// (where every bootstrap writes epoch 0) it is the only way a run reaches
// 0x8000 or 0xFFFF; each boundary's bug variant is caught through it, and the
// generator reaches the boundaries.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, scenarioArbitrary } from '../../src/scenario/index.ts';
import { POLICY_PRESETS, resolvePolicy } from '../../src/sim/lifecycle/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';

const fixture = (name: string) => loadScenario(readFileSync(new URL(`../../fixtures/production/${name}.json`, import.meta.url), 'utf8'));
const ofN1 = (trace: readonly TraceEvent[]) => trace.filter((ev) => 'node' in ev && ev.node === 'n1');

describe('fixtures/production/crash-loop-to-exhaustion.json (found by explore, shrunk)', () => {
  const scenario = fixture('crash-loop-to-exhaustion');

  it('n1 crash-loops to 0xFFFF and its next start is refused by row 6, for good: nothing it can apply recovers it under main', () => {
    const r = runScenario(scenario);
    expect(r.verdict).toBe('ok');
    const n1 = ofN1(r.trace);
    const loop = n1.find((ev) => ev.kind === 'epoch-bump' && ev.starts !== undefined);
    expect(loop).toMatchObject({ epoch: 0xffff, starts: 0xffff });
    const refused = n1.filter((ev) => ev.kind === 'guard-refused');
    expect(refused.map((ev) => ev.kind === 'guard-refused' && ev.guard)).toEqual(['exhaustion']);
    expect(refused[0]?.kind === 'guard-refused' && refused[0].detail).toMatch(/provisioned again/);
  });

  it("exhaustion-guard-off-by-one lets 0xFFFF past row 6; row 10's own check refuses, and the oracle says row 6 missed", () => {
    const r = runScenario(scenario, { variant: 'exhaustion-guard-off-by-one' });
    expect(r.violations.some((v) => v.code === 'guard-missed' && v.message.includes("n1's exhaustion guard"))).toBe(true);
    expect(ofN1(r.trace).flatMap((ev) => (ev.kind === 'guard-refused' ? [ev.guard] : []))).toEqual(['bump-exhausted']);
  });
});

describe('fixtures/production/crash-loop-across-0x8000.json (found by explore, shrunk)', () => {
  const scenario = fixture('crash-loop-across-0x8000');

  it('n1 crash-loops to 0x7FFF, its next start registers 0x8000, and the loop\'s epochs encrypt nothing', () => {
    const r = runScenario(scenario);
    expect(r.verdict).toBe('ok');
    const n1 = ofN1(r.trace);
    const loop = n1.find((ev) => ev.kind === 'epoch-bump' && ev.starts !== undefined);
    if (loop?.kind !== 'epoch-bump' || loop.starts === undefined) throw new Error('no crash loop');
    expect(loop.epoch).toBe(0x7fff);
    const from = loop.epoch - loop.starts; // the epoch before the loop; the loop's are (from, 0x7FFF]
    const epochs = new Set(n1.flatMap((ev) => (ev.kind === 'nonce' ? [ev.epoch] : [])));
    expect(epochs.has(0x8000)).toBe(true);
    for (const e of epochs) expect(e <= from || e > 0x7fff).toBe(true);
  });

  it('signed-epoch halts the registration of 0x8000 as a rollback, on every replica', () => {
    const r = runScenario(scenario, { variant: 'signed-epoch' });
    expect(r.violations.find((v) => v.invariant === 'replay-idempotence')?.message).toMatch(/halt\(rollback\).*epoch 32768/);
  });

  it('under Stage 6A the loop fast-forwards the same way', () => {
    for (const config of ['spec', 'hardened'] as const) {
      const r = runScenario({ ...scenario, policy: resolvePolicy({}, POLICY_PRESETS[config]) });
      const loop = ofN1(r.trace).find((ev) => ev.kind === 'epoch-bump' && ev.starts !== undefined);
      expect(loop?.kind === 'epoch-bump' && loop.epoch).toBe(0x7fff);
      expect(ofN1(r.trace).some((ev) => ev.kind === 'epoch-bump' && ev.epoch === 0x8000)).toBe(true);
    }
  });
});

describe('in production runs', () => {
  const runs = fc.sample(scenarioArbitrary({ config: 'production' }), { seed: 5, numRuns: 80 }).map((s) => ({ s, r: runScenario(s) }));

  it('members crash-loop up to 0x80, 0x100, 0x8000 and 0xFFFF, and some are then refused by row 6', () => {
    const targets = new Set(runs.flatMap(({ s }) => s.events.flatMap((e) => (e.kind === 'crash-loop' ? [e.toEpoch >> 7] : []))));
    expect(targets.size).toBeGreaterThan(2);
    const exhausted = runs.filter(({ r }) => r.trace.some((ev) => ev.kind === 'guard-refused' && ev.guard === 'exhaustion'));
    expect(exhausted.length).toBeGreaterThan(0);
    for (const { s, r } of runs) expect(r.violations.filter((v) => v.code.startsWith('guard-')), JSON.stringify(s)).toEqual([]);
  });
});
