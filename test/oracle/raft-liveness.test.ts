import { describe, expect, it } from 'vitest';
import { MalformedTraceError, checkTrace } from '../../src/model/oracle.ts';
import { entryHexDigest } from '../../src/trace/digest.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { TraceBuilder, kv, reg } from './builder.ts';

const A = 0x10001n;
const raft = (b: TraceBuilder) => checkTrace(b.trace(), { only: ['raft-safety'] }).map((v) => [v.eventIndex, v.node, v.message]);

describe('raft-safety', () => {
  it('two leaders in one term', () => {
    const b = new TraceBuilder();
    const first = b.leader('n1', 3);
    b.leader('n1', 3); // the same node again is fine
    b.leader('n2', 4);
    const e = b.leader('n3', 3);
    expect(raft(b)).toEqual([[e, 'n3', `two leaders in term 3: n3 became leader, but n1 already had (event #${first})`]]);
  });

  it('log matching and changed commits', () => {
    const b = new TraceBuilder();
    b.commit([kv()], 1, ['n1', 'n2']);
    b.push({ kind: 'propose', t: 50, node: 'n3', requestId: 'q#1', entryHex: kv('bb') });
    const e1 = b.push({ kind: 'append', t: 50, node: 'n3', index: 1, term: 1, digest: entryHexDigest(kv('bb')) });
    const e2 = b.push({ kind: 'commit', t: 51, node: 'n3', index: 1, term: 2, digest: entryHexDigest(kv('bb')) });
    const v = raft(b);
    expect(v.map((x) => x[0])).toEqual([e1, e2]);
    expect(v[0]![2]).toMatch(`log matching: n3 appended index 1 term 1 with digest ${entryHexDigest(kv('bb'))}, but n1 has digest ${entryHexDigest(kv())} there`);
    expect(v[1]![2]).toMatch(`committed entry changed: n3 committed index 1 as term 2 digest ${entryHexDigest(kv('bb'))}, but n1 committed term 1 digest ${entryHexDigest(kv())}`);
  });

  it('truncating a committed entry is reported; truncating uncommitted ones is not', () => {
    const b = new TraceBuilder();
    b.commit([kv()]);
    b.push({ kind: 'append', t: 60, node: 'n2', index: 2, term: 1, digest: 'u' });
    b.push({ kind: 'truncate', t: 61, node: 'n2', fromIndex: 2 });
    expect(raft(b)).toEqual([]);
    const e = b.push({ kind: 'truncate', t: 62, node: 'n3', fromIndex: 1 });
    expect(raft(b).map((x) => [x[0], String(x[2]).slice(0, 70)])).toEqual([
      [e, 'n3 truncated its log from index 1, dropping the committed entry at ind'],
    ]);
    // a restored node's log is unknown: its truncation is not judged
    const c = new TraceBuilder();
    c.commit([kv()]);
    c.restore('n3', 0, []);
    c.push({ kind: 'truncate', t: 62, node: 'n3', fromIndex: 1 });
    expect(raft(c)).toEqual([]);
  });

  it('a replica applying another entry than the committed one, or from another term', () => {
    const b = new TraceBuilder();
    b.commit([reg(1, A, 1), kv()]);
    b.apply('n1');
    const e1 = b.apply('n2', { entryHex: kv('ee') });
    const e2 = b.apply('n3', { term: 7 });
    const v = raft(b);
    expect(v.map((x) => x[0])).toEqual([e1, e2]);
    const committedAt = b.events.findIndex((ev) => ev.kind === 'commit' && ev.index === 1);
    expect(v[0]![2]).toBe(
      `n2 applied opcode 0x00 entry (1 body bytes) at index 1, but the committed entry there is Register(dek 1, full 0x0000000000010001, epoch 1) (event #${committedAt})`,
    );
    // the model-based invariants stay quiet about the foreign entry; replicas do disagree
    expect(checkTrace(b.trace()).filter((v) => v.eventIndex === e1).map((v) => v.invariant)).toEqual([
      'replica-agreement',
      'raft-safety',
    ]);
    const c = new TraceBuilder(['n1']);
    c.commit([kv()]);
    const e3 = c.apply('n1', { term: 9 });
    expect(raft(c).map((x) => [x[0], x[2]])).toEqual([[e3, 'n1 applied index 1 from term 9, but the committed entry there is from term 1 (event #3)']]);
  });

  it('skipping a committed entry is reported; jumping over an empty (filtered) entry is not', () => {
    const b = new TraceBuilder();
    b.commit([kv(), kv(), kv(), '', kv()]);
    b.applyAll(3, ['n1', 'n2']);
    b.apply('n1', {}, 5); // index 4 is an empty entry: the engine never hands it to the applier
    b.apply('n3', {}, 1);
    const skip = b.apply('n3', {}, 3);
    b.restore('n3', 0, []);
    b.apply('n3', {}, 5); // unknown applied index after a restore
    b.restart('n3', 0);
    const skip2 = b.apply('n3', {}, 2);
    expect(raft(b).map((x) => [x[0], x[2]])).toEqual([
      [skip, 'n3 applied index 3 right after index 1, passing the committed entry at index 2 (opcode 0x00 entry (1 body bytes)) without applying or halting on it'],
      [skip2, 'n3 applied index 2 right after index 0, passing the committed entry at index 1 (opcode 0x00 entry (1 body bytes)) without applying or halting on it'],
    ]);
  });
});

