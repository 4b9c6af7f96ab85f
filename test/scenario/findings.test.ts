// The saved findings keep reproducing with the correct applier and the default
// policy, and each stops with the policy its write-up names as the fix.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import type { PolicyOverrides } from '../../src/sim/lifecycle/index.ts';

const FINDINGS: { dir: string; invariant: string; fix?: PolicyOverrides }[] = [
  { dir: 'replay-window-rollback', invariant: 'replay-idempotence' },
  { dir: 'former-member-collision', invariant: 'no-nonce-reuse', fix: { guards: { collisionScope: 'registry' } } },
  { dir: 'unregistered-epoch-reuse', invariant: 'no-nonce-reuse', fix: { nonces: { applies: 'after-registration-committed' } } },
];

describe.each(FINDINGS)('finding $dir', ({ dir, invariant, fix }) => {
  const scenario = loadScenario(readFileSync(new URL(`../../fixtures/findings/${dir}/scenario.json`, import.meta.url), 'utf8'));

  it(`violates ${invariant} with the correct applier and the default policy`, () => {
    expect(runScenario(scenario).violations.map((v) => v.invariant)).toContain(invariant);
  });

  it.runIf(fix !== undefined)('passes under the policy its write-up proposes', () => {
    expect(runScenario({ ...scenario, policy: fix }).verdict).toBe('ok');
  });
});
