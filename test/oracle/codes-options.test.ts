import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { TraceBuilder, kv, reg, row } from './builder.ts';

const A = 0x10001n;

describe('violation codes and the replay-window option', () => {
  it('a replay halt that spec §3 prescribes for the node store is replay-window-halt, and can be allowed', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv(), reg(1, A, 2)]);
    b.applyAll();
    b.crash('n2');
    b.restart('n2', 0);
    const e = b.apply('n2');
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.code, x.eventIndex])).toEqual([['replay-idempotence', 'replay-window-halt', e]]);
    expect(v[0]!.message).toContain('on which spec §3 halts too');
    expect(checkTrace(b.trace(), { allowReplayWindowHalts: true })).toEqual([]);
  });

  it('the `<=` bug on replay is a result-mismatch that names what spec §3 gives on the store', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv()]);
    b.applyAll();
    b.crash('n2');
    b.restart('n2', 0);
    b.apply('n2', { result: { kind: 'halt', reason: 'rollback', message: 'x' } });
    const v = checkTrace(b.trace(), { allowReplayWindowHalts: true });
    expect(v.map((x) => x.code)).toEqual(['result-mismatch']);
    expect(v[0]!.message).toMatch(/gives insert; spec §3 on its own store gives noop$/);
  });

  it('a replayed noop is only excused when the store really makes it one', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([kv(), reg(1, A, 1), kv()]);
    b.applyAll(1);
    b.snapshotTake('n1');
    b.applyAll();
    b.crash('n1');
    b.restart('n1', 1, []); // the store lost the row (reported as row-lost) ...
    const e = b.apply('n1', { result: { kind: 'registered', outcome: 'noop' } }); // ... yet the replay says noop
    expect(checkTrace(b.trace(), { liveness: false }).map((x) => [x.code, x.eventIndex])).toEqual([
      ['row-lost', e - 1],
      ['result-mismatch', e],
    ]);
  });

  it('an unreadable store falls back to the plain noop allowance', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([kv(), reg(1, A, 1), kv()]);
    b.applyAll(1);
    b.snapshotTake('n1');
    b.applyAll();
    b.crash('n1');
    b.restart('n1', 1, [row(1, A, 1, 1), { keyHex: 'ff', valueHex: '00' }]);
    b.apply('n1');
    b.apply('n1', { result: { kind: 'halt', reason: 'rollback', message: 'x' } }, 2);
    const v = checkTrace(b.trace(), { only: ['replay-idempotence'] });
    expect(v.map((x) => x.code)).toEqual(['restart-rows', 'result-mismatch']);
  });

  it('a trace without its run-start is malformed (a harness error, not a verdict)', () => {
    const b = new TraceBuilder(['n1']);
    b.events.splice(0, 1);
    b.commit([reg(1, A, 1), kv()]);
    b.applyAll();
    expect(() => checkTrace(b.trace())).toThrow(/malformed trace: event #0: the trace starts with propose, not run-start/);
  });

  it('a restore uses the backed-up hwm of its named backup event', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv(), reg(1, A, 2), kv()]);
    b.applyAll(2);
    b.push({ kind: 'backup', t: b.t, node: 'n2', name: 'bk' });
    b.applyAll();
    b.crash('n2');
    b.push({ kind: 'restore', t: b.t, node: 'n2', backupAt: 0, name: 'bk', rows: [row(1, A, 1, 1)] });
    b.restart('n2', 0, [row(1, A, 1, 1)]);
    b.applyAll();
    b.runEnd();
    expect(checkTrace(b.trace())).toEqual([]);
    // with the window taken from the (wrong) time alone, index 1 replayed as noop would look like a mismatch
    const wrong = b.events.map((ev) => (ev.kind === 'backup' ? { ...ev, name: 'other' } : ev));
    expect(checkTrace(wrong).map((x) => x.code)).toEqual(['restart-rows', 'result-mismatch']);
  });

  it('every violation carries a code', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.leader('n1', 1);
    b.leader('n2', 1);
    b.commit([reg(1, A, 1), kv()]);
    b.apply('n1', { rowsHash: 'x' });
    b.nonce('n1', 2, 1, 1, 1, 0);
    b.nonce('n2', 2, 1, 1, 1, 0);
    b.faultsEnd();
    b.t += 3000;
    b.runEnd();
    expect(checkTrace(b.trace()).map((x) => `${x.invariant}:${x.code}`)).toEqual([
      'raft-safety:two-leaders',
      'replay-idempotence:rows-mismatch',
      'no-nonce-reuse:nonce-reuse',
      'liveness:not-caught-up',
      'liveness:not-caught-up',
      'liveness:no-progress',
    ]);
  });
});
