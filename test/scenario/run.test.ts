import { describe, expect, it } from 'vitest';
import { VARIANTS, resolveVariant, runScenario } from '../../src/scenario/index.ts';
import { SIM_VARIANTS } from '../../src/sim/variants.ts';
import { applierVariants } from '../../src/applier/index.ts';
import { baseScenario } from './base.ts';

const busy = baseScenario(
  {
    seed: 'determinism',
    faults: {
      network: { lossRate: 0.1, dupRate: 0.05, reorderRate: 0.1 },
      crashes: { pendingLossRate: 0.5 },
      snapshots: { interval: 3 },
      rotation: {},
      restores: {},
    },
  },
  [
    { at: 300, kind: 'backup', node: 'n3', name: 'b' },
    { at: 500, kind: 'crash', node: 'n1', restartAfterMs: 40 },
    { at: 700, kind: 'rotate-dek' },
    { at: 900, kind: 'crash-after-apply', node: 'n2', restartAfterMs: 40 },
    { at: 1200, kind: 'restore', node: 'n3', name: 'b', restartAfterMs: 30 },
  ],
);

describe('runScenario', () => {
  it('is deterministic: the same scenario gives the same trace hash', () => {
    const a = runScenario(busy);
    const b = runScenario(structuredClone(busy));
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.trace.length).toBeGreaterThan(300);
    expect(a.simulatedMs).toBe(busy.durationMs);
  });

  it('a different seed gives a different trace', () => {
    expect(runScenario({ ...busy, seed: 'other' }).traceHash).not.toBe(runScenario(busy).traceHash);
  });

  it('labels the run with the variant', () => {
    const r = runScenario(baseScenario(), { variant: 'skip-entry-on-halt' });
    expect(r.trace[0]).toMatchObject({ kind: 'run-start', variant: 'applier=correct;sim=skip-entry-on-halt' });
  });
});

describe('the variants catalog', () => {
  it('unifies the applier, simulator and lifecycle variants', () => {
    const names = VARIANTS.map((v) => v.name);
    expect(names[0]).toBe('correct');
    for (const n of Object.keys(applierVariants)) expect(VARIANTS).toContainEqual(expect.objectContaining({ name: n, layer: 'applier' }));
    for (const n of Object.keys(SIM_VARIANTS)) expect(VARIANTS).toContainEqual(expect.objectContaining({ name: n, layer: 'sim' }));
    expect(VARIANTS).toContainEqual(expect.objectContaining({ name: 'no-startup-guard', layer: 'lifecycle' }));
    for (const v of VARIANTS) expect(v.bug.length).toBeGreaterThan(0);
  });

  it('an unknown name throws, listing the known ones', () => {
    expect(() => resolveVariant('nope')).toThrow(/unknown variant "nope" \(known: correct, .*no-startup-guard/);
  });
});
