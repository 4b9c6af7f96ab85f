// The design's policy knobs: which start-up guards run and what they read,
// when a node may issue nonces relative to its own registration, and the
// engine's replay design (carried to SimConfig.engine by compileScenario; the
// lifecycle itself only reads it through the simulator). The defaults are the
// spec's (§4, §5, §9.1), read so that its guarantees can hold; each field says
// why its default is what it is.
//
// Presets (one place; the CLI offers them as --config, scenarioArbitrary as
// its `config` option):
//  - 'spec': the spec read literally (DEFAULT_POLICY). The correct applier
//    violates invariants under it: the three design findings in
//    fixtures/findings reproduce.
//  - 'hardened': 'spec' plus the four fixes the findings propose:
//    guards.collisionScope 'registry' (former-member-collision),
//    nonces.applies 'after-registration-committed' (unregistered-epoch-reuse)
//    with nonces.heldBehindHalt 'halt' (held-behind-halt),
//    engine.registryReplay 'skip-applied' (replay-window-rollback). Under it
//    the correct applier shows no violation, so one that shows up is a bug.
import type { EngineOptions } from '../config.ts';

export interface GuardPolicy {
  /** §9.1 rollback: refuse if the sidecar epoch has gone back behind the registry's last_seen. */
  rollback: boolean;
  /** §9.1 exhaustion: refuse if the sidecar epoch is already 0xFFFF (only rotation recovers). */
  exhaustion: boolean;
  /** §9.1 collision: refuse if the node's low 16 bits collide with another full id. */
  collision: boolean;
  /**
   * Which epoch the rollback guard compares with last_seen, refusing on `<=`:
   * the freshly bumped one (a stale sidecar re-bumps to an epoch the registry
   * already holds), or the sidecar's value before the bump (the spec's words
   * read literally: every restart of a registered node refuses).
   */
  compare: 'after-bump' | 'before-bump';
  /**
   * Which registry the guards read: the node's own disk (restored together
   * with a stale sidecar, so it cannot see what it went back on), or the
   * registry caught up to the cluster's commit index (the apply loop waits,
   * Raft runs, until a ReadIndex-style read confirms the node has every
   * committed entry; the registrations in its log are then folded in).
   */
  registry: 'caught-up' | 'local';
  /** Collide with: the other current members (spec §5's words) or any full id in the registry (former members too). */
  collisionScope: 'members' | 'registry';
}

export interface NoncePolicy {
  /**
   * When a node proposes client writes it serves: once its registration for
   * the current (DEK, epoch) is in its local registry (production), or at once.
   */
  ownWrites: 'after-registration' | 'immediately';
  /**
   * When a node encrypts the KV entries it applies: once its guards passed
   * (production: the apply loop cannot wait for a registration that sits
   * later in the same log), or only once its registration is committed (the
   * apply loop waits, reading the committed log as the guards do; at process
   * start and again after a DEK rotation switches it to a new (DEK, epoch)).
   */
  applies: 'after-guards' | 'after-registration-committed';
  /**
   * Under applies 'after-registration-committed' only: what a node whose
   * apply loop waits for its registration does when its caught-up view of the
   * committed log reaches, before that registration, an entry on which the
   * loop will halt (a committed collision or rollback). 'wait' (the wait read
   * literally): keep waiting for a registration it can never reach, neither
   * halted nor caught up, forever. 'halt': stop waiting and fail closed on
   * that entry: if the entries before it hold no KV write (nothing to encrypt)
   * the apply loop runs and halts there as on any replica; otherwise the node
   * halts at once with that entry's halt, without applying (and so encrypting
   * under the unregistered epoch) the entries before it
   * (fixtures/findings/held-behind-halt).
   */
  heldBehindHalt: 'wait' | 'halt';
}

export interface MembershipPolicy {
  /**
   * What the leader does before adding a node (add-node): nothing (the spec:
   * the joiner registers itself at its first start), or production main's
   * admission check (addendum §6.1, admission.ts): refuse if its local row in
   * the new node's slot belongs to another full id, else pre-register the new
   * node at epoch 0 and add it once that registration has applied.
   */
  admission: 'none' | 'leader-check';
}

/** The engine's design options (SimConfig.engine; see EngineOptions in src/sim/config.ts). */
export type EnginePolicy = EngineOptions;

