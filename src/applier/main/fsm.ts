// Production main's FSM routing (addendum §1.5, §7.4): a non-empty entry whose
// first byte is 0x03..0x07 goes to the encryption dispatcher, opcode stripped;
// 0x02 is the HLC lease; everything else is the KV decoder's. Unlike Stage 6A
// an empty entry never halts: the engine skips it.
import { CodecError, OPCODE } from '../codec.ts';
import type { ApplierBugs } from '../applier.ts';
import { decodeRegistrationBody } from '../fsm.ts';
import { MainApplier } from './applier.ts';
import type { MainApplierDeps, MainApplyResponse, MainFsmFactory } from './types.ts';
import { WireError, decodeBootstrap, decodeRotation } from './wire.ts';

function haltResponse(reason: (CodecError | WireError)['reason'] | 'unknown-opcode' | 'no-applier', message: string): MainApplyResponse {
  return { kind: 'halt', reason, message, rows: [] };
}

function dispatch(applier: MainApplier | undefined, raftIndex: number, entry: Uint8Array, bugs: ApplierBugs): MainApplyResponse {
  const opcode = entry[0];
  if (opcode === undefined) return { kind: 'empty' };
  if (opcode === OPCODE.hlcLease) return { kind: 'lease' };
  if (opcode < OPCODE.registration || opcode > OPCODE.reserved7) return { kind: 'kv', opcode };
  if (applier === undefined) return haltResponse('no-applier', `encryption opcode 0x0${opcode} on an FSM built without an applier`);
  const body = entry.subarray(1);
  // A payload is decoded before anything is checked, so a malformed one halts
  // as malformed even on a node without a KEK.
  try {
    switch (opcode) {
      case OPCODE.registration:
        return applier.applyRegistration(decodeRegistrationBody(body, bugs));
      case OPCODE.bootstrap:
        return applier.applyBootstrap(raftIndex, decodeBootstrap(body));
      case OPCODE.rotation:
        return applier.applyRotation(raftIndex, decodeRotation(body));
      default:
        return haltResponse('unknown-opcode', `encryption opcode 0x0${opcode} is not implemented`);
    }
  } catch (err) {
    if (err instanceof CodecError || err instanceof WireError) return haltResponse(err.reason, `decode: ${err.message}`);
    throw err;
  }
}

/** Main's FSM over main's applier, optionally with the Stage 6A bugs injected (variants.ts). */
export function mainFsmFactory(bugs: ApplierBugs = {}): MainFsmFactory {
  return (deps: MainApplierDeps | undefined) => {
    const applier = deps === undefined ? undefined : new MainApplier(deps, bugs);
    return { apply: (raftIndex, entry) => dispatch(applier, raftIndex, entry, bugs) };
  };
}

/** The correct applier. Throws at construction if the registry store is missing. */
export const createMainFsm: MainFsmFactory = mainFsmFactory();
