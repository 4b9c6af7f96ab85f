// Crash points of the process fault domain: a trigger armed by a scenario
// event makes a node crash right after it next reaches a point in its work
// (granting a vote, acknowledging log entries, persisting a received
// snapshot or handing it to the state machine,
// winning an election, committing as leader) or right before its next fsync
// of Raft's WAL, or its next one that overwrites synced log entries (its
// unsynced records then kept, lost or torn), the moments
// a lost or unpersisted write, or a leader's unfinished term, matters. Armed triggers expire at
// faults-end: no fault may happen in the quiet period liveness is judged on.
import type { CrashCauseName } from '../../trace/types.ts';

/** The trigger a crash fired from (absent: a scheduled crash). */
export type CrashCause = CrashCauseName;

export type CrashPoint =
  | 'crash-after-vote'
  | 'crash-after-ack'
  | 'crash-after-install'
  | 'crash-after-snapshot-persist'
  | 'crash-after-elect'
  | 'crash-after-commit'
  | 'crash-before-sync'
  | 'crash-before-truncation-sync';

const CAUSE: Readonly<Record<CrashPoint, CrashCause>> = {
  'crash-after-vote': 'after-vote',
  'crash-after-ack': 'after-ack',
  'crash-after-install': 'after-install',
  'crash-after-snapshot-persist': 'after-snapshot-persist',
  'crash-after-elect': 'after-elect',
  'crash-after-commit': 'after-commit',
  'crash-before-sync': 'before-sync',
  'crash-before-truncation-sync': 'before-sync',
};

/** An armed trigger: the restart delay (undefined: stays down), and what else happens once the node is down. */
interface Trigger {
  restartAfterMs: number | undefined;
  then: (() => void) | undefined;
}

export class CrashPoints {
  /** Armed triggers per node and point, oldest first. */
  private readonly armed = new Map<string, Trigger[]>();

  arm(node: string, point: CrashPoint, restartAfterMs: number | undefined, then?: () => void): void {
    const key = `${node}|${point}`;
    const trigger = { restartAfterMs, then };
    const list = this.armed.get(key);
    if (list === undefined) this.armed.set(key, [trigger]);
    else list.push(trigger);
  }

  /** The oldest trigger armed for `node` at `point`, removed (undefined: none armed). */
  take(node: string, point: CrashPoint): (Trigger & { cause: CrashCause }) | undefined {
    // Called on every vote, acknowledgement and leader commit: nothing armed is the common case.
    if (this.armed.size === 0) return undefined;
    const key = `${node}|${point}`;
    const list = this.armed.get(key);
    if (list === undefined) return undefined;
    const trigger = list.shift() as Trigger;
    if (list.length === 0) this.armed.delete(key);
    return { cause: CAUSE[point], ...trigger };
  }

  disarmAll(): void {
    this.armed.clear();
  }
}
