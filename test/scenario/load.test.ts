import { describe, expect, it } from 'vitest';
import { ScenarioError, loadScenario, serializeScenario } from '../../src/scenario/index.ts';
import { baseScenario } from './base.ts';

/** Applies `edit` to a fresh base scenario (as plain JSON) and returns the load error's message. */
function errorOf(edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(serializeScenario(baseScenario())) as Record<string, any>;
  edit(doc);
  try {
    loadScenario(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('loaded without error');
}

describe('loadScenario', () => {
  it('accepts the base scenario', () => {
    expect(loadScenario(baseScenario())).toEqual(baseScenario());
  });

  it.each([
    ['a missing field', (d: any) => delete d.seed, 'scenario: /seed is required'],
    ['an unknown field', (d: any) => (d.colour = 'red'), 'scenario: /colour is not a known field'],
    ['a wrong version', (d: any) => (d.version = 2), 'scenario: /version must be 1'],
    ['too few nodes', (d: any) => (d.cluster.nodes = ['n1', 'n2']), 'scenario: /cluster/nodes must NOT have fewer than 3 items'],
    ['too many nodes', (d: any) => (d.cluster.nodes = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']), 'scenario: /cluster/nodes must NOT have more than 7 items'],
    ['a rate above 1', (d: any) => (d.faults.network = { lossRate: 2, dupRate: 0, reorderRate: 0 }), 'scenario: /faults/network/lossRate must be <= 1'],
    ['an unknown event kind', (d: any) => (d.events = [{ at: 1, kind: 'explode' }]), 'scenario: /events/0/kind must be one of'],
    ['an event missing its node', (d: any) => { d.faults.crashes = { pendingLossRate: 0 }; d.events = [{ at: 1, kind: 'crash' }]; }, 'scenario: /events/0/node is required'],
    ['a bad policy value', (d: any) => (d.policy = { guards: { registry: 'remote' } }), 'scenario: /policy/guards/registry must be one of "caught-up", "local"'],
    ['a duplicate raft id', (d: any) => (d.cluster.nodes = ['n1', 'n2', 'n1']), 'scenario: /cluster/nodes/2 duplicates raft id "n1"'],
    ['an unknown node', (d: any) => { d.faults.crashes = { pendingLossRate: 0 }; d.events = [{ at: 1, kind: 'crash', node: 'n9' }]; }, `scenario: /events/0/node must be one of the cluster's nodes (got "n9")`],
    ['an event after faults end', (d: any) => { d.faults.crashes = { pendingLossRate: 0 }; d.events = [{ at: 1801, kind: 'crash', node: 'n1' }]; }, 'scenario: /events/0/at must be at most faultsEndMs (1800), got 1801'],
    ['faults ending after the run', (d: any) => (d.faultsEndMs = 3000), 'scenario: /faultsEndMs must be below durationMs (3000), got 3000'],
    ['an event of a family switched off', (d: any) => (d.events = [{ at: 1, kind: 'rotate-dek' }]), 'scenario: /events/0/kind "rotate-dek" needs fault family faults.rotation switched on'],
    ['add-node of a non-joiner', (d: any) => { d.faults.membership = {}; d.events = [{ at: 1, kind: 'add-node', node: 'n2' }]; }, 'scenario: /events/0/node must be one of cluster.joiners (got "n2")'],
    ['a restore without an earlier backup', (d: any) => { d.faults.restores = {}; d.events = [{ at: 5, kind: 'restore', node: 'n1', name: 'b' }]; }, 'scenario: /events/0/name must name a backup taken earlier (got "b")'],
    ['a naive restore of another node\'s backup', (d: any) => { d.faults.restores = {}; d.events = [{ at: 1, kind: 'backup', node: 'n2', name: 'b' }, { at: 5, kind: 'restore', node: 'n1', name: 'b', raft: 'keep' }]; }, 'scenario: /events/1/raft "keep" needs a backup of n1 itself (backup "b" is of n2)'],
    ['too many slots', (d: any) => { d.cluster.nodes = ['n1', 'n2', 'n3', 'n4', 'n5']; d.cluster.joiners = ['a', 'b', 'c']; }, 'scenario: /cluster/joiners makes 8 Raft slots with the nodes; at most 7'],
    ['an initial epoch of a stranger', (d: any) => (d.cluster.initialEpochs = { zz: 3 }), `scenario: /cluster/initialEpochs/zz must be one of the cluster's nodes`],
    ['a partition naming a node twice', (d: any) => { d.faults.partitions = {}; d.events = [{ at: 1, kind: 'partition', groups: [['n1'], ['n1']] }]; }, 'scenario: /events/0/groups/1/0 puts "n1" in two groups'],
    ['a leader isolation that cuts off a majority', (d: any) => { d.faults.storms = {}; d.events = [{ at: 1, kind: 'figure-8', keep: 1, lastsMs: 100 }]; }, "scenario: /events/0/keep must leave the leader's side a minority of the 3 nodes (at most 0, got 1)"],
    ['a zero-length leader isolation', (d: any) => { d.faults.storms = {}; d.events = [{ at: 1, kind: 'isolate-leader', lastsMs: 0 }]; }, 'scenario: /events/0/lastsMs must be >= 1'],
    ['a crash loop to epoch 0', (d: any) => { d.faults.crashes = { pendingLossRate: 0 }; d.events = [{ at: 1, kind: 'crash-loop', node: 'n1', toEpoch: 0 }]; }, 'scenario: /events/0/toEpoch must be >= 1'],
    ['a crash loop past 0xFFFF', (d: any) => { d.faults.crashes = { pendingLossRate: 0 }; d.events = [{ at: 1, kind: 'crash-loop', node: 'n1', toEpoch: 0x10000 }]; }, 'scenario: /events/0/toEpoch must be <= 65535'],
    ['a crash loop of a stranger', (d: any) => { d.faults.crashes = { pendingLossRate: 0 }; d.events = [{ at: 1, kind: 'crash-loop', node: 'n9', toEpoch: 5 }]; }, `scenario: /events/0/node must be one of the cluster's nodes (got "n9")`],
    ['an append batch of 0 entries', (d: any) => (d.raft = { maxBatch: 0 }), 'scenario: /raft/maxBatch must be >= 1'],
  ])('rejects %s with one line naming the field', (_what, edit, expected) => {
    const message = errorOf(edit);
    expect(message.startsWith(expected)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('rejects a key given twice, naming it (JSON.parse would keep the last silently)', () => {
    const text = JSON.stringify(baseScenario());
    expect(() => loadScenario(text.replace('"cluster":{', '"cluster":{"nodes":["n1"],'))).toThrow(/^scenario: \/cluster\/nodes is given twice/);
    expect(() => loadScenario(text.replace(/}$/, ',"version":1}'))).toThrow(/^scenario: \/version is given twice/);
    // Equal keys in different objects, and strings that look like keys, are fine.
    expect(() => loadScenario(text.replace('"seed":"', '"seed":"\\"version\\":'))).not.toThrow();
  });

  it('refuses a scenario whose work would not fit in memory, with the numbers', () => {
    const huge = { ...baseScenario(), durationMs: 600_000, workload: { kvWritesPerSec: 1000 } };
    expect(() => loadScenario(huge)).toThrow(/^scenario: \/workload\/kvWritesPerSec 1000 writes\/s over 600000 ms on \d nodes is about [\d,]+ replicated writes, above the limit of 500,000/);
  });

  it('rejects text that is not JSON', () => {
    expect(() => loadScenario('{ nope')).toThrow(/^scenario: \/ is not valid JSON/);
  });
});

describe('serializeScenario', () => {
  it('round-trips byte for byte, whatever the key order it was given', () => {
    const s = baseScenario({ faults: { crashes: { pendingLossRate: 0.5 } } }, [{ node: 'n2', kind: 'crash', at: 10, restartAfterMs: 5 }]);
    const text = serializeScenario(s);
    expect(serializeScenario(loadScenario(text))).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.indexOf('"at"')).toBeLessThan(text.indexOf('"kind"'));
  });
});
