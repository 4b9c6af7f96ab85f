// Only a running process registers, at the epoch it holds
// (src/model/invariants/registration-owner.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { staleRegistrations } from '../../src/model/invariants/registration-owner.ts';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';

const node = 'n1';
const bump = (dekId: number, epoch: number, starts?: number): TraceEvent => ({ kind: 'epoch-bump', node, t: 0, dekId, epoch, ...(starts !== undefined ? { starts } : {}) });
const propose = (dekId: number, epoch: number): TraceEvent => ({ kind: 'register-propose', node, t: 1, dekId, epoch, attempt: 1 });
const crash: TraceEvent = { kind: 'crash', node, t: 0, lostWrites: 0 };
const found = (trace: TraceEvent[]) => staleRegistrations(trace).map((f) => f.eventIndex);

describe('registration owner', () => {
  it('a running process registers the epoch it bumped to, under each DEK it bumped', () => {
    expect(found([bump(1, 4), propose(1, 4), bump(2, 1), propose(2, 1), propose(1, 4)])).toEqual([]);
  });

  it('a registration after the process crashed, halted or was refused is found, once per (DEK, epoch)', () => {
    expect(found([bump(1, 4), crash, propose(1, 4), propose(1, 4)])).toEqual([2]);
    expect(staleRegistrations([bump(1, 4), crash, propose(1, 4)])[0]?.message).toMatch(/^n1 proposed Register\(dek 1, epoch 4\) \(attempt 1\), but no process of it runs/);
    const halt: TraceEvent = { kind: 'halt', node, t: 0, index: 3, reason: 'rollback' };
    const refused: TraceEvent = { kind: 'guard-refused', node, t: 0, guard: 'rollback', detail: '' };
    expect(found([bump(1, 4), halt, propose(1, 4)])).toEqual([2]);
    expect(found([bump(1, 4), refused, propose(1, 4)])).toEqual([2]);
    // A crash loop's start died right after its bump.
    expect(found([bump(1, 4), crash, bump(1, 9, 5), propose(1, 9)])).toEqual([3]);
  });

  it('an attempt recorded at the time its process crashed is that process\'s (the crash fired inside the submit)', () => {
    const at = (ev: TraceEvent, t: number): TraceEvent => ({ ...ev, t });
    expect(found([bump(1, 4), at(crash, 150), at(propose(1, 4), 150)])).toEqual([]);
    expect(found([bump(1, 4), at(crash, 150), at(propose(1, 4), 151)])).toEqual([2]);
  });

  it("a predecessor's epoch proposed by its successor is found", () => {
    expect(staleRegistrations([bump(1, 4), crash, bump(1, 5), propose(1, 4)])[0]?.message).toMatch(/its running process holds epoch 5 there/);
  });

  it('a DEK the process bumped nothing under is not judged (main re-points a process at its pinned epoch)', () => {
    expect(found([bump(1, 4), propose(7, 4)])).toEqual([]);
    const load: TraceEvent = { kind: 'sidecar-load', node, t: 0, sidecar: null };
    expect(found([load, propose(1, 0)])).toEqual([]);
  });
});

describe('fixtures/variants/registration-outlives-process.json', () => {
  const scenario = loadScenario(readFileSync(new URL('../../fixtures/variants/registration-outlives-process.json', import.meta.url), 'utf8'));

  it("passes on the correct lifecycle; with the variant, a dead process's registration loop is found as stale-registration", () => {
    expect(runScenario(scenario).verdict).toBe('ok');
    const r = runScenario(scenario, { variant: 'registration-outlives-process' });
    expect(r.violations.find((v) => v.code === 'stale-registration')?.message).toMatch(/but no process of it runs/);
  });
});
