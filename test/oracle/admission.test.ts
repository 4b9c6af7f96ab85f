// Production main's admission check judged again on the leader's local rows
// (src/model/invariants/admission.ts).
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { fullIdHex } from '../../src/trace/ids.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { TraceBuilder, reg, row } from './builder.ts';

type AdmissionCheck = Extract<TraceEvent, { kind: 'admission-check' }>;

const A = 0x10001n;
const B = 0x20001n; // the same 16-bit slot as A
const check = (o: Partial<AdmissionCheck>): AdmissionCheck => ({
  kind: 'admission-check', node: 'n4', t: 0, leader: 'n1', dekId: 1, fullNodeId: fullIdHex(A), decision: 'pre-register', ...o,
});
const codes = (events: TraceEvent[], withRow = false) => {
  const b = new TraceBuilder(['n1', 'n2', 'n3', 'n4']);
  if (withRow) {
    b.commit([reg(1, B, 1)], 1, ['n1', 'n2', 'n3']);
    b.applyAll(undefined, ['n1', 'n2', 'n3']);
  }
  for (const ev of events) b.push({ ...ev, t: b.t } as TraceEvent);
  return checkTrace(b.trace(), { liveness: false }).filter((v) => v.invariant === 'collisions-halt').map((v) => v.code);
};

describe('admission decisions', () => {
  it('an empty slot pre-registers; any other decision there, or a row the leader does not hold, is a wrong view', () => {
    expect(codes([check({})])).toEqual([]);
    expect(codes([check({ decision: 'admit' })])).toEqual(['guard-view']);
    expect(codes([check({ row: row(1, B, 1, 1), decision: 'refuse' })])).toEqual(['guard-view']);
    expect(codes([check({ decision: 'refuse' })])).toEqual(['guard-wrong-refusal']);
  });

  it("another full id's row in the slot refuses; letting the joiner through is a missed refusal", () => {
    expect(codes([check({ row: row(1, B, 1, 1), decision: 'refuse' })], true)).toEqual([]);
    expect(codes([check({ row: row(1, B, 1, 1), decision: 'pre-register' })], true)).toEqual(['guard-missed']);
    expect(codes([check({ decision: 'pre-register' })], true)).toEqual(['guard-view']);
  });
});
