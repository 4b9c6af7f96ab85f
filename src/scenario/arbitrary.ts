// The scenario generator: a fast-check arbitrary with swarm testing. Each run
// switches whole fault families on or off and draws their rates, so rare
// combinations get explored; within a family, events come from templates
// biased toward the dangerous cases (a crash right after a registration is
// applied, a restore from a backup taken several epochs earlier, a node added
// with a colliding id, retries under short time-outs and loss, election
// storms in which voters crash right after granting a vote). Everything is
// built from fc combinators and mapped at the end, so shrinking works on the
// raw draws: families switch off, arrays lose templates, counts and node
// indices fall. Events name nodes by index modulo the node count, so fewer
// nodes never leaves an event dangling. Seeded sampling gives the same
// scenarios for the same seed.
import fc from 'fast-check';
import { COLLIDING_RAFT_IDS, POLICY_PRESETS, POLICY_PRESET_NAMES, isPolicyPresetName, resolvePolicy } from '../sim/lifecycle/index.ts';
import type { LifecyclePolicy, PolicyOverrides, PolicyPresetName } from '../sim/lifecycle/index.ts';
import { MAX_SLOTS } from './load.ts';
import { SCENARIO_VERSION } from './types.ts';
import type { FaultFamilies, FaultFamily, Scenario, ScenarioEventDoc } from './types.ts';

export interface ScenarioArbitraryOptions {
  /** Members at boot: a fixed count or a [min, max] range (default [3, 5]). */
  nodes?: number | [number, number];
  /** Virtual run length (default 3000 ms); faults stop at 60% of it. */
  durationMs?: number;
  /** Force families on (true) or off (false); the rest are left to the swarm. */
  families?: Partial<Record<FaultFamily, boolean>>;
  /**
   * The named configuration every generated scenario runs under (default
   * 'hardened': the correct applier shows no violation, so any is a bug; 'spec'
   * reproduces the design findings). See POLICY_PRESETS.
   */
  config?: PolicyPresetName;
  /** Policy fields changed on top of `config`'s. */
  policy?: PolicyOverrides;
  /** Client writes per virtual second (default 20). */
  kvWritesPerSec?: number;
}

const FAMILIES: readonly FaultFamily[] = [
  'network',
  'partitions',
  'crashes',
  'snapshots',
  'restores',
  'membership',
  'rotation',
  'timeouts',
  'storms',
];
/** A joiner that collides with no default member id (n1..n7). */
const PLAIN_JOINER = 'n8';
const percent = (max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max }).map((p) => p / 100);
/** A point in [0, 1] in thousandths: times are drawn as fractions of the fault window. */
const permille = fc.integer({ min: 0, max: 1000 });

const crashT = fc.record({
  at: permille,
  node: fc.nat(6),
  afterApply: fc.boolean(),
  restartAfterMs: fc.integer({ min: 5, max: 400 }),
});
const partitionT = fc.record({ at: permille, mask: fc.integer({ min: 1, max: 126 }), lastsMs: fc.integer({ min: 20, max: 600 }) });
const snapshotT = fc.record({ at: permille, node: fc.nat(6) });
const restoreT = fc.record({
  at: permille,
  node: fc.nat(6),
  /** Crash/restart cycles between the backup and the restore: each one is an epoch the backup is behind. */
  epochsBehind: fc.integer({ min: 0, max: 3 }),
  gapMs: fc.integer({ min: 20, max: 200 }),
  restartAfterMs: fc.integer({ min: 5, max: 200 }),
});
const joinT = fc.record({
  at: permille,
  /** Collide with this member's low 16 bits (else a non-colliding id joins). */
  collide: fc.boolean().map((plain) => !plain),
  target: fc.nat(6),
  pick: fc.nat(1),
  /** Remove the target first: the collision is with a former member. */
  former: fc.boolean(),
});
const rotateT = fc.record({ at: permille });
/**
 * An election storm: for `lastsMs` election time-outs are short and close
 * together and messages slow (contested elections, split votes), the leader
 * is killed and comes back quickly, and voters crash right after granting a
 * vote and restart at once (each entry arms one crash), while the other
 * candidate's vote request may still be on its way: the moment a vote that is
 * not persisted is cast twice in one term.
 */
