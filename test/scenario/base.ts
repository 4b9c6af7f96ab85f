// A small, quiet scenario for tests to extend.
import type { Scenario, ScenarioEventDoc } from '../../src/scenario/index.ts';

export function baseScenario(over: Partial<Scenario> = {}, events: ScenarioEventDoc[] = []): Scenario {
  return {
    version: 1,
    seed: 'test',
    durationMs: 3000,
    faultsEndMs: 1800,
    cluster: { nodes: ['n1', 'n2', 'n3'] },
    faults: {},
    workload: { kvWritesPerSec: 20 },
    events,
    ...over,
  };
}
