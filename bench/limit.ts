// The physical limit of applying registrations: the work spec §3 needs per
// registration and nothing else. Decode the 15-byte payload, build the
// 27-byte registry key, get and set the row in a map, encode the 12-byte row,
// with the applier's dispatch (collision, advance, replay no-op, rollback);
// no hex strings and no allocation per apply: the map is keyed by the key's
// variable part as a number (a small integer for DEK ids below 2^14, as in
// the bench workload) and holds row slots in one preallocated byte table. The
// simulator and the built-in applier are measured against it (bench/main.ts).
import { performance } from 'node:perf_hooks';
import { OPCODE, REGISTRATION_PAYLOAD_LENGTH, REGISTRATION_VERSION, REGISTRY_KEY_LENGTH, REGISTRY_PREFIX, REGISTRY_VALUE_LENGTH } from '../src/applier/codec.ts';

const ENTRY_LENGTH = 1 + REGISTRATION_PAYLOAD_LENGTH;
const ROW = REGISTRY_VALUE_LENGTH;

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/** `full_node_id u64 ‖ first_seen u16 ‖ last_seen u16` into the row slot at `at`. */
function encodeRow(rows: Uint8Array, at: number, idHi: number, idLo: number, firstSeen: number, lastSeen: number): void {
  putU32(rows, at, idHi);
  putU32(rows, at + 4, idLo);
  rows[at + 8] = firstSeen >>> 8;
  rows[at + 9] = firstSeen;
  rows[at + 10] = lastSeen >>> 8;
  rows[at + 11] = lastSeen;
}

/** The registry key's fixed bytes; apply() writes the DEK id and the 16-bit node id into it. */
function keyBuffer(): Uint8Array {
  const key = new Uint8Array(REGISTRY_KEY_LENGTH);
  key.set(new TextEncoder().encode(REGISTRY_PREFIX));
  key[24] = 0x7c; // '|'
  return key;
}

/** One replica's applies over an empty registry; returns how many registrations were applied (insert, advance, no-op). */
function applyStream(entries: readonly Uint8Array[], slots: Map<number, number>, rows: Uint8Array, key: Uint8Array): number {
  slots.clear();
  let registered = 0;
  for (const e of entries) {
    if (e[0] !== OPCODE.registration || e.length !== ENTRY_LENGTH || e[1] !== REGISTRATION_VERSION) continue;
    const dek = u32(e, 2);
    const idHi = u32(e, 6);
    const idLo = u32(e, 10);
    const epoch = (e[14]! << 8) | e[15]!;
    const node = idLo & 0xffff;
    // The store's address; a real store would be handed these 27 bytes.
    putU32(key, 20, dek);
    key[25] = node >>> 8;
    key[26] = node;
    const k = dek * 0x10000 + node;
    const slot = slots.get(k);
    if (slot === undefined) {
      const fresh = slots.size;
      encodeRow(rows, fresh * ROW, idHi, idLo, epoch, epoch);
      slots.set(k, fresh);
      registered++;
      continue;
    }
    const at = slot * ROW;
    if (u32(rows, at) !== idHi || u32(rows, at + 4) !== idLo) continue; // collision: halt
    const lastSeen = (rows[at + 10]! << 8) | rows[at + 11]!;
    if (epoch < lastSeen) continue; // rollback: halt
    registered++;
    if (epoch === lastSeen) continue; // replay: no-op
    encodeRow(rows, at, idHi, idLo, (rows[at + 8]! << 8) | rows[at + 9]!, epoch);
  }
  return registered;
}

/** A pass takes a few milliseconds: repeated for at least this long, so the timer's resolution and one pause do not decide the figure. */
const MIN_TIMED_MS = 50;

/**
 * Every replica's applies (each over its own empty registry) through the
 * limit loop: the registrations of one pass and the mean wall time of a pass.
 */
export function physicalLimit(streams: readonly (readonly Uint8Array[])[]): { registrations: number; ms: number } {
  const rows = new Uint8Array(Math.max(0, ...streams.map((s) => s.length)) * ROW);
  const slots = new Map<number, number>();
  const key = keyBuffer();
  let registrations = 0;
  let passes = 0;
  const t0 = performance.now();
  do {
    registrations = 0;
    for (const entries of streams) registrations += applyStream(entries, slots, rows, key);
    passes++;
  } while (performance.now() - t0 < MIN_TIMED_MS);
  return { registrations, ms: (performance.now() - t0) / passes };
}
