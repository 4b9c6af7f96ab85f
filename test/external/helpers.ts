// What the external-applier tests share: children closed after the file's
// tests, and the 5-node cluster run (30 s, partitions and crashes, 20 client
// writes a second) they compare external and built-in traces on.
import { afterAll } from 'vitest';
import type { ApplierFactory } from '../../src/applier/index.ts';
import { startExternalApplier } from '../../src/external/index.ts';
import type { ExternalApplier } from '../../src/external/index.ts';
import { faultSchedule, simulate, workloadHooks } from '../../src/sim/index.ts';

/** startExternalApplier, each child closed once the calling file's tests are done. */
export function childStarter(): typeof startExternalApplier {
  const started: ExternalApplier[] = [];
  afterAll(() => started.forEach((ext) => ext.close()));
  return (...args) => {
    const ext = startExternalApplier(...args);
    started.push(ext);
    return ext;
  };
}

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const T = 30_000;

/** The cluster run of `seed` through `applier`. */
export function clusterRun(seed: string, applier: ApplierFactory, storeFaults?: { errorRate: number; corruptRate: number }) {
  return simulate({
    seed,
    nodes: NODES,
    applier,
    applierName: 'correct',
    timeLimitMs: T,
    ...(storeFaults ? { storeFaults } : {}),
    events: faultSchedule({ seed, nodes: NODES, fromMs: 1000, toMs: T - 5000, ratePerSec: 0.3 }),
    hooks: workloadHooks({ fromMs: 500, toMs: T - 1000, ratePerSec: 20 }),
  });
}
