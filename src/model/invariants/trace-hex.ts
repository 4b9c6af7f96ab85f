// Small decoders for the hex in a trace, and result comparison: shared by
// the context and the per-node state pass (node-states.ts).
import type { RegistryRow } from '../../applier/types.ts';
import type { TraceApplyResult, TraceRow } from '../../trace/types.ts';
import type { ModelEntryResult } from '../registration.ts';

/** A registry value: full u64 ‖ first u16 ‖ last u16 (undefined if not 12 bytes). */
export function parseRowValue(valueHex: string): RegistryRow | undefined {
  if (!/^[0-9a-f]{24}$/.test(valueHex)) return undefined;
  return {
    fullNodeId: BigInt(`0x${valueHex.slice(0, 16)}`),
    firstSeen: Number.parseInt(valueHex.slice(16, 20), 16),
    lastSeen: Number.parseInt(valueHex.slice(20, 24), 16),
  };
}

/** Trace rows as the model's row map (undefined if a value is not a 12-byte row: state unknown). */
export function rowsToModel(rows: readonly TraceRow[]): Map<string, RegistryRow> | undefined {
  const m = new Map<string, RegistryRow>();
  for (const r of rows) {
    const v = parseRowValue(r.valueHex);
    if (!v) return undefined;
    m.set(r.keyHex, v);
  }
  return m;
}

export function sameResult(model: ModelEntryResult, actual: TraceApplyResult): boolean {
  switch (model.kind) {
    case 'kv':
      return actual.kind === 'kv' && actual.opcode === model.opcode;
    case 'registered':
      return actual.kind === 'registered' && actual.outcome === model.outcome;
    case 'halt':
      return actual.kind === 'halt' && actual.reason === model.reason;
  }
}

export function hexToBytes(hex: string): Uint8Array {
  // Buffer.from silently stops at the first bad pair; an odd tail is dropped.
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
