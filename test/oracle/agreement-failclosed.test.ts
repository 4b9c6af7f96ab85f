import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { TraceBuilder, kv, reg } from './builder.ts';

const A = 0x10001n;
const B = 0x20001n;
const only = (b: TraceBuilder, name: 'replica-agreement' | 'fail-closed-halts') =>
  checkTrace(b.trace(), { only: [name] }).map((v) => [v.eventIndex, v.node, v.message]);

describe('replica-agreement', () => {
  it('different registries at the same index are reported against the first replica', () => {
    const b = new TraceBuilder();
    b.commit([reg(1, A, 1)]);
    const first = b.apply('n1');
    b.apply('n2');
    const e = b.apply('n3', { rowsHash: 'f00d' });
    const v = only(b, 'replica-agreement');
    expect(v).toEqual([[e, 'n3', `n3's registry after index 1 has digest f00d, but n1's had ${(b.events[first] as { rowsHash: string }).rowsHash} there (event #${first})`]]);
  });

  it('a diverged replica is reported once per pair until the pair agrees again', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), kv(), kv(), kv(), kv()]);
    b.apply('n1');
    const e = b.apply('n2', { rowsHash: 'x' });
    b.apply('n1');
    b.apply('n2', { rowsHash: 'x' });
    b.apply('n1');
    b.apply('n2'); // agrees again
    b.apply('n1');
    const e2 = b.apply('n2', { rowsHash: 'y' });
    expect(only(b, 'replica-agreement').map((x) => x[0])).toEqual([e, e2]);
  });

  it('halts for different reasons at one index are reported (halt events too)', () => {
    const b = new TraceBuilder();
    b.commit([reg(1, A, 1), reg(1, B, 1)]);
    b.applyAll(1);
    const h1 = b.apply('n1');
    const e = b.apply('n2', { result: { kind: 'halt', reason: 'rollback', message: 'x' } });
    const v = only(b, 'replica-agreement');
    // n2's apply and its halt event both disagree with n1
    expect(v.map((x) => x[0])).toEqual([e, e + 1]);
    expect(v[0]![2]).toBe(`n2 halted at index 2 for rollback, but n1 halted there for collision (event #${h1})`);
  });

  it('a settled replica applying where another halted, and the other way round', () => {
    const b = new TraceBuilder();
    b.commit(['04aa', '04bb']);
    b.apply('n1'); // halts: kek-not-configured
    const e1 = b.apply('n2', { result: { kind: 'kv', opcode: 4 } });
    b.apply('n3', { result: { kind: 'kv', opcode: 4 } }, 2);
    const e2 = b.apply('n1', {}, 2);
    const v = only(b, 'replica-agreement');
    expect(v.map((x) => x[0])).toEqual([e1, e2]);
    expect(v[0]![2]).toMatch(/^n2 applied index 1, but n1 halted there for kek-not-configured/);
    expect(v[1]![2]).toMatch(/^n1 halted at index 2 for kek-not-configured, but n3 applied that index/);
  });

  it("a held node's halt (a halt event with no halting apply before it) is a halt decision like any other", () => {
    const b = new TraceBuilder();
    b.commit([kv(), reg(1, A, 1), reg(1, B, 1)]);
    // n3 waited for its registration at applied index 0 and failed closed at index 3 from its view of the log.
    const held = b.push({ t: 1, node: 'n3', kind: 'halt', index: 3, reason: 'collision' });
    b.applyAll(2, ['n1', 'n2']);
    b.apply('n1', { result: { kind: 'halt', reason: 'collision', message: 'x' } });
    expect(only(b, 'replica-agreement')).toEqual([]);
    const e = b.apply('n2', { result: { kind: 'registered', outcome: 'insert' } });
    const v = only(b, 'replica-agreement');
    expect(v.map((x) => x[0])).toEqual([e]);
    expect(v[0]![2]).toBe(`n2 applied index 3, but n3 halted there for collision (event #${held})`);
    // The other way round: applied first, then a held halt.
    const c = new TraceBuilder();
    c.commit([kv(), reg(1, A, 1)]);
    c.applyAll(2, ['n1']);
    const h = c.push({ t: 9, node: 'n3', kind: 'halt', index: 2, reason: 'rollback' });
    expect(only(c, 'replica-agreement').map((x) => [x[0], x[2]])).toEqual([
      [h, `n3 halted at index 2 for rollback (from its view of the committed log, without applying up to it), but n1 applied that index (event #${h - 1})`],
    ]);
  });

  it('store faults and replicas inside a replay window are not compared', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, A, 2)]);
    b.applyAll();
    b.apply('n1', { result: { kind: 'halt', reason: 'store-fault', message: 'x' } }, 1);
    b.crash('n2');
    b.restart('n2', 0);
    b.apply('n2'); // in window: halts rollback (replay-idempotence's finding, not ours)
    expect(only(b, 'replica-agreement')).toEqual([]);
  });
});

