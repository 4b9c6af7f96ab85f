// `npm run bench -- --json` carries every figure with its target, and the
// physical-limit loop does the applier's work. Tiny runs: this checks the
// shape of the figures, never their speed (targets are the bench's business).
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryRegistryStore, createEntryApplier, encodeRegistration } from '../../src/applier/index.ts';
import { physicalLimit } from '../../bench/limit.ts';
import { runNode } from '../cli/regsim.ts';
import type { Run } from '../cli/regsim.ts';

describe('npm run bench -- --json', () => {
  let run: Run;
  let figures: any; // the parsed document, checked key by key below
  beforeAll(async () => {
    run = await runNode(['--import', 'tsx', 'bench/main.ts', '--json', '--seconds', '5', '--runs', '1', '--explore-runs', '2', '--no-startup']);
    figures = run.code === 0 ? JSON.parse(run.stdout) : {};
  });

  it('prints one JSON document', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('has the simulator, applier and physical-limit figures', () => {
    for (const key of ['simulatedSecondsPerWallSecond', 'registrationsAppliedPerWallSecond', 'applierToPhysicalLimitRatio', 'simToPhysicalLimitRatio']) {
      expect(figures[key], key).toBeTypeOf('number');
    }
    expect(figures.applierAlone.registrationsPerWallSecond).toBeTypeOf('number');
    expect(figures.physicalLimit.registrations).toBe(figures.applierAlone.registrations);
    expect(figures.physicalLimit.registrationsPerWallSecond).toBeTypeOf('number');
    expect(figures.external.sameTraceHash).toBe(true);
    // The pipe floor, and the ratio it leaves at the external run's round trips.
    expect(figures.pipeRoundTripMicros).toBeGreaterThan(0);
    expect(figures.external.ratioCeiling).toBeGreaterThan(0);
    expect(figures.external.ratioCeiling).toBeLessThanOrEqual(1);
    expect(figures.startup).toBeNull(); // --no-startup
  });

  it('has the main job all-in: 1 and 2 workers, their ratio, the machine\'s ceiling for it, the phase shares', () => {
    const e = figures.explore;
    expect(e).toMatchObject({ seed: 1, runs: 2, variant: 'correct', config: 'hardened', sameDigest: true });
    for (const [lane, workers] of [['oneWorker', 1], ['twoWorkers', 2]] as const) {
      expect(e[lane].workers).toBe(workers);
      expect(e[lane].simulatedClusterSecondsPerWallSecond).toBeTypeOf('number');
      expect(e[lane].scenariosPerWallSecond).toBeTypeOf('number');
    }
    expect(e.workerScaling).toBeTypeOf('number');
    expect(e.machineCeiling).toMatchObject({ runs: 2, oneThreadMs: expect.any(Number), scaling: expect.any(Number) });
    expect(e.machineCeiling.twoThreadsMs).toHaveLength(2);
    expect(Object.keys(e.phaseShares).sort()).toEqual(['generate', 'judge', 'other', 'simulate', 'summarise']);
    const total = Object.values(e.phaseShares as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 1);
  });

  it('has the property suites: their scenarios, and no wall time unless --suites', () => {
    expect(figures.suites).toMatchObject({ files: 14, wallMs: null, scenariosPerWallSecond: null });
    expect(figures.suites.scenarios).toBeGreaterThan(0);
  });

  it('has every target, and whether each all-in one is met', () => {
    expect(figures.targets).toEqual({
      simulatedSecondsPerWallSecond: 1000,
      externalAppliesPerWallSecond: 20_000,
      externalRatio: 0.5,
      startupRatio: 3,
      exploreSimulatedSecondsPerWallSecond: 5000,
      simToPhysicalLimitRatio: 0.25,
      workerScaling: 1.7,
      suiteScenarios: 5000,
      suiteWallMs: 60_000,
    });
    const met = figures.met as Record<string, boolean | null>;
    expect(Object.keys(met).sort()).toEqual(['exploreSimulatedSecondsPerWallSecond', 'simToPhysicalLimitRatio', 'suiteScenarios', 'suiteWallMs', 'workerScaling']);
    for (const [key, value] of Object.entries(met)) expect(typeof value === 'boolean' || (key === 'suiteWallMs' && value === null), key).toBe(true);
  });
});

describe('the physical-limit loop', () => {
  const entry = (dekId: number, fullNodeId: bigint, localEpoch: number): Uint8Array => Uint8Array.of(0x03, ...encodeRegistration({ dekId, fullNodeId, localEpoch }));

  it('applies what the applier applies: inserts, advances, replays; not collisions, rollbacks, malformed or KV entries', () => {
    const a = 0xdead_beef_0000_0001n;
    const collidesWithA = 0x1234_5678_0000_0001n; // same low 16 bits
    const stream = [
      entry(1, a, 1), // insert
      entry(1, a, 2), // advance
      entry(1, a, 2), // replay: no-op
      entry(1, a, 1), // rollback: halt
      entry(1, collidesWithA, 9), // collision: halt
      entry(2, collidesWithA, 9), // another DEK: insert
      Uint8Array.of(0x00, 1, 2, 3), // a KV write
      Uint8Array.of(0x03, 0x01, 0, 0), // malformed: halt
      entry(1, a, 0xffff), // advance
    ];
    const applier = createEntryApplier(new MemoryRegistryStore());
    const registered = stream.filter((e) => applier.apply(e).kind === 'registered').length;
    expect(registered).toBe(5);
    expect(physicalLimit([stream, stream]).registrations).toBe(2 * registered);
  });
});
