// The simulator stays deterministic with an external applier: a run through
// the reference child (our applier over the protocol) has the same trace
// hash as the same run with the built-in applier, crashes and replays included.
import { afterAll, describe, expect, it } from 'vitest';
import { applierFactoryByName } from '../../src/applier/index.ts';
import type { ApplierFactory } from '../../src/applier/index.ts';
import { referenceApplierCommand, startExternalApplier } from '../../src/external/index.ts';
import type { ExternalApplier } from '../../src/external/index.ts';
import { faultSchedule, simulate, traceHash, workloadHooks } from '../../src/sim/index.ts';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const T = 30_000;

function run(seed: string, applier: ApplierFactory, applierName: string) {
  return simulate({
    seed,
    nodes: NODES,
    applier,
    applierName,
    timeLimitMs: T,
    network: { lossRate: 0.01 },
    events: faultSchedule({ seed, nodes: NODES, fromMs: 1000, toMs: T - 5000, ratePerSec: 0.3 }),
    hooks: workloadHooks({ fromMs: 500, toMs: T - 1000, ratePerSec: 20 }),
  });
}

const started: ExternalApplier[] = [];
afterAll(() => started.forEach((ext) => ext.close()));

describe('trace hash: external applier = built-in applier', () => {
  it.each(['correct', 'lte-rollback'])('variant %s, two seeds', (variant) => {
    const ext = startExternalApplier(referenceApplierCommand(variant));
    started.push(ext);
    for (const seed of ['ext-1', 'ext-2']) {
      const builtin = run(seed, applierFactoryByName(variant), variant);
      const external = run(seed, ext.factory, variant);
      expect(builtin.trace.some((e) => e.kind === 'apply')).toBe(true);
      expect(traceHash(external.trace)).toBe(traceHash(builtin.trace));
    }
    expect(ext.stats().applies).toBeGreaterThan(0);
  });
});
