// The scenario document's JSON Schema (draft-07, checked with ajv). Shape
// only: cross-field rules (known nodes, times in range, distinct ids) are in
// load.ts, which reports both kinds the same way: one line naming the field.
const raftId = { type: 'string', minLength: 1, maxLength: 64 };
const time = { type: 'integer', minimum: 0 };
const rate = { type: 'number', minimum: 0, maximum: 1 };
const restartAfterMs = { type: 'integer', minimum: 0, maximum: 10_000 };
const lastsMs = { type: 'integer', minimum: 1, maximum: 10_000 };
const keep = { type: 'integer', minimum: 0, maximum: 2 };
const empty = { type: 'object', additionalProperties: false };
const timeoutRange = { type: 'array', items: { type: 'integer', minimum: 10, maximum: 10_000 }, minItems: 2, maxItems: 2 };

function event(kind: string, props: Record<string, unknown> = {}, required: string[] = []): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['at', 'kind', ...required],
    properties: { at: time, kind: { const: kind }, ...props },
  };
}

const guards = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rollback: { type: 'boolean' },
    exhaustion: { type: 'boolean' },
    collision: { type: 'boolean' },
    compare: { enum: ['after-bump', 'before-bump'] },
    registry: { enum: ['caught-up', 'local'] },
    collisionScope: { enum: ['members', 'registry'] },
  },
};

const nonces = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ownWrites: { enum: ['after-registration', 'immediately'] },
    applies: { enum: ['after-guards', 'after-registration-committed'] },
    heldBehindHalt: { enum: ['wait', 'halt'] },
  },
};

const engine = {
  type: 'object',
  additionalProperties: false,
  properties: {
    registryReplay: { enum: ['reapply', 'skip-applied'] },
    coldStart: { enum: ['last-snapshot', 'durable-applied-index'] },
  },
};

const membership = {
  type: 'object',
  additionalProperties: false,
  properties: {
    admission: { enum: ['none', 'leader-check'] },
  },
};

const text = { type: 'string', minLength: 1, maxLength: 4096 };

/** A counterexample file's metadata block (ScenarioMeta in types.ts). */
const meta = {
  type: 'object',
  additionalProperties: false,
  required: ['variant', 'regsim', 'foundBy'],
  properties: {
    variant: { type: 'string', minLength: 1, maxLength: 100 },
    config: text,
    applier: text,
    invariant: { type: 'string', minLength: 1, maxLength: 100 },
    regsim: { type: 'string', minLength: 1, maxLength: 100 },
    foundBy: {
      type: 'object',
      additionalProperties: false,
      required: ['command', 'shrunk'],
      properties: { command: text, run: { type: 'integer', minimum: 0 }, runSeed: { type: 'string', pattern: '^[0-9a-f]{16}$' }, shrunk: { type: 'boolean' } },
    },
  },
};

