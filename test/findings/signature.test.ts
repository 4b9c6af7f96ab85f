// A finding's signature ignores what differs between two shrinks of the same
// bug (node names, times, ids, seeds, rates) and keeps what makes it.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { findingSignature } from '../../src/findings/signature.ts';
import { loadScenario } from '../../src/scenario/index.ts';
import type { Scenario } from '../../src/scenario/index.ts';

const example = loadScenario(readFileSync(new URL('../../docs/example-lte-rollback.json', import.meta.url), 'utf8'));
const sig = (s: Scenario, invariant = 'replay-idempotence'): string => findingSignature(invariant, 'lte-rollback', s);
const withEvents = (s: Scenario, nodes: string[], events: Scenario['events']): Scenario => ({ ...s, cluster: { nodes }, events, faults: { ...s.faults, crashes: { pendingLossRate: 0.5 } } });

it('is the same under renamed nodes, other times, seeds and rates', () => {
  const a = withEvents(example, ['n1', 'n2', 'n3'], [{ at: 10, kind: 'crash', node: 'n2', restartAfterMs: 50 }]);
  const b = { ...withEvents(example, ['a', 'b', 'c'], [{ at: 99, kind: 'crash', node: 'b', restartAfterMs: 7 }]), seed: 'other', durationMs: 999 };
  b.faults = { ...b.faults, crashes: { pendingLossRate: 0.1 } };
  expect(sig(b)).toBe(sig(a));
  expect(sig(a)).toMatch(/^[0-9a-f]{16}$/);
});

it('differs with the invariant, the events or the policy', () => {
  const a = withEvents(example, ['n1', 'n2', 'n3'], [{ at: 10, kind: 'crash', node: 'n2' }]);
  expect(sig(a, 'no-nonce-reuse')).not.toBe(sig(a));
  expect(sig(withEvents(example, ['n1', 'n2', 'n3'], [{ at: 10, kind: 'crash', node: 'n1' }]))).not.toBe(sig(a));
  expect(sig(withEvents(example, ['n1', 'n2', 'n3'], [{ at: 10, kind: 'snapshot', node: 'n2' }]))).not.toBe(sig(a));
  expect(sig({ ...a, policy: { ...a.policy, guards: { ...a.policy?.guards, rollback: false } } })).not.toBe(sig(a));
});
