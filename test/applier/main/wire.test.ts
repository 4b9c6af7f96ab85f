// Main's bootstrap and rotation codecs: canonical round trips, the error
// class of the first bad field, and decoders that never throw anything but a
// WireError (fast-check, from the fixed seed of test/fast-check-seed.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_BOOTSTRAP_ROWS,
  ROTATION_SUBTAG,
  WireError,
  decodeBootstrap,
  decodeRotation,
  encodeBootstrap,
  encodeRotation,
  fromHex,
  toHex,
} from '../../../src/applier/index.ts';
import type { BootstrapPayload, RotationPayload } from '../../../src/applier/index.ts';

const registration = fc.record({ dekId: fc.nat({ max: 0xffffffff }), fullNodeId: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), localEpoch: fc.nat({ max: 0xffff }) });
const bytes = fc.uint8Array({ maxLength: 40 });
const bootstrap: fc.Arbitrary<BootstrapPayload> = fc.record({
  storageDekId: fc.nat({ max: 0xffffffff }),
  wrappedStorage: bytes,
  raftDekId: fc.nat({ max: 0xffffffff }),
  wrappedRaft: bytes,
  batch: fc.array(registration, { maxLength: 8 }),
});
const rotation: fc.Arbitrary<RotationPayload> = fc.record({
  subTag: fc.constantFrom(...Object.values(ROTATION_SUBTAG)),
  dekId: fc.nat({ max: 0xffffffff }),
  purpose: fc.constantFrom(1 as const, 2 as const),
  wrapped: bytes,
  proposer: registration,
});

/** The reason a decoder gives, or 'ok'; anything thrown but a WireError escapes and fails the test. */
function reasonOf(decode: () => unknown): string {
  try {
    decode();
    return 'ok';
  } catch (err) {
    if (err instanceof WireError) return err.reason;
    throw err;
  }
}

/** Valid encodings cut short, extended, or with one byte changed: the inputs most likely to confuse a decoder. */
function damaged<P>(valid: fc.Arbitrary<P>, encode: (p: P) => Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    bytes,
    fc.tuple(valid.map(encode), fc.nat()).map(([b, n]) => b.subarray(0, n % (b.length + 1))),
    fc.tuple(valid.map(encode), fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([b, extra]) => Uint8Array.of(...b, ...extra)),
    fc.tuple(valid.map(encode), fc.nat(), fc.nat({ max: 255 })).map(([b, at, v]) => {
      const out = b.slice();
      out[at % out.length] = v;
      return out;
    }),
  );
}

function codecProperties<P>(name: string, valid: fc.Arbitrary<P>, encode: (p: P) => Uint8Array, decode: (b: Uint8Array) => P): void {
  describe(`${name} codec`, () => {
    it('decode(encode(p)) is p', () => {
      fc.assert(
        fc.property(valid, (p) => {
          expect(decode(encode(p))).toEqual(p);
        }),
      );
    });

    it('never throws anything but a WireError, and what it accepts re-encodes to the same bytes', () => {
      fc.assert(
        fc.property(damaged(valid, encode), (payload) => {
          if (reasonOf(() => decode(payload)) === 'ok') expect(toHex(encode(decode(payload)))).toBe(toHex(payload));
        }),
        { numRuns: 2000 },
      );
    });
  });
}

codecProperties('bootstrap', bootstrap, encodeBootstrap, decodeBootstrap);
codecProperties('rotation', rotation, encodeRotation, decodeRotation);

describe('bootstrap decoding: the first bad field decides', () => {
  const head = '01000000010000000161000000020000000162'; // version, storage 1 "a", raft 2 "b"
  it.each([
    ['', 'malformed'],
    ['00', 'unknown-version'],
    ['02ffffff', 'unknown-version'],
    ['01', 'malformed'],
    ['0100000001ffffffff61', 'malformed'],
    [`${head}00004000`, 'malformed'], // 16384 rows announced, none there
    [`${head}00004001`, 'malformed'], // over the cap
    [`${head}00000000`, 'ok'],
    [`${head}0000000000`, 'malformed'], // trailing byte
  ])('%s -> %s', (hex, reason) => {
    expect(reasonOf(() => decodeBootstrap(fromHex(hex)))).toBe(reason);
  });

  it('checks no semantics: equal DEK ids, DEK 0 and rows under a third DEK decode', () => {
    const p = { storageDekId: 0, wrappedStorage: new Uint8Array(), raftDekId: 0, wrappedRaft: new Uint8Array(), batch: [{ dekId: 9, fullNodeId: 1n, localEpoch: 2 }] };
    expect(decodeBootstrap(encodeBootstrap(p))).toEqual(p);
  });
});

describe('rotation decoding: the first bad field decides', () => {
  it.each([
    ['', 'malformed'],
    ['ff', 'unknown-version'],
    ['01', 'malformed'],
    ['0102', 'unknown-subtag'], // rewrap-deks: reserved
    ['0103ffff', 'unknown-subtag'], // retire-dek followed by garbage
    ['0101000000', 'malformed'],
    ['010100000003', 'malformed'], // no purpose
    ['01010000000303', 'malformed'], // purpose 3
    ['0101000000030100000001770000000308b37b07b558d4c000', 'malformed'], // proposer one byte short
    ['010100000003010000000177010000000308b37b07b558d4c00004', 'malformed'], // proposer with a version byte
    ['01010000000301000000000000000308b37b07b558d4c00004', 'ok'],
  ])('%s -> %s', (hex, reason) => {
    expect(reasonOf(() => decodeRotation(fromHex(hex)))).toBe(reason);
  });
});

describe('encoders refuse what no decoder would give back', () => {
  const p = { storageDekId: 1, wrappedStorage: new Uint8Array(), raftDekId: 2, wrappedRaft: new Uint8Array(), batch: [] };
  it('out-of-range ids and an over-full batch', () => {
    expect(() => encodeBootstrap({ ...p, storageDekId: 2 ** 32 })).toThrow(RangeError);
    const row = { dekId: 1, fullNodeId: 1n, localEpoch: 0 };
    expect(() => encodeBootstrap({ ...p, batch: Array.from({ length: MAX_BOOTSTRAP_ROWS + 1 }, () => row) })).toThrow(RangeError);
    expect(() => encodeRotation({ subTag: 1, dekId: -1, purpose: 1, wrapped: new Uint8Array(), proposer: row })).toThrow(RangeError);
  });
});