export interface LifecyclePolicy {
  guards: GuardPolicy;
  nonces: NoncePolicy;
  /** Engine design (spec §4 literally: re-apply on replay). */
  engine: EnginePolicy;
  /** Absent: admission 'none' (so the spec and hardened presets, and the scenarios saved under them, carry no such field). */
  membership?: MembershipPolicy;
  /**
   * Which FSM the nodes apply through: Stage 6A's (absent or 'stage6a'), or
   * production main's ('main': real bootstrap bodies, the sidecar as a file on
   * each node's disk, a bootstrap entry proposed at cluster start; see the
   * `production` preset). Absent in the spec and hardened presets.
   */
  fsm?: 'stage6a' | 'main';
  /** Attempts per Register proposal before the node proposes it afresh (Stage 6A's client; main's loop makes one, then backs off). */
  registerMaxAttempts: number;
}

const SPEC_POLICY: LifecyclePolicy = {
  guards: {
    rollback: true,
    exhaustion: true,
    collision: true,
    compare: 'after-bump',
    registry: 'caught-up',
    collisionScope: 'members',
  },
  nonces: { ownWrites: 'after-registration', applies: 'after-guards', heldBehindHalt: 'wait' },
  engine: { registryReplay: 'reapply' },
  registerMaxAttempts: 3,
};

const HARDENED_POLICY: LifecyclePolicy = {
  ...SPEC_POLICY,
  guards: { ...SPEC_POLICY.guards, collisionScope: 'registry' },
  nonces: { ...SPEC_POLICY.nonces, applies: 'after-registration-committed', heldBehindHalt: 'halt' },
  engine: { registryReplay: 'skip-applied' },
};

/**
 * Production main (d9a031d0) as it runs today, as far as regsim models it
 * (../shared/spec/production-main.md; [code] unless marked). Choices:
 *  - fsm 'main': main's applier, the sidecar a durable file on each node's
 *    disk, the fake KEK of the vectors; a bootstrap entry (0x04) at cluster
 *    start by the bootstrap cohort (§5.1, bootstrap.ts in this directory).
 *  - engine: registries re-applied on replay (main has no skip rule for
 *    rows), main's cold start from the durable applied index (§3.2).
 *  - guards: guard 8 sees the members of the node's persisted peers only
 *    (collisionScope 'members'; main-start.ts persistedPeers);
 *    guards 9 and 12 read the node's own store, never the cluster's
 *    (registry 'local'; §4 "after replay" is the node's own WAL [inferred]).
 *    main's own guard sequence runs in its order (main-start.ts: rows 6, 8
 *    and 9, the bump, the local replay, rows 12 and 13), so `compare` and
 *    the Stage 6A guard functions do not apply to it. [inferred] Row 12 also
 *    checks a node whose replay applied a bootstrap it had not applied
 *    before (its sidecar is then at the batch's epoch 0, and it refuses).
 *  - nonces: FSM apply is not gated on the node's own registration (§5.9,
 *    applies 'after-guards'); coordinator writes are (ownWrites).
 *  - membership: the leader's admission check and pre-registration (§6.1).
 *  - Raft: PreVote and CheckQuorum on (etcd raft as production runs it);
 *    generated runs never switch them off under this preset.
 *  - the admission check pre-registers under the storage DEK, then the
 *    raft DEK the bootstrap installed (§6.1 steps 3 and 4), on the leader
 *    process that took the RPC (an add it outlives no longer is aborted).
 *  - the operator calls the storage cutover (0x05/0x04) within 600 ms of
 *    the bootstrap's first apply (a per-run draw, lifecycle.ts askCutover):
 *    the addendum names no delay. Until a node applies it, it is in Phase 0
 *    (cleartext writes, nothing proposed at start, own writes not gated).
 *  - rotate-dek (0x05/0x01, storage) is proposed by the leader as the
 *    rotate-on-startup flag does (§5.4, lifecycle.ts proposeMainRotation);
 *    the runtime watcher registers the other nodes one tick (1 s) after they
 *    applied it, if the DEK is still active then (§5.3).
 *  - a joiner's sidecar is a copy of a bootstrapped member's with every
 *    local_epoch 0 (the addendum does not say how a new member gets one).
 *  - the raft cutover (0x05/0x05) is the operator's `enable-raft-envelope`
 *    event, through the leader at its pinned raft epoch. A sealing leader's
 *    raft nonce counts its own write_count from 1 (the addendum names one
 *    nonce factory per process for storage, none for raft [inferred]); a
 *    process that started before the cutover pins raft epoch 0
 *    (startup.ts startProcess [inferred]); row 15 passes a missing or
 *    foreign row (it names only the epoch comparison [inferred]); a leader
 *    not yet registered turns a proposal away and the client asks again
 *    after its redirect delay (§5.5 says "refused" [code], not how the
 *    caller retries).
 *  - a raft rotate-dek (0x05/0x01, raft purpose) is proposed by the leader
 *    like the storage one, with its registration at its raft epoch; a node
 *    that applies it seals under the new raft DEK at the raft epoch it
 *    pinned (what its applier records as the key's local_epoch, §2.4), its
 *    state cache not marking it registered there until the watcher's
 *    registration commits (§5.5 names the gate after the cutover only
 *    [inferred]).
 * Not modelled yet: guard 14, row 6 for the raft
 * key, row 13 reading a raft-wrapped first byte (rows 1-5 and 7 check an
 * operator's set-up, which regsim does not vary; row 16 is unreachable),
 * ReadOnlySafe. The
 * registration loop (§5.2) backs off as main's does, but an attempt times
 * out after the run's client time-out, not 5 s (lifecycle.ts
 * proposeRegistration). The engine
 * gives every initial member the initial local snapshot (§3.4 [inferred]:
 * index 1 in production; regsim's, of the empty state, at index 0;
 * process/node.ts initialSnapshot).
 */
