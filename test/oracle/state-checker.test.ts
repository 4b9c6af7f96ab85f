// The state checker (src/model/invariants/state-checker.ts): every node
// applies exactly the committed log, judged against commit events, not
// against what other nodes applied.
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { TraceBuilder, kv, reg } from './builder.ts';
import { A } from './runs.ts';

const codes = (b: TraceBuilder) =>
  checkTrace(b.trace(), { only: ['raft-safety'] }).map((v) => [v.code, v.eventIndex, v.node]);

describe('state checker', () => {
  it('an apply before the node learnt its index was committed', () => {
    const b = new TraceBuilder();
    b.commit([kv()], 1, ['n1', 'n2']);
    const e = b.apply('n3', {}, 1);
    b.learnCommit('n3');
    expect(codes(b)).toEqual([['apply-uncommitted', e, 'n3']]);
  });

  it('every node applying an uncommitted entry is caught, though they all agree', () => {
    const b = new TraceBuilder();
    b.commit([kv()]);
    b.log.push({ entryHex: reg(1, A, 1), term: 1 });
    b.push({ kind: 'propose', t: b.t, node: 'n1', requestId: 'x#1', entryHex: reg(1, A, 1) });
    b.applyAll();
    expect(codes(b).map((c) => c[0])).toEqual(['apply-uncommitted', 'apply-uncommitted', 'apply-uncommitted']);
  });

  it('an index applied twice without a restart or install in between', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([kv(), kv()]);
    b.applyAll();
    const e = b.apply('n1', {}, 2);
    expect(codes(b)).toEqual([['applied-twice', e, 'n1']]);
  });

  it('a snapshot or a run-end past what the node applied', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([kv(), kv(), kv()]);
    b.apply('n1');
    const e = b.push({ kind: 'snapshot-take', t: b.t, node: 'n1', index: 2, term: 1, rowsHash: b.summary('n1').rowsHash });
    b.runEnd({ n1: { appliedIndex: 2 } });
    expect(codes(b)).toEqual([['applied-index-unexplained', e, 'n1']]);
    const c = new TraceBuilder(['n1']);
    c.commit([kv(), kv(), '']);
    c.applyAll(2);
    // moving over the trailing empty entry needs no apply
    expect(codes(c)).toEqual([]);
    const end = c.runEnd({ n1: { appliedIndex: 3 } });
    expect(checkTrace(c.trace(), { only: ['raft-safety'] })).toEqual([]);
    const d = new TraceBuilder(['n1']);
    d.commit([kv(), kv()]);
    d.apply('n1');
    const endD = d.runEnd({ n1: { appliedIndex: 2 } });
    expect(codes(d)).toEqual([['applied-index-unexplained', endD, 'n1']]);
    expect(end).toBeGreaterThan(0);
  });

  it('a restart that does not resume from the last persisted snapshot', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([kv(), kv(), kv()]);
    b.applyAll(2);
    b.snapshotTake('n1');
    b.applyAll();
    b.crash('n1');
    const e = b.restart('n1', 3);
    expect(codes(b)).toEqual([['restart-index', e, 'n1']]);
    const c = new TraceBuilder(['n1']);
    c.commit([kv(), kv(), kv()]);
    c.applyAll(2);
    c.snapshotTake('n1');
    c.applyAll();
    c.crash('n1');
    c.restart('n1', 2);
    c.applyAll();
    expect(codes(c)).toEqual([]);
  });

  it('a run-end commit index that no commit event explains', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([kv()]);
    b.applyAll();
    const e = b.runEnd({ n1: { commitIndex: 4 } });
    expect(codes(b)).toEqual([['commit-index-unexplained', e, 'n1']]);
  });
});
