// The FSM's opcode dispatch (spec §2): registration entries go to the applier,
// every other encryption opcode (0x04..0x07) fails closed, and anything else
// is handed back to the caller as an ordinary entry.
import { CodecError, OPCODE, decodeRegistration } from './codec.ts';
import { RegistrationApplier, halt } from './applier.ts';
import type { ApplierBugs } from './applier.ts';
import type { ApplierFactory, ApplyResponse, Registration } from './types.ts';

/** The body of a 0x03 entry as a registration (CodecError if it is not one). The any-version bug skips the version check. */
export function decodeRegistrationBody(body: Uint8Array, bugs: ApplierBugs): Registration {
  return decodeRegistration(bugs.anyVersion && body.length === 15 ? Uint8Array.of(1, ...body.subarray(1)) : body);
}

function applyEntry(applier: RegistrationApplier, entry: Uint8Array, bugs: ApplierBugs): ApplyResponse {
  const opcode = entry[0];
  // An empty entry has no opcode, so we cannot know it is not an encryption
  // entry: fail closed rather than hand it back as KV. (Raft's own empty
  // leader entries must be filtered by the engine before they get here.)
  if (opcode === undefined) return halt('malformed', 'empty entry: no opcode');
  const body = entry.subarray(1);
  switch (opcode) {
    case OPCODE.registration:
      try {
        return applier.applyRegistration(decodeRegistrationBody(body, bugs));
      } catch (err) {
        if (err instanceof CodecError) return halt(err.reason, err.message);
        throw err;
      }
    case OPCODE.bootstrap:
      return applier.applyBootstrap(body);
    case OPCODE.rotation:
      return applier.applyRotation(body);
    case OPCODE.reserved6:
    case OPCODE.reserved7:
      return halt('unknown-opcode', `encryption opcode 0x0${opcode} is not implemented`);
    default:
      return { kind: 'kv', opcode };
  }
}

/** An ApplierFactory over the real applier, optionally with injected bugs (see variants.ts). */
export function entryApplierFactory(bugs: ApplierBugs = {}): ApplierFactory {
  return (store) => {
    const applier = new RegistrationApplier(store, bugs);
    return { apply: (entry) => applyEntry(applier, entry, bugs) };
  };
}

/** The correct applier. Throws at construction if the store is missing. */
export const createEntryApplier: ApplierFactory = entryApplierFactory();