export const SCENARIO_SCHEMA = {
  $id: 'https://regsim.local/scenario.schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'seed', 'durationMs', 'faultsEndMs', 'cluster', 'faults', 'workload', 'events'],
  properties: {
    version: { const: 1 },
    seed: { type: 'string', minLength: 1 },
    durationMs: { type: 'integer', minimum: 100, maximum: 600_000 },
    faultsEndMs: time,
    cluster: {
      type: 'object',
      additionalProperties: false,
      required: ['nodes'],
      properties: {
        nodes: { type: 'array', items: raftId, minItems: 3, maxItems: 7 },
        joiners: { type: 'array', items: raftId, maxItems: 4 },
        initialEpochs: { type: 'object', additionalProperties: { type: 'integer', minimum: 0, maximum: 0xffff } },
        fullIds: { type: 'object', additionalProperties: { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' } },
        initialDek: { type: 'integer', minimum: 0, maximum: 0xffffffff },
      },
    },
    faults: {
      type: 'object',
      additionalProperties: false,
      properties: {
        network: {
          type: 'object',
          additionalProperties: false,
          required: ['lossRate', 'dupRate', 'reorderRate'],
          properties: { lossRate: rate, dupRate: rate, reorderRate: rate },
        },
        partitions: empty,
        crashes: {
          type: 'object',
          additionalProperties: false,
          required: ['pendingLossRate'],
          properties: { pendingLossRate: rate, tornRate: rate },
        },
        snapshots: {
          type: 'object',
          additionalProperties: false,
          required: ['interval'],
          properties: { interval: { type: 'integer', minimum: 1, maximum: 1000 } },
        },
        restores: empty,
        membership: empty,
        rotation: empty,
        storms: empty,
        entries: empty,
        storage: {
          type: 'object',
          additionalProperties: false,
          required: ['errorRate', 'corruptRate'],
          properties: { errorRate: rate, corruptRate: rate, fsyncErrorRate: rate, nodes: { type: 'array', items: raftId, uniqueItems: true } },
        },
        timeouts: {
          type: 'object',
          additionalProperties: false,
          required: ['proposalTimeoutMs', 'electionTimeoutMs'],
          properties: {
            proposalTimeoutMs: { type: 'integer', minimum: 1, maximum: 10_000 },
            electionTimeoutMs: timeoutRange,
          },
        },
      },
    },
    workload: {
      type: 'object',
      additionalProperties: false,
      required: ['kvWritesPerSec'],
      properties: { kvWritesPerSec: { type: 'number', minimum: 0, maximum: 1000 } },
    },
    policy: {
      type: 'object',
      additionalProperties: false,
      properties: { guards, nonces, engine, membership, fsm: { enum: ['stage6a', 'main'] }, registerMaxAttempts: { type: 'integer', minimum: 1, maximum: 100 } },
    },
    raft: {
      type: 'object',
      additionalProperties: false,
      properties: { preVote: { type: 'boolean' }, checkQuorum: { type: 'boolean' }, maxBatch: { type: 'integer', minimum: 1, maximum: 1024 }, catchUpEntries: { type: 'integer', minimum: 0, maximum: 100000 } },
    },
    meta,
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind'],
        properties: { kind: { type: 'string' } },
        discriminator: { propertyName: 'kind' },
        oneOf: [
          event('crash', { node: raftId, restartAfterMs }, ['node']),
          event('crash-after-apply', { node: raftId, restartAfterMs }, ['node']),
          event('crash-after-ack', { node: raftId, restartAfterMs }, ['node']),
          event('crash-after-install', { node: raftId, restartAfterMs }, ['node']),
          event('crash-after-snapshot-persist', { node: raftId, restartAfterMs }, ['node']),
          event('crash-before-sync', { node: raftId, restartAfterMs }, ['node']),
          event('crash-loop', { node: raftId, toEpoch: { type: 'integer', minimum: 1, maximum: 0xffff }, restartAfterMs }, ['node', 'toEpoch']),
          event('restart', { node: raftId }, ['node']),
          event('snapshot', { node: raftId }, ['node']),
          event('partition', { groups: { type: 'array', items: { type: 'array', items: raftId }, minItems: 1 } }, ['groups']),
          event('heal'),
          event('backup', { node: raftId, name: { type: 'string', minLength: 1 } }, ['node', 'name']),
          event('restore', { node: raftId, name: { type: 'string', minLength: 1 }, restartAfterMs, raft: { const: 'keep' } }, ['node', 'name']),
          event('rewind-leader', { name: { type: 'string', minLength: 1 }, afterMs: lastsMs, restartAfterMs }, ['name', 'afterMs']),
          event('rotate-dek', { dekId: { type: 'integer', minimum: 0, maximum: 0xffffffff } }),
          event('enable-raft-envelope'),
          event('rotate-raft-dek'),
          event('propose', { entry: { type: 'string', pattern: '^([0-9a-f]{2}){0,64}$' } }, ['entry']),
          event('add-node', { node: raftId, learner: { type: 'boolean' } }, ['node']),
          event('remove-node', { node: raftId }, ['node']),
          event('replace-node', { node: raftId, joiner: raftId, cutMs: lastsMs }, ['node', 'joiner']),
          event('crash-leader', { restartAfterMs }),
          event('isolate-leader', { keep, lastsMs, crashAtHeal: { type: 'boolean' }, withLearners: { type: 'boolean' }, atConfChange: { type: 'boolean' } }),
          event('figure-8', { keep, lastsMs, restartAfterMs, restoreVoter: { type: 'boolean' } }),
          event('crash-after-vote', { node: raftId, restartAfterMs }, ['node']),
          event('crash-after-elect', { node: raftId, restartAfterMs }, ['node']),
          event('crash-after-commit', { node: raftId, restartAfterMs }, ['node']),
          event('storm', { electionTimeoutMs: timeoutRange, maxDelayMs: { type: 'integer', minimum: 1, maximum: 1000 } }, ['electionTimeoutMs', 'maxDelayMs']),
          event('storm-end'),
        ],
      },
    },
  },
} as const;
