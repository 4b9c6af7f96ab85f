// The §9.1 start-up guards judged again on what each guard-check event says
// they read (src/model/invariants/guard-decisions.ts).
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { fullIdHex } from '../../src/trace/ids.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { TraceBuilder, reg, row } from './builder.ts';

type GuardCheck = Extract<TraceEvent, { kind: 'guard-check' }>;

const A = 0x10001n; // low16 0x0001
const B = 0x20001n; // low16 0x0001, differs from A in bits 16..31
const B32 = 0x1_0001_0001n; // low 32 bits equal to A's
const check = (o: Partial<GuardCheck>): GuardCheck => ({
  kind: 'guard-check', node: 'n1', t: 0, guards: [], fullNodeId: fullIdHex(A), dekId: 1, epochBefore: 3, epoch: 4, ...o,
});
const codes = (b: TraceBuilder) => checkTrace(b.trace(), { liveness: false }).map((v) => [v.invariant, v.code]);
const one = (ev: GuardCheck) => {
  const b = new TraceBuilder(['n1']);
  b.push(ev);
  return codes(b);
};

describe('start-up guard decisions', () => {
  it('exhaustion refuses at 0xffff and only there', () => {
    expect(one(check({ guards: ['exhaustion'], epochBefore: 0xffff, epoch: undefined, refused: 'exhaustion' }))).toEqual([]);
    expect(one(check({ guards: ['exhaustion'], epochBefore: 0xffff, epoch: 0 }))).toEqual([['no-silent-rollback', 'guard-missed']]);
    expect(one(check({ guards: ['exhaustion'], epochBefore: 0xfffe, refused: 'exhaustion' }))).toEqual([['no-silent-rollback', 'guard-wrong-refusal']]);
  });

  it('the member collision guard compares the 16-bit slot', () => {
    const members = [{ fullNodeId: fullIdHex(B32), node: 'n2' }];
    expect(one(check({ guards: ['exhaustion', 'member-collision'], members }))).toEqual([['collisions-halt', 'guard-missed']]);
    expect(one(check({ guards: ['exhaustion', 'member-collision'], members, refused: 'member-collision' }))).toEqual([]);
    expect(one(check({ guards: ['member-collision'], members: [{ fullNodeId: fullIdHex(A), node: 'n1' }] }))).toEqual([]);
  });

  it('the registry collision guard refuses a slot owned by another full id under any DEK', () => {
    const rows = [row(7, B, 1, 2)];
    expect(one(check({ guards: ['registry-collision'], rows }))).toEqual([['collisions-halt', 'guard-missed']]);
    expect(one(check({ guards: ['registry-collision', 'rollback'], rows, refused: 'registry-collision', compare: 'after-bump' }))).toEqual([]);
  });

  it('the rollback guard compares every DEK the node has a row under, each with its own sidecar epoch', () => {
    const ok = check({ guards: ['rollback'], compare: 'after-bump', rows: [row(1, A, 1, 3)] }); // bumped 4 > 3
    expect(one(ok)).toEqual([]);
    expect(one({ ...ok, rows: [row(1, A, 1, 4)] })).toEqual([['no-silent-rollback', 'guard-missed']]);
    // Under DEK 0 the sidecar says 2 and the registry 5: after-bump compares 3 <= 5.
    const older = { ...ok, rows: [row(0, A, 1, 5), row(1, A, 1, 3)], sidecar: { '0': 2 } };
    expect(one(older)).toEqual([['no-silent-rollback', 'guard-missed']]);
    expect(one({ ...older, refused: 'rollback' })).toEqual([]);
    // before-bump compares the sidecar's epoch before the bump: 3 <= 3 refuses.
    expect(one({ ...ok, compare: 'before-bump', refused: 'rollback' })).toEqual([]);
  });

  it('a caught-up guard must read the committed registry at the index it caught up to', () => {
    const b = new TraceBuilder(['n1']);
    b.commit([reg(1, A, 1)]);
    b.applyAll();
    b.push(check({ t: b.t, guards: ['rollback'], compare: 'after-bump', rows: [row(1, A, 1, 1)], through: 1 }));
    expect(codes(b)).toEqual([]);
    b.push(check({ t: b.t, guards: ['rollback'], compare: 'after-bump', rows: [], through: 1 }));
    expect(codes(b)).toEqual([['no-silent-rollback', 'guard-view']]);
  });
});