describe('fail-closed-halts', () => {
  it('halting again after each restart is fine', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, B, 1)]);
    b.applyAll();
    b.snapshotTake('n1');
    b.restart('n1', 1);
    b.apply('n1');
    b.restart('n1', 1);
    b.applyAll(2, ['n1']);
    b.faultsEnd();
    b.runEnd();
    expect(checkTrace(b.trace())).toEqual([]);
  });

  it('skip-entry-on-halt: applying past a halt is reported once, not as a raft skip', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, B, 1), kv(), kv()]);
    b.applyAll(1);
    const h = b.apply('n1');
    const e = b.apply('n1', {}, 3);
    b.apply('n1', {}, 4);
    b.runEnd();
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.eventIndex])).toEqual([['fail-closed-halts', e]]);
    expect(v[0]!.message).toBe(`n1 applied index 3 after halting at index 2 (collision, event #${h}) without applying that entry`);
  });

  it('a restart, snapshot or run-end applied index past the halt is reported', () => {
    const mk = () => {
      const b = new TraceBuilder(['n1']);
      b.commit(['06', kv()]);
      b.apply('n1');
      return b;
    };
    const b1 = mk();
    const e1 = b1.restart('n1', 1);
    expect(only(b1, 'fail-closed-halts').map((x) => [x[0], String(x[2]).split(' after')[0]])).toEqual([[e1, 'n1 restarted with applied index 1']]);
    const b2 = mk();
    const e2 = b2.snapshotTake('n1', 1);
    expect(only(b2, 'fail-closed-halts').map((x) => x[0])).toEqual([e2]);
    const b3 = mk();
    const e3 = b3.runEnd({ n1: { appliedIndex: 2 } });
    expect(only(b3, 'fail-closed-halts').map((x) => x[0])).toEqual([e3]);
    const b4 = mk();
    b4.runEnd({ n1: { appliedIndex: 0 } });
    expect(only(b4, 'fail-closed-halts')).toEqual([]);
  });

  it('a successful re-application or an install at or past the halt resolves it; a lower install does not', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([kv(), kv(), kv()]);
    b.apply('n1', { result: { kind: 'halt', reason: 'store-fault', message: 'x' } });
    b.restart('n1', 0);
    b.applyAll(); // index 1 goes through this time
    b.apply('n2', { result: { kind: 'halt', reason: 'store-fault', message: 'x' } }, 2);
    b.install('n2', 'n1', 3);
    b.runEnd();
    expect(only(b, 'fail-closed-halts')).toEqual([]);

    const c = new TraceBuilder(['n1', 'n2']);
    c.commit([kv(), kv(), kv()]);
    c.applyAll(3, ['n1']);
    c.apply('n2');
    c.apply('n2', { result: { kind: 'halt', reason: 'store-fault', message: 'x' } });
    c.push({ kind: 'halt', t: 1000, node: 'n2', index: 3, reason: 'late' }); // a higher halt keeps the lower bound
    c.install('n2', 'n1', 1);
    const e = c.apply('n2', {}, 3);
    expect(only(c, 'fail-closed-halts').map((x) => x[0])).toEqual([e]);
  });

  it('an install past a halt the committed log itself makes does not resolve it (a fail-open carried from elsewhere)', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.commit([reg(1, A, 1), reg(1, B, 1), kv(), kv()]); // index 2 collides: every replica must halt there
    b.applyAll(1);
    b.apply('n2'); // n2 halts at 2, as it must
    b.apply('n1', { result: { kind: 'registered', outcome: 'insert' }, rows: b.rowsOf('n1') }); // n1 fails open
    b.apply('n1');
    b.snapshotTake('n1');
    b.install('n2', 'n1', 3);
    b.learnCommit('n2');
    const e = b.apply('n2', {}, 4);
    b.runEnd();
    expect(only(b, 'fail-closed-halts').map((x) => x[0])).toEqual([e]);
  });
});
