import { describe, expect, it } from 'vitest';
import { checkTrace, formatViolation, verdictOf } from '../../src/model/oracle.ts';
import { TraceBuilder, reg } from './builder.ts';
import { A, cleanRun } from './runs.ts';

describe('a clean trace', () => {
  it('has no violations', () => {
    const b = cleanRun();
    const v = checkTrace(b.events);
    expect(v.map(formatViolation)).toEqual([]);
    expect(verdictOf(v)).toBe('ok');
  });

  it('is judged deterministically', () => {
    const b = cleanRun();
    expect(checkTrace(b.events)).toEqual(checkTrace(structuredClone(b.events)));
  });

  it('an empty trace is fine', () => {
    expect(checkTrace([])).toEqual([]);
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
    const all = checkTrace(b.events);
    expect(all.map((v) => v.invariant)).toEqual(['raft-safety', 'no-nonce-reuse']);
    expect(all.map((v) => v.eventIndex)).toEqual([2, b.events.length - 1]);
    expect(checkTrace(b.events, { only: ['no-nonce-reuse'] }).map((v) => v.invariant)).toEqual(['no-nonce-reuse']);
    expect(verdictOf(all)).toBe('safety-violation');
    expect(formatViolation(all[0]!)).toMatch(/^\[§7\.6 raft-safety\] event #2 \(n2\): two leaders in term 1/);
    expect(all[0]!.kind).toBe('safety');
    expect(all[0]!.explanation.length).toBeGreaterThan(100);
  });

  it('verdictOf reports a liveness-only run', () => {
    const b = new TraceBuilder(['n1']);
    b.faultsEnd();
    b.runEnd({ n1: { commitIndex: 3 } });
    const v = checkTrace(b.events);
    expect(verdictOf(v)).toBe('liveness-violation');
    expect(formatViolation({ ...v[0]!, node: undefined } as never)).not.toContain('(n1)');
  });
});
