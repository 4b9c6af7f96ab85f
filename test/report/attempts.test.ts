// Client attempts read from a trace (the clients band of the HTML report),
// and the row packing that keeps their bars apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attemptNote, clientAttempts } from '../../src/report/attempts.ts';
import { packRows, scaleOf } from '../../src/report/html-layout.ts';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import { entryHexDigest } from '../../src/trace/digest.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { kv } from './trace-builder.ts';

const docsRun = runScenario(loadScenario(readFileSync(new URL('../../docs/example-lte-rollback.json', import.meta.url), 'utf8')), {
  variant: 'lte-rollback',
});

/** A leader's proposal as the simulator records it: the append, then the propose, at one instant. */
function proposal(t: number, requestId: string, entryHex: string, index: number, term = 1, node = 'n1'): TraceEvent[] {
  return [
    { kind: 'append', t, node, index, term, digest: entryHexDigest(entryHex) },
    { kind: 'propose', t, node, requestId, entryHex },
  ];
}
const commit = (t: number, node: string, index: number, entryHex: string, term = 1): TraceEvent => ({
  kind: 'commit',
  t,
  node,
  index,
  term,
  digest: entryHexDigest(entryHex),
});

describe('clientAttempts', () => {
  it('finds the retried registration of the worked example committed twice, and links the two', () => {
    const attempts = clientAttempts(docsRun.trace);
    const byId = new Map(attempts.map((a) => [a.requestId, a]));
    const first = byId.get('p2#1');
    const second = byId.get('p2#2');
    expect([first?.index, first?.outcome, second?.index, second?.outcome]).toEqual([4, 'duplicate', 8, 'duplicate']);
    expect(first?.twins.map((k) => attempts[k]?.requestId)).toEqual(['p2#2']);
    expect(second?.twins.map((k) => attempts[k]?.requestId)).toEqual(['p2#1']);
    // Each bar ends at the first commit of its entry at its index.
    const ev = first?.commit !== undefined ? docsRun.trace[first.commit] : undefined;
    expect(ev).toMatchObject({ kind: 'commit', index: 4 });
    expect(first?.end).toBe(first?.commit);
    expect(attemptNote(second!, attempts, docsRun.trace)).toBe(
      'committed at #8 t1 (171.000ms), and so did p2#1 at #4: the request took effect more than once',
    );
  });

  it('tells a committed attempt that was retried anyway, and a retry that never committed', () => {
    const attempts = clientAttempts(docsRun.trace);
    const byId = new Map(attempts.map((a) => [a.requestId, a]));
    expect(byId.get('p3#1')?.outcome).toBe('committed');
    expect(attemptNote(byId.get('p3#1')!, attempts, docsRun.trace)).toBe('committed at #5 t1 (155.000ms); retried as p3#2 at 157.000ms');
    const lost = byId.get('p3#2');
    expect(lost?.outcome).toBe('lost');
    expect(lost?.end).toBe(docsRun.trace.length - 1);
    expect(attemptNote(lost!, attempts, docsRun.trace)).toBe('not committed at #9 t1 by the end of the run');
  });

  it('draws the liveness probe apart and never calls its retries duplicates', () => {
    const probes = clientAttempts(docsRun.trace).filter((a) => a.probe);
    expect(probes.map((a) => a.requestId)).toEqual(['liveness-probe#9', 'liveness-probe#10', 'liveness-probe#11']);
    expect(probes.every((a) => a.outcome === 'committed' && a.twins.length === 0)).toBe(true);
  });

  it('ends a lost attempt where another entry took its index, or where its retry started', () => {
    const a = kv('0a');
    const other = kv('0b');
    const trace: TraceEvent[] = [
      { kind: 'run-start', t: 0, seed: 's', nodes: ['n1', 'n2'], variant: 'correct' },
      ...proposal(1, 'p1#1', a, 1), // 1, 2
      commit(5, 'n2', 1, other, 2), // 3: n2, under a new leader, committed something else at 1
      ...proposal(6, 'p1#2', a, 2, 2, 'n2'), // 4, 5
      ...proposal(7, 'p9#1', other, 3, 2, 'n2'), // 6, 7
      ...proposal(8, 'p9#2', other, 4, 2, 'n2'), // 8, 9
      { kind: 'propose', t: 9, node: 'n2', requestId: 'p7#1', entryHex: a }, // 10: no append says where
      commit(10, 'n2', 2, a, 2), // 11
      { kind: 'run-end', t: 11, nodes: [] },
    ];
    const attempts = clientAttempts(trace);
    const summary = attempts.map((x) => [x.requestId, x.outcome, x.end]);
    expect(summary).toEqual([
      ['p1#1', 'lost', 3],
      ['p1#2', 'committed', 11],
      ['p9#1', 'lost', 9],
      ['p9#2', 'lost', 12],
      ['p7#1', 'unknown', 12],
    ]);
    expect(attemptNote(attempts[0]!, attempts, trace)).toBe('lost: another entry committed at #1 t1 (5.000ms); retried as p1#2 at 6.000ms');
    expect(attemptNote(attempts[4]!, attempts, trace)).toBe('accepted by n2; no append says where it went');
  });
});

describe('packRows', () => {
  it('keeps bars of a row apart under both axes', () => {
    const trace: TraceEvent[] = [0, 1, 2, 3, 10].map((t) => ({ kind: 'heal', t }));
    const scale = scaleOf(trace);
    const span = (from: number, to: number) => ({ from: scale.at(from), to: scale.at(to) });
    // 0-1 and 1-2 touch (rows 0 and 1); 2-4 fits after 0-1, 3-4 after 1-2; a second 3-4 needs a row of its own.
    expect(packRows([span(0, 1), span(1, 2), span(2, 4), span(3, 4), span(3, 4)], 0.5)).toEqual([0, 1, 0, 1, 2]);
  });
});
