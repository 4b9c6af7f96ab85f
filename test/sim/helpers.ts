// Shared set-ups for the simulator tests.
import { createEntryApplier, deriveNodeId } from '../../src/applier/index.ts';
import type { ApplierFactory } from '../../src/applier/index.ts';
import { faultSchedule, registrationEntry, simulate, workloadHooks } from '../../src/sim/index.ts';
import type { ScenarioEvent, SimConfig, SimResult, SimVariant } from '../../src/sim/index.ts';
import type { TraceEvent, TraceEventOf } from '../../src/trace/types.ts';

export const FIVE = ['n1', 'n2', 'n3', 'n4', 'n5'];
export const THREE = ['n1', 'n2', 'n3'];

/** A registration entry for node `name`. */
export function reg(name: string, epoch: number, dekId = 1): Uint8Array {
  return registrationEntry(dekId, deriveNodeId(name), epoch);
}

/** A randomized run: background workload plus a seeded fault schedule (crash, partition, one-way, snapshot, loss). */
export function faultyRun(
  seed: string,
  opts: {
    timeLimitMs?: number;
    nodes?: number;
    variants?: SimVariant[];
    faultRate?: number;
    applier?: ApplierFactory;
    extra?: Partial<SimConfig>;
  } = {},
): SimResult {
  const T = opts.timeLimitMs ?? 3000;
  const n = opts.nodes ?? 3 + (seed.length % 3);
  const nodes = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].slice(0, n);
  const events: ScenarioEvent[] = faultSchedule({
    seed,
    nodes,
    fromMs: 100,
    toMs: Math.floor(T * 0.7),
    ratePerSec: opts.faultRate ?? 3,
    downMs: [20, Math.floor(T / 4)],
  });
  return simulate({
    seed,
    nodes,
    applier: opts.applier ?? createEntryApplier,
    applierName: 'correct',
    timeLimitMs: T,
    events,
    variants: opts.variants,
    network: { lossRate: 0.02, dupRate: 0.02, reorderRate: 0.02 },
    faultsEndMs: Math.floor(T * 0.7),
    snapshotInterval: [4, 32],
    hooks: workloadHooks({ fromMs: 50, toMs: T - 200, ratePerSec: 25 }),
    ...opts.extra,
  });
}

/** A three-node run of the correct applier with `events`, no local snapshots and no liveness probe (the engine's own behaviour). */
export function runEngine(seed: string, events: ScenarioEvent[], extra: Partial<SimConfig> = {}): TraceEvent[] {
  return simulate({
    seed,
    nodes: THREE,
    applier: createEntryApplier,
    applierName: 'correct',
    timeLimitMs: 3000,
    snapshotInterval: 1000,
    events,
    livenessProbe: false,
    ...extra,
  }).trace;
}

export function ofKind<K extends TraceEvent['kind']>(trace: readonly TraceEvent[], kind: K): TraceEventOf<K>[] {
  return trace.filter((e): e is TraceEventOf<K> => e.kind === kind);
}

export function runEnd(trace: readonly TraceEvent[]): Extract<TraceEvent, { kind: 'run-end' }> {
  const last = trace[trace.length - 1];
  if (last === undefined || last.kind !== 'run-end') throw new Error('trace does not end with run-end');
  return last;
}

/** A 3-node cluster (n1-n3) whose joiner n8 is added at 300 ms as a learner, then `event` at 1000 ms. */
function withLearner(seed: string, families: string[], event: object): string {
  return JSON.stringify({
    version: 1,
    seed,
    durationMs: 4000,
    faultsEndMs: 2500,
    cluster: { nodes: ['n1', 'n2', 'n3'], joiners: ['n8'] },
    faults: Object.fromEntries(['membership', ...families].map((f) => [f, {}])),
    workload: { kvWritesPerSec: 20 },
    events: [{ at: 300, kind: 'add-node', node: 'n8', learner: true }, { at: 1000, ...event }],
  });
}

/** n8 replaces n2, the leader cut off with n8 for 900 ms. */
export const REPLACEMENT = withLearner('replace', [], { kind: 'replace-node', node: 'n2', joiner: 'n8', cutMs: 900 });

/** n8 stays a learner; the leader is cut off with it for 900 ms. */
export const LEARNER_CUT = withLearner('learner-quorum', ['storms'], { kind: 'isolate-leader', keep: 0, lastsMs: 900, withLearners: true });
