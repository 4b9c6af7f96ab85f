// The operator's membership changes (the operator fault domain): adding a
// node as a learner, promoting it to voter once it has caught up, removing a
// node. Each goes to the leader as a configuration entry (raft/conf.ts) and
// is retried, through leader changes and lost proposals, until the
// configuration the leader has committed shows it. Requests are issued in
// order as an operator's script would issue them (a promotion waits for its
// learner, and what follows it goes first); Raft refuses a change while an
// earlier one is uncommitted, so correct Raft takes them one at a time.
// A removed node's process runs on until it applies its own removal; one
// that never learns of it (its leader stopped replicating to it) is stopped
// by the operator a grace period after the removal committed.
import { isMember, isVoter } from '../raft/conf.ts';
import type { Conf, ConfChange, ConfOp } from '../raft/conf.ts';
import type { SimNode } from '../process/node.ts';
import type { TraceRecorder } from '../trace.ts';

/** How often the operator looks again at a change still under way. */
export const MEMBERSHIP_RETRY_MS = 25;
/** How long a removed process may run on after its removal committed. */
export const REMOVED_GRACE_MS = 300;

export interface MembershipEnv {
  readonly trace: TraceRecorder;
  readonly now: number;
  /** The node that leads the highest term among running leaders, if any. */
  leader(): SimNode | undefined;
  after(ms: number, fn: () => void): void;
}

interface Request {
  readonly change: ConfChange;
  readonly node: SimNode;
}

export class MembershipOperator {
  private readonly requests: Request[] = [];
  private polling = false;

  constructor(private readonly env: MembershipEnv) {}

  /** The operator asks for `op` on `node`. */
  request(op: ConfOp, node: SimNode): void {
    this.requests.push({ change: { op, node: node.idx }, node });
    this.poll();
  }

  private poll(): void {
    const leader = this.env.leader();
    const raft = leader?.raft;
    if (leader !== undefined && raft !== null && raft !== undefined) {
      const committed = raft.committedConf();
      while (this.requests.length > 0 && done(committed, (this.requests[0] as Request).change)) {
        this.finished(this.requests.shift() as Request);
      }
      // Propose what the leader's log does not show yet, in order, until it refuses one.
      for (const r of this.requests) {
        if (done(raft.latestConf(), r.change)) continue;
        if (r.change.op === 'promote' && !caughtUp(leader, r.node)) continue; // not ready yet: what follows may go first
        if (leader.proposeConf(r.change) === null) break;
      }
    }
    if (this.requests.length === 0 || this.polling) return;
    this.polling = true;
    this.env.after(MEMBERSHIP_RETRY_MS, () => {
      this.polling = false;
      this.poll();
    });
  }

  private finished(r: Request): void {
    if (r.change.op !== 'remove') return;
    const node = r.node;
    const incarnation = node.incarnation;
    this.env.after(REMOVED_GRACE_MS, () => {
      if (!node.up || node.incarnation !== incarnation) return;
      node.stop();
      this.env.trace.record({ kind: 'member-exit', node: node.name, t: this.env.now, why: 'operator' });
    });
  }
}

/** Whether configuration `conf` already shows `change`. */
function done(conf: Conf, change: ConfChange): boolean {
  switch (change.op) {
    case 'add-learner':
      return isMember(conf, change.node);
    case 'promote':
      return isVoter(conf, change.node);
    case 'remove':
      return !isMember(conf, change.node);
  }
}

/** A learner is promoted once the leader knows it holds everything committed (etcd's learner-ready check). */
export function caughtUp(leader: SimNode, learner: SimNode): boolean {
  const raft = leader.raft;
  return raft !== null && learner.up && raft.matchOf(learner.idx) >= raft.commit;
}
