// The registry rows an entry addresses, as regsim decodes it: what protocol v2
// sends ahead with the entry so the child needs no call to read them. Only an
// optimisation: a child that reads another row asks for it.
import { CodecError, OPCODE, decodeRegistration, low16, registryKey } from '../applier/codec.ts';
import { toHex } from '../applier/hex.ts';
import type { Registration } from '../applier/types.ts';
import { WireError, decodeBootstrap, decodeRotation } from '../applier/main/wire.ts';

function registrations(entry: Uint8Array): Registration[] {
  const body = entry.subarray(1);
  switch (entry[0]) {
    case OPCODE.registration:
      return [decodeRegistration(body)];
    case OPCODE.bootstrap:
      return decodeBootstrap(body).batch;
    case OPCODE.rotation:
      return [decodeRotation(body).proposer];
    default:
      return [];
  }
}

/** The row keys of the entry's registrations, each once; none if it does not decode. */
export function slotsOf(entry: Uint8Array): Uint8Array[] {
  let regs: Registration[];
  try {
    regs = registrations(entry);
  } catch (err) {
    if (err instanceof CodecError || err instanceof WireError) return [];
    throw err;
  }
  const keys = regs.map((r) => registryKey(r.dekId, low16(r.fullNodeId)));
  return keys.length < 2 ? keys : [...new Map(keys.map((k) => [toHex(k), k])).values()];
}
