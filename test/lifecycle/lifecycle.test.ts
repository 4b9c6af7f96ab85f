// Lifecycle behaviours as the trace shows them: epoch bumps, registrations
// (and their duplicates), nonces, the start-up guards, rotation.
import { describe, expect, it } from 'vitest';
import { decodeRegistration, deriveNodeId, fromHex, low16 } from '../../src/applier/index.ts';
import { runScenario } from '../../src/scenario/index.ts';
import type { RunResult, Scenario } from '../../src/scenario/index.ts';
import type { TraceEvent, TraceEventOf as Kind } from '../../src/trace/types.ts';
import { baseScenario } from '../scenario/base.ts';

const of = <K extends TraceEvent['kind']>(r: RunResult, kind: K): Kind<K>[] =>
  r.trace.filter((e): e is Kind<K> => e.kind === kind);

/** Registrations some node applied successfully, decoded. */
function registrationsApplied(r: RunResult, node: string): { dekId: number; fullNodeId: bigint; localEpoch: number }[] {
  return of(r, 'apply')
    .filter((e) => e.node === node && e.result.kind === 'registered')
    .map((e) => decodeRegistration(fromHex(e.entryHex).subarray(1)));
}

/** n2 is backed up, restarted `epochsBehind` times, then restored from the backup and restarted. */
function staleRestore(epochsBehind: number, over: Partial<Scenario> = {}): Scenario {
  const events: Scenario['events'] = [{ at: 400, kind: 'backup', node: 'n2', name: 'b' }];
  for (let k = 1; k <= epochsBehind; k++) events.push({ at: 400 + 150 * k, kind: 'crash', node: 'n2', restartAfterMs: 20 });
  events.push({ at: 400 + 150 * (epochsBehind + 1), kind: 'restore', node: 'n2', name: 'b', restartAfterMs: 20 });
  return baseScenario({ faults: { crashes: { pendingLossRate: 0.5 }, restores: {} }, ...over }, events);
}

