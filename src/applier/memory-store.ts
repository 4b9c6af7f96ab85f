// An in-memory RegistryStore for tests and the conformance verb. Values are
// copied in and out so a caller can never alias the stored bytes.
import { toHex } from './hex.ts';
import type { RegistryStore } from './types.ts';

export class MemoryRegistryStore implements RegistryStore {
  private readonly values = new Map<string, Uint8Array>();
  /** How many writes it has taken (a caller can tell its rows are unchanged). */
  writes = 0;

  get(key: Uint8Array): Uint8Array | undefined {
    return this.values.get(toHex(key))?.slice();
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.values.set(toHex(key), value.slice());
    this.writes++;
  }

  peek(key: Uint8Array): Uint8Array | undefined {
    return this.get(key);
  }

  /** Every row as hex, sorted by key (the canonical order). */
  rowsHex(): { keyHex: string; valueHex: string }[] {
    return [...this.values]
      .sort(([a], [b]) => (a < b ? -1 : 1)) // keys are unique
      .map(([keyHex, value]) => ({ keyHex, valueHex: toHex(value) }));
  }
}
