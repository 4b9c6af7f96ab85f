// `regsim conformance <vectors.json>`: run the golden vectors produced by the
// production Go code against an applier (the correct one or a named variant).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { ExternalApplierError } from '../external/index.ts';
import { withApplier } from './applier-option.ts';
import {
  CodecError,
  MemoryRegistryStore,
  OPCODE,
  applierFactoryByName,
  decodeRegistration,
  decodeRegistryValue,
  deriveNodeId,
  encodeRegistration,
  encodeRegistryValue,
  fromHex,
  low16,
  registryKey,
  toHex,
} from '../applier/index.ts';
import type { ApplierFactory, ApplyResponse } from '../applier/index.ts';
import { UsageError } from './errors.ts';

const OUTCOMES = ['insert', 'advance', 'noop', 'halt-collision', 'halt-rollback'] as const;

type Row = { keyHex: string; valueHex: string };
interface CodecVector {
  dekId: string;
  fullNodeId: string;
  localEpoch: string;
  firstSeen: string;
  registrationPayloadHex: string;
  registryKeyHex: string;
  registryValueHex: string;
}
interface Step {
  dekId: number;
  fullNodeId: string;
  localEpoch: number;
  payloadHex: string;
  outcome: (typeof OUTCOMES)[number];
}
interface Vectors {
  codec: CodecVector[];
  deriveNodeId: { raftId: string; fullNodeId: string }[];
  decodeErrors: { name: string; payloadHex: string; error: 'malformed' | 'version' }[];
  sequences: { steps: Step[]; finalRows: Row[] }[];
}

// Decimal strings are range-checked as formats so a bad number is reported
// like any other schema error, with its path.
function decimalFormat(bits: number) {
  const max = (1n << BigInt(bits)) - 1n;
  return { type: 'string' as const, validate: (s: string) => /^(0|[1-9][0-9]*)$/.test(s) && BigInt(s) <= max };
}
const hex = { type: 'string', pattern: '^([0-9a-fA-F]{2})*$' };
const u16 = { type: 'integer', minimum: 0, maximum: 0xffff };
const u32 = { type: 'integer', minimum: 0, maximum: 0xffffffff };
const str = (format: string) => ({ type: 'string', format });
const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
});
const array = (items: unknown) => ({ type: 'array', items });

const schema = object({
  codec: array(
    object({
      dekId: str('u32'),
      fullNodeId: str('u64'),
      localEpoch: str('u16'),
      firstSeen: str('u16'),
      registrationPayloadHex: hex,
      registryKeyHex: hex,
      registryValueHex: hex,
    }),
  ),
  deriveNodeId: array(object({ raftId: { type: 'string' }, fullNodeId: str('u64') })),
  decodeErrors: array(object({ name: { type: 'string' }, payloadHex: hex, error: { enum: ['malformed', 'version'] } })),
  sequences: array(
    object({
      steps: array(
        object({ dekId: u32, fullNodeId: str('u64'), localEpoch: u16, payloadHex: hex, outcome: { enum: OUTCOMES } }),
      ),
      finalRows: array(object({ keyHex: hex, valueHex: hex })),
    }),
  ),
});

const ajv = new Ajv({ formats: { u16: decimalFormat(16), u32: decimalFormat(32), u64: decimalFormat(64) } });
const validate = ajv.compile<Vectors>(schema);

function schemaMessage(error: ErrorObject): string {
  const where = error.instancePath || '(document)';
  const allowed = error.params.allowedValues;
  const what = Array.isArray(allowed) ? `must be one of ${allowed.join(', ')}` : error.message;
  return `vectors: ${where} ${what}`;
}

/** What the applier did, in the vectors' outcome vocabulary. */
function outcomeOf(response: ApplyResponse): string {
  if (response.kind === 'registered') return response.outcome;
  if (response.kind === 'halt') return `halt-${response.reason}`;
  return `kv(0x${response.opcode.toString(16)})`;
}

function registrationEntry(payload: Uint8Array): Uint8Array {
  return Uint8Array.of(OPCODE.registration, ...payload);
}

/** The mismatches of one vector ([] when it passes). */
type Check = () => string[];

function expectEqual(what: string, got: string, want: string): string[] {
  return got === want.toLowerCase() ? [] : [`${what} ${got}, want ${want}`];
}

/** Decode the vector's bytes and re-encode them: they must give back the expected fields. */
function decodesBack(what: string, roundTrip: () => string, want: string): string[] {
  try {
    return roundTrip() === want ? [] : [`${what} does not decode back`];
  } catch (err) {
    if (err instanceof CodecError) return [`${what} does not decode: ${err.message}`];
    throw err;
  }
}

