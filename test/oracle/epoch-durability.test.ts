// A start reads on its sidecar at least the epoch its disk bumped to,
// registered or encrypted under (src/model/invariants/epoch-durability.ts).
import { describe, expect, it } from 'vitest';
import { epochLossFindings } from '../../src/model/invariants/epoch-durability.ts';
import { readFileSync } from 'node:fs';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';

const node = 'n1';
const bump = (dekId: number, epoch: number): TraceEvent => ({ kind: 'epoch-bump', node, t: 0, dekId, epoch });
const check = (epochBefore: number, epoch: number | undefined, dekId = 1, more: object = {}): TraceEvent => ({
  kind: 'guard-check', node, t: 0, guards: ['exhaustion'], fullNodeId: '0x0000000000010001', dekId, epochBefore, ...(epoch !== undefined ? { epoch } : {}), ...more,
});
const crash: TraceEvent = { kind: 'crash', node, t: 0, lostWrites: 0 };
const restart: TraceEvent = { kind: 'restart', node, t: 0, appliedIndex: 0, rows: [] };
const nonce = (epoch: number): TraceEvent => ({ kind: 'nonce', node, t: 0, index: 5, dekId: 1, nodeId16: 1, epoch, writeCount: '1' });
const propose = (epoch: number): TraceEvent => ({ kind: 'register-propose', node, t: 0, dekId: 1, epoch, attempt: 1 });
const lost = (trace: TraceEvent[]) => epochLossFindings(trace).map((f) => f.eventIndex);

describe('epoch durability', () => {
  it('a start that reads what its predecessor bumped to passes; one that reads less is found, naming what the disk used', () => {
    expect(lost([bump(1, 1), check(0, 1), crash, restart, bump(1, 2), check(1, 2)])).toEqual([]);
    const trace = [bump(1, 1), check(0, 1), crash, restart, bump(1, 1), check(0, 1)];
    expect(lost(trace)).toEqual([5]);
    expect(epochLossFindings(trace)[0]?.message).toMatch(/^n1 started reading local_epoch 0 under dek 1 from its sidecar, below the epoch 1 it bumped to at event #0/);
  });

  it('judges a registration or an encryption under an epoch the trace never shows bumped', () => {
    expect(lost([check(2, 3), propose(3), crash, restart, check(2, 3)])).toEqual([4]);
    expect(lost([check(2, 3), nonce(3), crash, restart, check(2, 3)])).toEqual([4]);
  });

  it("judges each start once: a policy's second check once caught up reads the same sidecar", () => {
    expect(lost([bump(1, 1), check(0, 1), check(0, 1), bump(2, 1), check(0, 1, 2)])).toEqual([]);
  });

  it("main's start bumps the storage and the raft epoch before its check: both are this start's", () => {
    expect(lost([bump(1, 1), bump(2, 1), check(0, 1)])).toEqual([]);
    expect(lost([bump(1, 1), bump(2, 1), check(0, 1), crash, restart, bump(1, 1), bump(2, 1), check(0, 1)])).toEqual([7]);
  });

  it('reads the epochs of the other DEKs the rollback guard read', () => {
    expect(lost([bump(1, 4), check(3, 4), crash, restart, bump(2, 1), check(0, 1, 2, { sidecar: { '1': 3 } })])).toEqual([5]);
  });

  it("forgets on another disk (a restore, a fresh member) and after main's bootstrap or rotation apply, which write local_epoch themselves", () => {
    const restore: TraceEvent = { kind: 'restore', node, t: 0, backupAt: 0, rows: [] };
    expect(lost([bump(1, 3), check(2, 3), crash, restore, restart, bump(1, 1), check(0, 1)])).toEqual([]);
    const bootstrap: TraceEvent = { kind: 'apply', node, t: 0, index: 2, term: 1, entryHex: '0401', result: { kind: 'halt', reason: 'corrupt-row', message: '' }, rowsHash: '' };
    expect(lost([bump(1, 3), check(2, 3), bootstrap, crash, restart, bump(1, 1), check(0, 1)])).toEqual([]);
    // What the process used after the apply is on the disk's account again.
    expect(lost([bump(1, 3), check(2, 3), bootstrap, nonce(3), crash, restart, bump(1, 1), check(0, 1)])).toEqual([7]);
  });

  it('a bump that wraps the u16 to 0 (the exhaustion guard off) leaves the disk at 0', () => {
    expect(lost([bump(1, 0xffff), check(0xfffe, 0xffff), crash, restart, bump(1, 0), check(0xffff, 0), crash, restart, bump(1, 1), check(0, 1)])).toEqual([]);
  });

  it("a crash loop's bumps each ended a start", () => {
    const loop: TraceEvent = { kind: 'epoch-bump', node, t: 0, dekId: 1, epoch: 0x7f, starts: 126 };
    expect(lost([bump(1, 1), check(0, 1), crash, restart, loop, bump(1, 0x80), check(0x7f, 0x80)])).toEqual([]);
    expect(lost([bump(1, 1), check(0, 1), crash, restart, loop, bump(1, 2), check(1, 2)])).toEqual([6]);
  });
});

describe('fixtures/variants/epoch-written-at-registration.json', () => {
  const scenario = loadScenario(readFileSync(new URL('../../fixtures/variants/epoch-written-at-registration.json', import.meta.url), 'utf8'));

  it('passes on the correct lifecycle, and the variant (the bump written once the registration applies) is found as epoch-lost', () => {
    expect(runScenario(scenario).verdict).toBe('ok');
    const r = runScenario(scenario, { variant: 'epoch-written-at-registration' });
    expect(r.violations.find((v) => v.code === 'epoch-lost')?.message).toMatch(/below the epoch \d+ it (bumped to|registered)/);
  });
});
