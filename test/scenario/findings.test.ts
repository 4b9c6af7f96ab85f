// The saved findings reproduce with the correct applier under the `spec`
// configuration (the spec read literally), and each is gone under `hardened`
// (spec + the fixes the write-ups propose) and under the single fix its own
// write-up names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, presetPolicy, resolvePolicy, runScenario } from '../../src/scenario/index.ts';
import type { PolicyOverrides } from '../../src/scenario/index.ts';

const FINDINGS: { dir: string; invariant: string; code: string; fix: PolicyOverrides }[] = [
  {
    dir: 'replay-window-rollback',
    invariant: 'replay-idempotence',
    code: 'replay-window-halt',
    fix: { engine: { registryReplay: 'skip-applied' } },
  },
  { dir: 'former-member-collision', invariant: 'no-nonce-reuse', code: 'nonce-reuse', fix: { guards: { collisionScope: 'registry' } } },
  {
    dir: 'unregistered-epoch-reuse',
    invariant: 'no-nonce-reuse',
    code: 'nonce-reuse',
    fix: { nonces: { applies: 'after-registration-committed' } },
  },
];

describe.each(FINDINGS)('finding $dir', ({ dir, invariant, code, fix }) => {
  const scenario = loadScenario(readFileSync(new URL(`../../fixtures/findings/${dir}/scenario.json`, import.meta.url), 'utf8'));

  it('is saved without a policy: it means the spec-literal defaults', () => {
    expect(scenario.policy).toBeUndefined();
  });

  it(`violates ${invariant} with the correct applier under the spec configuration`, () => {
    const codes = (s: typeof scenario): string[] => runScenario(s).violations.map((v) => `${v.invariant}/${v.code}`);
    expect(codes(scenario)).toContain(`${invariant}/${code}`);
    // The file's omitted policy and the explicit `spec` preset are the same run.
    expect(runScenario({ ...scenario, policy: presetPolicy('spec') }).traceHash).toBe(runScenario(scenario).traceHash);
  });

  it('passes under the hardened configuration', () => {
    expect(runScenario({ ...scenario, policy: presetPolicy('hardened') }).violations).toEqual([]);
  });

  it('passes under the single fix its write-up proposes', () => {
    expect(runScenario({ ...scenario, policy: resolvePolicy(fix) }).violations).toEqual([]);
  });
});
