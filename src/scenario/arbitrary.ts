// The scenario generator: a fast-check arbitrary with swarm testing. Each run
// switches whole fault families on or off and draws their rates, so rare
// combinations get explored; within a family, events come from templates
// biased toward the dangerous cases (a crash right after a registration is
// applied, a restore from a backup taken several epochs earlier, a node added
// with a colliding id, retries under short time-outs and loss, election
// storms in which voters crash right after granting a vote). The values the
// applier compares are drawn over their whole domain, not the convenient
// corner: joiners whose full id differs from a member's in exactly one bit,
// for every bit (or equals it in the low 16, 32 or 48 bits: real raft ids
// found by scripts/find-*-ids.ts), member ids with any bit pattern, epochs
// that cross every boundary a narrower or signed integer would break, DEK ids
// above 16 bits and near 2^32, and committed entries of every opcode, version
// byte and payload length. Everything is built from fc combinators and mapped
// at the end, so shrinking works on the raw draws: families switch off, arrays
// lose templates, counts and node indices fall. Events name nodes by index
// modulo the node count, so fewer nodes never leaves an event dangling. Seeded
// sampling gives the same scenarios for the same seed.
import fc from 'fast-check';
import { deriveNodeId } from '../applier/index.ts';
import { livenessBoundMs } from '../model/invariants/liveness.ts';
import { COLLIDING_RAFT_IDS, NEAR_RAFT_IDS, POLICY_PRESETS, POLICY_PRESET_NAMES, isPolicyPresetName, resolvePolicy } from '../sim/lifecycle/index.ts';
import type { LifecyclePolicy, PolicyOverrides, PolicyPresetName } from '../sim/lifecycle/index.ts';
import { maxIsolatedFollowers } from '../sim/network/partitions.ts';
import { MAX_SLOTS } from './load.ts';
import { SCENARIO_VERSION } from './types.ts';
import type { FaultFamilies, FaultFamily, Scenario, ScenarioEventDoc } from './types.ts';

export interface ScenarioArbitraryOptions {
  /** Members at boot: a fixed count or a [min, max] range (default [3, 5]). */
  nodes?: number | [number, number];
  /**
   * Virtual run length; faults stop at 60% of it. Default: faults stop at
   * 1800 ms and the quiet period after them lasts the liveness bound (8
   * election time-outs of the run) plus 600 ms, so liveness is always judged.
   */
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
  /** Force long runs (a fault window of LONG_ROUNDS rounds) on or off; default: 1 run in 20. */
  long?: boolean;
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
  'entries',
  'storage',
];
/**
 * Families on in a quarter of the runs, not half: an unusual entry or a store
 * fault halts replicas, and a run that halts early explores little else.
 */
const RARE_FAMILIES: ReadonlySet<FaultFamily> = new Set(['entries', 'storage']);
const FAULTS_END_MS = 1800;
/** A replacement promotes its joiner this long (and up to twice this) after adding it, once it has caught up. */
const REPLACE_AFTER_MS = 400;
/** Rounds of a long run's fault window (each FAULTS_END_MS long). */
const LONG_ROUNDS = 10;
/** Room after the liveness bound for nodes that restart late in the fault window. */
const QUIET_MARGIN_MS = 600;
const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffffffff;
/** A joiner that collides with no default member id (n1..n7). */
const PLAIN_JOINER = 'n8';
/** How long after the leader's backup a raft cutover drawn to follow it comes (raftCutoverAfterBackup). */
const RAFT_CUTOVER_AFTER_BACKUP_MS = 10;
/** A rewound leader restarts this soon after its restore (and each leader killed after it). */
const REWIND_RESTART_MS = 20;
/** When, after a rewound leader's restore, the leaders of the moment are killed. */
const REWIND_KILLS_MS = [300, 500, 700] as const;
/** A boundary member's restarts are quick: it registers each epoch before the next. */
const BOUNDARY_RESTART_MS = 40;
/** Under main, where in the fault window (permille) a boundary member crash-loops up to its boundary. */
const LOOP_AT_PERMILLE = 400;
const percent = (max: number, min = 0): fc.Arbitrary<number> => fc.integer({ min, max }).map((p) => p / 100);
/** A point in [0, 1] in thousandths: times are drawn as fractions of the fault window. */
const permille = fc.integer({ min: 0, max: 1000 });

