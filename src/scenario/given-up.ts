// What a scenario's own policy gives up by design. Spec §7.0: "disable the
// guard and nonce reuse follows, with the applier itself behaving correctly".
// A scenario that switches the §9.1 rollback guard off (to drive the applier
// into its rollback and collision halts, which the guard would otherwise stop
// before they commit) therefore expects one kind of violation: a node restored
// from a stale backup re-bumps to an epoch it already used, registers it as
// an idempotent replay and encrypts with nonces it used before. runScenario
// reports those as `expected`, not as violations, so such a run still judges
// everything else. Only the scenario's own policy counts: a variant that
// switches the guard off (no-startup-guard) is still caught by them.
import type { Violation } from '../model/oracle.ts';
import type { LifecyclePolicy } from '../sim/lifecycle/index.ts';

export interface GivenUp {
  invariant: Violation['invariant'];
  code: string;
  why: string;
}

export function givenUpBy(policy: LifecyclePolicy): GivenUp[] {
  const out: GivenUp[] = [];
  if (!policy.guards.rollback) {
    out.push({
      invariant: 'no-nonce-reuse',
      code: 'restored-epoch-reuse',
      why: 'the §9.1 rollback guard is off in this scenario: spec §7.0 says a node restored from a stale backup then reuses nonces',
    });
  }
  return out;
}

/** Splits `violations` into those the policy gives up and the rest. */
export function splitGivenUp(violations: readonly Violation[], policy: LifecyclePolicy): { counted: Violation[]; expected: Violation[] } {
  const given = givenUpBy(policy);
  const expected: Violation[] = [];
  const counted: Violation[] = [];
  for (const v of violations) (given.some((g) => g.invariant === v.invariant && g.code === v.code) ? expected : counted).push(v);
  return { counted, expected };
}
