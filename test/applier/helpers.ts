// Shared bits for the applier tests: a store with switchable faults and
// entry builders.
import { MemoryRegistryStore, OPCODE, StoreFault, encodeRegistration } from '../../src/applier/index.ts';
import type { Registration } from '../../src/applier/index.ts';

export class FaultyStore extends MemoryRegistryStore {
  failGet = false;
  failSet = false;

  override get(key: Uint8Array): Uint8Array | undefined {
    if (this.failGet) throw new StoreFault('injected read fault');
    return super.get(key);
  }

  override set(key: Uint8Array, value: Uint8Array): void {
    if (this.failSet) throw new StoreFault('injected write fault');
    super.set(key, value);
  }
}

export function registrationEntry(reg: Registration): Uint8Array {
  return Uint8Array.of(OPCODE.registration, ...encodeRegistration(reg));
}
