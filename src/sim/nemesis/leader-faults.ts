// Faults aimed at whichever node leads at the moment (a nemesis, in Jepsen's
// words): kill it, cut it off with a minority, or cut it off with the crash
// points of Raft's figure 8 armed. They are composed from the other fault
// domains (a partition of network/, crash points of process/, a backup and
// restore of operator/), so they live here rather than in any one of them;
// the simulator only hands the scenario event over.
import type { ScenarioEvent } from '../config.ts';
import type { Network } from '../network/network.ts';
import { applyNetworkEvent, maxIsolatedFollowers } from '../network/partitions.ts';
import type { DiskOperator } from '../operator/disk-restore.ts';
import type { CrashPoints } from '../process/crash-points.ts';
import type { SimNode } from '../process/node.ts';
import { isLearner } from '../raft/conf.ts';
import type { TraceRecorder } from '../trace.ts';

/** figure-8's restored voter comes back this soon, before the heal. */
const RESTORED_VOTER_RESTART_MS = 10;
/** isolate-leader's crashAtHeal: the old leader comes back this soon after its crash. */
const HEAL_CRASH_RESTART_MS = 30;

export type LeaderFaultEvent = Extract<ScenarioEvent, { kind: 'crash-leader' | 'isolate-leader' | 'figure-8' }>;

/** What of the simulator a leader fault uses. */
export interface LeaderFaultEnv {
  readonly now: number;
  /** The cluster's node names, in order (the ring a cut takes followers from). */
  readonly names: readonly string[];
  readonly network: Network;
  readonly trace: TraceRecorder;
  readonly crashPoints: CrashPoints;
  readonly operator: DiskOperator;
  /** No fault may start at or after this time (the quiet period liveness is judged on). */
  readonly faultsEnd: number;
  leader(): SimNode | undefined;
  node(name: string): SimNode;
  after(ms: number, fn: () => void): void;
  restartLater(name: string, restartAfterMs: number | undefined): void;
}

/** Carries out a leader fault now; nothing happens if no node leads. */
export function injectLeaderFault(env: LeaderFaultEnv, ev: LeaderFaultEvent): void {
  const leader = env.leader();
  if (leader === undefined) return;
  if (ev.kind === 'crash-leader') {
    leader.crash('leader-kill');
    env.restartLater(leader.name, ev.restartAfterMs);
    return;
  }
  const names = env.names;
  const at = names.indexOf(leader.name);
  const ring = Array.from({ length: names.length - 1 }, (_, j) => names[(at + 1 + j) % names.length] as string);
  const keep = ev.keep ?? maxIsolatedFollowers(names.length);
  const cut = [leader.name, ...ring.slice(0, keep)];
  if (ev.kind === 'isolate-leader' && ev.withLearners === true) {
    const conf = leader.raft?.latestConf();
    for (const n of ring.slice(keep)) if (conf !== undefined && isLearner(conf, env.node(n).idx)) cut.push(n);
  }
  const trap = ev.kind === 'figure-8';
  applyNetworkEvent({ kind: 'partition', groups: [cut], leader: leader.name, trap }, env.network, names, env.trace, env.now);
  if (ev.lastsMs !== undefined) {
    env.after(ev.lastsMs, () => {
      if (env.network.isPartitioned()) applyNetworkEvent({ kind: 'heal' }, env.network, names, env.trace, env.now);
      if (ev.kind === 'isolate-leader' && ev.crashAtHeal === true && env.now < env.faultsEnd) {
        env.crashPoints.arm(leader.name, 'crash-before-truncation-sync', HEAL_CRASH_RESTART_MS);
      }
    });
  }
  if (ev.kind !== 'figure-8') return;
  // The rest of figure 8: the majority's next leader dies before its entry
  // leaves it, and once healed, the cut-off side's next leader dies right
  // after its first commit, before its own term's entries spread.
  const majority = ring.slice(keep);
  const restoreVoter = ev.restoreVoter === true ? restoreVoterAfter(env, majority) : undefined;
  for (const n of majority) env.crashPoints.arm(n, 'crash-after-elect', ev.restartAfterMs, restoreVoter?.(n));
  for (const n of cut) env.crashPoints.arm(n, 'crash-after-commit', ev.restartAfterMs);
}

/**
 * isolate-leader's `atConfChange`: cuts armed until a leader appends a
 * membership change (the simulator calls `fire` right after the append,
 * before its messages arrive), disarmed at faults-end as crash points are.
 */
export class ConfChangeCuts {
  private readonly armed: LeaderFaultEvent[] = [];

  arm(ev: LeaderFaultEvent): void {
    this.armed.push(ev);
  }

  /** The oldest armed cut, carried out now on the leader that just appended a membership change. */
  fire(env: LeaderFaultEnv): void {
    const ev = this.armed.shift();
    if (ev !== undefined) injectLeaderFault(env, ev);
  }

  disarmAll(): void {
    this.armed.length = 0;
  }
}

/**
 * figure-8's `restoreVoter`: every node of the majority side is backed up
 * now; when one of them wins and dies, the next one in the ring (one that
 * voted for it) gets its disk back from that backup, by the safe procedure
 * (Raft state discarded), and restarts at once, while the old leader is
 * still cut off. After the heal that leader replicates to it: a restored
 * node must still refuse a leader of a term it had left behind.
 */
function restoreVoterAfter(env: LeaderFaultEnv, majority: readonly string[]): (winner: string) => () => void {
  const at = env.now;
  const backup = (n: string): string => `figure-8@${at}:${n}`;
  for (const n of majority) env.operator.backup(env.node(n), backup(n));
  return (winner) => () => {
    const voter = majority[(majority.indexOf(winner) + 1) % majority.length] as string;
    if (voter === winner) return;
    env.operator.restore(env.node(voter), backup(voter), false, true);
    env.restartLater(voter, RESTORED_VOTER_RESTART_MS);
  };
}
