// raft-safety's quorum checks: a leader's commit against the voters of the
// configuration its log holds, and who may become leader.
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { EMPTY_ENTRY_DIGEST, entryHexDigest } from '../../src/trace/digest.ts';
import type { TraceConfOp, TraceEvent } from '../../src/trace/types.ts';
import { TraceBuilder } from './builder.ts';

const codes = (b: TraceBuilder) =>
  checkTrace(b.trace(), { only: ['raft-safety'] }).map((v) => [v.code, v.eventIndex, v.node, v.message]);

/** A cluster of `voters` and `learners` (run-start's learners), its first leader n1 in term 1. */
function cluster(voters: string[], learners: string[] = []): TraceBuilder {
  const b = new TraceBuilder([...voters, ...learners]);
  const start = b.events[0] as Extract<TraceEvent, { kind: 'run-start' }>;
  if (learners.length > 0) start.learners = learners;
  b.leader('n1', 1);
  return b;
}

// Ordinary entries are empty ones (a leader's no-op): only where they are and who holds them matters here.
const append = (b: TraceBuilder, nodes: string[], index: number, term = 1, digest = EMPTY_ENTRY_DIGEST) => {
  for (const node of nodes) b.push({ kind: 'append', t: b.t + 1, node, index, term, digest });
};
const commit = (b: TraceBuilder, node: string, index: number, term = 1, digest = EMPTY_ENTRY_DIGEST) =>
  b.push({ kind: 'commit', t: b.t + 1, node, index, term, digest });
/** Leader `leader` appends a configuration entry at `index` (its own append first, as the engine records it); returns its digest. */
const conf = (b: TraceBuilder, leader: string, index: number, op: TraceConfOp, target: string, term = 1): string => {
  const entryHex = Buffer.from(`raft-conf ${op} ${target}`).toString('hex');
  const digest = entryHexDigest(entryHex);
  append(b, [leader], index, term, digest);
  b.push({ kind: 'conf-propose', t: b.t + 1, node: leader, index, term, op, target, entryHex });
  return digest;
};

describe('raft-safety: commit-without-quorum', () => {
  it('a leader commits its own entry only once a majority of its voters appended it', () => {
    const b = cluster(['n1', 'n2', 'n3', 'n4', 'n5']);
    append(b, ['n1', 'n2'], 1);
    const e = commit(b, 'n1', 1);
    expect(codes(b)).toEqual([
      ['commit-without-quorum', e, 'n1', 'leader n1 committed index 1 (term 1) held by {n1, n2} of the voters {n1, n2, n3, n4, n5} of its configuration: 3 make a majority'],
    ]);
    const ok = cluster(['n1', 'n2', 'n3', 'n4', 'n5']);
    append(ok, ['n1', 'n2', 'n4'], 1);
    commit(ok, 'n1', 1);
    commit(ok, 'n2', 1); // a follower learning the commit is not counted again
    expect(codes(ok)).toEqual([]);
  });

  it('learners hold entries but make no majority', () => {
    const b = cluster(['n1', 'n2', 'n3'], ['n4', 'n5']);
    append(b, ['n1', 'n4', 'n5'], 1);
    expect(codes(b).map((v) => v[0])).toEqual([]);
    const e = commit(b, 'n1', 1);
    expect(codes(b).map((v) => [v[0], v[1]])).toEqual([['commit-without-quorum', e]]);
  });

  it("counts against the log's latest configuration, committed or not, and forgets a change a truncation dropped", () => {
    // n4 promoted at index 1: four voters, three make a majority, before the promotion commits.
    const b = cluster(['n1', 'n2', 'n3'], ['n4']);
    const promote = conf(b, 'n1', 1, 'promote', 'n4');
    append(b, ['n2'], 1, 1, promote);
    const e = commit(b, 'n1', 1, 1, promote);
    expect(codes(b).map((v) => [v[0], v[1]])).toEqual([['commit-without-quorum', e]]);
    // n2 had appended n1's removal of n3; a conflict truncation drops it, and n2 leads term 2 over three voters again.
    const c = cluster(['n1', 'n2', 'n3']);
    const removal = conf(c, 'n1', 1, 'remove', 'n3');
    append(c, ['n2'], 1, 1, removal);
    c.push({ kind: 'truncate', t: c.t + 1, node: 'n2', fromIndex: 1 });
    c.leader('n2', 2);
    append(c, ['n2'], 1, 2);
    const f = commit(c, 'n2', 1, 2);
    expect(codes(c).map((v) => [v[0], v[1]])).toEqual([['commit-without-quorum', f]]);
  });

  it('an installed snapshot brings the configuration committed at its index', () => {
    const b = cluster(['n1', 'n2', 'n3', 'n4']);
    const removal = conf(b, 'n1', 1, 'remove', 'n4');
    append(b, ['n2', 'n3'], 1, 1, removal);
    commit(b, 'n1', 1, 1, removal);
    // n3 takes a snapshot at 1 (n4 removed: three voters) and leads term 2: two of three make its majority.
    b.push({ kind: 'snapshot-install', t: b.t + 1, node: 'n3', index: 1, term: 1, from: 'n1', rows: [] });
    b.leader('n3', 2);
    append(b, ['n3', 'n2'], 2, 2);
    commit(b, 'n3', 2, 2);
    expect(codes(b)).toEqual([]);
  });
});

describe('raft-safety: leader-not-voter', () => {
  it('a learner never leads', () => {
    const b = cluster(['n1', 'n2', 'n3'], ['n4']);
    const e = b.leader('n4', 2);
    expect(codes(b)).toEqual([
      ['leader-not-voter', e, 'n4', 'n4 became leader of term 2, but is a voter neither of its log\'s configuration (voters {n1, n2, n3}) nor of the one as of its commit index 0 (voters {n1, n2, n3})'],
    ]);
  });

  it('a member whose removal is appended but not committed may lead; once it committed, it may not', () => {
    const b = cluster(['n1', 'n2', 'n3', 'n4']);
    const removal = conf(b, 'n1', 1, 'remove', 'n2');
    append(b, ['n2'], 1, 1, removal);
    b.leader('n2', 2);
    expect(codes(b)).toEqual([]);
    commit(b, 'n2', 1, 1, removal); // n2 learns its removal committed (n1 counted it: not n2's own term, not judged)
    const e = b.leader('n2', 3);
    expect(codes(b).map((v) => [v[0], v[1]])).toEqual([['leader-not-voter', e]]);
  });

  it('a crash that takes the commit index back takes the committed configuration back with it', () => {
    const b = cluster(['n1', 'n2', 'n3', 'n4']);
    const removal = conf(b, 'n1', 1, 'remove', 'n2');
    append(b, ['n2'], 1, 1, removal);
    commit(b, 'n2', 1, 1, removal);
    b.push({ kind: 'crash', t: b.t + 1, node: 'n2', lostWrites: 0, commit: 0 });
    b.leader('n2', 2);
    expect(codes(b).filter((v) => v[0] === 'leader-not-voter')).toEqual([]);
  });
});
