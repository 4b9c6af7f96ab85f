import { describe, expect, it } from 'vitest';
import { MalformedTraceError, checkTrace, formatViolation, verdictOf } from '../../src/model/oracle.ts';
import { traceStats } from '../../src/model/trace-stats.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { TraceBuilder, kv, reg } from './builder.ts';
import { A, cleanRun } from './runs.ts';

const judge = (trace: TraceEvent[]): string[] => checkTrace(trace).map((v) => `${v.invariant}/${v.code}`);

describe('a clean trace', () => {
  it('reaches the situations the invariants are about, and has no violations', () => {
    const trace = cleanRun().trace();
    const s = traceStats(trace);
    // "no violation" only means something over a run that replayed, installed and retried.
    expect(s.registrationReplaysAfterCrash).toBeGreaterThan(0);
    expect(s.registrationReplayNoops).toBeGreaterThan(0);
    expect(s.snapshotInstallsWithRegistryRows).toBeGreaterThan(0);
    expect(s.duplicateRegistrationCommits).toBeGreaterThan(0);
    expect(s.noncesIssued).toBeGreaterThan(0);
    const v = checkTrace(trace);
    expect(v.map(formatViolation)).toEqual([]);
    expect(verdictOf(v)).toBe('ok');
  });

  it('is judged deterministically', () => {
    const trace = cleanRun().trace();
    expect(checkTrace(trace)).toEqual(checkTrace(structuredClone(trace)));
  });
});

// The oracle must not pass a trace that was tampered with: each edit of the
// clean trace is either a violation or a malformed trace (a harness error).
describe('an edited clean trace is never ok', () => {
  const clean = (): TraceEvent[] => cleanRun().trace();

  it('without its commit events: every apply is of an uncommitted index', () => {
    const v = judge(clean().filter((e) => e.kind !== 'commit'));
    expect(v).toContain('raft-safety/apply-uncommitted');
  });

  it('with one KV payload rewritten on every node: the applies are not the committed entry', () => {
    const trace = clean().map((e) => (e.kind === 'apply' && e.index === 2 ? { ...e, entryHex: kv('ff') } : e));
    expect(judge(trace)).toContain('raft-safety/apply-mismatch');
  });

  it('with a registration dropped on every node: each node passed a committed entry', () => {
    const trace = clean().filter((e) => !(e.kind === 'apply' && e.index === 3));
    expect(judge(trace)).toContain('raft-safety/skipped-entry');
  });

  it('cut short, empty, or without faults-end: malformed', () => {
    const trace = clean();
    expect(() => checkTrace(trace.slice(0, -1))).toThrow(MalformedTraceError);
    expect(() => checkTrace(trace.slice(0, trace.length / 2))).toThrow(/cut short/);
    expect(() => checkTrace([])).toThrow(/the trace is empty/);
    expect(() => checkTrace(trace.filter((e) => e.kind !== 'faults-end'))).toThrow(/0 faults-end events/);
    const c = trace.findIndex((e) => e.kind === 'commit');
    expect(() => checkTrace([...trace.slice(0, c + 1), ...trace.slice(c)])).toThrow(/committed index 1 right after index 1/);
  });

  it('with events out of time order, or naming an unknown node: malformed', () => {
    const trace = clean();
    const late = trace.findIndex((e) => e.t > 5);
    expect(() => checkTrace([trace[0] as TraceEvent, trace[late] as TraceEvent, ...trace.slice(1)])).toThrow(/time goes back/);
    expect(() => checkTrace(trace.map((e) => (e.kind === 'nonce' ? { ...e, node: 'n9' } : e)))).toThrow(/unknown node "n9"/);
    const end = trace.length - 1;
    const catchUp: TraceEvent = { fromIndex: 1, kind: 'catch-up', node: 'n1', snapshotIndex: 2, t: (trace[end] as TraceEvent).t, to: 'n9' };
    expect(() => checkTrace([...trace.slice(0, end), catchUp, trace[end] as TraceEvent])).toThrow(/unknown node "n9" caught up/);
  });
});

describe('checkTrace options and helpers', () => {
  it('orders by event index, then catalog order, and `only` filters', () => {
    const b = new TraceBuilder();
    b.leader('n1', 1);
    b.leader('n2', 1); // raft-safety at 2
    b.commit([reg(1, A, 1)]);
    b.nonce('n1', 1, 1, 1, 1, 0);
    b.nonce('n2', 1, 1, 1, 1, 0); // no-nonce-reuse
    const all = checkTrace(b.trace(), { liveness: false });
    expect(all.map((v) => v.invariant)).toEqual(['raft-safety', 'no-nonce-reuse']);
    expect(all.map((v) => v.eventIndex)).toEqual([2, b.events.length - 1]);
    expect(checkTrace(b.trace(), { only: ['no-nonce-reuse'] }).map((v) => v.invariant)).toEqual(['no-nonce-reuse']);
    expect(verdictOf(all)).toBe('safety-violation');
    expect(formatViolation(all[0]!)).toMatch(/^\[§7\.6 raft-safety\] event #2 \(n2\): two leaders in term 1/);
    expect(all[0]!.kind).toBe('safety');
    expect(all[0]!.explanation.length).toBeGreaterThan(100);
  });

  it('verdictOf reports a liveness-only run', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([kv(), kv()]);
    b.faultsEnd();
    b.t += 3000;
    b.runEnd();
    const v = checkTrace(b.trace());
    expect(verdictOf(v)).toBe('liveness-violation');
    expect(formatViolation({ ...v[0]!, node: undefined } as never)).not.toContain('(n1)');
  });
});
