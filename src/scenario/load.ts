// Loading a scenario: JSON Schema first (shape), then the cross-field rules.
// Every failure is a ScenarioError whose message is one line naming the field
// by its JSON pointer, e.g. `scenario: /events/3/node must be one of the
// cluster's nodes (got "n9")`.
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { deriveNodeId } from '../applier/index.ts';
import { maxIsolatedFollowers } from '../sim/network/partitions.ts';
import { firstDuplicateKey } from './json.ts';
import { MAX_REPLICATED_WRITES, MAX_SLOTS } from './limits.ts';
import { SCENARIO_SCHEMA } from './schema.ts';
import { EVENT_FAMILY } from './types.ts';
import type { PolicyOverrides } from '../sim/lifecycle/index.ts';
import type { Scenario } from './types.ts';

export { MAX_REPLICATED_WRITES, MAX_SLOTS };

export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    /** JSON pointer of the offending field ('' for the document). */
    readonly path: string,
    problem: string,
    /** What the document is: a scenario, or a policy file (explore --policy). */
    doc: 'scenario' | 'policy' = 'scenario',
  ) {
    super(`${doc}: ${path === '' ? '/' : path} ${problem}`);
  }
}

let compiled: { scenario: ValidateFunction; policy: ValidateFunction } | undefined;

/** The scenario and policy schemas, compiled on first use (an exploration never loads a document: its start-up need not pay for them). */
const validators = (): { scenario: ValidateFunction; policy: ValidateFunction } =>
  (compiled ??= {
    scenario: new Ajv({ discriminator: true, allErrors: false, strict: false }).compile(SCENARIO_SCHEMA),
    policy: new Ajv({ allErrors: false, strict: false }).compile(SCENARIO_SCHEMA.properties.policy),
  });

/**
 * A policy file (explore --policy): the fields it changes on top of a
 * configuration's, in the shape of a scenario's `policy` block and checked by
 * the same schema; throws ScenarioError ("policy: /guards/x ...").
 */
export function loadPolicy(json: unknown): PolicyOverrides {
  const doc = typeof json === 'string' ? parseJson(json, 'policy') : json;
  const validate = validators().policy;
  if (!validate(doc)) throw schemaError((validate.errors ?? [])[0], 'policy');
  return doc as PolicyOverrides;
}

/** Validates a parsed document (or JSON text) and returns it typed; throws ScenarioError. */
export function loadScenario(json: unknown): Scenario {
  const doc = typeof json === 'string' ? parseJson(json) : json;
  const validate = validators().scenario;
  if (!validate(doc)) throw schemaError((validate.errors ?? [])[0]);
  const scenario = doc as Scenario;
  checkSemantics(scenario);
  return scenario;
}

function parseJson(text: string, what: 'scenario' | 'policy' = 'scenario'): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (err) {
    throw new ScenarioError('', `is not valid JSON: ${(err as Error).message.split('\n')[0]}`, what);
  }
  const repeated = firstDuplicateKey(text);
  if (repeated !== undefined) throw new ScenarioError(repeated, 'is given twice (JSON would keep only the last)', what);
  return doc;
}

