// The key-encryption key, as the applier sees it: something that unwraps a
// wrapped DEK or refuses. Production reads it from --kekFile; regsim uses the
// deterministic fake of production's own tests (the golden vectors were made
// with it), so every replica of a simulated cluster unwraps alike.
import { sameBytes } from './bytes.ts';

export interface KekUnwrapper {
  /** The DEK inside `wrapped`; throws KekUnwrapError if this KEK cannot unwrap it. */
  unwrap(wrapped: Uint8Array): Uint8Array;
}

export class KekUnwrapError extends Error {
  override name = 'KekUnwrapError';
}

export const DEK_LENGTH = 32;

/** The one wrapped value the fake KEK refuses (as the vectors' harness does). */
export const FAKE_KEK_REFUSES = new TextEncoder().encode('kek-refuses-this');

/** The wrapped bytes zero-padded or truncated to 32 bytes; FAKE_KEK_REFUSES is refused. */
export const fakeKek: KekUnwrapper = {
  unwrap(wrapped) {
    if (sameBytes(wrapped, FAKE_KEK_REFUSES)) {
      throw new KekUnwrapError('fake KEK: unwrap refused');
    }
    const dek = new Uint8Array(DEK_LENGTH);
    dek.set(wrapped.subarray(0, DEK_LENGTH));
    return dek;
  },
};
