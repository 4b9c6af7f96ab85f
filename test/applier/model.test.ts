// The reference model on its own: it must agree with the golden vectors the
// production code produced, independently of the applier.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelApply, modelApplyEntry, modelKeyHex, modelRowsHex, modelValueHex } from '../../src/model/registration.ts';
import type { RegistryRow } from '../../src/applier/types.ts';

interface Vectors {
  codec: { dekId: string; fullNodeId: string; localEpoch: string; firstSeen: string; registrationPayloadHex: string; registryKeyHex: string; registryValueHex: string }[];
  decodeErrors: { payloadHex: string; error: string }[];
  sequences: { steps: { dekId: number; fullNodeId: string; localEpoch: number; payloadHex: string; outcome: string }[]; finalRows: { keyHex: string; valueHex: string }[] }[];
}
const vectors = JSON.parse(readFileSync(new URL('../../fixtures/applier-conformance.json', import.meta.url), 'utf8')) as Vectors;
const bytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));

describe('model encoders', () => {
  it.each(vectors.codec.map((v, i) => [i, v] as const))('match golden codec vector %i', (_i, v) => {
    expect(modelKeyHex(Number(v.dekId), Number(BigInt(v.fullNodeId) & 0xffffn))).toBe(v.registryKeyHex);
    expect(modelValueHex({ fullNodeId: BigInt(v.fullNodeId), firstSeen: Number(v.firstSeen), lastSeen: Number(v.localEpoch) })).toBe(v.registryValueHex);
  });
});

describe('modelApply', () => {
  it('reproduces every golden sequence step by step', () => {
    for (const seq of vectors.sequences) {
      let rows: ReadonlyMap<string, RegistryRow> = new Map();
      for (const step of seq.steps) {
        const next = modelApply(rows, { dekId: step.dekId, fullNodeId: BigInt(step.fullNodeId), localEpoch: step.localEpoch });
        expect(next.outcome).toBe(step.outcome);
        rows = next.rows;
      }
      expect(modelRowsHex(rows)).toEqual(seq.finalRows);
    }
  });

  it('is pure: the input rows are never changed', () => {
    const rows = new Map<string, RegistryRow>();
    const inserted = modelApply(rows, { dekId: 1, fullNodeId: 7n, localEpoch: 1 });
    expect(rows.size).toBe(0);
    const advanced = modelApply(inserted.rows, { dekId: 1, fullNodeId: 7n, localEpoch: 2 });
    expect(modelRowsHex(inserted.rows)[0]?.valueHex).toBe('000000000000000700010001');
    expect(modelRowsHex(advanced.rows)[0]?.valueHex).toBe('000000000000000700010002');
  });
});

describe('modelApplyEntry', () => {
  const apply = (hex: string) => modelApplyEntry(new Map(), bytes(hex)).result;

  it('replays the golden sequences through entries', () => {
    for (const seq of vectors.sequences) {
      let rows: ReadonlyMap<string, RegistryRow> = new Map();
      for (const step of seq.steps) {
        const next = modelApplyEntry(rows, bytes(`03${step.payloadHex}`));
        const outcome = next.result.kind === 'halt' ? `halt-${next.result.reason}` : next.result.kind === 'registered' ? next.result.outcome : 'kv';
        expect(outcome).toBe(step.outcome);
        rows = next.rows;
      }
      expect(modelRowsHex(rows)).toEqual(seq.finalRows);
    }
  });

  it.each(vectors.decodeErrors)('decode error $payloadHex halts', ({ payloadHex, error }) => {
    expect(apply(`03${payloadHex}`)).toEqual({ kind: 'halt', reason: error === 'version' ? 'unknown-version' : 'malformed' });
  });

  it('dispatches every opcode class', () => {
    expect(apply('')).toEqual({ kind: 'halt', reason: 'malformed' });
    expect(apply('04')).toEqual({ kind: 'halt', reason: 'kek-not-configured' });
    expect(apply('05ff')).toEqual({ kind: 'halt', reason: 'kek-not-configured' });
    expect(apply('06')).toEqual({ kind: 'halt', reason: 'unknown-opcode' });
    expect(apply('07')).toEqual({ kind: 'halt', reason: 'unknown-opcode' });
    for (const opcode of ['00', '01', '02', '08', 'ff']) expect(apply(`${opcode}abcd`)).toEqual({ kind: 'kv', opcode: parseInt(opcode, 16) });
  });
});
