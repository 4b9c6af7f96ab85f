import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  MemoryRegistryStore,
  createEntryApplier,
  decodeRegistration,
  decodeRegistryValue,
  encodeRegistration,
  encodeRegistryValue,
  fromHex,
  low16,
  registryKey,
  toHex,
} from '../src/applier/index.ts';
import { modelApplyEntry, modelKeyHex, modelValueHex } from '../src/model/registration.ts';
import { agreesWithModel } from './applier.model.ts';

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const registration = fc.record({ dekId: u32, fullNodeId: u64, localEpoch: u16 });
const row = fc.record({ fullNodeId: u64, firstSeen: u16, lastSeen: u16 });

/** Run `decode`; it may only succeed or throw a CodecError with one of `reasons`. */
function decodesOrTypedError(decode: () => unknown, reasons: string[]): string {
  try {
    decode();
    return 'ok';
  } catch (err) {
    if (err instanceof CodecError && reasons.includes(err.reason)) return err.reason;
    throw err;
  }
}

describe('codec properties', () => {
  it('hex round trips', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes);
      }),
    );
  });

  it('registration payloads round trip and match the model layout', () => {
    fc.assert(
      fc.property(registration, (reg) => {
        const payload = encodeRegistration(reg);
        expect(payload.length).toBe(15);
        expect(decodeRegistration(payload)).toEqual(reg);
        expect(modelApplyEntry(new Map(), Uint8Array.of(3, ...payload)).rows.get(modelKeyHex(reg.dekId, low16(reg.fullNodeId)))).toEqual({
          fullNodeId: reg.fullNodeId,
          firstSeen: reg.localEpoch,
          lastSeen: reg.localEpoch,
        });
      }),
    );
  });

  it('registry values and keys round trip and match the model encoders byte for byte', () => {
    fc.assert(
      fc.property(row, u32, (r, dekId) => {
        const value = encodeRegistryValue(r);
        expect(decodeRegistryValue(value)).toEqual(r);
        expect(toHex(value)).toBe(modelValueHex(r));
        expect(toHex(registryKey(dekId, low16(r.fullNodeId)))).toBe(modelKeyHex(dekId, low16(r.fullNodeId)));
      }),
    );
  });

  it('decoding any byte string succeeds or fails with a typed error, never anything else', () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 32 }), fc.uint8Array({ minLength: 11, maxLength: 16 }));
    fc.assert(
      fc.property(bytes, (b) => {
        const payload = decodesOrTypedError(() => decodeRegistration(b), ['malformed', 'unknown-version']);
        expect(payload === 'ok').toBe(b.length === 15 && b[0] === 1);
        const value = decodesOrTypedError(() => decodeRegistryValue(b), ['corrupt-row']);
        expect(value === 'ok').toBe(b.length === 12);
      }),
    );
  });

  it('fromHex accepts exactly the even-length hex strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxg '), maxLength: 12 }), (s) => {
        const valid = s.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(s);
        let accepted: boolean;
        try {
          accepted = fromHex(s).length === s.length / 2;
        } catch (err) {
          expect(err).toBeInstanceOf(SyntaxError);
          accepted = false;
        }
        expect(accepted).toBe(valid);
      }),
    );
  });

  it('the FSM answers any entry like the model and never throws', () => {
    const entry = fc.oneof(
      fc.uint8Array({ maxLength: 20 }),
      fc.tuple(fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 16 })).map(([op, body]) => Uint8Array.of(op, ...body)),
    );
    fc.assert(
      fc.property(entry, (e) => {
        const store = new MemoryRegistryStore();
        const got = createEntryApplier(store).apply(e);
        const want = modelApplyEntry(new Map(), e).result;
        expect(got.kind === 'halt' ? { kind: got.kind, reason: got.reason } : got).toEqual(want);
      }),
    );
  });
});

describe('model-based: the applier agrees with the reference model', () => {
  it('over long sequences of registrations, replays and raw entries', () => {
    fc.assert(agreesWithModel(createEntryApplier), { numRuns: 150 });
  });
});
