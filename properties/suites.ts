// The cluster property suites, one per invariant family (spec §7). They differ
// in the scenarios they generate (which fault families are forced on, so the
// family's rare events become common) and in their vacuity floors, not in what
// they check: every suite judges every run with the whole oracle, because a
// violation of any invariant in any scenario is a bug, and runScenario
// evaluates the whole oracle anyway. The exception is the suites that switch a
// §9.1 start-up guard off to drive the applier into its halt paths (a
// committed rollback or collision never happens with the guards on). They do
// not judge no-nonce-reuse, which spec §7.0 says a missing guard gives up, nor
// liveness: such a registration halts every replica that reaches it, by design,
// which can leave no quorum for a node that restarts (or rejoins) to catch up with.
//
// Run counts are at REGSIM_RUNS=1 (2,100 scenarios in all). Floors are the
// least share of runs in which each rare event must happen, at about half the
// lowest rate measured over 11 seeds of 350 runs (each floor's comment).
import type { SuiteSpec } from './support.ts';

const file = (name: string): string => `properties/${name}.properties.test.ts`;
const GUARD_OFF = ['no-nonce-reuse', 'liveness'] as const;

export const SUITES = {
  // §7.0: reuse needs a writer that goes back (a stale restore), a colliding
  // joiner, or a crash inside the replay window.
  nonce: {
    name: 'nonce',
    file: file('nonce'),
    family: ['no-nonce-reuse'],
    runs: 350,
    arbitrary: { families: { restores: true, crashes: true, membership: true } },
    // measured minima: stale restore 25%, replay 42%, duplicate 19%
    floors: { staleRestore: 0.12, replay: 0.2, duplicate: 0.08 },
  },
  // §7.1: crashes re-apply registrations, snapshots install registry rows.
  replay: {
    name: 'replay',
    file: file('replay'),
    family: ['replay-idempotence'],
    runs: 350,
    arbitrary: { families: { crashes: true, snapshots: true } },
    // measured minima: replay 26%, snapshot install with rows 82%
    floors: { replay: 0.12, snapshotRows: 0.4 },
  },
  // §7.2: with the rollback guard off, a node restored from a stale backup
  // registers an epoch below last_seen, and every replica must halt on it.
  rollback: {
    name: 'rollback',
    file: file('rollback'),
    family: ['no-silent-rollback'],
    runs: 350,
    arbitrary: { families: { restores: true, crashes: true }, policy: { guards: { rollback: false } } },
    notJudged: GUARD_OFF,
    // measured minima: rollback 16%, stale restore 24%
    floors: { rollback: 0.08, staleRestore: 0.12 },
  },
  // §7.3: with the collision guard off, joiners whose low 16 bits collide
  // with a current or former member get their registration committed.
  collision: {
    name: 'collision',
    file: file('collision'),
    family: ['collisions-halt'],
    runs: 350,
    arbitrary: { families: { membership: true }, policy: { guards: { collision: false } } },
    notJudged: GUARD_OFF,
    // measured minimum: collision 33%
    floors: { collision: 0.15 },
  },
  // §7.4 + §7.5: replicas must agree on rows and on halts, and a halt must
  // hold across restarts: both guards off so halts are common, with crashes,
  // snapshots (installs replace halted state) and restores.
  agreement: {
    name: 'agreement',
    file: file('agreement'),
    family: ['replica-agreement', 'fail-closed-halts'],
    runs: 350,
    arbitrary: {
      families: { crashes: true, snapshots: true, restores: true, membership: true },
      policy: { guards: { rollback: false, collision: false } },
    },
    notJudged: GUARD_OFF,
    // measured minima: collision 30%, rollback 18%, snapshot install with rows 81%, replay 18%
    floors: { collision: 0.12, rollback: 0.08, snapshotRows: 0.4, replay: 0.08 },
  },
  // §7.6 + liveness: a lossy, partitioned network with short time-outs (leader
  // changes, retried proposals that commit twice), and election storms (leaders
  // killed, voters crashing right after they vote: a vote must survive a restart).
  raft: {
    name: 'raft',
    file: file('raft'),
    family: ['raft-safety', 'liveness'],
    runs: 350,
    arbitrary: { families: { network: true, partitions: true, timeouts: true, storms: true } },
    // measured minima: duplicate 33%, snapshot install with rows 65%
    floors: { duplicate: 0.15, snapshotRows: 0.3 },
  },
} as const satisfies Record<string, SuiteSpec>;

export type SuiteName = keyof typeof SUITES;

/** The suites in the order the kill table tries them. */
export const SUITE_ORDER: readonly SuiteName[] = ['nonce', 'replay', 'rollback', 'collision', 'agreement', 'raft'];