const stormT = fc.record({
  at: permille,
  lastsMs: fc.integer({ min: 100, max: 600 }),
  timeoutMin: fc.integer({ min: 40, max: 120 }),
  timeoutSpread: fc.integer({ min: 2, max: 40 }),
  maxDelayMs: fc.integer({ min: 10, max: 60 }),
  /** Leader kills during the storm, `killGapMs` apart, the first once the new time-outs are in force. */
  kills: fc.integer({ min: 1, max: 3 }),
  killGapMs: fc.integer({ min: 60, max: 200 }),
  leaderDownMs: fc.integer({ min: 1, max: 100 }),
  voters: fc.array(fc.record({ node: fc.nat(6), restartAfterMs: fc.integer({ min: 1, max: 10 }) }), { minLength: 1, maxLength: 6 }),
});

const raw = fc.record({
  seed: fc.nat(),
  nodes: fc.nat(4),
  on: fc.record(Object.fromEntries(FAMILIES.map((f) => [f, fc.boolean()])) as Record<FaultFamily, fc.Arbitrary<boolean>>),
  network: fc.record({ lossRate: percent(30), dupRate: percent(20), reorderRate: percent(30) }),
  pendingLossRate: percent(100),
  snapshotInterval: fc.integer({ min: 1, max: 8 }),
  timeouts: fc.record({
    proposalTimeoutMs: fc.integer({ min: 15, max: 200 }),
    electionMin: fc.integer({ min: 100, max: 200 }),
    /**
     * Width of the randomized election timeout range. Raft elects a leader
     * only if that spread is well above the message delay (etcd draws from
     * [T, 2T)); at 20 ms against delays of up to 10 ms, two candidates keep
     * splitting the vote of a cluster that needs every live voter, for the
     * whole run: an election livelock, not a finding.
     */
    electionSpread: fc.integer({ min: 50, max: 150 }),
  }),
  crashes: fc.array(crashT, { maxLength: 4 }),
  partitions: fc.array(partitionT, { maxLength: 3 }),
  snapshots: fc.array(snapshotT, { maxLength: 3 }),
  restores: fc.array(restoreT, { maxLength: 2 }),
  joins: fc.array(joinT, { maxLength: 2 }),
  rotations: fc.array(rotateT, { maxLength: 2 }),
  storms: fc.array(stormT, { minLength: 1, maxLength: 3 }),
  /** Rarely, a member whose sidecar is near 0xFFFF (the exhaustion guard). */
  exhausted: fc.oneof(
    { weight: 9, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ node: fc.nat(6), epoch: fc.integer({ min: 0xfffd, max: 0xffff }) }) },
  ),
});

type Raw = typeof raw extends fc.Arbitrary<infer T> ? T : never;

export function scenarioArbitrary(options: ScenarioArbitraryOptions = {}): fc.Arbitrary<Scenario> {
  const [minNodes, maxNodes] = typeof options.nodes === 'number' ? [options.nodes, options.nodes] : (options.nodes ?? [3, 5]);
  if (minNodes < 3 || maxNodes > MAX_SLOTS || minNodes > maxNodes) throw new RangeError(`nodes must be within [3, ${MAX_SLOTS}]`);
  const config = options.config ?? 'hardened';
  if (!isPolicyPresetName(config)) throw new RangeError(`unknown config "${String(config)}" (known: ${POLICY_PRESET_NAMES.join(', ')})`);
  const policy = resolvePolicy(options.policy, POLICY_PRESETS[config]);
  return raw.map((r) => build(r, minNodes + (r.nodes % (maxNodes - minNodes + 1)), options, policy));
}

