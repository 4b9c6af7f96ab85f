import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { TraceBuilder, digestOf, kv, reg, row } from './builder.ts';

const A = 0x10001n;
const C = 0x30002n;
const names = (b: TraceBuilder, only?: Parameters<typeof checkTrace>[1]) =>
  checkTrace(b.trace(), only).map((v) => [v.invariant, v.eventIndex, v.node]);

describe('replay-idempotence', () => {
  it('a replay after a crash that comes back as noop is fine', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv(), reg(1, C, 3)]);
    b.applyAll(1);
    b.snapshotTake('n1');
    b.applyAll();
    b.crash('n1');
    b.restart('n1', 1);
    const e = b.apply('n1'); // index 2, kv
    const e3 = b.apply('n1'); // index 3: registration replayed on a store that has it
    expect(b.events[e3]).toMatchObject({ result: { kind: 'registered', outcome: 'noop' } });
    expect(e).toBeLessThan(e3);
    b.runEnd();
    expect(names(b)).toEqual([]);
  });

  it('the `<=` bug: a replayed equal epoch that halts as rollback is caught at that apply', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv()]);
    b.applyAll();
    b.crash('n2');
    b.restart('n2', 0);
    const e = b.apply('n2', { result: { kind: 'halt', reason: 'rollback', message: 'x' } });
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.eventIndex])).toEqual([['replay-idempotence', e]]);
    expect(v[0]!.message).toContain('halt(rollback) applying index 1');
    expect(v[0]!.message).toContain('while re-applying');
    expect(v[0]!.message).toContain('gives insert');
    expect(v[0]!.section).toBe('§7.1');
  });

  it('the `<=` bug also halts a retried registration committed twice (no crash needed)', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 1), reg(1, A, 1)]);
    b.apply('n1');
    const e = b.apply('n1', { result: { kind: 'halt', reason: 'rollback', message: 'x' } });
    expect(names(b)).toEqual([['replay-idempotence', e, 'n1']]);
  });

  it('two registrations of one id inside a replay window make the correct applier halt on replay', () => {
    // A design finding: entries 1 and 2 register A at epochs 1 then 2; a crash
    // before the next snapshot replays index 1 on a store holding last_seen 2.
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, A, 2)]);
    b.applyAll();
    b.crash('n1');
    b.restart('n1', 0);
    const e = b.apply('n1'); // the model applier itself halts: rollback
    expect(b.events[e]).toMatchObject({ result: { kind: 'halt', reason: 'rollback' } });
    expect(names(b)).toEqual([['replay-idempotence', e, 'n1']]);
  });

  it('a wrong row (first_seen rewritten on advance) is reported once, not on every later apply', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, A, 4), kv(), kv()]);
    b.applyAll(1);
    b.apply('n1');
    const e = b.apply('n2', { rows: [row(1, A, 4, 4)] });
    b.applyAll();
    b.runEnd();
    const v = checkTrace(b.trace(), { only: ['replay-idempotence'] });
    expect(v.map((x) => [x.eventIndex, x.node])).toEqual([[e, 'n2']]);
    expect(v[0]!.message).toMatch(/registry after applying index 2 .* has digest [0-9a-f]{16}; .* gives [0-9a-f]{16}/);
  });

  it('rows that match the model again clear the divergence', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 1), kv(), kv()]);
    const first = b.apply('n1', { rowsHash: 'bad' });
    b.apply('n1'); // back in line
    const e = b.apply('n1', { rowsHash: 'bad2' });
    expect(checkTrace(b.trace(), { only: ['replay-idempotence'] }).map((x) => x.eventIndex)).toEqual([first, e]);
  });

  it('a kv result where the model halts (reserved opcode passed on) is caught', () => {
    const b = new TraceBuilder(['n1']);
    b.commit(['06ff']);
    const e = b.apply('n1', { result: { kind: 'kv', opcode: 6 } });
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.eventIndex])).toEqual([['replay-idempotence', e]]);
    expect(v[0]!.message).toContain('kv(0x06)');
    expect(v[0]!.message).toContain('halt(unknown-opcode)');
  });

  it('an environmental halt (an injected store fault) is not compared, and may or may not have written', () => {
    const run = (injected: boolean, reason: 'store-fault' | 'corrupt-row'): TraceBuilder => {
      const b = new TraceBuilder(['n1']);
      b.commit([reg(1, A, 1), kv()]);
      b.apply('n1', { result: { kind: 'halt', reason, message: 'disk' }, rows: [row(1, A, 1, 1)], injected });
      b.restart('n1', 0);
      b.applyAll();
      b.runEnd();
      return b;
    };
    expect(names(run(true, 'store-fault'))).toEqual([]);
    expect(names(run(true, 'corrupt-row'))).toEqual([]);
    // ...a store-fault or corrupt-row halt the trace does not explain is the applier's own decision
    expect(names(run(false, 'store-fault')).map((x) => x[0])).toContain('replay-idempotence');
    expect(names(run(false, 'corrupt-row')).map((x) => x[0])).toContain('replay-idempotence');
  });

  it('a snapshot installed without its registry rows is caught at the install, and only there', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv()], 1, ['n1']);
    b.applyAll(2, ['n1']);
    b.snapshotTake('n1', 2);
    const e = b.install('n2', 'n1', 2, []);
    b.commit([kv()]);
    b.applyAll();
    b.runEnd();
    const v = checkTrace(b.trace(), { only: ['replay-idempotence'] });
    expect(v.map((x) => [x.eventIndex, x.node])).toEqual([[e, 'n2']]);
    expect(v[0]!.message).toContain("installed n1's snapshot at index 2 with 0 registry row(s)");
  });

  it('an install from a source that was already reported is not reported again', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv()], 1, ['n1']);
    const e = b.apply('n1', { rows: [] });
    b.apply('n1');
    b.install('n2', 'n1', 2);
    expect(checkTrace(b.trace(), { only: ['replay-idempotence'] }).map((x) => x.eventIndex)).toEqual([e]);
  });

  it('a snapshot taken inside the source replay window may carry rows ahead of its index', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([kv(), reg(1, A, 1), kv()], 1, ['n1']);
    b.applyAll(3, ['n1']);
    b.crash('n1');
    b.restart('n1', 0);
    b.apply('n1'); // applied 1, store holds through 3
    b.snapshotTake('n1', 1); // rows ahead: A is in it
    b.install('n2', 'n1', 1);
    b.learnCommit('n2');
    b.apply('n2'); // index 2 replays as noop on n2 too
    b.apply('n2');
    b.applyAll(3, ['n1']);
    b.runEnd();
    expect(names(b)).toEqual([]);
  });

  it('a snapshot whose digest is no committed state is caught at the take', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 1)]);
    b.applyAll();
    const e = b.push({ kind: 'snapshot-take', t: 99, node: 'n1', index: 1, term: 1, rowsHash: digestOf([]) });
    b.push({ kind: 'snapshot-take', t: 99, node: 'n1', index: 1, term: 1, rowsHash: 'also-bad' });
    b.push({ kind: 'snapshot-take', t: 99, node: 'n1', index: 9, term: 1, rowsHash: 'unjudgeable' });
    const v = checkTrace(b.trace(), { only: ['replay-idempotence'] });
    expect(v.map((x) => x.eventIndex)).toEqual([e]);
    expect(v[0]!.message).toContain('took a snapshot at index 1');
  });

  it('an install beyond every applied index cannot be judged', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([kv()]);
    b.push({ kind: 'snapshot-install', t: 5, node: 'n2', index: 5, term: 1, from: 'n1', rows: [] });
    expect(checkTrace(b.trace(), { only: ['replay-idempotence'] })).toEqual([]);
  });

  it('a lost synced write that replay cannot rebuild shows at the restart', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 1), kv(), kv(), kv()]);
    b.applyAll(3);
    b.snapshotTake('n1', 3);
    b.crash('n1', 1);
    const r = b.restart('n1', 3, []); // the registry write of index 1 is gone
    b.apply('n1'); // the next settled apply shows the same loss: reported once
    expect(names(b)).toEqual([
      ['replay-idempotence', r, 'n1'],
      ['no-silent-rollback', r, 'n1'],
    ]);
  });

  it('a lost synced write that replay rebuilds is only a no-silent-rollback finding', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 1), kv()]);
    b.applyAll();
    b.crash('n1', 1);
    const r = b.restart('n1', 0, []);
    b.applyAll(); // index 1 inserts again
    b.runEnd();
    expect(names(b)).toEqual([['no-silent-rollback', r, 'n1']]);
  });

  it('the run-end registry of a node that never applies again is checked', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1)]);
    b.applyAll();
    const e = b.runEnd({ n2: { rowsHash: 'deadbeef' }, n1: { up: false, rowsHash: 'ignored' } });
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.eventIndex, x.node])).toEqual([['replay-idempotence', e, 'n2']]);
    expect(v[0]!.message).toContain('at run-end n2 (applied index 1)');
  });

  it('a restore starts a fresh replay window from the backup', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv()]);
    b.applyAll(1);
    const backupAt = b.t;
    b.applyAll(2);
    b.commit([reg(1, A, 2), kv()]);
    b.applyAll();
    b.crash('n2');
    b.restore('n2', backupAt, [row(1, A, 1, 1)]);
    b.restart('n2', 0, [row(1, A, 1, 1)]);
    b.applyAll();
    b.runEnd();
    expect(names(b)).toEqual([]);
  });
});

