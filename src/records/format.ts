// The records file of an exploration (JSON Lines): a header naming the
// exploration and its provenance, one line per counted run in index order,
// one line per saved counterexample, and an end line. It is a shard's whole
// output: `regsim merge` rebuilds the summary, the digest and the
// counterexamples of one exploration from the records files of its shards.
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { RunSummary, ScenarioSize } from '../explore/index.ts';
import { PATHS } from '../model/paths.ts';
import type { Provenance } from './provenance.ts';
import type { PolicyOverrides } from '../scenario/index.ts';

export const RECORDS_FORMAT = 'regsim-records/1';

/** What makes runs comparable: the same seed and configuration give the same run i on any machine. */
export interface Exploration {
  seed: number;
  variant: string;
  config: string;
  nodes: number | null;
  guardSwarm: boolean;
  differential: boolean;
  keepGoing: boolean;
  /** The external applier command, or null for the built-in applier. */
  applier: string | null;
  /** explore --policy: the file, and the policy fields it changes on top of `config`'s. */
  policy?: { file: string; overrides: PolicyOverrides };
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
  /** Runs of the whole exploration the shards split. */
  runs: number;
}

export interface HeaderRecord {
  type: 'header';
  format: typeof RECORDS_FORMAT;
  startedAt: string;
  host: string;
  provenance: Provenance;
  exploration: Exploration;
  /** The runs this file was given: from .. to - 1 (to null: until the wall-time budget). */
  range: { from: number; to: number | null };
  shard?: Shard;
}

/** A counted run (RunSummary), with the path counts by name (paths reached 0 times left out). */
export type RunRecord = { type: 'run'; run: number; paths: Record<string, number> } & Omit<RunSummary, 'index' | 'paths'>;

export interface CounterexampleRecord {
  type: 'counterexample';
  run: number;
  invariant: string;
  shrunk: boolean;
  before: ScenarioSize;
  after: ScenarioSize;
  tries: number;
  /** The saved scenario document (checked by loadScenario when used). */
  scenario: unknown;
}

export interface EndRecord {
  type: 'end';
  /** Counted runs, and the index after the last one. */
  runs: number;
  next: number;
  stoppedBy: 'runs' | 'time' | 'failure';
  digest: string;
  elapsedMs: number;
  workers: number;
  finishedAt: string;
}

export type RecordLine = HeaderRecord | RunRecord | CounterexampleRecord | EndRecord;

const index = { type: 'integer', minimum: 0 };
const hex = (n: number) => ({ type: 'string', pattern: `^[0-9a-f]{${n}}$` });
const size = {
  type: 'object',
  required: ['events', 'nodes', 'families', 'durationMs'],
  properties: { events: index, nodes: index, families: index, durationMs: index },
};
const nullable = (type: string) => ({ type: [type, 'null'] });
const strict = (required: string[], properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, required, properties });

const SCHEMAS: Record<RecordLine['type'], object> = {
  header: strict(['type', 'format', 'startedAt', 'host', 'provenance', 'exploration', 'range'], {
    type: { const: 'header' },
    format: { const: RECORDS_FORMAT },
    startedAt: { type: 'string' },
    host: { type: 'string' },
    provenance: strict(['regsim', 'commit', 'packageLock', 'node', 'fastCheck'], {
      regsim: { type: 'string' },
      commit: nullable('string'),
      packageLock: nullable('string'),
      node: { type: 'string' },
      fastCheck: { type: 'string' },
    }),
    exploration: strict(['seed', 'variant', 'config', 'nodes', 'guardSwarm', 'differential', 'keepGoing', 'applier'], {
      policy: strict(['file', 'overrides'], { file: { type: 'string' }, overrides: { type: 'object' } }),
      seed: index,
      variant: { type: 'string' },
      config: { type: 'string' },
      nodes: nullable('integer'),
      guardSwarm: { type: 'boolean' },
      differential: { type: 'boolean' },
      keepGoing: { type: 'boolean' },
      applier: nullable('string'),
    }),
    range: strict(['from', 'to'], { from: index, to: nullable('integer') }),
    shard: strict(['index', 'count', 'runs'], { index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 }, runs: { type: 'integer', minimum: 1 } }),
  }),
  run: strict(['type', 'run', 'runSeed', 'traceHash', 'verdict', 'simulatedMs', 'paths', 'wallMs'], {
    type: { const: 'run' },
    run: index,
    runSeed: hex(16),
    traceHash: hex(64),
    verdict: { enum: ['ok', 'safety-violation', 'liveness-violation'] },
    invariant: { type: 'string' },
    eventIndex: index,
    masked: { const: true },
    simulatedMs: { type: 'number', minimum: 0 },
    paths: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 } },
    wallMs: { type: 'number', minimum: 0 },
  }),
  counterexample: strict(['type', 'run', 'invariant', 'shrunk', 'before', 'after', 'tries', 'scenario'], {
    type: { const: 'counterexample' },
    run: index,
    invariant: { type: 'string' },
    shrunk: { type: 'boolean' },
    before: size,
    after: size,
    tries: index,
    scenario: { type: 'object' },
  }),
  end: strict(['type', 'runs', 'next', 'stoppedBy', 'digest', 'elapsedMs', 'workers', 'finishedAt'], {
    type: { const: 'end' },
    runs: index,
    next: index,
    stoppedBy: { enum: ['runs', 'time', 'failure'] },
    digest: hex(64),
    elapsedMs: { type: 'number', minimum: 0 },
    workers: { type: 'integer', minimum: 1 },
    finishedAt: { type: 'string' },
  }),
};

let compiled: Record<string, ValidateFunction> | undefined;

/** The record schemas by type, compiled on first use (writing records never validates: an exploration need not pay for them). */
const validators = (): Record<string, ValidateFunction> => {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    compiled = Object.fromEntries(Object.entries(SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]));
  }
  return compiled;
};

/** One line of a records file, checked; the error names what is wrong (the caller adds file and line). */
export function parseRecord(text: string): RecordLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('not valid JSON');
  }
  const type = (value as { type?: unknown } | null)?.type;
  const validate = typeof type === 'string' ? validators()[type] : undefined;
  if (validate === undefined) throw new Error(`no record type "${String(type)}" (known: ${Object.keys(SCHEMAS).join(', ')})`);
  if (!validate(value)) {
    const e = validate.errors?.[0];
    throw new Error(`${type} record: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`);
  }
  return value as RecordLine;
}

/** A counted run as a records line: path counts by name, the zeros left out. */
export function toRunRecord(s: RunSummary): RunRecord {
  const paths: Record<string, number> = {};
  PATHS.forEach((p, k) => {
    const n = s.paths[k] ?? 0;
    if (n > 0) paths[p.name] = n;
  });
  const { index, paths: _counts, ...rest } = s;
  return { type: 'run', run: index, ...rest, paths };
}

/** A records line as the run summary it was written from. */
export function fromRunRecord(r: RunRecord): RunSummary {
  const { type: _type, run, paths, ...rest } = r;
  return { index: run, ...rest, paths: PATHS.map((p) => paths[p.name] ?? 0) };
}
