// The reference model of spec §3 (registration apply) and §2 (entry dispatch),
// written from the spec alone. It imports only the applier's types, never its
// logic, so a bug in the applier cannot hide by being copied here. Rows are
// keyed by the registry key in lowercase hex; every function is pure.
import type { HaltReason, Registration, RegistryRow } from '../applier/types.ts';

export type ModelOutcome = 'insert' | 'advance' | 'noop' | 'halt-rollback' | 'halt-collision';

/** The model's view of one entry's apply, as ApplyResponse without the message. */
export type ModelEntryResult =
  | { kind: 'kv'; opcode: number }
  | { kind: 'registered'; outcome: 'insert' | 'advance' | 'noop' }
  | { kind: 'halt'; reason: HaltReason };

/** `value` as `bytes` big-endian bytes of hex. */
function hexBE(value: number | bigint, bytes: number): string {
  return BigInt(value).toString(16).padStart(bytes * 2, '0');
}

const KEY_PREFIX_HEX = [...'!encryption|writers|'].map((c) => hexBE(c.charCodeAt(0), 1)).join('');

/** Registry key (§2): prefix ‖ dek_id u32 ‖ '|' ‖ node_id u16, as hex. */
export function modelKeyHex(dekId: number, nodeId16: number): string {
  return `${KEY_PREFIX_HEX}${hexBE(dekId, 4)}7c${hexBE(nodeId16, 2)}`;
}

/** Registry value (§2): full u64 ‖ first_seen u16 ‖ last_seen u16, as hex. */
export function modelValueHex(row: RegistryRow): string {
  return hexBE(row.fullNodeId, 8) + hexBE(row.firstSeen, 2) + hexBE(row.lastSeen, 2);
}

/** The rows as the store would hold them, sorted by key. */
export function modelRowsHex(rows: ReadonlyMap<string, RegistryRow>): { keyHex: string; valueHex: string }[] {
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1)) // keys are unique
    .map(([keyHex, row]) => ({ keyHex, valueHex: modelValueHex(row) }));
}

/** Spec §3's table, row by row. A halt leaves the rows as they were. */
export function modelApply(
  rows: ReadonlyMap<string, RegistryRow>,
  reg: Registration,
): { outcome: ModelOutcome; rows: Map<string, RegistryRow> } {
  const next = new Map(rows);
  const key = modelKeyHex(reg.dekId, Number(reg.fullNodeId % 65536n));
  const row = rows.get(key);
  const epoch = reg.localEpoch;
  if (row === undefined) {
    next.set(key, { fullNodeId: reg.fullNodeId, firstSeen: epoch, lastSeen: epoch });
    return { outcome: 'insert', rows: next };
  }
  if (row.fullNodeId !== reg.fullNodeId) return { outcome: 'halt-collision', rows: next };
  if (epoch > row.lastSeen) {
    next.set(key, { fullNodeId: row.fullNodeId, firstSeen: row.firstSeen, lastSeen: epoch });
    return { outcome: 'advance', rows: next };
  }
  if (epoch === row.lastSeen) return { outcome: 'noop', rows: next };
  return { outcome: 'halt-rollback', rows: next };
}

/** Big-endian unsigned integer of `bytes[from, to)`. */
function readBE(bytes: Uint8Array, from: number, to: number): bigint {
  let n = 0n;
  for (let i = from; i < to; i++) n = n * 256n + BigInt(bytes[i] ?? 0);
  return n;
}

/**
 * One committed entry (opcode byte ‖ body) per spec §2: 0x03 registers,
 * 0x04/0x05 halt (no KEK in Stage 6A), 0x06/0x07 halt as unknown, anything
 * else is an ordinary entry. An empty entry halts as malformed (fail closed).
 */
export function modelApplyEntry(
  rows: ReadonlyMap<string, RegistryRow>,
  entry: Uint8Array,
): { result: ModelEntryResult; rows: Map<string, RegistryRow> } {
  const same = (result: ModelEntryResult) => ({ result, rows: new Map(rows) });
  const opcode = entry[0];
  if (opcode === undefined) return same({ kind: 'halt', reason: 'malformed' });
  if (opcode === 0x04 || opcode === 0x05) return same({ kind: 'halt', reason: 'kek-not-configured' });
  if (opcode === 0x06 || opcode === 0x07) return same({ kind: 'halt', reason: 'unknown-opcode' });
  if (opcode !== 0x03) return same({ kind: 'kv', opcode });

  // Payload: version u8 ‖ dek_id u32 ‖ full_node_id u64 ‖ local_epoch u16.
  if (entry.length !== 1 + 15) return same({ kind: 'halt', reason: 'malformed' });
  if (entry[1] !== 0x01) return same({ kind: 'halt', reason: 'unknown-version' });
  const reg: Registration = {
    dekId: Number(readBE(entry, 2, 6)),
    fullNodeId: readBE(entry, 6, 14),
    localEpoch: Number(readBE(entry, 14, 16)),
  };
  const applied = modelApply(rows, reg);
  const result: ModelEntryResult =
    applied.outcome === 'halt-rollback'
      ? { kind: 'halt', reason: 'rollback' }
      : applied.outcome === 'halt-collision'
        ? { kind: 'halt', reason: 'collision' }
        : { kind: 'registered', outcome: applied.outcome };
  return { result, rows: applied.rows };
}