describe('liveness', () => {
  /** The quiet period: the probe commits on `nodes` and they apply it, then time passes beyond the default bound. */
  const quiet = (b: TraceBuilder, nodes = b.nodes): void => {
    b.faultsEnd();
    const p = b.probe();
    b.applyAll(p, nodes);
    b.t += 3000;
  };

  it('a node that is up, not halted and behind what was committed long before run-end', () => {
    const b = new TraceBuilder();
    b.commit([kv(), kv()]);
    b.applyAll(2, ['n1', 'n2']);
    b.applyAll(1, ['n3']);
    quiet(b, ['n1', 'n2']);
    const e = b.runEnd();
    const v = checkTrace(b.trace());
    expect(v.map((x) => [x.invariant, x.kind, x.eventIndex, x.node])).toEqual([['liveness', 'liveness', e, 'n3']]);
    expect(v[0]!.message).toMatch(/^n3 is up and not halted at run-end \(t=\d+\) with applied index 1, behind index 3, committed by t=\d+ \(2400 ms before run-end\); faults ended at t=\d+$/);
    expect(checkTrace(b.trace(), { liveness: false })).toEqual([]);
  });

  it('is not judged for halted or down nodes (and a trace without faults-end is malformed)', () => {
    const b = new TraceBuilder();
    b.commit([kv(), kv()]);
    b.applyAll(1);
    b.push({ kind: 'run-end', t: 99, nodes: b.nodes.map((n) => b.summary(n)) });
    expect(() => checkTrace(b.events)).toThrow(MalformedTraceError);
    const c = new TraceBuilder();
    c.commit([kv(), kv()]);
    c.applyAll(1);
    c.faultsEnd();
    c.t += 3000;
    c.runEnd({ n1: { up: false }, n2: { halted: true }, n3: { halted: true } });
    expect(checkTrace(c.trace())).toEqual([]);
  });

  it('is judged only when a quorum of voters is up, not halted and not rejoining', () => {
    const lagging = (): TraceBuilder => {
      const b = new TraceBuilder(['n1', 'n2', 'n3']);
      b.commit([kv(), kv()]);
      b.applyAll(2, ['n1']);
      b.applyAll(1, ['n2', 'n3']);
      b.faultsEnd();
      b.t += 3000;
      return b;
    };
    // n1 refused or removed (down), n3 halted: n2 alone cannot elect a leader.
    const b = lagging();
    b.runEnd({ n1: { up: false }, n3: { halted: true, up: false } });
    expect(checkTrace(b.trace())).toEqual([]);
    // Two of three voters up, one of them still rejoining after a restore: no quorum either.
    const c = lagging();
    c.runEnd({ n1: { up: false }, n3: { rejoining: true } });
    expect(checkTrace(c.trace())).toEqual([]);
    // Two of three voters up and able to vote: they must catch up, and commit the probe.
    const d = lagging();
    const e = d.runEnd({ n1: { up: false } });
    expect(checkTrace(d.trace()).map((v) => [v.code, v.eventIndex, v.node])).toEqual([
      ['not-caught-up', e, 'n2'],
      ['not-caught-up', e, 'n3'],
      ['no-progress', e, undefined],
    ]);
  });

  it('learners do not count toward the quorum', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']);
    (b.events[0] as { learners?: string[] }).learners = ['n3'];
    b.commit([kv(), kv()]);
    b.applyAll(2, ['n1']);
    b.applyAll(1, ['n2', 'n3']);
    b.faultsEnd();
    b.t += 3000;
    // Voters n1, n2 (quorum 2); n1 is down: the learner n3 being up changes nothing.
    b.runEnd({ n1: { up: false } });
    expect(checkTrace(b.trace())).toEqual([]);
    const c = new TraceBuilder(['n1', 'n2', 'n3']);
    c.commit([kv(), kv()]);
    c.applyAll(2, ['n1']);
    c.applyAll(1, ['n2', 'n3']);
    c.faultsEnd();
    c.t += 3000;
    // Without learners, n2 and n3 are a quorum of three voters: both are judged.
    c.runEnd({ n1: { up: false } });
    expect(checkTrace(c.trace(), { only: ['liveness'] }).filter((v) => v.code === 'not-caught-up').map((v) => v.node)).toEqual(['n2', 'n3']);
  });

  it('the core must commit the liveness probe within the bound of being ready', () => {
    const quiet = (withProbe: boolean): TraceBuilder => {
      const b = new TraceBuilder();
      b.commit([kv()]);
      b.applyAll();
      b.faultsEnd();
      b.t += 10;
      if (withProbe) {
        b.probe();
        b.applyAll();
      }
      b.t += 1000;
      return b;
    };
    const none = quiet(false);
    const e = none.runEnd();
    const v = checkTrace(none.trace(), { livenessBoundMs: 100 });
    expect(v.map((x) => [x.code, x.eventIndex, x.node])).toEqual([['no-progress', e, undefined]]);
    expect(v[0]!.message).toMatch(/^no leader committed the liveness probe within 100 ms \(8 election time-outs\) of t=\d+, when a quorum of healthy voters \(n1, n2, n3\) was up/);
    // with the probe committed and applied in time, or a bound that reaches past run-end, nothing
    const ok = quiet(true);
    ok.runEnd();
    expect(checkTrace(ok.trace(), { livenessBoundMs: 100 })).toEqual([]);
    expect(checkTrace(quiet(false).trace(), { livenessBoundMs: 5000 })).toEqual([]);
    // the default bound: 8 election time-outs of run-start's range
    expect(checkTrace(quiet(false).trace())).toEqual([]);
    const short = quiet(false);
    (short.events[0] as { electionTimeoutMs?: [number, number] }).electionTimeoutMs = [50, 100];
    expect(checkTrace(short.trace()).map((x) => x.code)).toEqual(['no-progress']);
  });

  it('every healthy node must apply through the probe within the bound of its commit, or of its own last start', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']);
    b.commit([kv()]);
    b.applyAll();
    b.faultsEnd();
    const p = b.probe();
    b.applyAll(p, ['n1', 'n2']);
    b.t += 200;
    const late = b.apply('n3', {}, p); // 200 ms after the commit
    b.t += 1000;
    b.runEnd();
    const v = checkTrace(b.trace(), { livenessBoundMs: 100 });
    expect(v.map((x) => [x.code, x.node])).toEqual([['caught-up-late', 'n3']]);
    expect(v[0]!.message).toContain(`n3 applied only at t=${b.events[late]!.t} the liveness probe's index ${p}`);
    expect(checkTrace(b.trace(), { livenessBoundMs: 300 })).toEqual([]);
    // a node that restarts late has the bound from its restart; an install counts as reaching the index
    const c = new TraceBuilder(['n1', 'n2', 'n3']);
    c.commit([kv()]);
    c.applyAll();
    c.faultsEnd();
    const q = c.probe();
    c.applyAll(q, ['n1', 'n2']);
    c.crash('n3');
    c.t += 500;
    c.restart('n3', 0);
    c.t += 50;
    c.snapshotTake('n1');
    c.install('n3', 'n1', q);
    c.t += 1000;
    c.runEnd();
    expect(checkTrace(c.trace(), { livenessBoundMs: 100 })).toEqual([]);
  });
});

