// Liveness in two phases, as TigerBeetle's VOPR judges it: faults until
// faults-end, then a quiet period in which a core of healthy nodes must make
// progress within a bound counted in election time-outs. Progress is the
// liveness probe (src/trace/probe.ts): a client write the simulator proposes
// at faults-end and retries until a leader applies it. So a cluster that never
// elects a leader again fails, even if every node had applied what was
// committed before.
//
// The core: the voters (run-start nodes that are not learners) that are up,
// not halted and not rejoining after a restore at run-end. Only a core that is
// a quorum can elect a leader and commit; without one the cause is the
// environment or a decision judged elsewhere (voters refused by a start-up
// guard, halted fail-closed, removed, or a restore that took the only other
// copy of committed entries), and nothing is judged. The core is ready once a
// quorum of its members has started for the last time after faults-end.
//
// The bound B is LIVENESS_BOUND_TIMEOUTS times the run's longest election
// time-out (run-start's electionTimeoutMs), or `livenessBoundMs`. Codes:
//  - 'no-progress': no probe entry committed within B of the core being ready;
//  - 'caught-up-late': a node up and not halted at run-end had not applied
//    through the probe's index within B of the later of the probe's commit
//    and its own last start;
//  - 'not-caught-up': a node up and not halted at run-end, running since at
//    least B before run-end, has not applied every entry committed by then.
// A deadline past run-end is not judged (the run was too short to tell).
import { entryHexDigest } from '../../trace/digest.ts';
import { isProbeRequest } from '../../trace/probe.ts';
import type { TraceEvent } from '../../trace/types.ts';
import { violation } from './context.ts';
import type { CheckContext, Violation } from './context.ts';

/** The liveness bound, in election time-outs (measured: the core converges within 3 in 20,000 generated runs). */
export const LIVENESS_BOUND_TIMEOUTS = 8;
const DEFAULT_ELECTION_TIMEOUT_MS: [number, number] = [150, 300];

type RunStart = Extract<TraceEvent, { kind: 'run-start' }>;
type RunEnd = Extract<TraceEvent, { kind: 'run-end' }>;

/** The liveness bound of a run, in ms. */
export function livenessBoundMs(start: Pick<RunStart, 'electionTimeoutMs'>): number {
  return LIVENESS_BOUND_TIMEOUTS * (start.electionTimeoutMs ?? DEFAULT_ELECTION_TIMEOUT_MS)[1];
}

export function checkLiveness(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  if (ctx.options.liveness === false) return [];
  const start = trace[0] as RunStart;
  const endAt = trace.length - 1;
  const end = trace[endAt] as RunEnd;
  const faultsEnd = (trace.find((e) => e.kind === 'faults-end') as TraceEvent).t;
  const healthy = end.nodes.filter((s) => s.up && !s.halted);
  if (healthy.length === 0) return [];
  const learners = new Set(start.learners ?? []);
  const voters = start.nodes.filter((n) => !learners.has(n));
  const quorum = (voters.length >> 1) + 1;
  const core = new Set(end.nodes.filter((s) => s.up && !s.halted && s.rejoining !== true && !learners.has(s.node)).map((s) => s.node));
  if (core.size < quorum) return [];

  const out: Violation[] = [];
  const bound = ctx.options.livenessBoundMs ?? livenessBoundMs(start);
  const lastStart = new Map<string, number>();
  const probes = new Set<string>();
  for (const ev of trace) {
    if (ev.kind === 'restart' || ev.kind === 'add-node') lastStart.set(ev.node, ev.t);
    else if (ev.kind === 'propose' && isProbeRequest(ev.requestId)) probes.add(entryHexDigest(ev.entryHex));
  }
  const startOf = (node: string): number => Math.max(faultsEnd, lastStart.get(node) ?? 0);

  // Caught up: every entry committed at least B before run-end is applied by
  // every node up and not halted at run-end that had been running since then.
  const settledAt = end.t - bound;
  let target = 0;
  for (const ev of trace) if (ev.kind === 'commit' && ev.t <= settledAt && ev.index > target) target = ev.index;
  const lagging = new Set<string>();
  for (const s of healthy) {
    if (s.appliedIndex >= target || startOf(s.node) > settledAt) continue;
    lagging.add(s.node);
    out.push(
      violation(
        'liveness', 'not-caught-up',
        endAt,
        s.node,
        `${s.node} is up and not halted at run-end (t=${end.t}) with applied index ${s.appliedIndex}, behind index ${target}, committed by t=${settledAt} (${bound} ms before run-end); faults ended at t=${faultsEnd}`,
      ),
    );
  }

  const coreStarts = [...core].map(startOf).sort((a, b) => a - b);
  const ready = coreStarts[quorum - 1] as number;
  let probe: { index: number; t: number } | undefined;
  for (const ev of trace) {
    if (ev.kind === 'commit' && probes.has(ev.digest) && (probe === undefined || ev.index < probe.index)) probe = { index: ev.index, t: ev.t };
  }
  if (probe === undefined || probe.t > ready + bound) {
    if (ready + bound <= end.t) {
      out.push(
        violation(
          'liveness', 'no-progress',
          endAt,
          undefined,
          `no leader committed the liveness probe within ${bound} ms (${LIVENESS_BOUND_TIMEOUTS} election time-outs) of t=${ready}, when a quorum of healthy voters (${[...core].join(', ')}) was up after faults ended at t=${faultsEnd}${probe === undefined ? '' : `; it committed at t=${probe.t}`}`,
        ),
      );
    }
    return out;
  }

  // When did each healthy node first reach the probe's index after its last start?
  const reached = new Map<string, number>();
  for (const ev of trace) {
    if (!('node' in ev)) continue;
    if (ev.kind === 'restart' || ev.kind === 'add-node' || ev.kind === 'restore') reached.delete(ev.node);
    else if (reached.has(ev.node)) continue;
    else if ((ev.kind === 'apply' && ev.result.kind !== 'halt') || ev.kind === 'snapshot-install') {
      if (ev.index >= probe.index) reached.set(ev.node, ev.t);
    }
  }
  for (const s of healthy) {
    if (lagging.has(s.node)) continue;
    const deadline = Math.max(probe.t, startOf(s.node)) + bound;
    const at = reached.get(s.node);
    if (deadline > end.t || (at !== undefined && at <= deadline)) continue;
    out.push(
      violation(
        'liveness', 'caught-up-late',
        endAt,
        s.node,
        `${s.node} ${at === undefined ? 'never applied' : `applied only at t=${at}`} the liveness probe's index ${probe.index}, committed at t=${probe.t}; the bound is ${bound} ms (${LIVENESS_BOUND_TIMEOUTS} election time-outs) after that or its last start, t=${deadline}`,
      ),
    );
  }
  return out;
}
