// The trace contract's shape, checked before any invariant is judged: a trace
// that breaks it was written by a broken harness (or cut short, or edited),
// and judging it would give a verdict about nothing. So a malformed trace is a
// harness error (MalformedTraceError), never "ok" and never a violation of the
// system under test. What a well-formed trace is:
//  - run-start first, run-end last, each exactly once, faults-end exactly once;
//  - virtual time never goes back;
//  - every event's node is one of run-start's nodes, and run-end summarises
//    each of them exactly once;
//  - each node learns committed indices one at a time, in order: a commit
//    event is for the index after the highest the node had committed, or
//    installed from a snapshot (a restore that discards Raft state starts it
//    again from 0; one that brings a backup's Raft state back, from the
//    backup's; a crash that lost an unsynced commit index, from the crash
//    event's `commit`; a truncation below it, which raft-safety reports, from there);
//  - every committed entry is known: its digest is a proposed entry's or the
//    empty entry's (CommittedLog checks this one).
import type { TraceEvent } from '../trace/types.ts';
import { MalformedTraceError } from './invariants/context.ts';

export function assertWellFormed(trace: readonly TraceEvent[]): void {
  if (trace.length === 0) throw new MalformedTraceError(-1, 'the trace is empty');
  const first = trace[0] as TraceEvent;
  if (first.kind !== 'run-start') throw new MalformedTraceError(0, `the trace starts with ${first.kind}, not run-start`);
  const last = trace[trace.length - 1] as TraceEvent;
  if (last.kind !== 'run-end') throw new MalformedTraceError(trace.length - 1, `the trace ends with ${last.kind}, not run-end (cut short?)`);
  const nodes = new Set(first.nodes);
  const commit = new Map<string, number | undefined>(first.nodes.map((n) => [n, 0]));
  const backups = new Map<string, number | undefined>();
  let faultsEnd = 0;
  let t = 0;
  for (let e = 0; e < trace.length; e++) {
    const ev = trace[e] as TraceEvent;
    if (ev.t < t) throw new MalformedTraceError(e, `time goes back from ${t} to ${ev.t}`);
    t = ev.t;
    if ((ev.kind === 'run-start' || ev.kind === 'run-end') && e !== 0 && e !== trace.length - 1) {
      throw new MalformedTraceError(e, `a second ${ev.kind}`);
    }
    if ('node' in ev && !nodes.has(ev.node)) throw new MalformedTraceError(e, `unknown node "${ev.node}"`);
    switch (ev.kind) {
      case 'faults-end':
        faultsEnd++;
        break;
      case 'commit': {
        const had = commit.get(ev.node);
        if (had !== undefined && ev.index !== had + 1) {
          throw new MalformedTraceError(e, `${ev.node} committed index ${ev.index} right after index ${had}`);
        }
        commit.set(ev.node, ev.index);
        break;
      }
      case 'snapshot-install':
      case 'snapshot-persist':
        commit.set(ev.node, Math.max(commit.get(ev.node) ?? 0, ev.index));
        break;
      case 'crash':
        if (ev.commit !== undefined && ev.commit < (commit.get(ev.node) ?? Infinity)) commit.set(ev.node, ev.commit);
        break;
      case 'truncate': {
        // A log that loses committed entries (raft-safety's finding) commits them again.
        const had = commit.get(ev.node);
        if (had !== undefined && ev.fromIndex <= had) commit.set(ev.node, ev.fromIndex - 1);
        break;
      }
      case 'catch-up':
        if (!nodes.has(ev.to)) throw new MalformedTraceError(e, `unknown node "${ev.to}" caught up`);
        break;
      case 'backup':
        backups.set(`${ev.node}#${ev.name}`, commit.get(ev.node));
        break;
      case 'restore':
        commit.set(ev.node, ev.raft === 'discarded' ? 0 : ev.name !== undefined ? backups.get(`${ev.node}#${ev.name}`) : undefined);
        break;
      case 'run-end': {
        const listed = ev.nodes.map((s) => s.node);
        const missing = first.nodes.filter((n) => !listed.includes(n));
        if (missing.length > 0 || listed.length !== nodes.size) {
          throw new MalformedTraceError(e, `run-end must summarise each node once (got ${listed.join(', ')})`);
        }
        break;
      }
      default:
        break;
    }
  }
  if (faultsEnd !== 1) throw new MalformedTraceError(-1, `the trace has ${faultsEnd} faults-end events, want 1`);
}
