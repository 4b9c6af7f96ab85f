import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { TraceBuilder, kv, reg, row } from './builder.ts';

const A = 0x10001n; // low16 0x0001
const B = 0x20001n; // low16 0x0001: collides with A
const C = 0x30002n;
const found = (b: TraceBuilder) => checkTrace(b.trace()).map((v) => [v.invariant, v.eventIndex, v.node]);

describe('no-silent-rollback', () => {
  it('a committed lower epoch that halts (rollback) on every replica is fine', () => {
    const b = new TraceBuilder();
    b.commit([reg(1, A, 5), reg(1, A, 3)]);
    b.applyAll();
    for (const n of b.nodes) expect(b.events.filter((e) => e.kind === 'halt' && e.node === n)).toHaveLength(1);
    b.faultsEnd();
    b.runEnd();
    expect(found(b)).toEqual([]);
  });

  it('a replica that accepts the lower epoch is reported once, at that apply', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 5), reg(1, A, 3), kv()]);
    b.applyAll(1);
    b.apply('n1');
    const e = b.apply('n2', { result: { kind: 'registered', outcome: 'advance' }, rows: [row(1, A, 5, 3)] });
    b.apply('n2');
    const v = checkTrace(b.trace());
    // replica-agreement independently sees n2 apply where n1 halted
    expect(v.map((x) => [x.invariant, x.eventIndex, x.node])).toEqual([
      ['no-silent-rollback', e, 'n2'],
      ['replica-agreement', e, 'n2'],
    ]);
    expect(v[0]!.message).toBe(
      'n2 got advance for committed index 2: Register(dek 1, full 0x0000000000010001, epoch 3) is below the committed last_seen 5 of dek 1 slot 0x0001; it must halt (rollback)',
    );
  });

  it('a halt for another reason than rollback is still a violation', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 5), reg(1, A, 3)]);
    b.apply('n1');
    const e = b.apply('n1', { result: { kind: 'halt', reason: 'collision', message: 'x' } });
    expect(checkTrace(b.trace(), { only: ['no-silent-rollback'] }).map((x) => x.eventIndex)).toEqual([e]);
    // a store fault stops it too
    const b2 = new TraceBuilder(['n1']);
    b2.commit([reg(1, A, 5), reg(1, A, 3)]);
    b2.apply('n1');
    b2.apply('n1', { result: { kind: 'halt', reason: 'store-fault', message: 'x' } });
    expect(found(b2)).toEqual([]);
  });

  it('a restart that lost a row or lowered last_seen is reported', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 1), reg(1, C, 1), reg(1, A, 4)]);
    b.applyAll();
    b.crash('n1');
    const e = b.restart('n1', 3, [row(1, A, 1, 2)]);
    const v = checkTrace(b.trace(), { only: ['no-silent-rollback'] });
    expect(v.map((x) => x.eventIndex)).toEqual([e]); // one per event
    expect(v[0]!.message).toMatch(/lowered last_seen of dek 1 slot 0x0001 \(full 0x0000000000010001\) from 4 to 2 across a restart/);
    const b2 = new TraceBuilder(['n1']);
    b2.commit([reg(1, C, 1)]);
    b2.applyAll();
    b2.restart('n1', 1, []);
    expect(checkTrace(b2.trace(), { only: ['no-silent-rollback'] })[0]!.message).toContain('lost the row of dek 1 slot 0x0002');
  });

  it('an apply write that lowers last_seen is reported even where the model is silent', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 5), kv()]);
    b.apply('n1');
    const e = b.apply('n1', { write: row(1, A, 5, 2) });
    const v = checkTrace(b.trace(), { only: ['no-silent-rollback'] });
    expect(v.map((x) => x.eventIndex)).toEqual([e]);
    expect(v[0]!.message).toContain('by an apply write');
  });

  it('a snapshot install lowering a row written at or below its index is reported', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, A, 2), kv()]);
    b.applyAll();
    const e = b.install('n2', 'n1', 3, [row(1, A, 1, 1)]);
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.eventIndex])).toEqual([
      ['replay-idempotence', e],
      ['no-silent-rollback', e],
    ]);
    expect(v[1]!.message).toContain('by installing a snapshot');
  });

  it('an install that rewinds rows written after the snapshot index is legitimate', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([kv(), reg(1, A, 1), reg(1, A, 2), kv()]);
    b.applyAll(1);
    b.snapshotTake('n2');
    b.applyAll(3, ['n2']);
    b.crash('n2');
    b.restart('n2', 1); // n2's store is ahead: holds epoch 2 with applied index 1
    b.applyAll(2, ['n1']);
    b.snapshotTake('n1', 2);
    b.install('n2', 'n1', 2); // last_seen goes 2 -> 1 on n2, written at index 3 > 2
    b.applyAll();
    b.runEnd();
    expect(found(b)).toEqual([]);
  });

  it('a restore from an old backup rewinds last_seen without a violation', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1)]);
    b.applyAll();
    const backupAt = b.t;
    b.commit([reg(1, A, 2)]);
    b.applyAll();
    b.crash('n2');
    b.restore('n2', backupAt, [row(1, A, 1, 1)]);
    b.restart('n2', 1, [row(1, A, 1, 1)]);
    b.applyAll();
    b.runEnd();
    expect(found(b)).toEqual([]);
  });

  it('a restore must bring back exactly the rows of its backup', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, C, 1), reg(1, A, 2)]);
    b.applyAll(3);
    const backupAt = b.t;
    b.backup('n2', 'bk');
    b.crash('n2');
    const e = b.restore('n2', backupAt, [row(1, A, 1, 1)], 'bk'); // A went back to 1 and C is gone
    const v = checkTrace(b.trace(), { only: ['no-silent-rollback'] });
    expect(v.map((x) => [x.code, x.eventIndex])).toEqual([['last-seen-decreased', e]]);
    expect(v[0]!.message).toContain('by a restore that should bring back the rows of its backup');
    // the same rows from a backup the trace does not show cannot be judged
    const c = new TraceBuilder(['n1', 'n2']);
    c.commit([reg(1, A, 1), reg(1, C, 1), reg(1, A, 2)]);
    c.applyAll(3);
    c.crash('n2');
    c.restore('n2', 0, [row(1, A, 1, 1)]);
    expect(checkTrace(c.trace(), { only: ['no-silent-rollback'] })).toEqual([]);
  });
});

