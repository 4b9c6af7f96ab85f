// Liveness's third failure: a message storm. Raft must absorb what the
// network does to it: a duplicated or reordered message may cost one answer,
// never a chain of them. An engine that answers stale messages as fresh ones
// keeps every duplicate alive as a new thread of traffic, which grows with
// each fault and never dies out: the cluster still commits, but its network
// and CPU drown (the variant raft-stale-ack-resends).
//
// The simulator records the messages sent in each window of virtual time
// (`traffic` events). Each message a correct cluster sends has a cause the
// window shows: a heartbeat tick (a leader to each peer and back), a campaign
// (a vote request to each peer and back, PreVote doubling it), or work the
// trace records (an append, a commit, a proposal, a restart that makes a
// leader probe, an install), each costing a few messages per peer. So the
// window's messages are judged against
//   allowance = 2n * W/heartbeat + 4n^2 * W/minElectionTimeout + n * (events in the window)
// and a window past STORM_FACTOR times its allowance is a storm ('message-storm').
// Measured (hardened, explore's default space): the correct cluster's highest
// window is 1.16 times its allowance in 2,000 runs (seeds 1 and 3), and no
// window passes 2 times it in 20,000 (seed 7); the storm variant's runaway
// windows reach 2.6 to 24 times it, or spend the run's event budget, which
// the simulator then cuts short (run-end `cut`): a storm whatever its windows show.
import type { TraceEvent, TraceEventOf } from '../../trace/types.ts';
import { violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';
import { DEFAULT_ELECTION_TIMEOUT_MS } from './liveness.ts';

/** How many times its allowance a window may send before it is a storm. */
export const STORM_FACTOR = 4;
/** The engine's heartbeat interval (DEFAULT_RAFT; generated scenarios do not change it). */
const HEARTBEAT_MS = 50;

export function checkTraffic(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  if (ctx.options.liveness === false) return [];
  const start = trace[0] as TraceEventOf<'run-start'>;
  const n = start.nodes.length;
  const minTimeout = (start.electionTimeoutMs ?? DEFAULT_ELECTION_TIMEOUT_MS)[0];
  let windowStart = 0;
  let events = 0;
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.kind !== 'traffic') {
      events++;
      continue;
    }
    if (ev.from !== undefined) windowStart = ev.from;
    const w = ev.t - windowStart;
    if (w <= 0) continue;
    const allowance = 2 * n * (w / HEARTBEAT_MS) + 4 * n * n * (w / minTimeout) + n * events;
    if (ev.sent > STORM_FACTOR * allowance) {
      return [
        violation(
          'liveness', 'message-storm',
          e,
          undefined,
          `the cluster sent ${ev.sent} messages between t=${windowStart} and t=${ev.t}, ${(ev.sent / allowance).toFixed(1)} times what its ${n} nodes' heartbeats, campaigns and the ${events} events recorded then account for (at most ${STORM_FACTOR} times): a message storm, stale or duplicated messages answered as new ones`,
        ),
      ];
    }
    windowStart = ev.t;
    events = 0;
  }
  // A run the simulator cut short at its event budget (200 events a virtual
  // ms, a hundred times what runs take) spent it mostly sending messages: a
  // runaway even when no single window passed its allowance.
  const endAt = trace.length - 1;
  const end = trace[endAt] as TraceEvent;
  if (end.kind === 'run-end' && end.cut === true) {
    return [
      violation('liveness', 'message-storm', endAt, undefined, `the run spent its event budget by t=${end.t}, mostly sending messages, and was cut short there: a message storm or another runaway`),
    ];
  }
  return [];
}
