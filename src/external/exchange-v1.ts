// One apply in protocol v1: send the entry, answer the child's store calls one
// round trip each, return its result.
import { StoreFault } from '../applier/types.ts';
import type { ApplyResponse, RegistryStore } from '../applier/types.ts';
import type { Connection } from './connection.ts';
import { fromHex, responseOf, toHex } from './protocol.ts';
import type { HostMessage } from './protocol.ts';

/** Counters the exchanges keep (ExternalApplierStats). */
export interface Counts {
  applies: number;
  storeGets: number;
  storeSets: number;
  roundTrips: number;
}

export function applyV1(conn: Connection, counts: Counts, store: RegistryStore, entry: Uint8Array): ApplyResponse {
  conn.send({ type: 'apply', entry: toHex(entry) } satisfies HostMessage);
  // A store that throws anything but StoreFault (a simulated crash, a harness
  // bug) aborts the apply: the child unwinds, then we rethrow it here, with
  // the child still in step for the next call.
  let aborted: { error: unknown } | undefined;
  const call = (op: () => HostMessage): HostMessage => {
    if (aborted) return { type: 'abort' };
    try {
      return op();
    } catch (err) {
      if (err instanceof StoreFault) return { type: 'fault', message: err.message };
      aborted = { error: err };
      return { type: 'abort' };
    }
  };
  for (;;) {
    const msg = conn.receive('applying an entry');
    counts.roundTrips++;
    switch (msg.type) {
      case 'get': {
        const key = conn.field(msg, () => fromHex(msg.key, 'key'));
        counts.storeGets++;
        conn.send(
          call(() => {
            const value = store.get(key);
            return { type: 'value', value: value === undefined ? null : toHex(value) };
          }),
        );
        break;
      }
      case 'set': {
        const [key, value] = conn.field(msg, () => [fromHex(msg.key, 'key'), fromHex(msg.value, 'value')]);
        counts.storeSets++;
        conn.send(call(() => (store.set(key, value), { type: 'ok' })));
        break;
      }
      case 'result': {
        const response = conn.field(msg, () => responseOf(msg));
        if (aborted) throw aborted.error;
        counts.applies++;
        return response;
      }
      case 'aborted':
        if (!aborted) throw conn.fail('sent "aborted" but no apply was aborted');
        throw aborted.error;
      case 'error':
        throw conn.fail(`reported an error while applying an entry: ${String(msg.message)}`);
      default:
        throw conn.fail(`sent a "${msg.type}" message while applying an entry (expected get, set or result)`);
    }
  }
}