const PRODUCTION_POLICY: LifecyclePolicy = {
  guards: { ...SPEC_POLICY.guards, registry: 'local', collisionScope: 'members' },
  nonces: { ownWrites: 'after-registration', applies: 'after-guards', heldBehindHalt: 'wait' },
  engine: { registryReplay: 'reapply', coldStart: 'durable-applied-index' },
  membership: { admission: 'leader-check' },
  fsm: 'main',
  registerMaxAttempts: 3,
};

/** The named configurations: each a complete policy. */
export const POLICY_PRESETS = deepFreeze({ spec: SPEC_POLICY, hardened: HARDENED_POLICY, production: PRODUCTION_POLICY });

export type PolicyPresetName = keyof typeof POLICY_PRESETS;

/** Preset names, the spec-literal one first. */
export const POLICY_PRESET_NAMES: readonly PolicyPresetName[] = ['spec', 'hardened', 'production'];

/** What each preset is, in one line (for --help and reports). */
export const POLICY_PRESET_INFO: Readonly<Record<PolicyPresetName, string>> = {
  spec: 'the spec read literally; the correct applier reproduces the three design findings (fixtures/findings)',
  hardened:
    'spec + the findings\' fixes: collision guard against the registry, encrypt applies only under a committed registration (a node held behind a committed halt halts), engine skips already-applied registrations on replay',
  production:
    "production main as it runs today: main's applier with the sidecar on each node's disk, a bootstrap entry (0x04) at cluster start, main's cold start from the durable applied index, guards reading the node's own store, the leader's admission check, PreVote and CheckQuorum",
};

export function isPolicyPresetName(name: string): name is PolicyPresetName {
  return Object.hasOwn(POLICY_PRESETS, name);
}

/** The preset called `name` (a fresh copy); an unknown name throws, listing the known ones. */
export function presetPolicy(name: string): LifecyclePolicy {
  if (!isPolicyPresetName(name)) throw new RangeError(`unknown config "${name}" (known: ${POLICY_PRESET_NAMES.join(', ')})`);
  return resolvePolicy({}, POLICY_PRESETS[name]);
}

/**
 * The defaults of any field a policy leaves out: the spec read literally. A
 * hand-written scenario that omits policy fields gets the spec's behaviour;
 * generated scenarios always carry every field (scenarioArbitrary).
 */
export const DEFAULT_POLICY: LifecyclePolicy = POLICY_PRESETS.spec;

/** The no-startup-guard variant's guards. */
export const NO_GUARDS: Pick<GuardPolicy, 'rollback' | 'exhaustion' | 'collision'> = {
  rollback: false,
  exhaustion: false,
  collision: false,
};

export interface PolicyOverrides {
  guards?: Partial<GuardPolicy>;
  nonces?: Partial<NoncePolicy>;
  engine?: Partial<EnginePolicy>;
  membership?: Partial<MembershipPolicy>;
  fsm?: 'stage6a' | 'main';
  registerMaxAttempts?: number;
}

/** `over` on top of `base` (default: the spec's policy), field by field; a fresh object. */
export function resolvePolicy(over: PolicyOverrides = {}, base: LifecyclePolicy = DEFAULT_POLICY): LifecyclePolicy {
  return {
    guards: { ...base.guards, ...over.guards },
    nonces: { ...base.nonces, ...over.nonces },
    engine: { ...base.engine, ...over.engine },
    ...(base.membership !== undefined || over.membership !== undefined
      ? { membership: { admission: 'none', ...base.membership, ...over.membership } }
      : {}),
    ...((over.fsm ?? base.fsm) !== undefined ? { fsm: over.fsm ?? base.fsm } : {}),
    registerMaxAttempts: over.registerMaxAttempts ?? base.registerMaxAttempts,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