/** A crash now, or armed to fire at a crash point: right after the node applies a registration, acknowledges log entries, persists or installs a received snapshot, or right before an fsync. */
const crashT = fc.record({
  at: permille,
  node: fc.nat(6),
  kind: fc.constantFrom(
    'crash' as const,
    'crash-after-apply' as const,
    'crash-after-ack' as const,
    'crash-after-install' as const,
    'crash-before-sync' as const,
    'crash-after-snapshot-persist' as const,
  ),
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
  /**
   * How the operator restores: the node rejoins Raft as a fresh member (the
   * safe procedure), or by mistake onto another machine, or naively with the
   * old Raft state too.
   */
  how: fc.oneof(
    { weight: 6, arbitrary: fc.constant('rejoin' as const) },
    { weight: 1, arbitrary: fc.constant('onto-other' as const) },
    { weight: 1, arbitrary: fc.constant('naive' as const) },
  ),
});
/**
 * A joiner, by how its full id relates to a member's (`target`): 'plain' shares
 * nothing, 'collide16' / 'near' are real raft ids equal to it in the low 16 /
 * low 32 or 48 bits, 'flip' has the member's id with bit `bit` flipped (low 16
 * bits equal, so a collision, iff bit >= 16).
 */
const joinT = fc.record({
  at: permille,
  kind: fc.oneof(
    { weight: 2, arbitrary: fc.constant('plain' as const) },
    { weight: 3, arbitrary: fc.constant('collide16' as const) },
    { weight: 2, arbitrary: fc.constant('near' as const) },
    { weight: 3, arbitrary: fc.constant('flip' as const) },
  ),
  target: fc.nat(6),
  pick: fc.nat(2),
  bit: fc.integer({ min: 0, max: 63 }),
  /** Remove the target first: the collision is with a former member. */
  former: fc.boolean(),
  /** It stays a learner for good (a read replica), in 1 join of 3. */
  learner: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
/** The new DEK is the one in force plus `step` (if that still fits a u32, else plus 1). */
const rotateT = fc.record({ at: permille, step: fc.constantFrom(1, 1, 0x10000, 0x7fffffff, 0x80000000) });
/** A committed entry outside the happy path (built by unusualEntry). */
const entryT = fc.record({
  at: permille,
  cls: fc.constantFrom('reg-length', 'reg-version', 'bootstrap', 'rotation', 'reserved', 'lease', 'other', 'empty'),
  length: fc.integer({ min: 0, max: 20 }),
  version: fc.integer({ min: 0, max: 255 }),
  opcode: fc.integer({ min: 0x08, max: 0xff }),
  body: fc.uint8Array({ minLength: 20, maxLength: 20 }),
});
/** A member whose sidecar starts just below an integer boundary: restarts cross it. */
const epochT = fc.record({
  node: fc.nat(6),
  boundary: fc.constantFrom(0x80, 0x100, 0x8000, 0x10000),
  /** initial epoch = boundary - 1 - below: 0 lands the first bump on the boundary, 3 the fourth. */
  below: fc.integer({ min: 0, max: 3 }),
});
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
  /**
   * The leader of the moment cut off with up to a minority of followers, then
   * healed: it appends entries only they hold while the rest elect another
   * leader, and with the kills in between the logs of Raft's figure 8 arise
   * (an old-term entry on a majority that must not count as committed).
   */
  isolations: fc.array(
    fc.record({
      afterMs: fc.integer({ min: 0, max: 600 }),
      lastsMs: fc.integer({ min: 20, max: 400 }),
      keep: fc.nat(2),
      crashAtHeal: fc.boolean(),
      withLearners: fc.boolean(),
    }),
    { maxLength: 4 },
  ),
  /**
   * Leaders that die at the worst moments of their term: right after winning
   * (their empty entry on no majority yet) or right after their first commit
   * (the term's own entries not yet spread), armed on some nodes.
   */
  leaderCrashes: fc.array(
    fc.record({
      node: fc.nat(6),
      point: fc.constantFrom('crash-after-elect' as const, 'crash-after-commit' as const),
      afterMs: fc.integer({ min: 0, max: 600 }),
      restartAfterMs: fc.integer({ min: 1, max: 300 }),
    }),
    { maxLength: 4 },
  ),
});

