// The cluster property suites, one per invariant family (spec §7), plus one
// for the corners of the input domain. They differ in the scenarios they
// generate (which fault families are forced on, which start-up guards are
// off, so the family's decision paths become common) and in their vacuity
// floors, not in what they check: every suite judges every run with the whole
// oracle, because a violation of any invariant in any scenario is a bug. The
// suites that switch a §9.1 guard off (to drive the applier into its halt
// paths: with the guards on a rollback or collision never commits) expect
// only what spec §7.0 says follows, nonce reuse by a node restored from a
// stale backup, and runScenario leaves exactly that out of the verdict
// (src/scenario/given-up.ts).
//
// Run counts are at REGSIM_RUNS=1. Floors are, per decision path
// (src/model/paths.ts), the least share of runs that must reach it, at about
// half the lowest rate measured over 2 seeds of 350 runs (each floor's comment);
// at 720 runs a suite (360 a part) the tightest part is 1.25x its floor.
import type { SuiteSpec } from './support.ts';

const file = (name: string): string => `properties/${name}.properties.test.ts`;

export const SUITES = {
  // §7.0: reuse needs a writer that goes back (a stale restore), a colliding
  // joiner, or a crash inside the replay window.
  nonce: {
    name: 'nonce',
    file: file('nonce'),
    family: ['no-nonce-reuse'],
    runs: 720,
    arbitrary: { families: { restores: true, crashes: true, membership: true } },
    // measured minima (2 seeds): stale restore 23%, replay 50%, duplicate 28%, re-bump 48%, nonces 98%, rollback guard 24%
    floors: { 'restore:stale': 0.11, replay: 0.25, 'committed:duplicate': 0.14, 'epoch:rebump': 0.23, nonce: 0.5, 'guard:rollback': 0.11 },
  },
  // §7.1: crashes re-apply registrations, snapshots install registry rows.
  replay: {
    name: 'replay',
    file: file('replay'),
    family: ['replay-idempotence'],
    runs: 720,
    arbitrary: { families: { crashes: true, snapshots: true } },
    // measured minima: replay 17%, replay no-op 16%, skipped 29%, install with rows 81%, crash after apply 14%,
    // crash before an fsync 36%, unsynced entries lost 14%, torn record 17%, lost writes 35%
    floors: {
      replay: 0.08,
      'replay:noop': 0.08,
      skipped: 0.14,
      'install:rows': 0.4,
      'crash:after-apply': 0.07,
      'crash:before-sync': 0.18,
      'wal:entries-lost': 0.065,
      'torn-write': 0.085,
      'lost-writes': 0.17,
    },
  },
  // §7.2: with the rollback guard off, a node restored from a stale backup
  // registers an epoch below last_seen, and every replica must halt on it;
  // with the exhaustion guard off too, an epoch wraps past 0xFFFF.
  rollback: {
    name: 'rollback',
    file: file('rollback'),
    family: ['no-silent-rollback'],
    runs: 720,
    arbitrary: { families: { restores: true, crashes: true }, policy: { guards: { rollback: false, exhaustion: false } } },
    // measured minima: rollback committed 15%, halted 15%, stale restore 22%, epoch 0xFFFF 8%
    floors: { 'committed:rollback': 0.07, 'halt:rollback': 0.07, 'restore:stale': 0.11, 'epoch:0xffff': 0.04 },
  },
  // §7.3: with the collision guard off, joiners whose low 16 bits collide
  // with a current or former member get their registration committed.
  collision: {
    name: 'collision',
    file: file('collision'),
    family: ['collisions-halt'],
    runs: 720,
    arbitrary: { families: { membership: true }, policy: { guards: { collision: false } } },
    // measured minima: collision committed 44%, halted 44%, low 32 bits equal 20%, one bit apart 19%
    floors: { 'committed:collision': 0.21, 'halt:collision': 0.21, 'ids:low32-equal': 0.1, 'ids:one-bit': 0.09 },
  },
  // §7.4 + §7.5: replicas must agree on rows and on halts, and a halt must
  // hold across restarts: both guards off so halts are common, with crashes,
  // snapshots (installs replace halted state), restores and store faults.
  agreement: {
    name: 'agreement',
    file: file('agreement'),
    family: ['replica-agreement', 'fail-closed-halts'],
    runs: 720,
    arbitrary: {
      families: { crashes: true, snapshots: true, restores: true, membership: true, storage: true },
      policy: { guards: { rollback: false, collision: false } },
    },
    // measured minima: collision 41%, rollback 13%, install with rows 77%, replay 27%, store fault 30%, corrupt row 9%,
    // failed fsync 13% (store faults on the atlas's minority of disks only)
    floors: {
      'committed:collision': 0.2,
      'committed:rollback': 0.06,
      'install:rows': 0.38,
      replay: 0.13,
      'halt:store-fault': 0.15,
      'halt:corrupt-row': 0.045,
      'fsync-error': 0.06,
    },
  },
  // §7.6 + liveness: a lossy, partitioned network with short time-outs (leader
  // changes, retried proposals that commit twice), and election storms (leaders
  // killed, voters crashing right after they vote: a vote must survive a restart).
  raft: {
    name: 'raft',
    file: file('raft'),
    family: ['raft-safety', 'liveness'],
    runs: 720,
    arbitrary: { families: { network: true, partitions: true, timeouts: true, storms: true } },
    // measured minima: duplicate 46%, install with rows 61%, truncation 13%, leader change 89%, crash after vote 90%, leader kill 79%, probe 86%
    floors: { 'committed:duplicate': 0.23, 'install:rows': 0.3, truncation: 0.06, 'leader-change': 0.44, 'crash:after-vote': 0.45, 'crash:leader': 0.39, probe: 0.43 },
  },
  // The input domain: unusual committed entries (every version byte, payload
  // length and reserved opcode), ids one bit or 32 bits apart, DEK ids above
  // 16 bits and near 2^32, epochs across integer boundaries; the collision
  // guard off so near ids get their registration committed.
  domain: {
    name: 'domain',
    file: file('domain'),
    family: ['replay-idempotence', 'collisions-halt', 'replica-agreement'],
    runs: 720,
    arbitrary: { families: { entries: true, membership: true, rotation: true, crashes: true }, policy: { guards: { collision: false } } },
    // measured minima: malformed 5.7%, unknown version 9%, no KEK 16%, reserved opcode 7%, low 32 equal 17%, wide DEK 37%, epoch 0x8000 6.3% (boundary members restart)
    floors: {
      'halt:malformed': 0.028,
      'halt:unknown-version': 0.04,
      'halt:kek-not-configured': 0.08,
      'halt:unknown-opcode': 0.035,
      'ids:low32-equal': 0.08,
      'dek:above-16-bits': 0.18,
      'epoch:0x8000': 0.03,
    },
  },
} as const satisfies Record<string, SuiteSpec>;

export type SuiteName = keyof typeof SUITES;

/** The suites in the order the kill table tries them. */
export const SUITE_ORDER: readonly SuiteName[] = ['nonce', 'replay', 'rollback', 'collision', 'agreement', 'raft', 'domain'];
