// Byte layouts of the writer registry (spec §2). All integers big-endian.
// Decoders never throw anything but CodecError, whose reason is the halt
// reason the FSM reports, so a bad entry or row can only fail closed.
import type { Registration, RegistryRow } from './types.ts';

/** Raft entry opcodes (first byte of an entry). */
export const OPCODE = {
  kvWrite: 0x00,
  kvWriteAlt: 0x01,
  hlcLease: 0x02,
  registration: 0x03,
  bootstrap: 0x04,
  rotation: 0x05,
  reserved6: 0x06,
  reserved7: 0x07,
} as const;

export const REGISTRY_PREFIX = '!encryption|writers|';
export const REGISTRY_KEY_LENGTH = 27;
export const REGISTRY_VALUE_LENGTH = 12;
export const REGISTRATION_PAYLOAD_LENGTH = 15;
export const REGISTRATION_VERSION = 0x01;

const UTF8 = new TextEncoder();
/** The prefix's bytes, encoded once (registryKey builds a key for every apply). */
const REGISTRY_PREFIX_BYTES = UTF8.encode(REGISTRY_PREFIX);

/** A byte string that is not a valid payload or row; `reason` is the halt reason. */
export class CodecError extends Error {
  override name = 'CodecError';
  constructor(
    readonly reason: 'malformed' | 'unknown-version' | 'corrupt-row',
    message: string,
  ) {
    super(message);
  }
}

const U64_MAX = (1n << 64n) - 1n;

// Encoders reject out-of-range input instead of letting DataView wrap it.
export function checkUint(name: string, value: number, bits: 16 | 32): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${name} must be a u${bits}, got ${value}`);
  }
}
export function checkU64(name: string, value: bigint): void {
  if (value < 0n || value > U64_MAX) throw new RangeError(`${name} must be a u64, got ${value}`);
}

/** The 16-bit node id of a full id: its low 16 bits. */
export function low16(fullNodeId: bigint): number {
  return Number(fullNodeId & 0xffffn);
}

/** Full node id of a raft id: FNV-1a-64 of its UTF-8 bytes; "" -> 0, a hash of 0 -> 1. */
export function deriveNodeId(raftId: string): bigint {
  if (raftId === '') return 0n;
  let hash = 0xcbf29ce484222325n;
  for (const byte of UTF8.encode(raftId)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & U64_MAX;
  }
  return hash === 0n ? 1n : hash;
}

/** `"!encryption|writers|" ‖ dek_id u32 ‖ '|' ‖ node_id u16`: 27 bytes. */
export function registryKey(dekId: number, nodeId16: number): Uint8Array {
  checkUint('dekId', dekId, 32);
  checkUint('nodeId16', nodeId16, 16);
  const key = new Uint8Array(REGISTRY_KEY_LENGTH);
  key.set(REGISTRY_PREFIX_BYTES);
  const view = new DataView(key.buffer);
  view.setUint32(20, dekId);
  key[24] = 0x7c; // '|'
  view.setUint16(25, nodeId16);
  return key;
}

/** `full_node_id u64 ‖ first_seen u16 ‖ last_seen u16`: 12 bytes. */
export function encodeRegistryValue(row: RegistryRow): Uint8Array {
  checkU64('fullNodeId', row.fullNodeId);
  checkUint('firstSeen', row.firstSeen, 16);
  checkUint('lastSeen', row.lastSeen, 16);
  const value = new Uint8Array(REGISTRY_VALUE_LENGTH);
  const view = new DataView(value.buffer);
  view.setBigUint64(0, row.fullNodeId);
  view.setUint16(8, row.firstSeen);
  view.setUint16(10, row.lastSeen);
  return value;
}

/** Any length but 12 is corruption (never "no row"). */
export function decodeRegistryValue(value: Uint8Array): RegistryRow {
  if (value.length !== REGISTRY_VALUE_LENGTH) {
    throw new CodecError('corrupt-row', `registry value is ${value.length} bytes, want ${REGISTRY_VALUE_LENGTH}`);
  }
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return { fullNodeId: view.getBigUint64(0), firstSeen: view.getUint16(8), lastSeen: view.getUint16(10) };
}

/** `version u8 (0x01) ‖ dek_id u32 ‖ full_node_id u64 ‖ local_epoch u16`: 15 bytes. */
export function encodeRegistration(reg: Registration): Uint8Array {
  checkUint('dekId', reg.dekId, 32);
  checkU64('fullNodeId', reg.fullNodeId);
  checkUint('localEpoch', reg.localEpoch, 16);
  const payload = new Uint8Array(REGISTRATION_PAYLOAD_LENGTH);
  const view = new DataView(payload.buffer);
  payload[0] = REGISTRATION_VERSION;
  view.setUint32(1, reg.dekId);
  view.setBigUint64(5, reg.fullNodeId);
  view.setUint16(13, reg.localEpoch);
  return payload;
}

/** Length is checked before version: a short payload is 'malformed' whatever its first byte. */
export function decodeRegistration(payload: Uint8Array): Registration {
  if (payload.length !== REGISTRATION_PAYLOAD_LENGTH) {
    throw new CodecError('malformed', `registration payload is ${payload.length} bytes, want ${REGISTRATION_PAYLOAD_LENGTH}`);
  }
  if (payload[0] !== REGISTRATION_VERSION) {
    throw new CodecError('unknown-version', `registration payload version ${payload[0]}, want ${REGISTRATION_VERSION}`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { dekId: view.getUint32(1), fullNodeId: view.getBigUint64(5), localEpoch: view.getUint16(13) };
}
