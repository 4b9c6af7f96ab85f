// Liveness's message-storm check (src/model/invariants/traffic.ts): a window
// that sends more than STORM_FACTOR times what its heartbeats, campaigns and
// recorded events account for is a storm; the allowance scales with the
// window, the cluster and the work the window records.
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { STORM_FACTOR } from '../../src/model/invariants/traffic.ts';
import { TraceBuilder, kv } from './builder.ts';

// 3 nodes, 500 ms windows, the default shortest election time-out (150 ms): 2*3*10 + 4*9*(500/150) = 180,
// before the n messages each recorded event adds.
const IDLE_ALLOWANCE = 180;

/** The storm violations of a run of `windows` (each's `work`: that many entries committed in it), and each window's events. */
function run(windows: { sent: number; work?: number; from?: number; at?: number }[]): { storms: ReturnType<typeof checkTrace>; events: number[] } {
  const b = new TraceBuilder();
  const events: number[] = [];
  let t = 0;
  let before = 0;
  for (const w of windows) {
    if (w.work) b.commit(Array.from({ length: w.work }, () => kv()));
    t = w.at ?? t + 500;
    events.push(b.events.length - before);
    b.push({ kind: 'traffic', sent: w.sent, t, ...(w.from !== undefined ? { from: w.from } : {}) });
    before = b.events.length;
    b.t = t;
  }
  b.faultsEnd();
  b.runEnd();
  return { storms: checkTrace(b.trace(), { only: ['liveness'] }).filter((v) => v.code === 'message-storm'), events };
}

describe('message-storm', () => {
  it('an idle window may send up to its allowance times the factor, not one message more', () => {
    const limit = STORM_FACTOR * (IDLE_ALLOWANCE + 3 * run([{ sent: 0 }]).events[0]!);
    expect(run([{ sent: limit }]).storms).toEqual([]);
    const v = run([{ sent: limit + 1 }]).storms;
    expect(v).toHaveLength(1);
    expect(v[0]!.kind).toBe('liveness');
    expect(v[0]!.message).toMatch(
      new RegExp(`^the cluster sent ${limit + 1} messages between t=0 and t=500, 4\\.0 times what its 3 nodes' heartbeats, campaigns and the \\d+ events recorded then account for \\(at most 4 times\\): a message storm`),
    );
  });

  it('recorded work raises the allowance: n messages per event of the window', () => {
    const events = run([{ sent: 10 }, { sent: 0, work: 20 }]).events[1]!;
    const limit = STORM_FACTOR * (IDLE_ALLOWANCE + 3 * events);
    expect(run([{ sent: 10 }, { sent: limit, work: 20 }]).storms).toEqual([]);
    expect(run([{ sent: 10 }, { sent: limit, work: 2 }]).storms).toHaveLength(1);
  });

  it('the first storm window is reported, at its traffic event; a storm window only once', () => {
    const v = run([{ sent: 10 }, { sent: 100_000 }, { sent: 100_000 }]).storms;
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toMatch(/between t=500 and t=1000/);
  });

  it('a window cut short is judged over its own length', () => {
    // 50 ms from t=500: an allowance of a tenth of a whole window's.
    expect(run([{ sent: 10 }, { sent: 200, from: 500, at: 550 }]).storms).toHaveLength(1);
    expect(run([{ sent: 10 }, { sent: 60, from: 500, at: 550 }]).storms).toEqual([]);
  });

  it('is not judged when liveness is not', () => {
    const b = new TraceBuilder();
    b.push({ kind: 'traffic', sent: 1_000_000, t: 500 });
    b.t = 500;
    b.faultsEnd();
    b.runEnd();
    expect(checkTrace(b.trace(), { liveness: false })).toEqual([]);
  });
});
