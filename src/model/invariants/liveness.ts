// Liveness in two phases, as TigerBeetle's VOPR judges it: faults until
// faults-end, then a quiet period in which a core of healthy nodes must make
// progress within a bound counted in election time-outs. Progress is the
// liveness probe (src/trace/probe.ts): a client write the simulator proposes
// at faults-end and retries until a leader applies it. So a cluster that never
// elects a leader again fails, even if every node had applied what was
// committed before.
//
// The core: the voters of the configuration the cluster ends in (run-start's
// voters, the nodes that are not learners, changed by every committed
// configuration entry in order) that are up, not halted and not rejoining
// after a restore at run-end. Only members of that configuration are judged
// (a removed node that still runs is not caught up, and need not be). Raft
// takes a configuration on append, so a core node may still be under an
// earlier one (a committed change past its commit index it may not hold) or
// a later one (a change a leader appended that never committed): the core
// must be a quorum of the voters of each, or nothing is judged. Only a core that is
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
import type { CheckContext, ConfChangeEvent, Violation } from './context.ts';

/** The liveness bound, in election time-outs (measured: the core converges within 3 in 20,000 generated runs). */
export const LIVENESS_BOUND_TIMEOUTS = 8;
/** The engine's election time-out range when run-start names none (DEFAULT_RAFT). */
export const DEFAULT_ELECTION_TIMEOUT_MS: [number, number] = [150, 300];

type RunStart = Extract<TraceEvent, { kind: 'run-start' }>;
type RunEnd = Extract<TraceEvent, { kind: 'run-end' }>;

/** The liveness bound of a run, in ms. */
export function livenessBoundMs(start: Pick<RunStart, 'electionTimeoutMs'>): number {
  return LIVENESS_BOUND_TIMEOUTS * (start.electionTimeoutMs ?? DEFAULT_ELECTION_TIMEOUT_MS)[1];
}

/** A membership change applied to voter and member sets. */
function applyConf(voters: Set<string>, members: Set<string>, change: ConfChangeEvent): void {
  if (change.op === 'promote') voters.add(change.target);
  else if (change.op === 'remove') {
    voters.delete(change.target);
    members.delete(change.target);
  } else members.add(change.target);
}

/**
 * The configurations of a run: the members of the one it ends in, the voters
 * after each committed change (from run-start's, at index 0), and the voters
 * with each change a leader appended that never committed.
 */
function configurations(trace: readonly TraceEvent[], start: RunStart, ctx: CheckContext): { members: Set<string>; steps: { index: number; voters: Set<string> }[]; pending: Set<string>[] } {
  const learners = new Set(start.learners ?? []);
  const voters = new Set(start.nodes.filter((n) => !learners.has(n)));
  // A learner slot that never joined is not a member; judging it is harmless (it is down).
  const members = new Set(start.nodes);
  const steps = [{ index: 0, voters: new Set(voters) }];
  for (const [index, change] of ctx.log.confChanges()) {
    applyConf(voters, members, change);
    steps.push({ index, voters: new Set(voters) });
  }
  const pending: Set<string>[] = [];
  for (const ev of trace) {
    if (ev.kind !== 'conf-propose' || ctx.log.digestAt(ev.index) === entryHexDigest(ev.entryHex)) continue;
    const withChange = new Set(voters);
    applyConf(withChange, new Set(members), ev);
    pending.push(withChange);
  }
  return { members, steps, pending };
}

