// The simulator's traffic record: the messages sent in every whole 500 ms
// window, and a run whose event budget goes to messages cut short there (a
// finding the oracle judges), where a run stuck otherwise is a harness error
// (event-budget.test.ts).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { compileScenario, loadScenario, resolveVariant } from '../../src/scenario/index.ts';
import { TRAFFIC_WINDOW_MS, simulate } from '../../src/sim/simulator.ts';
import type { TraceEventOf as Of } from '../../src/trace/types.ts';

const storm = loadScenario(readFileSync(new URL('../../fixtures/variants/raft-stale-ack-resends.json', import.meta.url), 'utf8'));
const run = (variant: string, maxEvents?: number) =>
  simulate({ ...compileScenario(storm, { variant: resolveVariant(variant) }), ...(maxEvents === undefined ? {} : { maxEvents }) });

it('records the messages of every whole window, and no more than were sent', () => {
  const r = run('correct');
  const windows = r.trace.filter((e): e is Of<'traffic'> => e.kind === 'traffic');
  expect(windows.map((w) => w.t)).toEqual(Array.from({ length: Math.floor(r.stats.virtualMs / TRAFFIC_WINDOW_MS) }, (_, i) => (i + 1) * TRAFFIC_WINDOW_MS));
  const sum = windows.reduce((n, w) => n + w.sent, 0);
  expect(sum).toBeGreaterThan(0);
  expect(sum).toBeLessThanOrEqual(r.stats.messagesSent);
  expect(r.trace.at(-1)).not.toHaveProperty('cut');
});

it('a storm that spends the event budget ends the run there, judged a message storm; the correct engine is not cut', () => {
  const budget = Math.round(0.6 * run('raft-stale-ack-resends').stats.events);
  const cut = run('raft-stale-ack-resends', budget);
  const end = cut.trace.at(-1) as Of<'run-end'>;
  expect(end).toMatchObject({ kind: 'run-end', cut: true });
  expect(end.t).toBeLessThan(storm.durationMs);
  expect(cut.trace.filter((e) => e.kind === 'faults-end')).toHaveLength(1);
  const last = cut.trace.filter((e): e is Of<'traffic'> => e.kind === 'traffic').at(-1);
  expect(last).toMatchObject({ kind: 'traffic', t: end.t });
  expect(last?.from).toBe(Math.floor(end.t / TRAFFIC_WINDOW_MS) * TRAFFIC_WINDOW_MS);
  expect(checkTrace(cut.trace).map((v) => v.code)).toContain('message-storm');
  expect(run('correct').stats.events).toBeLessThan(budget);
});