describe('process start', () => {
  // Snapshots every 2 entries: a replay window holding two registrations of one
  // node halts it (see fixtures/findings/replay-window-rollback).
  const r = runScenario(
    baseScenario({ faults: { crashes: { pendingLossRate: 0.5 }, snapshots: { interval: 2 } } }, [
      { at: 500, kind: 'crash', node: 'n1', restartAfterMs: 30 },
      { at: 900, kind: 'crash', node: 'n1', restartAfterMs: 30 },
    ]),
  );

  it('bumps the epoch once per start, and the bumps only go up', () => {
    const bumps = of(r, 'epoch-bump').filter((e) => e.node === 'n1');
    expect(bumps.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(of(r, 'restart').filter((e) => e.node === 'n1')).toHaveLength(2);
  });

  it('proposes and commits Register(dek, full id, epoch) for every epoch', () => {
    const full = deriveNodeId('n1');
    expect(of(r, 'register-propose').filter((e) => e.node === 'n1').map((e) => e.epoch)).toEqual(expect.arrayContaining([1, 2, 3]));
    const onN3 = registrationsApplied(r, 'n3').filter((g) => g.fullNodeId === full);
    expect(new Set(onN3.map((g) => g.localEpoch))).toEqual(new Set([1, 2, 3]));
    expect(r.verdict).toBe('ok');
  });

  it('issues a nonce for every KV entry a replica applies, write_count counting up per process', () => {
    // Opcode 0x02 (the liveness probe) is not encrypted.
    const kvApplies = of(r, 'apply').filter((e) => e.result.kind === 'kv' && e.result.opcode !== 2);
    const nonces = of(r, 'nonce');
    expect(nonces.length).toBe(kvApplies.length);
    expect(nonces.length).toBeGreaterThan(50);
    const n2 = nonces.filter((e) => e.node === 'n2');
    expect(n2.map((e) => Number(e.writeCount))).toEqual(n2.map((_, i) => i));
    expect(new Set(n2.map((e) => e.nodeId16))).toEqual(new Set([low16(deriveNodeId('n2'))]));
  });
});

describe('retried registrations', () => {
  it('commit twice under short time-outs and message loss', () => {
    const r = runScenario(
      baseScenario({
        seed: 'dup',
        faults: {
          network: { lossRate: 0.2, dupRate: 0, reorderRate: 0 },
          timeouts: { proposalTimeoutMs: 15, electionTimeoutMs: [150, 300] },
        },
      }),
    );
    expect(r.stats.duplicateRegistrationCommits).toBeGreaterThan(0);
    expect(of(r, 'register-propose').some((e) => e.attempt > 1)).toBe(true);
    expect(r.verdict).toBe('ok');
  });
});

describe('the rollback guard (default: after the bump, against a caught-up registry)', () => {
  it('refuses a node restored from a backup one epoch behind, and no nonce repeats', () => {
    const r = runScenario(staleRestore(1));
    expect(of(r, 'guard-refused').map((e) => [e.node, e.guard])).toEqual([['n2', 'rollback']]);
    expect(r.violations.filter((v) => v.invariant === 'no-nonce-reuse')).toEqual([]);
  });

  it('without the guard, the same restore reuses nonces while the applier only sees an idempotent replay', () => {
    const r = runScenario(staleRestore(1), { variant: 'no-startup-guard' });
    expect(of(r, 'guard-refused')).toEqual([]);
    expect(r.violations.some((v) => v.invariant === 'no-nonce-reuse' && v.node === 'n2')).toBe(true);
    expect(of(r, 'halt')).toEqual([]);
  });

  it("reading the restored node's own registry lets the stale epoch through", () => {
    const r = runScenario(staleRestore(1), { variant: 'guard-reads-local-registry' });
    expect(of(r, 'guard-refused')).toEqual([]);
    expect(r.violations.some((v) => v.invariant === 'no-nonce-reuse')).toBe(true);
  });

  it('comparing the epoch before the bump (the words of §5 read literally) refuses ordinary restarts', () => {
    const r = runScenario(
      baseScenario({ faults: { crashes: { pendingLossRate: 0 } }, policy: { guards: { compare: 'before-bump' } } }, [
        { at: 600, kind: 'crash', node: 'n3', restartAfterMs: 20 },
      ]),
    );
    expect(of(r, 'guard-refused').map((e) => [e.node, e.guard])).toEqual([['n3', 'rollback']]);
  });
});

describe('the exhaustion and collision guards', () => {
  it('refuses a node whose sidecar epoch is already 0xFFFF', () => {
    const r = runScenario(baseScenario({ cluster: { nodes: ['n1', 'n2', 'n3'], initialEpochs: { n3: 0xffff } } }));
    expect(of(r, 'guard-refused').map((e) => [e.node, e.guard])).toEqual([['n3', 'exhaustion']]);
    expect(of(r, 'epoch-bump').some((e) => e.node === 'n3')).toBe(false);
  });

  it('refuses a joiner whose low 16 bits collide with a member; without it the registration halts every replica', () => {
    const scenario = baseScenario(
      { cluster: { nodes: ['n1', 'n2', 'n3'], joiners: ['n2-55171'] }, faults: { membership: {} } },
      [{ at: 800, kind: 'add-node', node: 'n2-55171' }],
    );
    const guarded = runScenario(scenario);
    expect(of(guarded, 'add-node').map((e) => e.node)).toEqual(['n2-55171']);
    expect(of(guarded, 'guard-refused').map((e) => [e.node, e.guard])).toEqual([['n2-55171', 'collision']]);
    expect(guarded.verdict).toBe('ok');
    const unguarded = runScenario(scenario, { variant: 'no-startup-guard' });
    const halts = of(unguarded, 'halt');
    expect(halts.map((h) => h.reason)).toContain('collision');
    // Every replica halts on it, the joiner too: a learner by then, it replicates the committed log.
    expect(new Set(halts.map((h) => h.node))).toEqual(new Set(['n1', 'n2', 'n3', 'n2-55171']));
  });

  it('a plain joiner registers and issues nonces', () => {
    const r = runScenario(
      baseScenario({ cluster: { nodes: ['n1', 'n2', 'n3'], joiners: ['n8'] }, faults: { membership: {} } }, [
        { at: 800, kind: 'add-node', node: 'n8' },
      ]),
    );
    expect(registrationsApplied(r, 'n1').some((g) => g.fullNodeId === deriveNodeId('n8'))).toBe(true);
    expect(of(r, 'nonce').some((e) => e.node === 'n8')).toBe(true);
    expect(r.verdict).toBe('ok');
  });
});

describe('crash-after-apply', () => {
  it('a trigger that has not fired by faults-end expires: no crash in the quiet period', () => {
    // n1 restarts after faults-end, so its registration is applied then: the armed trigger would fire on it.
    const r = runScenario(
      baseScenario({ faults: { crashes: { pendingLossRate: 0.5 } } }, [
        { at: 1790, kind: 'crash', node: 'n1', restartAfterMs: 300 },
        { at: 1795, kind: 'crash-after-apply', node: 'n2', restartAfterMs: 20 },
      ]),
    );
    expect(of(r, 'apply').some((e) => e.node === 'n2' && e.t > 1800 && e.result.kind === 'registered')).toBe(true);
    expect(of(r, 'crash').map((e) => [e.node, e.t])).toEqual([['n1', 1790]]);
    expect(r.verdict).toBe('ok');
  });
});

describe('DEK rotation', () => {
  it('commits a marker, then every node bumps an epoch under the new DEK and registers under it', () => {
    const r = runScenario(baseScenario({ faults: { rotation: {} } }, [{ at: 800, kind: 'rotate-dek' }]));
    expect(of(r, 'rotate-dek').map((e) => e.dekId)).toEqual([2]);
    for (const node of ['n1', 'n2', 'n3']) {
      expect(of(r, 'epoch-bump').filter((e) => e.node === node).map((e) => [e.dekId, e.epoch])).toEqual([[1, 1], [2, 1]]);
      expect(registrationsApplied(r, 'n1').some((g) => g.dekId === 2 && g.fullNodeId === deriveNodeId(node))).toBe(true);
    }
    const last = of(r, 'nonce').at(-1);
    expect(last?.dekId).toBe(2);
    expect(r.verdict).toBe('ok');
  });
});