export function checkLiveness(trace: readonly TraceEvent[], ctx: CheckContext): Violation[] {
  if (ctx.options.liveness === false) return [];
  const start = trace[0] as RunStart;
  const endAt = trace.length - 1;
  const end = trace[endAt] as RunEnd;
  const faultsEnd = (trace.find((e) => e.kind === 'faults-end') as TraceEvent).t;
  // The configuration the run ends in decides who is judged. A core node's
  // log holds every entry up to its commit index and may or may not hold the
  // later ones: the core must be a quorum of the voters at the core's lowest
  // commit index, after each committed change past it, and with each
  // uncommitted one.
  const { members, steps, pending } = configurations(trace, start, ctx);
  const healthy = end.nodes.filter((s) => s.up && !s.halted && members.has(s.node));
  if (healthy.length === 0) return [];
  const finalVoters = (steps[steps.length - 1] as (typeof steps)[number]).voters;
  const coreNodes = healthy.filter((s) => s.rejoining !== true && finalVoters.has(s.node));
  const core = new Set(coreNodes.map((s) => s.node));
  const quorum = (finalVoters.size >> 1) + 1;
  if (core.size < quorum) return [];
  const commitFloor = Math.min(...coreNodes.map((s) => s.commitIndex));
  let from = 0;
  while ((steps[from + 1]?.index ?? Number.POSITIVE_INFINITY) <= commitFloor) from++;
  for (const v of [...steps.slice(from).map((step) => step.voters), ...pending]) {
    if ([...core].filter((n) => v.has(n)).length < (v.size >> 1) + 1) return [];
  }

  const out: Violation[] = [];
  const bound = ctx.options.livenessBoundMs ?? livenessBoundMs(start);
  const { lastStart, probes } = startsAndProbes(trace);
  const startOf = (node: string): number => Math.max(faultsEnd, lastStart.get(node) ?? 0);

  // Caught up: every entry committed at least B before run-end is applied by
  // every node up and not halted at run-end that had been running since then.
  const settledAt = end.t - bound;
  const target = lastCommittedBy(trace, settledAt);
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

  // When the core held a quorum of `v` (undefined: never).
  const readyUnder = (v: Set<string>): number | undefined => {
    const starts = [...core].filter((n) => v.has(n)).map(startOf).sort((a, b) => a - b);
    return starts[v.size >> 1];
  };
  const probe = firstProbeCommit(trace, probes);
  // The probe commits under the configuration its entry was appended under
  // (changes past it come later): the bound runs from when the core held a
  // quorum of that one too, not only of the one the run ends in (clean run
  // 57698 of seed 20250901: a learner promoted after the probe counted as a
  // voter from faults-end on).
  let ready = readyUnder(finalVoters) as number;
  if (probe !== undefined) {
    const probeIndex = probe.index;
    const under = steps.filter((step) => step.index < probeIndex).at(-1)?.voters ?? finalVoters;
    const readyThen = readyUnder(under);
    if (readyThen === undefined) return out;
    ready = Math.max(ready, readyThen);
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

  const reached = reachedAfterStart(trace, probe.index);
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

// The passes over the trace, each its own function: in one, the JIT optimised
// the whole check at once, again after every deoptimisation (about a second a
// thread).

/** Each node's last (re)start time, and the digests of the liveness probes proposed. */
function startsAndProbes(trace: readonly TraceEvent[]): { lastStart: Map<string, number>; probes: Set<string> } {
  const lastStart = new Map<string, number>();
  const probes = new Set<string>();
  for (const ev of trace) {
    if (ev.kind === 'restart' || ev.kind === 'add-node') lastStart.set(ev.node, ev.t);
    else if (ev.kind === 'propose' && isProbeRequest(ev.requestId)) probes.add(entryHexDigest(ev.entryHex));
  }
  return { lastStart, probes };
}

/** The highest index committed at or before `t` (0 if none). */
function lastCommittedBy(trace: readonly TraceEvent[], t: number): number {
  let target = 0;
  for (const ev of trace) if (ev.kind === 'commit' && ev.t <= t && ev.index > target) target = ev.index;
  return target;
}

/** The lowest index a liveness probe committed at, and when. */
function firstProbeCommit(trace: readonly TraceEvent[], probes: ReadonlySet<string>): { index: number; t: number } | undefined {
  let probe: { index: number; t: number } | undefined;
  for (const ev of trace) {
    if (ev.kind === 'commit' && probes.has(ev.digest) && (probe === undefined || ev.index < probe.index)) probe = { index: ev.index, t: ev.t };
  }
  return probe;
}

/** When each node first reached `index` (applied without a halt, or installed a snapshot at or past it) after its last start. */
function reachedAfterStart(trace: readonly TraceEvent[], index: number): Map<string, number> {
  const reached = new Map<string, number>();
  for (const ev of trace) {
    if (!('node' in ev)) continue;
    if (ev.kind === 'restart' || ev.kind === 'add-node' || ev.kind === 'restore') reached.delete(ev.node);
    else if (reached.has(ev.node)) continue;
    else if ((ev.kind === 'apply' && ev.result.kind !== 'halt') || ev.kind === 'snapshot-install') {
      if (ev.index >= index) reached.set(ev.node, ev.t);
    }
  }
  return reached;
}