describe('collisions-halt', () => {
  it('a collision that halts on every replica is fine, and the row keeps its owner', () => {
    const b = new TraceBuilder();
    b.commit([reg(1, A, 1), reg(1, B, 1)]);
    b.applyAll();
    expect(b.events.filter((e) => e.kind === 'halt').map((e) => e.kind === 'halt' && e.reason)).toEqual([
      'collision',
      'collision',
      'collision',
    ]);
    b.runEnd();
    expect(found(b)).toEqual([]);
  });

  it('a replica that does not halt on a committed collision is reported once at that apply', () => {
    const b = new TraceBuilder();
    b.commit([reg(1, A, 1), reg(1, B, 7), kv()]);
    b.applyAll(1);
    b.apply('n1');
    b.apply('n2');
    const e = b.apply('n3', { result: { kind: 'registered', outcome: 'insert' }, rows: [row(1, B, 7, 7)] });
    b.apply('n3');
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.eventIndex, x.node])).toEqual([
      ['collisions-halt', e, 'n3'],
      ['replica-agreement', e, 'n3'],
    ]);
    expect(v[0]!.message).toBe(
      'n3 got insert for committed index 2: Register(dek 1, full 0x0000000000020001, epoch 7) targets dek 1 slot 0x0001, owned by full 0x0000000000010001; it must halt (collision)',
    );
    expect(v[0]!.section).toBe('§7.3');
  });

  it('a row that changes owner (write, restart or install) is reported', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv(), kv()]);
    b.applyAll(1);
    const e1 = b.apply('n1', { write: row(1, B, 1, 1) });
    const e2 = b.restart('n2', 1, [row(1, B, 1, 1)]);
    const v = checkTrace(b.trace(), { only: ['collisions-halt'] });
    expect(v.map((x) => [x.eventIndex, x.node])).toEqual([
      [e1, 'n1'],
      [e2, 'n2'],
    ]);
    expect(v[0]!.message).toContain('changed owner from full 0x0000000000010001');
    expect(v[1]!.message).toContain('across a restart');
    const b2 = new TraceBuilder(['n1', 'n2']);
    b2.commit([reg(1, A, 1)]);
    b2.applyAll();
    const e3 = b2.install('n2', 'n1', 1, [row(1, B, 1, 1)]);
    expect(checkTrace(b2.trace(), { only: ['collisions-halt'] }).map((x) => [x.eventIndex, x.message.includes('snapshot install')])).toEqual([[e3, true]]);
  });
});
