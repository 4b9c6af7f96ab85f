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
//
// A naive restore (`raft: 'keep'`: the operator copies an old disk back,
// Raft's term, vote and log included) is a fault Raft itself does not
// tolerate: the node may vote twice in a term or forget entries it
// acknowledged. Such a scenario gives up Raft's own safety (§7.6) and, from
// the first raft-safety violation on, every invariant: the committed log they
// are all anchored to is no longer one history. Up to that event everything
// is judged as usual (most naive restores never break Raft).
import type { Violation } from '../model/oracle.ts';
import { resolvePolicy } from '../sim/lifecycle/index.ts';
import type { Scenario } from './types.ts';

export interface GivenUp {
  /** Absent: every invariant, from the first raft-safety violation on. */
  invariant?: Violation['invariant'];
  /** Absent: every code of the invariant. */
  code?: string;
  why: string;
}

export function givenUpBy(scenario: Pick<Scenario, 'policy' | 'events'>): GivenUp[] {
  const policy = resolvePolicy(scenario.policy);
  const out: GivenUp[] = [];
  if (scenario.events.some((ev) => ev.kind === 'restore' && ev.raft === 'keep')) {
    out.push({
      invariant: 'raft-safety',
      why: "a restore kept the Raft state of a stale backup (raft: 'keep'), which Raft itself does not tolerate",
    });
    out.push({
      why: "after a naive restore (raft: 'keep') broke Raft's safety, no registry invariant has one committed history to be judged against",
    });
  }
  if (!policy.guards.rollback) {
    out.push({
      invariant: 'no-nonce-reuse',
      code: 'restored-epoch-reuse',
      why: 'the §9.1 rollback guard is off in this scenario: spec §7.0 says a node restored from a stale backup then reuses nonces',
    });
  }
  return out;
}

/** Splits `violations` into those the scenario gives up and the rest. */
export function splitGivenUp(
  violations: readonly Violation[],
  scenario: Pick<Scenario, 'policy' | 'events'>,
): { counted: Violation[]; expected: Violation[] } {
  const given = givenUpBy(scenario);
  const broken = Math.min(...violations.filter((v) => v.invariant === 'raft-safety').map((v) => v.eventIndex));
  const gives = (g: GivenUp, v: Violation): boolean =>
    g.invariant === undefined ? v.eventIndex >= broken : g.invariant === v.invariant && (g.code === undefined || g.code === v.code);
  const expected: Violation[] = [];
  const counted: Violation[] = [];
  for (const v of violations) (given.some((g) => gives(g, v)) ? expected : counted).push(v);
  return { counted, expected };
}
