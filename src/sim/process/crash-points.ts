// Crash points of the process fault domain: a trigger armed by a scenario
// event makes a node crash right after it next reaches a point in its work
// (granting a vote, acknowledging log entries, taking an installed snapshot,
// winning an election, committing as leader), the moments a lost or
// unpersisted write, or a leader's unfinished term, matters. Armed triggers expire at
// faults-end: no fault may happen in the quiet period liveness is judged on.
/** The trigger a crash fired from (absent: a scheduled crash). */
export type CrashCause = 'after-vote' | 'after-ack' | 'after-install' | 'after-apply' | 'after-elect' | 'after-commit' | 'leader-kill';

export type CrashPoint = 'crash-after-vote' | 'crash-after-ack' | 'crash-after-install' | 'crash-after-elect' | 'crash-after-commit';

const CAUSE: Readonly<Record<CrashPoint, CrashCause>> = {
  'crash-after-vote': 'after-vote',
  'crash-after-ack': 'after-ack',
  'crash-after-install': 'after-install',
  'crash-after-elect': 'after-elect',
  'crash-after-commit': 'after-commit',
};

export class CrashPoints {
  /** Armed triggers per node and point, oldest first: each one's restart delay (undefined: stays down). */
  private readonly armed = new Map<string, (number | undefined)[]>();

  arm(node: string, point: CrashPoint, restartAfterMs: number | undefined): void {
    const key = `${node}|${point}`;
    const list = this.armed.get(key);
    if (list === undefined) this.armed.set(key, [restartAfterMs]);
    else list.push(restartAfterMs);
  }

  /** The oldest trigger armed for `node` at `point`, removed (undefined: none armed). */
  take(node: string, point: CrashPoint): { cause: CrashCause; restartAfterMs: number | undefined } | undefined {
    // Called on every vote, acknowledgement and leader commit: nothing armed is the common case.
    if (this.armed.size === 0) return undefined;
    const key = `${node}|${point}`;
    const list = this.armed.get(key);
    if (list === undefined) return undefined;
    const restartAfterMs = list.shift();
    if (list.length === 0) this.armed.delete(key);
    return { cause: CAUSE[point], restartAfterMs };
  }

  disarmAll(): void {
    this.armed.clear();
  }
}
