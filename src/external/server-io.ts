// What both versions of the child side share: the served applier, the
// framing seam and the two ways an apply ends early.
import type { ApplierFactory } from '../applier/types.ts';
import type { MainFsmFactory } from '../applier/main/index.ts';
import { fromHex } from './protocol.ts';

/** Thrown through the applier when regsim aborts the apply (its store threw). */
export class Aborted extends Error {
  override name = 'Aborted';
}

/** Something regsim sent that this side cannot follow: reported as an `error` message, then exit. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** The applier a child serves: Stage 6A's (either protocol) or main's (protocol 2 only). */
export type ServedApplier = { stage6a: ApplierFactory; main?: never } | { main: MainFsmFactory; stage6a?: never };

/** The framing of one child: the next message (null at EOF) and send. */
export interface ServerIo {
  next(): (Record<string, unknown> & { type: string }) | null;
  send(msg: object): void;
}

/** The entry bytes of an `apply` message. */
export function entryOf(msg: Record<string, unknown>): Uint8Array {
  try {
    return fromHex(msg.entry, 'entry');
  } catch (err) {
    throw new ProtocolError((err as Error).message);
  }
}
