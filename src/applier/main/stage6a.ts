// Main's responses told in Stage 6A's vocabulary, so main's applier (built in,
// or external) can run where the simulator expects a Stage 6A applier: a node
// with a registry and no KEK, keystore or sidecar.
import { OPCODE } from '../codec.ts';
import type { ApplierFactory, ApplyResponse, HaltReason } from '../types.ts';
import type { MainApplyResponse, MainFsmFactory } from './types.ts';

/**
 * lease is the 6A applier's kv(0x02); an applied entry is `registered` with
 * its last row's result (noop if it applied none); a halt keeps its reason,
 * which may be one 6A does not have (unknown-subtag: main decodes 0x05 first).
 * An empty entry has no 6A answer: the engine never hands one to an applier.
 */
export function stage6aResponse(r: MainApplyResponse): ApplyResponse {
  switch (r.kind) {
    case 'kv':
      return r;
    case 'lease':
      return { kind: 'kv', opcode: OPCODE.hlcLease };
    case 'applied': {
      const last = r.rows.at(-1)?.result;
      return { kind: 'registered', outcome: last === undefined || last === 'halted' ? 'noop' : last };
    }
    case 'halt':
      // The trace records a halt reason as a string; main's extra reasons pass through as they are.
      return { kind: 'halt', reason: r.reason as HaltReason, message: r.message };
    case 'empty':
      throw new RangeError('an empty entry has no Stage 6A response (the engine never applies one)');
  }
}

/** An ApplierFactory over main's FSM, each node with its registry only (every well-formed 0x04/0x05 halts kek-not-configured). */
export function stage6aFactory(main: MainFsmFactory): ApplierFactory {
  return (registry) => {
    const fsm = main({ registry });
    return { apply: (entry, at) => stage6aResponse(fsm.apply(at?.index ?? 0, entry)) };
  };
}
