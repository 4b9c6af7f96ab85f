// A scenario document -> the simulator's SimConfig: fault families become
// network, Raft, client and snapshot parameters; simulator-level events pass
// through; lifecycle events (rotation, membership, crash-after-apply) become
// custom events for the NodeLifecycle hooks, which the config carries.
import { mainApplierVariants, mainNodeFactory, variantByName } from '../applier/index.ts';
import type { ApplierFactory } from '../applier/index.ts';
import { DEFAULT_NETWORK } from '../sim/config.ts';
import type { ScenarioEvent } from '../sim/config.ts';
import type { SimConfig } from '../sim/sim-config.ts';
import { NodeLifecycle, lifecycleEvent, resolvePolicy } from '../sim/lifecycle/index.ts';
import type { PolicyOverrides } from '../sim/lifecycle/index.ts';
import type { ResolvedVariant } from './variants.ts';
import type { Scenario, ScenarioEventDoc } from './types.ts';

/** Client writes stop this long before the end, so the last ones are applied everywhere by run-end. */
const WRITES_STOP_BEFORE_END_MS = 500;

export interface CompileOptions {
  variant: ResolvedVariant;
  /** Overrides the variant's applier (an external applier under test). */
  applier?: ApplierFactory;
}

export function compileScenario(s: Scenario, opts: CompileOptions): SimConfig {
  const { variant } = opts;
  const joiners = s.cluster.joiners ?? [];
  const f = s.faults;
  // Fields the scenario leaves out take the spec's defaults (DEFAULT_POLICY).
  const policy = resolvePolicy(mergePolicy(s.policy, variant.policy));
  const fullIds = Object.fromEntries(Object.entries(s.cluster.fullIds ?? {}).map(([name, id]) => [name, BigInt(id)]));
  const hooks = new NodeLifecycle({
    members: s.cluster.nodes,
    joiners,
    policy,
    initialEpochs: s.cluster.initialEpochs,
    fullIds,
    initialDek: s.cluster.initialDek,
    kvWritesPerSec: s.workload.kvWritesPerSec,
    writesUntilMs: Math.max(0, s.durationMs - WRITES_STOP_BEFORE_END_MS),
  });
  return {
    seed: s.seed,
    nodes: [...s.cluster.nodes, ...joiners],
    dormantNodes: joiners,
    fullIds: s.cluster.fullIds,
    learners: joiners,
    applier: opts.applier ?? (policy.fsm === 'main' ? mainApplierOf(variant) : variant.applier),
    ...(policy.fsm === 'main' ? { fsm: 'main' as const } : {}),
    // The trace names the configuration under test, not the process running it:
    // an external applier that behaves like the built-in one gives the same hash.
    applierName: variant.applierName,
    variants: variant.simVariants,
    network: f.network ?? { lossRate: 0, dupRate: 0, reorderRate: 0 },
    raft: {
      ...(f.timeouts ? { electionTimeoutMs: f.timeouts.electionTimeoutMs } : {}),
      ...(s.raft?.preVote !== undefined ? { preVote: s.raft.preVote } : {}),
      ...(s.raft?.checkQuorum !== undefined ? { checkQuorum: s.raft.checkQuorum } : {}),
      ...(s.raft?.maxBatch !== undefined ? { maxBatch: s.raft.maxBatch } : {}),
      ...(s.raft?.catchUpEntries !== undefined ? { catchUpEntries: s.raft.catchUpEntries } : {}),
    },
    client: f.timeouts ? { proposalTimeoutMs: f.timeouts.proposalTimeoutMs } : undefined,
    snapshotInterval: f.snapshots?.interval,
    pendingLossRate: f.crashes?.pendingLossRate,
    tornRate: f.crashes?.tornRate,
    storeFaults: f.storage,
    timeLimitMs: s.durationMs,
    faultsEndMs: s.faultsEndMs,
    events: s.events.flatMap(simEvents),
    hooks,
    engine: policy.engine,
  };
}

/** Main's applier with the variant's applier bug (the same ApplierBugs flags), for nodes that hand it their sidecar. */
function mainApplierOf(variant: ResolvedVariant): ApplierFactory {
  return mainNodeFactory(variantByName(mainApplierVariants, variant.applierName).factory);
}

function simEvents(ev: ScenarioEventDoc): ScenarioEvent[] {
  switch (ev.kind) {
    case 'storm':
      return [
        { at: ev.at, kind: 'set-election-timeout', electionTimeoutMs: ev.electionTimeoutMs },
        { at: ev.at, kind: 'set-network', params: { maxDelayMs: Math.max(DEFAULT_NETWORK.minDelayMs, ev.maxDelayMs) } },
      ];
    case 'storm-end':
      return [
        { at: ev.at, kind: 'set-election-timeout' },
        { at: ev.at, kind: 'set-network', params: { maxDelayMs: DEFAULT_NETWORK.maxDelayMs } },
      ];
    default:
      return [simEvent(ev)];
  }
}

function simEvent(ev: Exclude<ScenarioEventDoc, { kind: 'storm' | 'storm-end' }>): ScenarioEvent {
  switch (ev.kind) {
    case 'rotate-dek':
      return lifecycleEvent(ev.at, ev.dekId === undefined ? { name: 'rotate-dek' } : { name: 'rotate-dek', dekId: ev.dekId });
    case 'enable-raft-envelope':
    case 'rotate-raft-dek':
      return lifecycleEvent(ev.at, { name: ev.kind });
    case 'propose':
      return { at: ev.at, kind: 'propose', data: ev.entry, requestId: 'entry' };
    case 'add-node':
      return lifecycleEvent(ev.at, ev.learner === true ? { name: ev.kind, node: ev.node, learner: true } : { name: ev.kind, node: ev.node });
    case 'remove-node':
      return lifecycleEvent(ev.at, { name: ev.kind, node: ev.node });
    case 'replace-node':
      return lifecycleEvent(ev.at, { name: ev.kind, node: ev.node, joiner: ev.joiner, ...(ev.cutMs !== undefined ? { cutMs: ev.cutMs } : {}) });
    case 'crash-after-apply':
      return lifecycleEvent(ev.at, { name: ev.kind, node: ev.node, restartAfterMs: ev.restartAfterMs });
    case 'crash-loop':
      return lifecycleEvent(ev.at, { name: ev.kind, node: ev.node, toEpoch: ev.toEpoch, restartAfterMs: ev.restartAfterMs });
    default:
      return ev;
  }
}

/** The variant's policy wins over the scenario's, field by field. */
function mergePolicy(base: PolicyOverrides | undefined, over: PolicyOverrides): PolicyOverrides {
  return {
    guards: { ...base?.guards, ...over.guards },
    nonces: { ...base?.nonces, ...over.nonces },
    engine: { ...base?.engine, ...over.engine },
    ...(base?.membership !== undefined || over.membership !== undefined ? { membership: { ...base?.membership, ...over.membership } } : {}),
    ...((over.fsm ?? base?.fsm) !== undefined ? { fsm: over.fsm ?? base?.fsm } : {}),
    registerMaxAttempts: over.registerMaxAttempts ?? base?.registerMaxAttempts,
  };
}
