// The child side of the protocol: serves an applier over stdin/stdout in the
// version regsim offers (v2 when it can; server-v2.ts), Stage 6A's applier or
// main's. The reference external applier (bin/regsim-reference-applier.js) is
// this loop around src/applier; a port to another language follows it.
import { StoreFault } from '../applier/types.ts';
import type { ApplierFactory, RegistryStore } from '../applier/types.ts';
import { LineReader, writeLine } from './framing.ts';
import { fromHex, parseMessage, resultMessage, toHex } from './protocol.ts';
import type { ApplierGeneration, ChildMessage } from './protocol.ts';
import { Aborted, ProtocolError, entryOf } from './server-io.ts';
import type { ServedApplier, ServerIo } from './server-io.ts';
import { serveV2 } from './server-v2.ts';

export type { ServedApplier } from './server-io.ts';

export interface ServeOptions {
  /** Reported in the hello. */
  name: string;
  input?: number;
  output?: number;
  /** A deliberate bug for the harness's own tests: keep every row seen, across applies and nodes, and trust it over what regsim sends. */
  cacheRows?: boolean;
  /** Protocol v2: answer `ahead` messages, and say so in the hello (default true). */
  ahead?: boolean;
}

/**
 * Serves `served` until EOF on `input` (returns 0) or a protocol error
 * (reports it as an `error` message and returns 1). Blocking and
 * synchronous, so the applier's store calls can wait for regsim's replies.
 */
export function serve(served: ServedApplier, opts: ServeOptions): number {
  const input = new LineReader(opts.input ?? 0);
  const output = opts.output ?? 1;
  const io: ServerIo = {
    next: () => {
      const line = input.readLine();
      if (line === null) return null;
      try {
        return parseMessage(line);
      } catch (err) {
        throw new ProtocolError(`bad message from regsim: ${(err as Error).message}`);
      }
    },
    send: (msg) => writeLine(output, msg),
  };
  try {
    const hello = io.next();
    if (hello === null) return 0;
    if (hello.type !== 'hello') throw new ProtocolError(`expected "hello", got "${hello.type}"`);
    const v2 = Array.isArray(hello.versions) && hello.versions.includes(2);
    const applier: ApplierGeneration = served.main ? 'production-main' : 'stage-6a';
    if (!v2 && (hello.protocol !== 1 || served.main)) {
      throw new ProtocolError(`regsim offers protocol ${JSON.stringify(hello.protocol)}; this applier (${applier}) speaks ${served.main ? '2' : '1 and 2'}`);
    }
    const ahead = v2 && opts.ahead !== false;
    io.send({ type: 'hello', protocol: v2 ? 2 : 1, name: opts.name, applier, ...(ahead ? { ahead } : {}) } satisfies ChildMessage);
    if (v2) serveV2(io, served, { cacheRows: opts.cacheRows === true, ahead });
    else serveV1(io, served.stage6a as ApplierFactory);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    try {
      io.send({ type: 'error', message });
    } catch {
      // regsim is gone; stderr is all we have
    }
    // A protocol error is fully described by its message; anything else is a bug worth its stack.
    process.stderr.write(`${!(err instanceof ProtocolError) && err instanceof Error && err.stack ? err.stack : message}\n`);
    return 1;
  }
}

/** Protocol v1: every store call is a round trip. */
function serveV1(io: ServerIo, factory: ApplierFactory): void {
  const send = (msg: ChildMessage) => io.send(msg);
  /** The reply to a store call: 'value' or 'ok', a fault, or an abort. */
  const reply = (expected: 'value' | 'ok') => {
    const msg = io.next();
    if (msg === null) throw new ProtocolError('regsim closed the pipe during a store call');
    if (msg.type === expected) return msg;
    if (msg.type === 'fault') throw new StoreFault(String(msg.message));
    if (msg.type === 'abort') throw new Aborted('apply aborted by regsim');
    throw new ProtocolError(`expected "${expected}", "fault" or "abort", got "${msg.type}"`);
  };
  // The store of the apply in progress: each get/set is a round trip to regsim.
  let aborted = false;
  const call = <T>(request: ChildMessage, expected: 'value' | 'ok', answer: (msg: Record<string, unknown>) => T): T => {
    if (aborted) throw new Aborted('apply aborted by regsim');
    send(request);
    try {
      return answer(reply(expected));
    } catch (err) {
      if (err instanceof Aborted) aborted = true;
      throw err;
    }
  };
  const store: RegistryStore = {
    get: (key) => call({ type: 'get', key: toHex(key) }, 'value', ({ value }) => (value === null ? undefined : fromHex(value, 'value'))),
    set: (key, value) => call({ type: 'set', key: toHex(key), value: toHex(value) }, 'ok', () => undefined),
  };
  // The applier holds no state between entries, so one is built per apply.
  for (let msg = io.next(); msg !== null; msg = io.next()) {
    if (msg.type !== 'apply') throw new ProtocolError(`expected "apply", got "${msg.type}"`);
    const entry = entryOf(msg);
    aborted = false;
    try {
      send(resultMessage(factory(store).apply(entry)));
    } catch (err) {
      // The applier let the abort through (as it should): tell regsim we unwound.
      if (!aborted) throw err;
      send({ type: 'aborted' });
    }
    // An applier that swallowed the abort and returned anyway sent a result: regsim discards it.
  }
}

