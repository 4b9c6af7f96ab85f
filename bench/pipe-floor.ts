// The cost of one protocol round trip with nothing else in it: regsim's own
// Connection (the blocking pipes every external applier is reached through)
// against echo-child.mjs, which answers each line at once. Whatever a child
// does, each of its messages costs at least this, so it bounds the external
// ratio a machine allows: the built-in run's time plus this cost for every
// round trip the external run made.
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Connection } from '../src/external/connection.ts';

const ROUND_TRIPS = 5000;
const WARM = 500;

/** Microseconds per bare round trip (median of 3 passes of ROUND_TRIPS). */
export function pipeFloorMicros(): number {
  const child = fileURLToPath(new URL('./echo-child.mjs', import.meta.url));
  const conn = new Connection([process.execPath, child], 'bench echo child', {});
  try {
    conn.handshake();
    const pass = (n: number): number => {
      const t0 = performance.now();
      conn.guarded(10_000, () => {
        for (let i = 0; i < n; i++) {
          conn.send({ type: 'ping' });
          conn.receive('answering a ping');
        }
      });
      return ((performance.now() - t0) * 1000) / n;
    };
    pass(WARM);
    const passes = [pass(ROUND_TRIPS), pass(ROUND_TRIPS), pass(ROUND_TRIPS)].sort((a, b) => a - b);
    return Math.round((passes[1] as number) * 10) / 10;
  } finally {
    conn.close();
  }
}

/** The highest external/built-in ratio a run of `roundTrips` messages can reach here, if the child and bridge cost nothing. */
export function ratioCeiling(builtinMs: number, roundTrips: number, floorMicros: number): number {
  return Math.round((builtinMs / (builtinMs + (roundTrips * floorMicros) / 1000)) * 1000) / 1000;
}
