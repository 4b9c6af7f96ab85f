// Entries the lifecycle proposes besides registrations. A DEK rotation is a
// committed marker: an ordinary KV entry (opcode 0x00) whose body names the new
// DEK. Stage 6A's rotation opcode 0x05 halts every replica with
// kek-not-configured, which would end every run that rotates; what the
// harness needs from a rotation is its position in the log (every replica
// switches DEK at the same index) and the re-registrations that follow, and a
// marker gives exactly that. Markers are control entries: never encrypted.
// Part of the trace contract: the oracle reads the DEK in force at each index
// from the markers in the committed log.
import { OPCODE } from '../applier/codec.ts';

const MAGIC = new TextEncoder().encode('regsim/rotate-dek/');
const MARKER_HEX_PREFIX = `00${Buffer.from(MAGIC).toString('hex')}`;

export function rotationMarker(dekId: number): Uint8Array {
  const entry = new Uint8Array(1 + MAGIC.length + 4);
  entry[0] = OPCODE.kvWrite;
  entry.set(MAGIC, 1);
  new DataView(entry.buffer).setUint32(1 + MAGIC.length, dekId);
  return entry;
}

/** The new DEK a rotation marker names, or undefined for any other entry. */
export function rotationMarkerDek(entry: Uint8Array): number | undefined {
  if (entry.length !== 1 + MAGIC.length + 4 || entry[0] !== OPCODE.kvWrite) return undefined;
  for (let i = 0; i < MAGIC.length; i++) if (entry[1 + i] !== MAGIC[i]) return undefined;
  return new DataView(entry.buffer, entry.byteOffset, entry.byteLength).getUint32(1 + MAGIC.length);
}

/** Whether a trace's entry hex is a rotation marker (a cheap prefix test: the oracle's counters scan every apply). */
export function isRotationMarkerHex(entryHex: string): boolean {
  return entryHex.length === 2 * (1 + MAGIC.length + 4) && entryHex.startsWith(MARKER_HEX_PREFIX);
}

/** Ordinary KV writes (0x00, 0x01) are encrypted; the HLC lease (0x02) and markers are not. */
export function isEncryptedWrite(entry: Uint8Array): boolean {
  const op = entry[0];
  return (op === OPCODE.kvWrite || op === OPCODE.kvWriteAlt) && rotationMarkerDek(entry) === undefined;
}
