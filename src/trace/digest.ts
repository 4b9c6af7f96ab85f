// The entry digest of the trace contract: `append` and `commit` events name an
// entry by it, `propose` and `apply` events carry the entry itself. The
// simulator writes it and the oracle recomputes it, so the oracle can tie
// every apply to the committed entry at its index without trusting either.
import * as crypto from 'node:crypto';

// One-shot crypto.hash (Node >= 20.12) is about twice as fast as createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

/** SHA-256 of `data`, lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShot !== undefined ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/** The trace's digest of an entry: the first 16 hex chars of SHA-256 of its bytes. */
export function entryDigest(data: Uint8Array): string {
  return sha256Hex(data).slice(0, 16);
}

/** entryDigest of an entry given as lowercase hex (as `propose` and `apply` events carry it). */
export function entryHexDigest(entryHex: string): string {
  return entryDigest(Buffer.from(entryHex, 'hex'));
}

/** The digest of an empty entry: a Raft leader's no-op, which the engine never hands to the applier. */
export const EMPTY_ENTRY_DIGEST = entryDigest(new Uint8Array(0));
