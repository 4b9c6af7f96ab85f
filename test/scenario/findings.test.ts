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
    code: 'restored-epoch-reuse',
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

// A finding of the hardened design itself: its scenarios carry their policy
// (`hardened` with the wait read literally), and the fix is in `hardened`.
// colliding-joiners: only registrations and a rotation marker lie before the
// halting entry, so the held nodes apply up to it and halt there; in
// stale-inflight-registration KV writes do, so they halt from the hold point.
describe.each([
  { name: 'colliding-joiners', fromHold: false },
  { name: 'stale-inflight-registration', fromHold: true },
])('finding held-behind-halt: $name', ({ name, fromHold }) => {
  const scenario = loadScenario(
    readFileSync(new URL(`../../fixtures/findings/held-behind-halt/${name}.scenario.json`, import.meta.url), 'utf8'),
  );
  const waiting = resolvePolicy({ nonces: { heldBehindHalt: 'wait' } }, presetPolicy('hardened'));

  it('is saved under hardened with the wait read literally', () => {
    expect(scenario.policy).toEqual(waiting);
  });

  it('leaves nodes neither halted nor caught up (liveness), with safety intact', () => {
    const r = runScenario(scenario);
    expect(r.violations.length).toBeGreaterThan(0);
    expect(new Set(r.violations.map((v) => `${v.invariant}/${v.code}`))).toEqual(new Set(['liveness/not-caught-up']));
  });

  it('passes under hardened: the held nodes halt on the same entry, for the same reason, encrypting nothing unregistered', () => {
    const r = runScenario({ ...scenario, policy: presetPolicy('hardened') });
    expect(r.violations).toEqual([]);
    const halts = r.trace.filter((e) => e.kind === 'halt');
    expect(halts.length).toBeGreaterThan(1);
    expect(new Set(halts.map((h) => `${h.index}/${h.reason}`)).size).toBe(1);
    // A halt from the hold point has no halting apply of its entry right before it.
    const fromHoldPoint = halts.filter((h) => {
      const prev = r.trace[r.trace.indexOf(h) - 1];
      return !(prev?.kind === 'apply' && prev.node === h.node && prev.index === h.index);
    });
    expect(fromHoldPoint.length > 0).toBe(fromHold);
  });
});
