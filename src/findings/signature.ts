// The signature of a finding: which invariant broke, in which variant, on
// what shape of shrunk scenario. Two machines that shrink the same bug get
// scenarios that differ in incidentals (which node names the generator drew,
// when exactly events fire, which DEK and backup ids, the simulator's seed,
// rates); the signature canonicalises those (names by first appearance,
// times by order, ids by rank) and keeps what makes the bug: the cluster's
// size, the fault families on, the policy, and the sequence of events.
import { createHash } from 'node:crypto';
import { serializeScenario } from '../scenario/index.ts';
import type { FaultFamilies, Scenario, ScenarioEventDoc } from '../scenario/index.ts';

/** Rank of each value by first appearance, from 1. */
function ranks<T>(): (value: T) => number {
  const seen = new Map<T, number>();
  return (value) => {
    let r = seen.get(value);
    if (r === undefined) seen.set(value, (r = seen.size + 1));
    return r;
  };
}

/** Fault families with their rates left out (a rate is a knob, not the bug). */
const familiesOnly = (faults: FaultFamilies): FaultFamilies => Object.fromEntries(Object.keys(faults).map((k) => [k, {}])) as FaultFamilies;

/** The scenario with incidentals canonicalised (still a scenario document, for its canonical text). */
export function canonicalScenario(s: Scenario): Scenario {
  const node = ranks<string>();
  const name = (n: string): string => `n${node(n)}`;
  s.cluster.nodes.forEach(name);
  s.cluster.joiners?.forEach(name);
  const dek = ranks<number>();
  const backup = ranks<string>();
  const ids = [...new Set(Object.values(s.cluster.fullIds ?? {}))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const keyed = <V>(rec: Record<string, V> | undefined, f: (v: V) => V): Record<string, V> | undefined =>
    rec === undefined ? undefined : Object.fromEntries(Object.entries(rec).map(([k, v]) => [name(k), f(v)]));
  const events = s.events.map((e, at): ScenarioEventDoc => {
    const out: Record<string, unknown> = { ...e, at };
    if ('node' in e) out.node = name(e.node);
    if ('groups' in e) out.groups = e.groups.map((g) => g.map(name).sort()).sort();
    if ('name' in e) out.name = `b${backup(e.name)}`;
    if ('dekId' in e && e.dekId !== undefined) out.dekId = dek(e.dekId);
    // The opcode and the length class of a proposed entry, not its bytes.
    if ('entry' in e) out.entry = `${e.entry.slice(0, 2)}:${e.entry.length / 2}`;
    for (const time of ['restartAfterMs', 'electionTimeoutMs', 'maxDelayMs']) delete out[time];
    return out as ScenarioEventDoc;
  });
  return {
    version: s.version,
    seed: '',
    durationMs: 0,
    faultsEndMs: 0,
    cluster: {
      nodes: s.cluster.nodes.map(name),
      ...(s.cluster.joiners ? { joiners: s.cluster.joiners.map(name) } : {}),
      ...(s.cluster.initialEpochs ? { initialEpochs: keyed(s.cluster.initialEpochs, (v) => v) } : {}),
      ...(s.cluster.fullIds ? { fullIds: keyed(s.cluster.fullIds, (v) => String(ids.indexOf(v) + 1)) } : {}),
    },
    faults: familiesOnly(s.faults),
    workload: { kvWritesPerSec: 0 },
    ...(s.policy ? { policy: s.policy } : {}),
    ...(s.raft ? { raft: s.raft } : {}),
    events,
  };
}

/** 16 hex digits of SHA-256 over the invariant, the variant and the canonical scenario. */
export function findingSignature(invariant: string, variant: string, scenario: Scenario): string {
  return createHash('sha256').update(`${invariant}\n${variant}\n${serializeScenario(canonicalScenario(scenario))}`).digest('hex').slice(0, 16);
}
