// Client attempts, drawn the way Jepsen's timeline draws operations: each
// `propose` event is one attempt (`<request>#<n>`) a leader accepted, and it
// lasts from the proposal to its outcome in the log. The trace does not say
// where an attempt went, so it is read from the leader's `append` of the same
// entry recorded with it, and its fate from the `commit` events at that index:
// committed (the first commit there names its term and entry), committed by
// more than one attempt of the request (a duplicate: a retry whose first try
// committed too), lost (something else committed there, or it never did), or
// unknown (no append tells its index).
import { entryHexDigest } from '../trace/digest.ts';
import { isProbeRequest } from '../trace/probe.ts';
import type { TraceEvent } from '../trace/types.ts';
import { formatMs } from './describe.ts';

export type AttemptOutcome = 'committed' | 'duplicate' | 'lost' | 'unknown';

export interface ClientAttempt {
  /** The `propose` event. */
  event: number;
  requestId: string;
  /** The request the attempt belongs to: the id before `#`. */
  request: string;
  /** The leader that accepted it. */
  node: string;
  entryHex: string;
  /** Where the leader put it; absent when the trace does not say. */
  index?: number;
  term?: number;
  outcome: AttemptOutcome;
  /** The first commit of the attempt's entry at its index. */
  commit?: number;
  /** The first commit of another entry at its index, when it lost the index. */
  overwritten?: number;
  /** The request's next attempt (its position in the list). */
  retry?: number;
  /**
   * Where its bar ends: the commit; else the first commit of another entry
   * at its index, the request's next attempt, or the end of the trace,
   * whichever comes first.
   */
  end: number;
  /** The liveness probe's attempts: the simulator's own check, not a client of the registry. */
  probe: boolean;
  /** The other attempts of the same request that committed too (positions in the list), in order. */
  twins: number[];
}

interface Placed {
  index: number;
  term: number;
}

export function clientAttempts(trace: readonly TraceEvent[]): ClientAttempt[] {
  const commits = commitsByIndex(trace);
  const attempts: ClientAttempt[] = [];
  const lastOf = new Map<string, ClientAttempt>();
  trace.forEach((ev, i) => {
    if (ev.kind !== 'propose') return;
    const request = ev.requestId.replace(/#[^#]*$/, '');
    const digest = entryHexDigest(ev.entryHex);
    const placed = leaderAppend(trace, i, ev.node, digest);
    const attempt: ClientAttempt = {
      event: i,
      requestId: ev.requestId,
      request,
      node: ev.node,
      entryHex: ev.entryHex,
      ...placed,
      outcome: placed ? 'lost' : 'unknown',
      end: trace.length - 1,
      probe: isProbeRequest(ev.requestId),
      twins: [],
    };
    if (placed) settle(attempt, placed, digest, commits.get(placed.index) ?? []);
    // A retry supersedes the attempt before it, unless that one already ended.
    const previous = lastOf.get(request);
    if (previous) {
      previous.retry = attempts.length;
      if (previous.commit === undefined && previous.end > i) previous.end = i;
    }
    lastOf.set(request, attempt);
    attempts.push(attempt);
  });
  linkTwins(attempts);
  return attempts;
}

interface Commit {
  event: number;
  term: number;
  digest: string;
}

/** Per log index, its commit events in trace order (one per node that learnt it). */
function commitsByIndex(trace: readonly TraceEvent[]): Map<number, Commit[]> {
  const out = new Map<number, Commit[]>();
  trace.forEach((ev, i) => {
    if (ev.kind !== 'commit') return;
    const list = out.get(ev.index) ?? [];
    list.push({ event: i, term: ev.term, digest: ev.digest });
    out.set(ev.index, list);
  });
  return out;
}

/** Committed if a node learnt its entry committed at its index and term; else lost, ending where another entry did. */
function settle(attempt: ClientAttempt, placed: Placed, digest: string, commits: readonly Commit[]): void {
  const later = commits.filter((c) => c.event > attempt.event);
  const own = later.find((c) => c.term === placed.term && c.digest === digest);
  if (own) {
    attempt.outcome = 'committed';
    attempt.commit = own.event;
    attempt.end = own.event;
  } else if (later[0]) {
    attempt.overwritten = later[0].event;
    attempt.end = later[0].event;
  }
}

/**
 * Attempts of one request that committed more than once are duplicates of
 * each other. The probe is left out: it retries until applied by design, and
 * its entry means nothing to the registry.
 */
function linkTwins(attempts: ClientAttempt[]): void {
  const committed = new Map<string, number[]>();
  attempts.forEach((a, k) => {
    if (a.outcome !== 'committed' || a.probe) return;
    const list = committed.get(a.request) ?? [];
    list.push(k);
    committed.set(a.request, list);
  });
  for (const group of committed.values()) {
    if (group.length < 2) continue;
    for (const k of group) {
      const a = attempts[k] as ClientAttempt;
      a.outcome = 'duplicate';
      a.twins = group.filter((other) => other !== k);
    }
  }
}

/** The simulator records the leader's append of a proposed entry just before the proposal, at the same instant. */
function leaderAppend(trace: readonly TraceEvent[], at: number, node: string, digest: string): Placed | undefined {
  const t = trace[at]?.t;
  for (let i = at - 1; i >= 0; i--) {
    const ev = trace[i];
    if (ev === undefined || ev.t !== t) return undefined;
    if (ev.kind === 'append' && ev.node === node && ev.digest === digest) return { index: ev.index, term: ev.term };
  }
  return undefined;
}

/** One line on what became of an attempt, for the tooltip and the details pane. */
export function attemptNote(a: ClientAttempt, attempts: readonly ClientAttempt[], trace: readonly TraceEvent[]): string {
  const at = (event: number): string => formatMs(trace[event]?.t ?? 0);
  const retry = a.retry !== undefined ? attempts[a.retry] : undefined;
  const retried = retry ? `; retried as ${retry.requestId} at ${at(retry.event)}` : '';
  const where = a.index !== undefined ? `#${a.index} t${a.term}` : '';
  switch (a.outcome) {
    case 'unknown':
      return `accepted by ${a.node}; no append says where it went${retried}`;
    case 'lost':
      return a.overwritten !== undefined
        ? `lost: another entry committed at ${where} (${at(a.overwritten)})${retried}`
        : `not committed at ${where} by the end of the run${retried}`;
    case 'committed':
      return `committed at ${where} (${at(a.commit ?? a.event)})${retried}`;
    case 'duplicate': {
      const others = a.twins.map((k) => attempts[k]).map((o) => (o ? `${o.requestId} at #${o.index}` : '?'));
      return `committed at ${where} (${at(a.commit ?? a.event)}), and so did ${others.join(', ')}: the request took effect more than once`;
    }
  }
}