const rarely = fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const raw = fc.record({
  // Unbiased: fast-check's bias toward small integers would give many runs the same simulator seed.
  seed: fc.noBias(fc.nat()),
  nodes: fc.nat(4),
  on: fc.record(
    Object.fromEntries(FAMILIES.map((f) => [f, RARE_FAMILIES.has(f) ? rarely : fc.boolean()])) as Record<FaultFamily, fc.Arbitrary<boolean>>,
  ),
  /** Member full ids with any bit pattern (fast-check's bigint favours 0, 1, 2^63, 2^64-1 and their neighbours), or the raft ids' own. */
  memberIds: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(fc.bigInt({ min: 0n, max: U64_MAX }), { minLength: 7, maxLength: 7 }) },
  ),
  initialDek: fc.oneof(
    { weight: 6, arbitrary: fc.constant<number>(1) },
    { weight: 1, arbitrary: fc.constantFrom<number>(0, 0xffff, 0x10000, 0x10001, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffe) },
  ),
  epochs: fc.array(epochT, { maxLength: 3 }),
  /**
   * Store faults (up to 8% of an apply's reads and writes: only the atlas's
   * minority of disks fails), fsync errors up to 1% of fsyncs; `atlas`: which
   * minority of the members has failing disks.
   */
  storage: fc.record({
    errorRate: percent(8),
    corruptRate: percent(8),
    fsyncErrorRate: fc.integer({ min: 0, max: 10 }).map((p) => p / 1000),
    atlas: fc.nat(127),
  }),
  entries: fc.array(entryT, { minLength: 1, maxLength: 2 }),
  // One run in four duplicates 20-60% of messages: heavy duplication is what turns a stale
  // acknowledgement into a storm (variant raft-stale-ack-resends) and catches snapshots up past the bootstrap.
  network: fc.record({ lossRate: percent(30), dupRate: fc.oneof({ weight: 3, arbitrary: percent(20) }, { weight: 1, arbitrary: percent(60, 20) }), reorderRate: percent(30) }),
  pendingLossRate: percent(100),
  tornRate: percent(100),
  /**
   * Entries per AppendEntries (Raft's default otherwise): with a batch of one
   * or a few, a new leader's old-term entries can reach a majority before its
   * own no-op does, the moment the commit rule must not count them (figure 8).
   */
  maxBatch: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(1, 1, 2, 3, 8) }),
  /**
   * In one run in four a snapshot leaves entries in the log behind it, as
   * etcd's server does: a lagging follower then catches up by log across the
   * leader's snapshot (probed back entry by entry over a divergent tail), and
   * a restart's log reaches below its snapshot, which a log compacted to the
   * snapshot never shows.
   */
  catchUpEntries: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(4, 16, 64, 256) }),
  /**
   * PreVote off in one run in four: production runs it, but it screens the
   * vote's own up-to-date check (a stale candidate rarely gets past PreVote),
   * so only without it is that check exercised.
   */
  preVote: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  /**
   * CheckQuorum off in one run in four (etcd's default): a leader cut off
   * from its majority stays leader until it hears a higher term, so after a
   * heal it still replicates its old term's entries, as in Raft's figure 8.
   */
  checkQuorum: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
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
  /**
   * Raft's figure 8 set up on purpose (the figure-8 event), outside the
   * storms so that nothing else breaks the sequence: the cut lasts `lastsMs`;
   * the nodes its crash points take down stay down past the heal. In half
   * of them a node that voted for the majority's leader is restored from a
   * backup when that leader dies (restoreVoter).
   */
  traps: fc.array(
    fc.record({
      at: permille,
      lastsMs: fc.integer({ min: 400, max: 1000 }),
      keep: fc.nat(2),
      downMs: fc.integer({ min: 50, max: 400 }),
      restoreVoter: fc.boolean(),
    }),
    { maxLength: 2 },
  ),
  /**
   * Rarely, a long run: the fault window repeats LONG_ROUNDS times, each round
   * replaying the crash, snapshot, partition, restore and storm templates on
   * the next node, so a node sees dozens of restarts and several snapshot
   * generations. Drawn last, so the other draws do not move.
   */
  long: fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  /**
   * A member decommissioned through the log (remove-node) in a cluster of 4+
   * (so 3 voters keep a quorum through a crash), in 3 of 4 runs that change
   * membership; `burst` (3 in 4 of those): a replacement, the first joiner promoted and the
   * member removed at the same moment (so the operator asks for two voter
   * changes at once), in any cluster, and with `cut` (2 in 3) right after
   * the leader is cut off with its learners for `cutMs`. Drawn after `long`, so
   * the other draws do not move.
   */
  removal: fc.option(
    fc.record({
      at: permille,
      node: fc.nat(MAX_SLOTS - 1),
      burst: fc.oneof({ weight: 1, arbitrary: fc.constant(false) }, { weight: 3, arbitrary: fc.constant(true) }),
      cut: fc.oneof({ weight: 1, arbitrary: fc.constant(false) }, { weight: 2, arbitrary: fc.constant(true) }),
      cutMs: fc.integer({ min: 500, max: 1200 }),
    }),
    { freq: 4 },
  ),
  /**
   * Under production main, the operator's raft cutover (enable-raft-envelope,
   * 0x05/0x05) at this point of the fault window, in 3 runs of 4: from then
   * on leaders seal what they propose under the raft DEK. Drawn last, so the
   * other draws do not move.
   */
  raftCutover: fc.option(permille, { freq: 4 }),
  /**
   * In half of those runs with restores on, the leader's disk is backed up
   * right before the cutover and restored `rewindAfterMs` later
   * (rewind-leader): the node that sealed proposals comes back to a sidecar
   * that never recorded the cutover (fixtures/findings/
   * raft-epoch-not-bumped-before-cutover), a state uniform draws reached in
   * 0 of 4,000 runs.
   */
  raftCutoverAfterBackup: fc.boolean(),
  rewindAfterMs: fc.integer({ min: 100, max: 800 }),
  /**
   * Under production main, the leader's raft rotate-dek (0x05/0x01 of raft
   * purpose) at this point of the fault window, in 2 runs of 3: before the
   * raft cutover (which then names the new raft DEK) or after it (leaders
   * seal under the new one once they register there). Drawn last too.
   */
  raftRotation: fc.option(permille, { freq: 3 }),
  /**
   * In half the runs that change membership, a leader cut off the moment it
   * appends a membership change, the first one from this point of the fault
   * window's first half on (isolate-leader atConfChange): the change stays
   * uncommitted on its side while the majority elects a leader without it,
   * and the heal truncates it there (path membership:truncated: 44 of 1,000
   * runs at seed 1, 14 with timed cuts alone). Drawn last, so the other
   * draws do not move.
   */
  confCut: fc.option(
    fc.record({ at: permille, keep: fc.nat(2), lastsMs: fc.integer({ min: 200, max: 800 }), withLearners: fc.boolean() }),
    { freq: 2 },
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
  const members = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const on = (f: FaultFamily): boolean => options.families?.[f] ?? r.on[f];
  const faults: FaultFamilies = {};
  if (on('timeouts')) {
    const { proposalTimeoutMs, electionMin, electionSpread } = r.timeouts;
    faults.timeouts = { proposalTimeoutMs, electionTimeoutMs: [electionMin, electionMin + electionSpread] };
  }
  const electionTimeoutMs = faults.timeouts?.electionTimeoutMs ?? [150, 300];
  const rounds = (options.long ?? r.long) && options.durationMs === undefined ? LONG_ROUNDS : 1;
  const roundMs = options.durationMs === undefined ? FAULTS_END_MS : Math.round(options.durationMs * 0.6);
  const faultsEndMs = roundMs * rounds;
  const durationMs = options.durationMs ?? faultsEndMs + livenessBoundMs({ electionTimeoutMs }) + QUIET_MARGIN_MS;
  const node = (i: number): string => members[i % count] as string;
  /** A point `p` (permille) of the fault window, or of one round of it: leaving `room` ms before its end. */
  const time = (p: number, room = 0, span = faultsEndMs): number => Math.round((p / 1000) * Math.max(0, span - room));
  const inRound = (k: number, p: number, room = 0): number => k * roundMs + time(p, room, roundMs);
  const events: ScenarioEventDoc[] = [];
  const fullIds: Record<string, string> = {};
  const ids = new Map<string, bigint>();
  const claim = (name: string, id: bigint, given: boolean): boolean => {
    if ([...ids.values()].includes(id)) return false;
    ids.set(name, id);
    if (given) fullIds[name] = String(id);
    return true;
  };
  members.forEach((m, i) => {
    const given = r.memberIds?.[i];
    if (given === undefined || !claim(m, given, true)) claim(m, deriveNodeId(m), false);
  });

  const mainFsm = policy.fsm === 'main';
  if (on('network')) faults.network = r.network;
  if (on('crashes')) {
    faults.crashes = { pendingLossRate: r.pendingLossRate, tornRate: r.tornRate };
    // A member whose sidecar starts `below` bumps under a boundary crosses it
    // on its `below`-th restart: give it those restarts, spread over the
    // fault window, so the crossing commits in more than a lucky few runs.
    // Under main a bootstrap writes epoch 0, so no disk starts near a
    // boundary: the member crash-loops up to it instead, once bootstrapped
    // (by 40% of the window in all but a few runs), and its restarts follow.
    const from = mainFsm ? LOOP_AT_PERMILLE : 0;
    for (const e of r.epochs) {
      if (mainFsm) events.push({ at: time(from), kind: 'crash-loop', node: node(e.node), toEpoch: Math.min(0xffff, e.boundary - 1 - e.below), restartAfterMs: BOUNDARY_RESTART_MS });
      for (let j = 1; j <= e.below; j++) {
        events.push({ at: time(from + Math.round((j * (1000 - from)) / (e.below + 1))), kind: 'crash', node: node(e.node), restartAfterMs: BOUNDARY_RESTART_MS });
      }
    }
  }
  if (on('snapshots')) faults.snapshots = { interval: r.snapshotInterval };
  if (on('partitions')) faults.partitions = {};
  if (on('restores')) faults.restores = {};
  if (on('storms')) faults.storms = {};
  for (let k = 0; k < rounds; k++) {
    // Round k shifts every template to the next node.
    const at = (i: number): string => node(i + k);
    if (on('crashes')) {
      for (const c of r.crashes) events.push({ at: inRound(k, c.at), kind: c.kind, node: at(c.node), restartAfterMs: c.restartAfterMs });
    }
    if (on('snapshots')) for (const sn of r.snapshots) events.push({ at: inRound(k, sn.at), kind: 'snapshot', node: at(sn.node) });
    if (on('partitions')) {
      for (const p of r.partitions) {
        const inside = members.filter((_, i) => ((p.mask >> ((i + count - (k % count)) % count)) & 1) === 1);
        if (inside.length === 0 || inside.length === count) continue;
        const t0 = inRound(k, p.at, p.lastsMs);
        events.push({ at: t0, kind: 'partition', groups: [inside] }, { at: t0 + p.lastsMs, kind: 'heal' });
      }
    }
    if (on('restores')) {
      r.restores.forEach((rs, i) => {
        const name = k === 0 ? `b${i + 1}` : `b${k + 1}-${i + 1}`;
        const who = at(rs.node);
        const t0 = inRound(k, rs.at, (rs.epochsBehind + 1) * rs.gapMs);
        events.push({ at: t0, kind: 'backup', node: who, name });
        // Each crash/restart in between bumps the epoch once more past the backup's.
        for (let j = 1; j <= rs.epochsBehind; j++) {
          events.push({ at: t0 + j * rs.gapMs, kind: 'crash', node: who, restartAfterMs: Math.floor(rs.gapMs / 2) });
        }
        const restoreAt = t0 + (rs.epochsBehind + 1) * rs.gapMs;
        const onto = rs.how === 'onto-other' ? at(rs.node + 1) : who;
        events.push({ at: restoreAt, kind: 'restore', node: onto, name, restartAfterMs: rs.restartAfterMs, ...(rs.how === 'naive' ? { raft: 'keep' as const } : {}) });
      });
    }
    if (on('storms')) {
      const maxKeep = maxIsolatedFollowers(count);
      for (const st of r.storms) {
        const t0 = inRound(k, st.at, st.lastsMs);
        const electionTimeoutMs: [number, number] = [st.timeoutMin, st.timeoutMin + st.timeoutSpread];
        events.push({ at: t0, kind: 'storm', electionTimeoutMs, maxDelayMs: st.maxDelayMs });
        for (const v of st.voters) events.push({ at: t0, kind: 'crash-after-vote', node: at(v.node), restartAfterMs: v.restartAfterMs });
        for (let j = 1; j <= st.kills; j++) {
          const kill = t0 + j * st.killGapMs;
          if (kill < t0 + st.lastsMs) events.push({ at: kill, kind: 'crash-leader', restartAfterMs: st.leaderDownMs });
        }
        for (const iso of st.isolations) {
          if (iso.afterMs >= st.lastsMs) continue;
          const crashAtHeal = iso.crashAtHeal ? { crashAtHeal: true } : {};
          const withLearners = iso.withLearners && on('membership') && r.joins.length > 0 ? { withLearners: true } : {};
          events.push({ at: t0 + iso.afterMs, kind: 'isolate-leader', keep: iso.keep % (maxKeep + 1), lastsMs: iso.lastsMs, ...crashAtHeal, ...withLearners });
        }
        for (const lc of st.leaderCrashes) {
          if (lc.afterMs < st.lastsMs) events.push({ at: t0 + lc.afterMs, kind: lc.point, node: at(lc.node), restartAfterMs: lc.restartAfterMs });
        }
        // The run's own time-outs and delays again (faults-end would bring them back anyway).
        events.push({ at: t0 + st.lastsMs, kind: 'storm-end' });
      }
      for (const tr of r.traps) {
        const t0 = inRound(k, tr.at, tr.lastsMs);
        const restoreVoter = tr.restoreVoter ? { restoreVoter: true } : {};
        events.push({ at: t0, kind: 'figure-8', keep: tr.keep % (maxKeep + 1), lastsMs: tr.lastsMs, restartAfterMs: tr.lastsMs + tr.downMs, ...restoreVoter });
      }
    }
  }
  if (events.some((e) => e.kind === 'crash')) faults.crashes ??= { pendingLossRate: r.pendingLossRate, tornRate: r.tornRate };
  const joiners: string[] = [];
  /** Joins whose node no start-up guard refuses for a 16-bit collision with its target (a replacement can promote it). */
  const replaceable: Extract<ScenarioEventDoc, { kind: 'add-node' }>[] = [];
  if (on('membership')) {
    faults.membership = {};
    for (const j of r.joins) {
      if (count + joiners.length >= MAX_SLOTS) break;
      const target = node(j.target);
      const joiner = joinerFor(j, target, ids.get(target) as bigint, fullIds[target] !== undefined);
      if (joiners.includes(joiner.name) || !claim(joiner.name, joiner.id, joiner.given)) continue;
      joiners.push(joiner.name);
      const at = time(j.at);
      // Removing a voter from 3 would leave 2, which a crash stalls: only from a cluster of 4+.
      const collides = (joiner.id & 0xffffn) === ((ids.get(target) as bigint) & 0xffffn);
      if (j.former && collides && count >= 4 && !events.some((e) => e.kind === 'remove-node')) events.push({ at: Math.max(0, at - 1), kind: 'remove-node', node: target });
      events.push({ at, kind: 'add-node', node: joiner.name, ...(j.learner ? { learner: true } : {}) });
      if (!collides) replaceable.push(events[events.length - 1] as Extract<ScenarioEventDoc, { kind: 'add-node' }>);
    }
    const removal = r.removal;
    const first = replaceable[0];
    if (removal !== null && removal.burst && first !== undefined && !events.some((e) => e.kind === 'remove-node')) {
      // A replacement: the joiner stays a learner until the operator promotes
      // it and removes the old member in one go, once it has had time to catch up.
      // The cut must end well before faults-end, whose heal would cut it short: the join moves earlier if need be.
      first.learner = true;
      const latest = Math.max(REPLACE_AFTER_MS, faultsEndMs - removal.cutMs - REPLACE_AFTER_MS);
      const at = Math.min(latest, first.at + REPLACE_AFTER_MS + time(removal.at, 0, REPLACE_AFTER_MS));
      first.at = Math.min(first.at, at - REPLACE_AFTER_MS);
      events.push({ at, kind: 'replace-node', node: node(removal.node), joiner: first.node, ...(removal.cut ? { cutMs: removal.cutMs } : {}) });
    } else if (removal !== null && count >= 4 && !events.some((e) => e.kind === 'remove-node')) {
      events.push({ at: time(removal.at), kind: 'remove-node', node: node(removal.node) });
    }
    const cut = r.confCut;
    if (cut !== null && events.some((e) => e.kind === 'add-node' || e.kind === 'remove-node' || e.kind === 'replace-node')) {
      const withLearners = cut.withLearners && joiners.length > 0 ? { withLearners: true } : {};
      faults.storms ??= {};
      events.push({ at: time(cut.at, 0, faultsEndMs / 2), kind: 'isolate-leader', atConfChange: true, keep: cut.keep % (maxIsolatedFollowers(count) + 1), lastsMs: cut.lastsMs, ...withLearners });
    }
  }
  // Under main the bootstrap RPC refuses DEK id 0 (§2.7): such a cluster would never bootstrap, so it starts under 1.
  const initialDek = mainFsm && r.initialDek === 0 ? 1 : r.initialDek;
  let dek = initialDek;
  if (on('rotation')) {
    faults.rotation = {};
    for (const rot of [...r.rotations].sort((a, b) => a.at - b.at)) {
      if (dek >= U32_MAX) break;
      dek = dek + rot.step <= U32_MAX ? dek + rot.step : dek + 1;
      events.push({ at: time(rot.at), kind: 'rotate-dek', dekId: dek });
    }
  }
  if (mainFsm && r.raftCutover !== null && options.families?.rotation !== false) {
    faults.rotation ??= {};
    const rewind = r.raftCutoverAfterBackup && on('restores');
    const at = time(r.raftCutover, rewind ? r.rewindAfterMs + REWIND_KILLS_MS.at(-1)! : 0);
    if (rewind) {
      events.push({ at, kind: 'rewind-leader', name: 'rewind', afterMs: r.rewindAfterMs, restartAfterMs: REWIND_RESTART_MS });
      // Leaders killed after the rewound node is back, so that it may lead again (and seal) on this side of its restore.
      for (const k of REWIND_KILLS_MS) events.push({ at: at + r.rewindAfterMs + k, kind: 'crash-leader', restartAfterMs: REWIND_RESTART_MS });
      faults.storms ??= {};
    }
    events.push({ at: rewind ? at + RAFT_CUTOVER_AFTER_BACKUP_MS : at, kind: 'enable-raft-envelope' });
  }
  if (mainFsm && r.raftRotation !== null && options.families?.rotation !== false) {
    faults.rotation ??= {};
    events.push({ at: time(r.raftRotation), kind: 'rotate-raft-dek' });
  }
  if (on('entries')) {
    faults.entries = {};
    // In the second half of the fault window: the halts they cause end most of what follows.
    for (const en of r.entries) events.push({ at: faultsEndMs - time(en.at / 2), kind: 'propose', entry: unusualEntry(en) });
  }
  if (on('storage')) {
    const { atlas, ...rates } = r.storage;
    faults.storage = { ...rates, nodes: atlasNodes(members, atlas) };
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
  // A trap that restores a voter bites only if the cut-off leader still leads at the heal: CheckQuorum off.
  // Under main, PreVote and CheckQuorum stay on, as production runs etcd raft.
  const checkQuorum = mainFsm || (r.checkQuorum && !events.some((e) => e.kind === 'figure-8' && e.restoreVoter === true));
  const preVote = mainFsm || r.preVote;
  if (r.maxBatch !== undefined || !preVote || !checkQuorum || r.catchUpEntries > 0) {
    scenario.raft = {
      ...(r.maxBatch !== undefined ? { maxBatch: r.maxBatch } : {}),
      ...(r.catchUpEntries > 0 ? { catchUpEntries: r.catchUpEntries } : {}),
      ...(preVote ? {} : { preVote: false }),
      ...(checkQuorum ? {} : { checkQuorum: false }),
    };
  }
  if (Object.keys(fullIds).length > 0) scenario.cluster.fullIds = fullIds;
  if (initialDek !== 1) scenario.cluster.initialDek = initialDek;
  // Under main a bootstrap writes local_epoch 0 into every sidecar: a disk cannot start near a boundary.
  if (r.epochs.length > 0 && !mainFsm) {
    scenario.cluster.initialEpochs = Object.fromEntries(r.epochs.map((e) => [node(e.node), e.boundary - 1 - e.below]));
  }
  // Every field explicit: a saved scenario replays the same whatever the defaults become.
  scenario.policy = resolvePolicy(policy);
  return scenario;
}

/** The joiner of a join template: its raft id, its full id, and whether that id is given (not derived from the name). */
function joinerFor(j: Raw['joins'][number], target: string, targetId: bigint, targetGiven: boolean): { name: string; id: bigint; given: boolean } {
  // Real raft ids are only related to the target's derived id.
  const real =
    targetGiven || j.kind === 'plain' || j.kind === 'flip'
      ? undefined
      : j.kind === 'collide16'
        ? COLLIDING_RAFT_IDS.filter((c) => c.collidesWith === target)[j.pick % 2]?.raftId
        : NEAR_RAFT_IDS.filter((c) => c.nearTo === target)[j.pick]?.raftId;
  if (real !== undefined) return { name: real, id: deriveNodeId(real), given: false };
  if (j.kind === 'plain') return { name: PLAIN_JOINER, id: deriveNodeId(PLAIN_JOINER), given: false };
  const bit = j.kind === 'flip' ? j.bit : 16 + (j.bit % 48);
  return { name: `${target}-bit${bit}`, id: targetId ^ (1n << BigInt(bit)), given: true };
}

/** The hex of an unusual entry: what each class must make the applier do is spec §2's (the model's) business. */
function unusualEntry(en: Raw['entries'][number]): string {
  const hex = (bytes: Iterable<number>): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  const body = (n: number): string => hex(en.body.subarray(0, n));
  switch (en.cls) {
    case 'reg-length':
      // Every payload length; at 15 the version byte is never 0x01 (that is 'reg-version').
      return en.length === 15 ? `03${hex([en.version === 1 ? 0 : en.version])}${body(14)}` : `03${body(en.length)}`;
    case 'reg-version':
      return `03${hex([en.version])}${body(14)}`;
    case 'bootstrap':
      return `04${body(en.length)}`;
    case 'rotation':
      return `05${body(en.length)}`;
    case 'reserved':
      return `${en.version % 2 === 0 ? '06' : '07'}${body(en.length)}`;
    case 'lease':
      return `02${body(en.length)}`;
    case 'other':
      return `${hex([en.opcode])}${body(en.length)}`;
    case 'empty':
      return '';
  }
}

/**
 * The fault atlas: the members whose disks may fail, picked by the bits of
 * `mask` and cut to a minority, so that a quorum always has working disks.
 */
function atlasNodes(members: readonly string[], mask: number): string[] {
  const picked = members.filter((_, i) => ((mask >> i) & 1) === 1);
  if (picked.length === 0) picked.push(members[mask % members.length] as string);
  return picked.slice(0, (members.length - 1) >> 1);
}
