// The four sections both vectors files share (regsim's original format):
// codec, deriveNodeId, decodeErrors and sequences of 0x03 entries. The two
// applier generations run them alike through a RegistrationRun.
import {
  CodecError,
  OPCODE,
  decodeRegistration,
  decodeRegistryValue,
  deriveNodeId,
  encodeRegistration,
  encodeRegistryValue,
  fromHex,
  low16,
  registryKey,
  toHex,
} from '../../applier/index.ts';
import { decodesBack, expectEqual, rowDifferences } from './checks.ts';
import type { Check, NamedCheck } from './checks.ts';
import { array, hex, object, oneOf, row, str, text, u16, u32 } from './schema.ts';
import type { Row } from './schema.ts';

const OUTCOMES = ['insert', 'advance', 'noop', 'halt-collision', 'halt-rollback'] as const;

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
export interface RegistrationSections {
  codec: CodecVector[];
  deriveNodeId: { raftId: string; fullNodeId: string }[];
  decodeErrors: { name: string; payloadHex: string; error: 'malformed' | 'version' }[];
  sequences: { steps: Step[]; finalRows: Row[] }[];
}

export const registrationSchemas = {
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
  deriveNodeId: array(object({ raftId: text, fullNodeId: str('u64') })),
  decodeErrors: array(object({ name: text, payloadHex: hex, error: oneOf(['malformed', 'version']) })),
  sequences: array(
    object({
      steps: array(object({ dekId: u32, fullNodeId: str('u64'), localEpoch: u16, payloadHex: hex, outcome: oneOf(OUTCOMES) })),
      finalRows: array(row),
    }),
  ),
};

/**
 * A fresh applier over a fresh registry: `apply` takes a whole entry and says
 * what happened in the vectors' outcome words (insert, advance, noop,
 * halt-<reason>); `rows` is the registry afterwards.
 */
export interface RegistrationRun {
  apply(entry: Uint8Array): string;
  rows(): Row[];
}

function registrationEntry(payload: Uint8Array): Uint8Array {
  return Uint8Array.of(OPCODE.registration, ...payload);
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

function decodeErrorCheck(v: RegistrationSections['decodeErrors'][number], newRun: () => RegistrationRun): Check {
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
    const applied = newRun().apply(registrationEntry(payload));
    return [...expectEqual('decode', decoded, want), ...expectEqual('apply', applied, `halt-${want}`)];
  };
}

function sequenceCheck(seq: RegistrationSections['sequences'][number], newRun: () => RegistrationRun): Check {
  return () => {
    const run = newRun();
    const problems: string[] = [];
    seq.steps.forEach((step, i) => {
      const reg = { dekId: step.dekId, fullNodeId: BigInt(step.fullNodeId), localEpoch: step.localEpoch };
      problems.push(...expectEqual(`step ${i} payload`, toHex(encodeRegistration(reg)), step.payloadHex));
      problems.push(...expectEqual(`step ${i} outcome`, run.apply(registrationEntry(fromHex(step.payloadHex))), step.outcome));
    });
    problems.push(...rowDifferences(run.rows(), seq.finalRows));
    return problems;
  };
}

export function registrationChecks(vectors: RegistrationSections, newRun: () => RegistrationRun): NamedCheck[] {
  return [
    ...vectors.codec.map((v, i): NamedCheck => [`codec[${i}]`, codecCheck(v)]),
    ...vectors.deriveNodeId.map((v, i): NamedCheck => [
      `deriveNodeId[${i}] ${JSON.stringify(v.raftId)}`,
      () => expectEqual('full id', deriveNodeId(v.raftId).toString(), v.fullNodeId),
    ]),
    ...vectors.decodeErrors.map((v, i): NamedCheck => [`decodeErrors[${i}] ${v.name}`, decodeErrorCheck(v, newRun)]),
    ...vectors.sequences.map((s, i): NamedCheck => [`sequences[${i}]`, sequenceCheck(s, newRun)]),
  ];
}