function schemaError(e: ErrorObject | undefined, doc: 'scenario' | 'policy' = 'scenario'): ScenarioError {
  if (e === undefined) return new ScenarioError('', 'is invalid', doc);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return new ScenarioError(`${e.instancePath}/${String(p.missingProperty)}`, 'is required', doc);
    case 'additionalProperties':
      return new ScenarioError(`${e.instancePath}/${String(p.additionalProperty)}`, 'is not a known field', doc);
    case 'enum':
      return new ScenarioError(e.instancePath, `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, doc);
    case 'const':
      return new ScenarioError(e.instancePath, `must be ${JSON.stringify(p.allowedValue)}`, doc);
    case 'discriminator':
      return new ScenarioError(`${e.instancePath}/kind`, `must be one of ${knownKinds()}`, doc);
    default:
      return new ScenarioError(e.instancePath, e.message ?? 'is invalid', doc);
  }
}

function knownKinds(): string {
  return Object.keys(EVENT_FAMILY).join(', ');
}

/** A node's full id: the scenario's override, else FNV-1a-64 of its raft id. */
export function fullNodeIdOf(s: Pick<Scenario, 'cluster'>, raftId: string): bigint {
  const given = s.cluster.fullIds?.[raftId];
  return given !== undefined ? BigInt(given) : deriveNodeId(raftId);
}

function checkSemantics(s: Scenario): void {
  checkWork(s);
  if (s.faultsEndMs >= s.durationMs) {
    throw new ScenarioError('/faultsEndMs', `must be below durationMs (${s.durationMs}), got ${s.faultsEndMs}`);
  }
  const members = s.cluster.nodes;
  const joiners = s.cluster.joiners ?? [];
  const all = [...members, ...joiners];
  if (all.length > MAX_SLOTS) {
    throw new ScenarioError('/cluster/joiners', `makes ${all.length} Raft slots with the nodes; at most ${MAX_SLOTS}`);
  }
  for (const [name, text] of Object.entries(s.cluster.fullIds ?? {})) {
    if (!all.includes(name)) throw new ScenarioError(`/cluster/fullIds/${name}`, "must be one of the cluster's nodes or joiners");
    if (BigInt(text) >= 1n << 64n) throw new ScenarioError(`/cluster/fullIds/${name}`, `must be a u64, got ${text}`);
  }
  const fullIds = new Map<bigint, string>();
  all.forEach((id, i) => {
    const path = i < members.length ? `/cluster/nodes/${i}` : `/cluster/joiners/${i - members.length}`;
    const full = fullNodeIdOf(s, id);
    const twin = fullIds.get(full);
    if (twin === id) throw new ScenarioError(path, `duplicates raft id "${id}"`);
    if (twin !== undefined) throw new ScenarioError(path, `"${id}" has the same full node id as "${twin}"`);
    fullIds.set(full, id);
  });
  for (const name of Object.keys(s.cluster.initialEpochs ?? {})) {
    if (!members.includes(name)) throw new ScenarioError(`/cluster/initialEpochs/${name}`, "must be one of the cluster's nodes");
  }
  const atlas = s.faults.storage?.nodes ?? [];
  atlas.forEach((name, i) => {
    if (!members.includes(name)) throw new ScenarioError(`/faults/storage/nodes/${i}`, `must be one of the cluster's nodes (got "${name}")`);
  });
  if (atlas.length > (members.length - 1) >> 1) {
    throw new ScenarioError('/faults/storage/nodes', `must be a minority of the ${members.length} nodes (the fault atlas keeps a quorum of working disks), got ${atlas.length}`);
  }
  const timeouts = s.faults.timeouts;
  if (timeouts && timeouts.electionTimeoutMs[0] > timeouts.electionTimeoutMs[1]) {
    throw new ScenarioError('/faults/timeouts/electionTimeoutMs', 'must be [min, max] with min <= max');
  }
  checkEvents(s, all, joiners);
}