// Hand-written traces for the checks the simulator's own Raft checker had
// (src/sim/raft-checks.ts, now gone): the oracle is the only Raft checker.
// Entries are named by their hex ('aa', 'bb', ...); frame() adds what makes a
// trace well formed: run-start, a proposal of every entry, faults-end and a
// run-end whose indices agree with the events.
describe('raft-safety: the checks one by one', () => {
  const nodes = ['a', 'b', 'c'];
  const d = (entryHex: string): string => entryHexDigest(entryHex);
  const frame = (events: TraceEvent[]): TraceEvent[] => {
    const entries = new Set<string>();
    const commit = new Map<string, number>(nodes.map((n) => [n, 0]));
    const applied = new Map<string, number>(nodes.map((n) => [n, 0]));
    const saved = new Map<string, number>();
    let t = 0;
    for (const ev of events) {
      t = Math.max(t, ev.t);
      if (ev.kind === 'apply') entries.add(ev.entryHex);
      if (ev.kind === 'commit') commit.set(ev.node, ev.index);
      if (ev.kind === 'apply' && ev.result.kind !== 'halt') applied.set(ev.node, ev.index);
      if (ev.kind === 'snapshot-install') {
        commit.set(ev.node, Math.max(commit.get(ev.node) ?? 0, ev.index));
        applied.set(ev.node, ev.index);
      }
      if (ev.kind === 'backup') saved.set(ev.name, commit.get(ev.node) ?? 0);
      if (ev.kind === 'restore') commit.set(ev.node, ev.raft === 'discarded' ? 0 : (saved.get(ev.name ?? '') ?? 0));
    }
    for (const hex of ['aa', 'ab', 'bb', 'cc', 'zz']) entries.add(hex);
    const summary = (node: string) => ({ node, up: true, halted: false, appliedIndex: applied.get(node) ?? 0, commitIndex: commit.get(node) ?? 0, rowsHash: 'x' });
    return [
      { t: 0, kind: 'run-start', seed: 'x', nodes, variant: 'v' },
      ...[...entries].map((entryHex, i): TraceEvent => ({ t: 0, kind: 'propose', node: 'a', requestId: `p${i}#1`, entryHex })),
      ...events,
      { t, kind: 'faults-end' },
      { t, kind: 'run-end', nodes: nodes.map(summary) },
    ];
  };
  /** Event index in the framed trace of the k-th event given to frame(). */
  const at = (k: number): number => 1 + 5 + k;
  const check = (events: TraceEvent[]) => checkTrace(frame(events), { only: ['raft-safety'] });
  const codes = (events: TraceEvent[]): string[] => check(events).map((v) => v.code);
  const append = (t: number, node: string, index: number, term: number, entry: string): TraceEvent => ({ t, node, kind: 'append', index, term, digest: d(entry) });
  const commit = (t: number, node: string, index: number, term: number, entry: string): TraceEvent => ({ t, node, kind: 'commit', index, term, digest: d(entry) });

  it('flag two leaders in a term', () => {
    expect(codes([{ t: 1, node: 'a', kind: 'became-leader', term: 2 }, { t: 2, node: 'b', kind: 'became-leader', term: 2 }])).toEqual(['two-leaders']);
  });

  it('flag different entries at the same index and term', () => {
    expect(codes([append(1, 'a', 1, 1, 'aa'), append(2, 'b', 1, 1, 'bb')])).toEqual(['log-mismatch']);
  });

  it('flag a truncated committed entry, a newer-term entry over it and a changed commit', () => {
    const v = check([
      append(1, 'a', 1, 1, 'aa'),
      commit(2, 'a', 1, 1, 'aa'),
      { t: 3, node: 'a', kind: 'truncate', fromIndex: 1 },
      append(3, 'a', 1, 2, 'cc'),
      commit(4, 'b', 1, 2, 'cc'),
    ]);
    expect(v.map((x) => [x.code, x.eventIndex])).toEqual([
      ['committed-truncated', at(2)],
      ['committed-overwritten', at(3)],
      ['commit-changed', at(4)],
    ]);
    expect(v[1]!.message).toBe(`a appended term 2 digest ${d('cc')} at index 1, already committed as term 1 digest ${d('aa')} (event #${at(1)})`);
  });

  it('flag a truncation at or below what the node itself committed, even when its log no longer shows the entry', () => {
    // b installed a snapshot up to 3 (so committed through 3), then truncates from 2.
    const v = check([
      { t: 1, node: 'b', kind: 'snapshot-install', index: 3, term: 1, from: 'a', rows: [] },
      { t: 2, node: 'b', kind: 'truncate', fromIndex: 2 },
    ]);
    expect(v.map((x) => [x.code, x.eventIndex, x.message])).toEqual([
      ['truncated-below-commit', at(1), 'b truncated its log from index 2, but had itself committed entries up to index 3'],
    ]);
    // truncating past its commit index is Raft's ordinary conflict resolution
    expect(codes([append(1, 'a', 1, 1, 'aa'), commit(2, 'a', 1, 1, 'aa'), append(3, 'a', 2, 1, 'ab'), { t: 4, node: 'a', kind: 'truncate', fromIndex: 2 }])).toEqual([]);
  });

  it('a node whose log lost committed entries (a crash of an unsynced log) commits them again: a well-formed trace, a raft-safety finding', () => {
    expect(codes([append(1, 'a', 1, 1, 'aa'), commit(2, 'a', 1, 1, 'aa'), { t: 3, node: 'a', kind: 'truncate', fromIndex: 1 }, append(4, 'a', 1, 1, 'aa'), commit(5, 'a', 1, 1, 'aa')])).toEqual([
      'committed-truncated',
    ]);
  });

  it("do not flag a stale leader's older-term entry at a committed index, only a newer term's", () => {
    const committed: TraceEvent[] = [append(1, 'b', 1, 4, 'bb'), commit(2, 'b', 1, 4, 'bb')];
    // `a` still leads term 3 in a minority and appends a client write there: legal, it never commits.
    expect(codes([...committed, append(3, 'a', 1, 3, 'aa')])).toEqual([]);
    expect(codes([...committed, append(3, 'c', 1, 5, 'cc')])).toEqual(['committed-overwritten']);
  });

  it('judge by the term an entry was committed in, not its own (clean run 66546)', () => {
    // b leads term 4 and commits a term-2 entry; a, cut off, still leads term 3 and appends over it: legal.
    const committedIn4: TraceEvent[] = [{ t: 1, node: 'b', kind: 'became-leader', term: 4 }, append(1, 'b', 1, 2, 'bb'), commit(2, 'b', 1, 2, 'bb')];
    expect(codes([...committedIn4, append(3, 'a', 1, 3, 'aa')])).toEqual([]);
    expect(codes([...committedIn4, append(3, 'c', 1, 5, 'cc')])).toEqual(['committed-overwritten']);
    // A vote that was on its way lets a term-3 candidate win after the term-4 commit, without the entry: legal too.
    expect(codes([...committedIn4, { t: 3, node: 'a', kind: 'became-leader', term: 3 }])).toEqual([]);
    expect(codes([...committedIn4, { t: 3, node: 'c', kind: 'became-leader', term: 5 }])).toEqual(['leader-incomplete']);
  });

  it('flag a leader missing a committed entry', () => {
    const v = check([append(1, 'a', 1, 1, 'aa'), commit(2, 'a', 1, 1, 'aa'), { t: 3, node: 'c', kind: 'became-leader', term: 2 }]);
    expect(v.map((x) => [x.code, x.eventIndex, x.node])).toEqual([['leader-incomplete', at(2), 'c']]);
    expect(v[0]!.message).toBe(
      `leader completeness: c became leader of term 2 without the committed entry at index 1 (term 1 digest ${d('aa')}, event #${at(1)}); its log ends at index 0`,
    );
    // holding it, by log or by snapshot, is fine
    expect(codes([append(1, 'a', 1, 1, 'aa'), commit(2, 'a', 1, 1, 'aa'), append(3, 'c', 1, 1, 'aa'), { t: 4, node: 'c', kind: 'became-leader', term: 2 }])).toEqual([]);
    expect(
      codes([
        append(1, 'a', 1, 1, 'aa'),
        commit(2, 'a', 1, 1, 'aa'),
        { t: 3, node: 'c', kind: 'snapshot-install', index: 1, term: 1, from: 'a', rows: [] },
        { t: 4, node: 'c', kind: 'became-leader', term: 2 },
      ]),
    ).toEqual([]);
    // a different entry at that index is not holding it
    expect(codes([append(1, 'a', 1, 1, 'aa'), commit(2, 'a', 1, 1, 'aa'), append(3, 'c', 1, 0, 'zz'), { t: 4, node: 'c', kind: 'became-leader', term: 2 }])).toEqual(['leader-incomplete']);
  });

  it('a re-appended identical entry keeps the tail of the log', () => {
    expect(
      codes([
        append(1, 'a', 1, 1, 'aa'),
        append(2, 'a', 2, 1, 'ab'),
        commit(3, 'a', 1, 1, 'aa'),
        commit(3, 'a', 2, 1, 'ab'),
        append(4, 'a', 1, 1, 'aa'),
        { t: 5, node: 'a', kind: 'became-leader', term: 2 },
      ]),
    ).toEqual([]);
  });

  it('rebuild logs across restores: discarded Raft state is an empty log, a backed-up one comes back, an unknown one is not judged', () => {
    const committed: TraceEvent[] = [
      append(1, 'a', 1, 1, 'aa'),
      append(1, 'b', 1, 1, 'aa'),
      commit(2, 'a', 1, 1, 'aa'),
      commit(2, 'b', 1, 1, 'aa'),
      { t: 3, node: 'b', kind: 'backup', name: 'bk' },
    ];
    const restore = (raft?: 'discarded', name = 'bk', backupAt = 3): TraceEvent =>
      raft ? { t: 4, node: 'b', kind: 'restore', backupAt, rows: [], name, raft } : { t: 4, node: 'b', kind: 'restore', backupAt, rows: [], name };
    const lead: TraceEvent = { t: 5, node: 'b', kind: 'became-leader', term: 2 };
    const truncate: TraceEvent = { t: 5, node: 'b', kind: 'truncate', fromIndex: 1 };
    // The simulator's restore: b rejoins with an empty log; leading before it catches up is incomplete ...
    expect(codes([...committed, restore('discarded'), lead])).toEqual(['leader-incomplete']);
    // ... and nothing it truncates was committed by it.
    expect(codes([...committed, restore('discarded'), truncate])).toEqual([]);
    // Raft state brought back from the backup: b holds entry 1 again, and had committed it.
    expect(codes([...committed, restore(), lead])).toEqual([]);
    expect(codes([...committed, restore(), truncate])).toEqual(['committed-truncated']);
    // Raft state from a backup the trace does not show: unknown, not judged.
    expect(codes([...committed, restore(undefined, 'other', 99), lead])).toEqual([]);
    expect(codes([...committed, restore(undefined, 'other', 99), truncate])).toEqual([]);
    // A backup found by its time when the name does not match.
    expect(codes([...committed, restore(undefined, 'other', 3), truncate])).toEqual(['committed-truncated']);
  });
});