function build(r: Raw, count: number, options: ScenarioArbitraryOptions, policy: LifecyclePolicy): Scenario {
  const durationMs = options.durationMs ?? 3000;
  const faultsEndMs = Math.round(durationMs * 0.6);
  const members = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const on = (f: FaultFamily): boolean => options.families?.[f] ?? r.on[f];
  const node = (i: number): string => members[i % count] as string;
  const time = (p: number, room = 0): number => Math.round((p / 1000) * Math.max(0, faultsEndMs - room));
  const events: ScenarioEventDoc[] = [];
  const faults: FaultFamilies = {};

  if (on('network')) faults.network = r.network;
  if (on('timeouts')) {
    const { proposalTimeoutMs, electionMin, electionSpread } = r.timeouts;
    faults.timeouts = { proposalTimeoutMs, electionTimeoutMs: [electionMin, electionMin + electionSpread] };
  }
  if (on('crashes')) {
    faults.crashes = { pendingLossRate: r.pendingLossRate };
    for (const c of r.crashes) {
      const kind = c.afterApply ? 'crash-after-apply' : 'crash';
      events.push({ at: time(c.at), kind, node: node(c.node), restartAfterMs: c.restartAfterMs });
    }
  }
  if (on('snapshots')) {
    faults.snapshots = { interval: r.snapshotInterval };
    for (const s of r.snapshots) events.push({ at: time(s.at), kind: 'snapshot', node: node(s.node) });
  }
  if (on('partitions')) {
    faults.partitions = {};
    for (const p of r.partitions) {
      const inside = members.filter((_, i) => (p.mask >> i) & 1);
      if (inside.length === 0 || inside.length === count) continue;
      const at = time(p.at, p.lastsMs);
      events.push({ at, kind: 'partition', groups: [inside] }, { at: at + p.lastsMs, kind: 'heal' });
    }
  }
  if (on('restores')) {
    faults.restores = {};
    r.restores.forEach((s, i) => {
      const name = `b${i + 1}`;
      const who = node(s.node);
      const t0 = time(s.at, (s.epochsBehind + 1) * s.gapMs);
      events.push({ at: t0, kind: 'backup', node: who, name });
      // Each crash/restart in between bumps the epoch once more past the backup's.
      for (let k = 1; k <= s.epochsBehind; k++) {
        events.push({ at: t0 + k * s.gapMs, kind: 'crash', node: who, restartAfterMs: Math.floor(s.gapMs / 2) });
      }
      events.push({ at: t0 + (s.epochsBehind + 1) * s.gapMs, kind: 'restore', node: who, name, restartAfterMs: s.restartAfterMs });
    });
    if (events.some((e) => e.kind === 'crash')) faults.crashes ??= { pendingLossRate: r.pendingLossRate };
  }
  const joiners: string[] = [];
  if (on('membership')) {
    faults.membership = {};
    for (const j of r.joins) {
      if (count + joiners.length >= MAX_SLOTS) break;
      const target = node(j.target);
      const colliding = COLLIDING_RAFT_IDS.filter((c) => c.collidesWith === target)[j.pick]?.raftId;
      const id = j.collide && colliding !== undefined ? colliding : PLAIN_JOINER;
      if (joiners.includes(id)) continue;
      joiners.push(id);
      const at = time(j.at);
      // A removed node stays a dead voter (static membership): only a cluster of 4+ keeps its quorum.
      if (j.former && id !== PLAIN_JOINER && count >= 4 && !events.some((e) => e.kind === 'remove-node')) events.push({ at: Math.max(0, at - 1), kind: 'remove-node', node: target });
      events.push({ at, kind: 'add-node', node: id });
    }
  }
  if (on('rotation')) {
    faults.rotation = {};
    for (const rot of r.rotations) events.push({ at: time(rot.at), kind: 'rotate-dek' });
  }
  if (on('storms')) {
    faults.storms = {};
    for (const st of r.storms) {
      const t0 = time(st.at, st.lastsMs);
      const electionTimeoutMs: [number, number] = [st.timeoutMin, st.timeoutMin + st.timeoutSpread];
      events.push({ at: t0, kind: 'storm', electionTimeoutMs, maxDelayMs: st.maxDelayMs });
      for (const v of st.voters) events.push({ at: t0, kind: 'crash-after-vote', node: node(v.node), restartAfterMs: v.restartAfterMs });
      for (let k = 1; k <= st.kills; k++) {
        const at = t0 + k * st.killGapMs;
        if (at < t0 + st.lastsMs) events.push({ at, kind: 'crash-leader', restartAfterMs: st.leaderDownMs });
      }
      // The run's own time-outs and delays again (faults-end would bring them back anyway).
      events.push({ at: t0 + st.lastsMs, kind: 'storm-end' });
    }
  }
  // Stable sort: events at the same time keep their generation order.
  events.sort((a, b) => a.at - b.at);

  const scenario: Scenario = {
    version: SCENARIO_VERSION,
    seed: `s${r.seed}`,
    durationMs,
    faultsEndMs,
    cluster: { nodes: members, ...(joiners.length > 0 ? { joiners } : {}) },
    faults,
    workload: { kvWritesPerSec: options.kvWritesPerSec ?? 20 },
    events,
  };
  if (r.exhausted !== null) scenario.cluster.initialEpochs = { [node(r.exhausted.node)]: r.exhausted.epoch };
  // Every field explicit: a saved scenario replays the same whatever the defaults become.
  scenario.policy = resolvePolicy(policy);
  return scenario;
}
