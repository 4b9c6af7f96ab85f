// The protocol between regsim and an external applier process: newline-
// delimited JSON, strictly request/response (docs/external-applier.md). This
// module holds what both versions share and v1's messages (protocol-v2.ts has
// v2's). Shared by the bridge (regsim side) and the reference server (child side).
import type { ApplyResponse, HaltReason, RegistrationOutcome } from '../applier/types.ts';

/** The versions regsim speaks; the hello offers them all and the child picks one. */
export const PROTOCOL_VERSIONS = [1, 2] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

/** The external applier broke the protocol, died or hung: a harness error (exit 4). */
export class ExternalApplierError extends Error {
  override name = 'ExternalApplierError';
}

/** regsim -> child (v1; the hello is both versions'). */
export type HostMessage =
  | { type: 'hello'; protocol: 1; versions: readonly number[] }
  | { type: 'apply'; entry: string }
  | { type: 'value'; value: string | null }
  | { type: 'ok' }
  | { type: 'fault'; message: string }
  | { type: 'abort' };

/** child -> regsim (v1; the hello is both versions'). */
export type ChildMessage =
  | { type: 'hello'; protocol: number; name: string; applier?: ApplierGeneration; ahead?: boolean }
  | { type: 'get'; key: string }
  | { type: 'set'; key: string; value: string }
  | ({ type: 'result' } & ApplyResponse)
  | { type: 'aborted' }
  | { type: 'error'; message: string };

/** Which production applier a child implements (its hello says; default stage-6a). */
export type ApplierGeneration = 'stage-6a' | 'production-main';

const HALT_REASONS: ReadonlySet<HaltReason> = new Set<HaltReason>([
  'collision',
  'rollback',
  'malformed',
  'unknown-version',
  'kek-not-configured',
  'unknown-opcode',
  'store-fault',
  'corrupt-row',
]);
const OUTCOMES: ReadonlySet<RegistrationOutcome> = new Set<RegistrationOutcome>(['insert', 'advance', 'noop']);

// Hex as the rest of regsim writes it; fromHex's results are copied into plain
// Uint8Arrays so nothing downstream ever sees a Buffer where the built-in applier gives one.
export { toHex } from '../applier/hex.ts';

/** Strict: Buffer.from(_, 'hex') silently stops at the first bad digit, which the length check catches. */
export function fromHex(hex: unknown, what: string): Uint8Array {
  const bytes = typeof hex === 'string' ? Buffer.from(hex, 'hex') : undefined;
  if (bytes === undefined || bytes.length * 2 !== (hex as string).length) throw new SyntaxError(`${what} is not a hex string`);
  return new Uint8Array(bytes);
}

/** A parsed line as a message object with a string `type` (SyntaxError otherwise). */
export function parseMessage(line: string): Record<string, unknown> & { type: string } {
  const msg: unknown = JSON.parse(line);
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || typeof (msg as { type?: unknown }).type !== 'string') {
    throw new SyntaxError('not a JSON object with a string "type"');
  }
  return msg as Record<string, unknown> & { type: string };
}

/** The ApplyResponse carried by a `result` message (SyntaxError if a field is wrong). */
export function responseOf(msg: Record<string, unknown>): ApplyResponse {
  switch (msg.kind) {
    case 'kv':
      if (!Number.isInteger(msg.opcode) || (msg.opcode as number) < 0 || (msg.opcode as number) > 255) {
        throw new SyntaxError('result kind "kv" needs an integer opcode 0..255');
      }
      return { kind: 'kv', opcode: msg.opcode as number };
    case 'registered':
      if (!OUTCOMES.has(msg.outcome as RegistrationOutcome)) {
        throw new SyntaxError(`result kind "registered" has bad outcome ${JSON.stringify(msg.outcome)}`);
      }
      return { kind: 'registered', outcome: msg.outcome as RegistrationOutcome };
    case 'halt':
      if (!HALT_REASONS.has(msg.reason as HaltReason)) {
        throw new SyntaxError(`result kind "halt" has bad reason ${JSON.stringify(msg.reason)}`);
      }
      if (typeof msg.message !== 'string') throw new SyntaxError('result kind "halt" needs a string message');
      return { kind: 'halt', reason: msg.reason as HaltReason, message: msg.message };
    default:
      throw new SyntaxError(`result has bad kind ${JSON.stringify(msg.kind)}`);
  }
}

/** The `result` message for a response (field order fixed, so the bytes are deterministic). */
export function resultMessage(response: ApplyResponse): ChildMessage {
  switch (response.kind) {
    case 'kv':
      return { type: 'result', kind: 'kv', opcode: response.opcode };
    case 'registered':
      return { type: 'result', kind: 'registered', outcome: response.outcome };
    case 'halt':
      return { type: 'result', kind: 'halt', reason: response.reason, message: response.message };
  }
}
