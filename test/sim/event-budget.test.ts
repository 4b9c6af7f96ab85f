// A run whose events stop moving virtual time on (a zero-delay retry loop, say)
// would otherwise spin until the machine runs out of memory: the simulator
// stops it at its event budget with an error that says so.
import { expect, it } from 'vitest';
import { createEntryApplier } from '../../src/applier/index.ts';
import { eventBudget, simulate } from '../../src/sim/simulator.ts';
import type { SimApi } from '../../src/sim/index.ts';
import { THREE } from './helpers.ts';

const run = (stuck: boolean, maxEvents?: number, idleCalls = 0) =>
  simulate({
    seed: 'event-budget',
    nodes: THREE,
    applier: createEntryApplier,
    applierName: 'correct',
    timeLimitMs: 1000,
    ...(maxEvents === undefined ? {} : { maxEvents }),
    hooks: {
      onNodeStart(sim, node, info) {
        if (node !== 'n1' || info.restart) return;
        // Calls for one time, scheduled one after another: they share one event (Simulator.at).
        for (let i = 0; i < idleCalls; i++) sim.after(300, () => {});
        if (!stuck) return;
        const spin = (s: SimApi): void => s.after(0, spin);
        sim.after(500, spin);
      },
    },
  });

it('a run stuck in zero-delay events fails at the budget, naming the virtual time it stuck at', () => {
  expect(() => run(true, 50_000)).toThrow(/^the simulation is stuck: 50000 events by t=500 ms of 1000/);
});

it('the default budget is far above what a run that progresses takes', () => {
  const events = run(false).stats.events;
  expect(events).toBeGreaterThan(0);
  expect(eventBudget(1000)).toBeGreaterThan(100 * events);
});

it('calls that share one event are counted as one event each, and the budget can end a run among them', () => {
  const events = run(false).stats.events;
  expect(run(false, undefined, 10).stats.events).toBe(events + 10);
  // A budget that runs out among the shared calls stops the run there, as it would between separate events.
  expect(() => run(true, 50_000, 50_000)).toThrow(/^the simulation is stuck: 50000 events by t=300 ms of 1000/);
});