// Engine option registryReplay 'skip-applied': the engine acknowledges a
// registration whose target row already stores an index >= the entry's as an
// apply with `skipped` and a noop result. Legitimate only when the entry's
// effect is in the node's store.
describe('replay-idempotence: skipped (already applied) registrations', () => {
  it('a skip inside the replay window, whose row holds the entry or a later write, is a noop', () => {
    // The finding replay-window-rollback with the fix: index 1 (epoch 1) is
    // acknowledged on a store holding epoch 2 (written at index 2).
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, A, 2), kv()]);
    b.applyAll();
    b.crash('n1');
    b.restart('n1', 0);
    b.apply('n1', { skipped: 'registry-applied-index' });
    b.apply('n1', { skipped: 'registry-applied-index' });
    b.apply('n1');
    b.runEnd();
    expect(names(b)).toEqual([]);
  });

  it('the same re-application without the skip halts (the finding), and a skip is not needed to pass', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, A, 2)]);
    b.applyAll();
    b.crash('n1');
    b.restart('n1', 0);
    const e = b.apply('n1');
    expect(checkTrace(b.trace()).map((v) => [v.code, v.eventIndex])).toEqual([['replay-window-halt', e]]);
  });

  it('a skip outside the replay window claims an entry whose effect is not in the store', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, C, 1)]);
    b.applyAll(1);
    // n2 "skips" index 2 although it never applied it: its store lacks C's row.
    const e = b.apply('n2', { skipped: 'registry-applied-index' }, 2);
    b.apply('n1', {}, 2); // (replica-agreement also sees n1 and n2 differ at index 2)
    const v = checkTrace(b.trace(), { only: ['replay-idempotence'] });
    expect(v.map((x) => [x.invariant, x.code, x.eventIndex, x.node])).toEqual([['replay-idempotence', 'skip-not-applied', e, 'n2']]);
    expect(v[0]!.message).toContain('acknowledged index 2');
    expect(v[0]!.message).toContain('only through index 1');
  });

  it('a skip inside the window is still a violation if the store lost the row (a lost write whose index survived)', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, C, 1), kv()]);
    b.applyAll();
    b.crash('n1', 1);
    // The restart shows C's row gone, yet the engine skips index 2 as already applied.
    b.restart('n1', 0, [row(1, A, 1, 1)]);
    b.apply('n1', { skipped: 'registry-applied-index' });
    const e = b.apply('n1', { skipped: 'registry-applied-index' });
    const v = checkTrace(b.trace(), { only: ['replay-idempotence'] });
    expect(v.map((x) => [x.code, x.eventIndex])).toEqual([['skip-not-applied', e]]);
    expect(v[0]!.message).toContain('absent');
  });

  it('a skip of an entry the model halts on is never legitimate (no-silent-rollback reports it too)', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 2), reg(1, A, 1)]);
    b.applyAll(1);
    const e = b.apply('n1', { skipped: 'registry-applied-index' });
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.eventIndex])).toContainEqual(['no-silent-rollback', e]);
  });

  it('a skip of a registration the node did not have is caught even on a node whose store is ahead for another row', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, C, 1), reg(1, A, 2)]);
    b.applyAll(1);
    b.apply('n1', {}, 2);
    b.apply('n1', {}, 3);
    b.crash('n1');
    // Store after the crash: A at epoch 2 but C missing (not a synced write); window through 3.
    b.restart('n1', 0, [row(1, A, 1, 2)]);
    b.apply('n1', { skipped: 'registry-applied-index' }); // index 1: A's row is ahead: fine
    const e = b.apply('n1', { skipped: 'registry-applied-index' }); // index 2: C's row is absent
    const v = checkTrace(b.trace(), { only: ['replay-idempotence'] });
    expect(v.map((x) => [x.code, x.eventIndex])).toEqual([
      ['restart-rows', e - 2],
      ['skip-not-applied', e],
    ]);
  });
});
