// Production main's bootstrap (0x04) and rotation (0x05) payloads (addendum
// §1.2, §1.3), opcode byte stripped. Integers are big-endian. A decoder reads
// strictly left to right and stops at the first bad field, so the error class
// is that of the first problem; it checks no semantics (equal DEK ids, DEK id
// 0, rows under a third DEK all decode: the applier judges them). Decoders
// throw nothing but WireError; encoders are canonical (decode ∘ encode = id).
import { REGISTRATION_VERSION, checkUint, decodeRegistration, encodeRegistration } from '../codec.ts';
import type { Registration } from '../types.ts';

/** Why a payload does not decode; each is a halt reason of main's dispatcher. */
export type WireErrorReason = 'malformed' | 'unknown-version' | 'unknown-subtag';

export class WireError extends Error {
  override name = 'WireError';
  constructor(
    readonly reason: WireErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** A bootstrap carries at most this many batch rows, even if the bytes are there. */
export const MAX_BOOTSTRAP_ROWS = 16384;

/** A batch or proposer row: a registration payload without its version byte. */
export const REGISTRATION_ROW_LENGTH = 14;

/** The sub-tags the decoder accepts. Rewrap-deks (0x02) and retire-dek (0x03) are reserved: they fail decoding (§2.8). */
export const ROTATION_SUBTAG = { rotateDek: 0x01, enableStorageEnvelope: 0x04, enableRaftEnvelope: 0x05 } as const;
export type RotationSubTag = (typeof ROTATION_SUBTAG)[keyof typeof ROTATION_SUBTAG];

export const DEK_PURPOSE = { storage: 0x01, raft: 0x02 } as const;
export type DekPurposeCode = (typeof DEK_PURPOSE)[keyof typeof DEK_PURPOSE];

export interface BootstrapPayload {
  storageDekId: number;
  wrappedStorage: Uint8Array;
  raftDekId: number;
  wrappedRaft: Uint8Array;
  /** Registered in this order after the sidecar write (storage row, then raft row, per member). */
  batch: Registration[];
}

export interface RotationPayload {
  subTag: RotationSubTag;
  dekId: number;
  purpose: DekPurposeCode;
  wrapped: Uint8Array;
  proposer: Registration;
}

const SUBTAGS: ReadonlySet<number> = new Set(Object.values(ROTATION_SUBTAG));
const PURPOSES: ReadonlySet<number> = new Set(Object.values(DEK_PURPOSE));

/** A cursor over one payload; every read names the field it failed on. */
class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  fail(reason: WireErrorReason, message: string): never {
    throw new WireError(reason, `${this.what}: ${message}`);
  }

  version(): void {
    if (this.remaining === 0) this.fail('malformed', 'missing version byte');
    const version = this.u8('version');
    if (version !== REGISTRATION_VERSION) this.fail('unknown-version', `version 0x${version.toString(16)}, want 0x01`);
  }

  u8(field: string): number {
    if (this.remaining < 1) this.fail('malformed', `${field} truncated`);
    return this.bytes[this.offset++] as number;
  }

  u32(field: string): number {
    if (this.remaining < 4) this.fail('malformed', `${field} truncated`);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  take(length: number, field: string): Uint8Array {
    if (length > this.remaining) this.fail('malformed', `${field} truncated (${length} bytes, ${this.remaining} left)`);
    this.offset += length;
    return this.bytes.slice(this.offset - length, this.offset);
  }

  /** u32 length ‖ bytes; a length of 0 is allowed. A short length prefix is a truncated field too. */
  lengthPrefixed(field: string): Uint8Array {
    if (this.remaining < 4) this.fail('malformed', `${field} truncated`);
    return this.take(this.u32(field), field);
  }

  row(field: string): Registration {
    return decodeRegistration(Uint8Array.of(REGISTRATION_VERSION, ...this.take(REGISTRATION_ROW_LENGTH, field)));
  }

  end(): void {
    if (this.remaining > 0) this.fail('malformed', `${this.remaining} trailing bytes`);
  }
}

export function decodeBootstrap(payload: Uint8Array): BootstrapPayload {
  const r = new Reader(payload, 'bootstrap');
  r.version();
  const storageDekId = r.u32('storage dek_id');
  const wrappedStorage = r.lengthPrefixed('storage wrapped');
  const raftDekId = r.u32('raft dek_id');
  const wrappedRaft = r.lengthPrefixed('raft wrapped');
  const count = r.u32('batch count');
  // The cap is checked before the bytes: a huge count is refused without reading on.
  if (count > MAX_BOOTSTRAP_ROWS) r.fail('malformed', `batch count ${count} exceeds ${MAX_BOOTSTRAP_ROWS}`);
  if (count * REGISTRATION_ROW_LENGTH > r.remaining) {
    r.fail('malformed', `batch count ${count} needs ${count * REGISTRATION_ROW_LENGTH} bytes, ${r.remaining} left`);
  }
  const batch = Array.from({ length: count }, (_, i) => r.row(`batch row ${i}`));
  r.end();
  return { storageDekId, wrappedStorage, raftDekId, wrappedRaft, batch };
}

export function decodeRotation(payload: Uint8Array): RotationPayload {
  const r = new Reader(payload, 'rotation');
  r.version();
  const subTag = r.u8('sub-tag');
  if (!SUBTAGS.has(subTag)) r.fail('unknown-subtag', `sub-tag 0x${subTag.toString(16)} is not implemented`);
  const dekId = r.u32('dek_id');
  const purpose = r.u8('purpose');
  if (!PURPOSES.has(purpose)) r.fail('malformed', `purpose 0x${purpose.toString(16)}, want 0x01 storage or 0x02 raft`);
  const wrapped = r.lengthPrefixed('wrapped');
  const proposer = r.row('proposer registration');
  r.end();
  return { subTag: subTag as RotationSubTag, dekId, purpose: purpose as DekPurposeCode, wrapped, proposer };
}

/** Concatenates the parts of a payload. */
function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function u32(name: string, value: number): Uint8Array {
  checkUint(name, value, 32);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

function lengthPrefixed(name: string, bytes: Uint8Array): Uint8Array[] {
  return [u32(`${name} length`, bytes.length), bytes];
}

function row(reg: Registration): Uint8Array {
  return encodeRegistration(reg).subarray(1);
}

export function encodeBootstrap(p: BootstrapPayload): Uint8Array {
  if (p.batch.length > MAX_BOOTSTRAP_ROWS) throw new RangeError(`a bootstrap batch holds at most ${MAX_BOOTSTRAP_ROWS} rows, got ${p.batch.length}`);
  return join([
    Uint8Array.of(REGISTRATION_VERSION),
    u32('storageDekId', p.storageDekId),
    ...lengthPrefixed('wrappedStorage', p.wrappedStorage),
    u32('raftDekId', p.raftDekId),
    ...lengthPrefixed('wrappedRaft', p.wrappedRaft),
    u32('batch count', p.batch.length),
    ...p.batch.map(row),
  ]);
}

export function encodeRotation(p: RotationPayload): Uint8Array {
  return join([
    Uint8Array.of(REGISTRATION_VERSION, p.subTag),
    u32('dekId', p.dekId),
    Uint8Array.of(p.purpose),
    ...lengthPrefixed('wrapped', p.wrapped),
    row(p.proposer),
  ]);
}
