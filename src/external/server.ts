// The child side of protocol v1: serves any ApplierFactory over stdin/stdout.
// The reference external applier (bin/regsim-reference-applier.js) is this
// loop around src/applier; a port to another language follows it line by line.
import { StoreFault } from '../applier/types.ts';
import type { ApplierFactory, RegistryStore } from '../applier/types.ts';
import { LineReader, writeLine } from './framing.ts';
import { PROTOCOL_VERSION, fromHex, parseMessage, resultMessage, toHex } from './protocol.ts';
import type { ChildMessage } from './protocol.ts';

/** Thrown through the applier when regsim aborts the apply (its store threw). */
class Aborted extends Error {
  override name = 'Aborted';
}

/** Something regsim sent that this side cannot follow: reported as an `error` message, then exit. */
class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export interface ServeOptions {
  /** Reported in the hello. */
  name: string;
  input?: number;
  output?: number;
}

/**
 * Serves `factory` until EOF on `input` (returns 0) or a protocol error
 * (reports it as an `error` message and returns 1). Blocking and
 * synchronous, so the applier's store calls can wait for regsim's replies.
 */
export function serve(factory: ApplierFactory, opts: ServeOptions): number {
  const input = new LineReader(opts.input ?? 0);
  const output = opts.output ?? 1;
  const send = (msg: ChildMessage) => writeLine(output, msg);
  const next = (): (Record<string, unknown> & { type: string }) | null => {
    const line = input.readLine();
    if (line === null) return null;
    try {
      return parseMessage(line);
    } catch (err) {
      throw new ProtocolError(`bad message from regsim: ${(err as Error).message}`);
    }
  };
  /** The reply to a store call: 'value' or 'ok', a fault, or an abort. */
  const reply = (expected: 'value' | 'ok') => {
    const msg = next();
    if (msg === null) throw new ProtocolError('regsim closed the pipe during a store call');
    if (msg.type === expected) return msg;
    if (msg.type === 'fault') throw new StoreFault(String(msg.message));
    if (msg.type === 'abort') throw new Aborted('apply aborted by regsim');
    throw new ProtocolError(`expected "${expected}", "fault" or "abort", got "${msg.type}"`);
  };
  // The store of the apply in progress: each get/set is a round trip to regsim.
  let aborted = false;
  const store: RegistryStore = {
    get(key) {
      if (aborted) throw new Aborted('apply aborted by regsim');
      send({ type: 'get', key: toHex(key) });
      try {
        const { value } = reply('value');
        return value === null ? undefined : fromHex(value, 'value');
      } catch (err) {
        if (err instanceof Aborted) aborted = true;
        throw err;
      }
    },
    set(key, value) {
      if (aborted) throw new Aborted('apply aborted by regsim');
      send({ type: 'set', key: toHex(key), value: toHex(value) });
      try {
        reply('ok');
      } catch (err) {
        if (err instanceof Aborted) aborted = true;
        throw err;
      }
    },
  };

  try {
    const hello = next();
    if (hello === null) return 0;
    if (hello.type !== 'hello') throw new ProtocolError(`expected "hello", got "${hello.type}"`);
    if (hello.protocol !== PROTOCOL_VERSION) {
      throw new ProtocolError(`regsim speaks protocol ${JSON.stringify(hello.protocol)}; this applier speaks ${PROTOCOL_VERSION}`);
    }
    send({ type: 'hello', protocol: PROTOCOL_VERSION, name: opts.name });
    // The applier holds no state between entries, so one is built per apply.
    for (let msg = next(); msg !== null; msg = next()) {
      if (msg.type !== 'apply') throw new ProtocolError(`expected "apply", got "${msg.type}"`);
      let entry: Uint8Array;
      try {
        entry = fromHex(msg.entry, 'entry');
      } catch (err) {
        throw new ProtocolError((err as Error).message);
      }
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
    return 0;
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    try {
      send({ type: 'error', message });
    } catch {
      // regsim is gone; stderr is all we have
    }
    // A protocol error is fully described by its message; anything else is a bug worth its stack.
    process.stderr.write(`${!(err instanceof ProtocolError) && err instanceof Error && err.stack ? err.stack : message}\n`);
    return 1;
  }
}