function checkEvents(s: Scenario, all: string[], joiners: string[]): void {
  const backups = new Map<string, { node: string; at: number }>();
  const added = new Set<string>();
  let lastDek = 0;
  s.events.forEach((ev, i) => {
    const at = `/events/${i}`;
    const family = EVENT_FAMILY[ev.kind];
    if (s.faults[family] === undefined) {
      throw new ScenarioError(`${at}/kind`, `"${ev.kind}" needs fault family faults.${family} switched on`);
    }
    if (ev.at > s.faultsEndMs) throw new ScenarioError(`${at}/at`, `must be at most faultsEndMs (${s.faultsEndMs}), got ${ev.at}`);
    const known = (name: string, path: string): void => {
      if (!all.includes(name)) throw new ScenarioError(path, `must be one of the cluster's nodes (got "${name}")`);
    };
    switch (ev.kind) {
      case 'partition': {
        const seen = new Set<string>();
        ev.groups.forEach((g, gi) =>
          g.forEach((name, ni) => {
            const path = `${at}/groups/${gi}/${ni}`;
            known(name, path);
            if (seen.has(name)) throw new ScenarioError(path, `puts "${name}" in two groups`);
            seen.add(name);
          }),
        );
        return;
      }
      case 'rotate-dek': {
        const after = Math.max(s.cluster.initialDek ?? 1, lastDek);
        if (ev.dekId === undefined) {
          lastDek = after + 1;
          return;
        }
        if (ev.dekId <= after) throw new ScenarioError(`${at}/dekId`, `must be above the DEK in force before it (${after}), got ${ev.dekId}`);
        lastDek = ev.dekId;
        return;
      }
      case 'heal':
      case 'enable-raft-envelope':
      case 'rotate-raft-dek':
      case 'propose':
      case 'crash-leader':
      case 'storm-end':
        return;
      case 'isolate-leader':
      case 'figure-8':
        // The leader and `keep` followers must stay a minority: a cut-off majority isolates nobody.
        if (ev.keep !== undefined && ev.keep > maxIsolatedFollowers(s.cluster.nodes.length)) {
          throw new ScenarioError(`${at}/keep`, `must leave the leader's side a minority of the ${s.cluster.nodes.length} nodes (at most ${maxIsolatedFollowers(s.cluster.nodes.length)}, got ${ev.keep})`);
        }
        return;
      case 'storm':
        if (ev.electionTimeoutMs[0] > ev.electionTimeoutMs[1]) throw new ScenarioError(`${at}/electionTimeoutMs`, 'must be [min, max] with min <= max');
        return;
      case 'add-node':
        if (!joiners.includes(ev.node)) throw new ScenarioError(`${at}/node`, `must be one of cluster.joiners (got "${ev.node}")`);
        if (added.has(ev.node)) throw new ScenarioError(`${at}/node`, `adds "${ev.node}" a second time`);
        added.add(ev.node);
        return;
      case 'replace-node':
        known(ev.node, `${at}/node`);
        if (!added.has(ev.joiner)) throw new ScenarioError(`${at}/joiner`, `must be a joiner an earlier add-node added (got "${ev.joiner}")`);
        return;
      case 'backup':
        known(ev.node, `${at}/node`);
        if (backups.has(ev.name)) throw new ScenarioError(`${at}/name`, `reuses backup name "${ev.name}"`);
        backups.set(ev.name, { node: ev.node, at: ev.at });
        return;
      case 'rewind-leader':
        if (backups.has(ev.name)) throw new ScenarioError(`${at}/name`, `reuses backup name "${ev.name}"`);
        if (ev.at + ev.afterMs > s.faultsEndMs) throw new ScenarioError(`${at}/afterMs`, `restores at ${ev.at + ev.afterMs}, after faultsEndMs (${s.faultsEndMs})`);
        backups.set(ev.name, { node: '(the leader at the time)', at: ev.at });
        return;
      case 'restore': {
        known(ev.node, `${at}/node`);
        const b = backups.get(ev.name);
        if (b === undefined || b.at >= ev.at) throw new ScenarioError(`${at}/name`, `must name a backup taken earlier (got "${ev.name}")`);
        if (ev.raft === 'keep' && b.node !== ev.node) {
          throw new ScenarioError(`${at}/raft`, `"keep" needs a backup of ${ev.node} itself (backup "${ev.name}" is of ${b.node})`);
        }
        return;
      }
      default:
        known(ev.node, `${at}/node`);
    }
  });
}

/**
 * The work a scenario asks for, estimated before it runs: every KV write is
 * replicated to every node (and traced), so rate x duration x nodes bounds the
 * run's memory. A schema-valid 7 nodes x 600 s x 1,000 writes/s would need
 * gigabytes; it is refused with the numbers instead.
 */
function checkWork(s: Scenario): void {
  const nodes = s.cluster.nodes.length + (s.cluster.joiners?.length ?? 0);
  const writes = Math.round((s.workload.kvWritesPerSec * s.durationMs * nodes) / 1000);
  if (writes > MAX_REPLICATED_WRITES) {
    const n = (x: number): string => x.toLocaleString('en-US');
    throw new ScenarioError(
      '/workload/kvWritesPerSec',
      `${s.workload.kvWritesPerSec} writes/s over ${s.durationMs} ms on ${nodes} nodes is about ${n(writes)} replicated writes, above the limit of ${n(MAX_REPLICATED_WRITES)} (lower the rate, the duration or the nodes)`,
    );
  }
}
