// The in-memory keystore of one process: DEK id -> DEK bytes. It is not
// durable: a restart builds a new one from the sidecar (startup.ts). The caller
// owns it, so a simulator drops it on a crash.
import { sameBytes } from './bytes.ts';

export class KeystoreError extends Error {
  override name = 'KeystoreError';
  constructor(
    readonly reason: 'reserved-key-id' | 'key-conflict',
    message: string,
  ) {
    super(message);
  }
}

// Production also refuses a DEK that is not 32 bytes (ErrBadKeySize); every
// KEK regsim uses unwraps to 32 bytes, so that refusal cannot arise here.
export class Keystore {
  private readonly keys = new Map<number, Uint8Array>();

  /** Loads a DEK. Id 0 is the "not bootstrapped" sentinel; an id already loaded with other bytes conflicts; the same bytes again are fine. */
  set(dekId: number, dek: Uint8Array): void {
    if (dekId === 0) throw new KeystoreError('reserved-key-id', 'DEK id 0 is reserved (not bootstrapped)');
    const loaded = this.keys.get(dekId);
    if (loaded !== undefined && !sameBytes(loaded, dek)) {
      throw new KeystoreError('key-conflict', `DEK id ${dekId} is already loaded with other key bytes`);
    }
    this.keys.set(dekId, dek.slice());
  }

  /** The loaded DEK ids, ascending. */
  ids(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  /** A copy of the DEK loaded under `dekId`. */
  get(dekId: number): Uint8Array | undefined {
    return this.keys.get(dekId)?.slice();
  }
}
