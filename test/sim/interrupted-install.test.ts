// A received snapshot's install is two steps, as etcd's Ready loop runs it:
// Raft persists the snapshot (with the log it replaces), then the state
// machine takes it. A crash between the two (crash-after-snapshot-persist)
// leaves a disk whose snapshot is ahead of its store; the restart must finish
// the install before it resumes at the snapshot, as etcd's server recovers
// its backend from a snapshot newer than it. The scenario is the shrunk
// counterexample of the install-not-resumed variant.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, presetPolicy, runScenario, variantAppliesTo } from '../../src/scenario/index.ts';

const text = readFileSync(new URL('../../fixtures/variants/install-not-resumed.json', import.meta.url), 'utf8');
const scenario = loadScenario(text);

describe('an install interrupted after its snapshot was persisted', () => {
  it('is finished by the restart, before the node resumes at the snapshot', () => {
    const r = runScenario(scenario);
    expect(r.violations).toEqual([]);
    const persisted = r.trace.findIndex((e) => e.kind === 'snapshot-persist');
    expect(persisted).toBeGreaterThan(0);
    const persist = r.trace[persisted] as Extract<(typeof r.trace)[number], { kind: 'snapshot-persist' }>;
    expect(r.trace[persisted + 1]).toMatchObject({ kind: 'crash', node: persist.node, cause: 'after-snapshot-persist' });
    const restart = r.trace.findIndex((e, i) => i > persisted && e.kind === 'restart' && e.node === persist.node);
    expect(r.trace[restart - 1]).toMatchObject({ kind: 'snapshot-install', node: persist.node, index: persist.index, from: persist.from });
    expect(r.trace[restart]).toMatchObject({ appliedIndex: persist.index });
  });

  it('leaves the store behind the snapshot under install-not-resumed, which the oracle catches', () => {
    const r = runScenario(scenario, { variant: 'install-not-resumed' });
    expect(r.verdict).toBe('safety-violation');
    expect(r.trace.some((e) => e.kind === 'snapshot-persist')).toBe(true);
  });

  it("changes nothing but the install's trace record under production main's cold start, so only configurations without it explore the variant", () => {
    const raw = JSON.parse(text);
    raw.policy.engine.coldStart = 'durable-applied-index';
    const durable = loadScenario(JSON.stringify(raw));
    // The persisted snapshot is above the durable applied index: the restart restores the store from it anyway.
    const kept = (variant?: string) =>
      runScenario(durable, variant === undefined ? {} : { variant })
        .trace.filter((e) => e.kind !== 'snapshot-install' && e.kind !== 'run-start')
        .map((e) => JSON.stringify(e));
    const correct = runScenario(durable);
    expect(correct.trace.some((e) => e.kind === 'snapshot-persist')).toBe(true);
    expect(runScenario(durable, { variant: 'install-not-resumed' }).verdict).toBe(correct.verdict);
    expect(kept('install-not-resumed')).toEqual(kept());
    expect(variantAppliesTo('install-not-resumed', presetPolicy('production'))).toBe(false);
    expect(variantAppliesTo('install-not-resumed', presetPolicy('hardened'))).toBe(true);
    expect(variantAppliesTo('install-not-resumed', presetPolicy('spec'))).toBe(true);
  });
});
