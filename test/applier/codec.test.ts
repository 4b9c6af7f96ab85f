import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  decodeRegistration,
  decodeRegistryValue,
  deriveNodeId,
  encodeRegistration,
  encodeRegistryValue,
  fromHex,
  low16,
  registryKey,
  toHex,
} from '../../src/applier/index.ts';

const vectors = JSON.parse(readFileSync(new URL('../../fixtures/applier-conformance.json', import.meta.url), 'utf8')) as {
  decodeErrors: { name: string; payloadHex: string; error: string }[];
  deriveNodeId: { raftId: string; fullNodeId: string }[];
};

function codecError(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodecError) return err;
    throw err;
  }
  throw new Error('expected a CodecError');
}

describe('hex', () => {
  it('round trips and writes lowercase', () => {
    expect(toHex(Uint8Array.of(0, 0xab, 0x7f, 0xff))).toBe('00ab7fff');
    expect([...fromHex('00AB7fFF')]).toEqual([0, 0xab, 0x7f, 0xff]);
    expect(fromHex('')).toEqual(new Uint8Array());
  });
  it('rejects odd length and non-hex characters', () => {
    expect(() => fromHex('abc')).toThrow(/odd length/);
    expect(() => fromHex('zz')).toThrow(/not a hex/);
    expect(() => fromHex('0x12')).toThrow(/not a hex/);
    expect(() => fromHex(' 1')).toThrow(/not a hex/);
  });
});

describe('registry key', () => {
  it('is prefix ‖ dek u32 ‖ | ‖ node u16 (27 bytes)', () => {
    const key = registryKey(0x01020304, 0xbeef);
    expect(key.length).toBe(27);
    expect(new TextDecoder().decode(key.subarray(0, 20))).toBe('!encryption|writers|');
    expect(toHex(key.subarray(20))).toBe('010203047cbeef');
  });
  it('rejects out-of-range fields instead of wrapping', () => {
    expect(() => registryKey(2 ** 32, 0)).toThrow(RangeError);
    expect(() => registryKey(-1, 0)).toThrow(RangeError);
    expect(() => registryKey(1, 0x10000)).toThrow(RangeError);
    expect(() => registryKey(1.5, 0)).toThrow(RangeError);
  });
});

describe('registry value', () => {
  const row = { fullNodeId: 0xfedcba9876543210n, firstSeen: 3, lastSeen: 0xffff };
  it('encodes full ‖ first ‖ last and decodes back', () => {
    const value = encodeRegistryValue(row);
    expect(toHex(value)).toBe('fedcba98765432100003ffff');
    expect(decodeRegistryValue(value)).toEqual(row);
  });
  it('decodes from a view into a larger buffer', () => {
    const buffer = fromHex(`ffff${toHex(encodeRegistryValue(row))}ff`);
    expect(decodeRegistryValue(buffer.subarray(2, 14))).toEqual(row);
  });
  it.each([0, 11, 13, 27])('a %i-byte value is a corrupt row, never "no row"', (length) => {
    expect(codecError(() => decodeRegistryValue(new Uint8Array(length))).reason).toBe('corrupt-row');
  });
  it('rejects out-of-range fields', () => {
    expect(() => encodeRegistryValue({ ...row, fullNodeId: 1n << 64n })).toThrow(RangeError);
    expect(() => encodeRegistryValue({ ...row, fullNodeId: -1n })).toThrow(RangeError);
    expect(() => encodeRegistryValue({ ...row, lastSeen: 0x10000 })).toThrow(RangeError);
    expect(() => encodeRegistryValue({ ...row, firstSeen: -1 })).toThrow(RangeError);
  });
});

describe('registration payload', () => {
  const reg = { dekId: 7, fullNodeId: 9n, localEpoch: 3 };
  it('is version ‖ dek ‖ full ‖ epoch (15 bytes)', () => {
    expect(toHex(encodeRegistration(reg))).toBe('010000000700000000000000090003');
    expect(decodeRegistration(encodeRegistration(reg))).toEqual(reg);
  });
  it.each(vectors.decodeErrors)('golden decode error: $name', ({ payloadHex, error }) => {
    expect(codecError(() => decodeRegistration(fromHex(payloadHex))).reason).toBe(
      error === 'version' ? 'unknown-version' : 'malformed',
    );
  });
  it('checks length before version', () => {
    expect(codecError(() => decodeRegistration(fromHex('02'))).reason).toBe('malformed');
  });
  it('rejects out-of-range fields', () => {
    expect(() => encodeRegistration({ ...reg, dekId: 2 ** 32 })).toThrow(RangeError);
    expect(() => encodeRegistration({ ...reg, localEpoch: 0x10000 })).toThrow(RangeError);
    expect(() => encodeRegistration({ ...reg, fullNodeId: 1n << 64n })).toThrow(RangeError);
  });
});

describe('node ids', () => {
  it.each(vectors.deriveNodeId)('golden FNV-1a-64 of $raftId', ({ raftId, fullNodeId }) => {
    expect(deriveNodeId(raftId)).toBe(BigInt(fullNodeId));
  });
  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // FNV-1a-64 of the two bytes c3 a9, computed by hand from the definition.
    let h = 0xcbf29ce484222325n;
    for (const b of [0xc3, 0xa9]) h = ((h ^ BigInt(b)) * 0x100000001b3n) & ((1n << 64n) - 1n);
    expect(deriveNodeId('é')).toBe(h);
  });
  it('low16 keeps the low 16 bits', () => {
    expect(low16(0x123456789abcdef0n)).toBe(0xdef0);
    expect(low16(0n)).toBe(0);
  });
});