function codecCheck(v: CodecVector): Check {
  return () => {
    const reg = { dekId: Number(v.dekId), fullNodeId: BigInt(v.fullNodeId), localEpoch: Number(v.localEpoch) };
    const row = { fullNodeId: reg.fullNodeId, firstSeen: Number(v.firstSeen), lastSeen: reg.localEpoch };
    const valueHex = toHex(encodeRegistryValue(row));
    const payloadHex = toHex(encodeRegistration(reg));
    return [
      ...expectEqual('key', toHex(registryKey(reg.dekId, low16(reg.fullNodeId))), v.registryKeyHex),
      ...expectEqual('value', valueHex, v.registryValueHex),
      ...expectEqual('payload', payloadHex, v.registrationPayloadHex),
      ...decodesBack('value', () => toHex(encodeRegistryValue(decodeRegistryValue(fromHex(v.registryValueHex)))), valueHex),
      ...decodesBack('payload', () => toHex(encodeRegistration(decodeRegistration(fromHex(v.registrationPayloadHex)))), payloadHex),
    ];
  };
}

function decodeErrorCheck(v: Vectors['decodeErrors'][number], factory: ApplierFactory): Check {
  return () => {
    const want = v.error === 'version' ? 'unknown-version' : 'malformed';
    const payload = fromHex(v.payloadHex);
    let decoded: string;
    try {
      decodeRegistration(payload);
      decoded = 'success';
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      decoded = err.reason;
    }
    const applied = outcomeOf(factory(new MemoryRegistryStore()).apply(registrationEntry(payload)));
    return [...expectEqual('decode', decoded, want), ...expectEqual('apply', applied, `halt-${want}`)];
  };
}

/** One problem per key whose row differs (absent on one side, or another value). */
function rowDifferences(got: Row[], want: Row[]): string[] {
  const byKey = (rows: Row[]) => new Map(rows.map((r) => [r.keyHex.toLowerCase(), r.valueHex.toLowerCase()]));
  const gotRows = byKey(got);
  const wantRows = byKey(want);
  return [...new Set([...gotRows.keys(), ...wantRows.keys()])]
    .sort()
    .filter((key) => gotRows.get(key) !== wantRows.get(key))
    .map((key) => `row ${key} ${gotRows.get(key) ?? 'absent'}, want ${wantRows.get(key) ?? 'absent'}`);
}

function sequenceCheck(seq: Vectors['sequences'][number], factory: ApplierFactory): Check {
  return () => {
    const store = new MemoryRegistryStore();
    const applier = factory(store);
    const problems: string[] = [];
    seq.steps.forEach((step, i) => {
      const reg = { dekId: step.dekId, fullNodeId: BigInt(step.fullNodeId), localEpoch: step.localEpoch };
      problems.push(...expectEqual(`step ${i} payload`, toHex(encodeRegistration(reg)), step.payloadHex));
      problems.push(...expectEqual(`step ${i} outcome`, outcomeOf(applier.apply(registrationEntry(fromHex(step.payloadHex)))), step.outcome));
    });
    problems.push(...rowDifferences(store.rowsHex(), seq.finalRows));
    return problems;
  };
}

/** Validate `vectors` (UsageError on a bad document) and run every vector against `factory`. */
export function runConformance(
  vectors: unknown,
  factory: ApplierFactory,
): { passed: number; failed: number; failures: string[] } {
  if (!validate(vectors)) throw new UsageError(validate.errors?.[0] ? schemaMessage(validate.errors[0]) : 'vectors: invalid');
  const checks: [string, Check][] = [
    ...vectors.codec.map((v, i): [string, Check] => [`codec[${i}]`, codecCheck(v)]),
    ...vectors.deriveNodeId.map((v, i): [string, Check] => [
      `deriveNodeId[${i}] ${JSON.stringify(v.raftId)}`,
      () => expectEqual('full id', deriveNodeId(v.raftId).toString(), v.fullNodeId),
    ]),
    ...vectors.decodeErrors.map((v, i): [string, Check] => [`decodeErrors[${i}] ${v.name}`, decodeErrorCheck(v, factory)]),
    ...vectors.sequences.map((s, i): [string, Check] => [`sequences[${i}]`, sequenceCheck(s, factory)]),
  ];
  const failures: string[] = [];
  for (const [name, check] of checks) {
    let problems: string[];
    try {
      problems = check();
    } catch (err) {
      // A dead or garbled external applier is a harness error, not a failed vector.
      if (err instanceof ExternalApplierError) throw err;
      // An applier that throws fails its vector; it does not stop the run.
      problems = [`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`];
    }
    if (problems.length > 0) failures.push(`${name}: ${problems.join('; ')}`);
  }
  return { passed: checks.length - failures.length, failed: failures.length, failures };
}

function readVectors(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read vectors file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`vectors file ${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The options as commander parsed them (see commands.ts). */
export interface ConformanceOptions {
  variant: string;
  applier?: string;
}

/** The `conformance` verb: run the vectors file at `path` and print the failures and a count. */
export async function runConformanceVerb(path: string, options: ConformanceOptions): Promise<void> {
  let builtin: ApplierFactory;
  try {
    builtin = applierFactoryByName(options.variant);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (options.applier !== undefined && options.variant !== 'correct') {
    throw new UsageError('--variant selects a built-in applier; pass it to the external applier command instead');
  }
  const vectors = readVectors(path);
  const result = await withApplier(options.applier, builtin, (factory) => runConformance(vectors, factory));
  for (const failure of result.failures) process.stdout.write(`FAIL ${failure}\n`);
  process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
  if (result.failed > 0) process.exitCode = 1;
}
