// The lifecycle's policy knobs: which start-up guards run and what they read,
// and when a node may issue nonces relative to its own registration. The
// defaults are the spec's (§5, §9.1), read so that its guarantees can hold;
// each field says why its default is what it is.

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
   * apply loop waits, reading the committed log as the guards do).
   */
  applies: 'after-guards' | 'after-registration-committed';
}

export interface LifecyclePolicy {
  guards: GuardPolicy;
  nonces: NoncePolicy;
  /** Attempts per Register proposal before the node proposes it afresh. */
  registerMaxAttempts: number;
}

export const DEFAULT_POLICY: LifecyclePolicy = {
  guards: {
    rollback: true,
    exhaustion: true,
    collision: true,
    compare: 'after-bump',
    registry: 'caught-up',
    collisionScope: 'members',
  },
  nonces: { ownWrites: 'after-registration', applies: 'after-guards' },
  registerMaxAttempts: 3,
};

/** The no-startup-guard variant's guards. */
export const NO_GUARDS: Pick<GuardPolicy, 'rollback' | 'exhaustion' | 'collision'> = {
  rollback: false,
  exhaustion: false,
  collision: false,
};

export interface PolicyOverrides {
  guards?: Partial<GuardPolicy>;
  nonces?: Partial<NoncePolicy>;
  registerMaxAttempts?: number;
}

export function resolvePolicy(over: PolicyOverrides = {}): LifecyclePolicy {
  return {
    guards: { ...DEFAULT_POLICY.guards, ...over.guards },
    nonces: { ...DEFAULT_POLICY.nonces, ...over.nonces },
    registerMaxAttempts: over.registerMaxAttempts ?? DEFAULT_POLICY.registerMaxAttempts,
  };
}
