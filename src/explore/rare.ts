// The rare events an exploration summary counts: the situations the
// invariants are about. A run that never reaches them proves little, so the
// summary says how often each happened (in total, and in how many runs).
import type { TraceStats } from '../model/trace-stats.ts';

const sum = (rec: Record<string, number>): number => Object.values(rec).reduce((a, b) => a + b, 0);

export const RARE_EVENTS: readonly { label: string; count: (s: TraceStats) => number }[] = [
  { label: 'crashes', count: (s) => s.crashes },
  { label: 'registration replays after a crash', count: (s) => s.registrationReplaysAfterCrash },
  { label: 'duplicate registration commits', count: (s) => s.duplicateRegistrationCommits },
  { label: 'collisions committed', count: (s) => s.collisionAttemptsCommitted },
  { label: 'rollbacks committed', count: (s) => s.rollbackAttemptsCommitted },
  { label: 'snapshot installs with registry rows', count: (s) => s.snapshotInstallsWithRegistryRows },
  { label: 'restores of a stale disk', count: (s) => s.staleDiskRestores },
  { label: 'start-up guard refusals', count: (s) => sum(s.guardRefusalsByGuard) },
  { label: 'halts', count: (s) => sum(s.haltsByReason) },
];

/** One run's counts, in RARE_EVENTS order (compact enough to post from a worker per run). */
export function rareCounts(stats: TraceStats): number[] {
  return RARE_EVENTS.map((r) => r.count(stats));
}

export interface RareTally {
  label: string;
  /** Occurrences over all runs. */
  count: number;
  /** Runs where it happened at least once. */
  runs: number;
}

export function tallyRare(perRun: readonly (readonly number[])[]): RareTally[] {
  return RARE_EVENTS.map(({ label }, k) => ({
    label,
    count: perRun.reduce((a, counts) => a + (counts[k] ?? 0), 0),
    runs: perRun.filter((counts) => (counts[k] ?? 0) > 0).length,
  }));
}
