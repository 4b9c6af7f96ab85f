// A process counts its write_count from the first value, one by one
// (src/model/invariants/write-count.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writeCountFindings } from '../../src/model/invariants/write-count.ts';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';

const start = (fsm?: 'main'): TraceEvent => ({ kind: 'run-start', t: 0, seed: 's', nodes: ['n1'], variant: 'correct', ...(fsm ? { fsm } : {}) });
const nonce = (dekId: number, writeCount: number, proposal = false): TraceEvent => ({
  kind: 'nonce', node: 'n1', t: 0, index: 5, dekId, nodeId16: 1, epoch: 1, writeCount: String(writeCount), ...(proposal ? { proposal: true as const } : {}),
});
const crash: TraceEvent = { kind: 'crash', node: 'n1', t: 0, lostWrites: 0 };
const found = (trace: TraceEvent[]) => writeCountFindings(trace).map((f) => f.eventIndex);

describe('write_count sequences', () => {
  it('Stage 6A counts from 0 per DEK; a count carried to a new DEK, a gap or a restart below 0 is found', () => {
    expect(found([start(), nonce(1, 0), nonce(1, 1), nonce(2, 0), nonce(2, 1), crash, nonce(2, 0)])).toEqual([]);
    expect(found([start(), nonce(1, 0), nonce(1, 1), nonce(2, 2)])).toEqual([3]);
    expect(found([start(), nonce(1, 0), nonce(1, 2)])).toEqual([2]);
    expect(writeCountFindings([start(), nonce(1, 0), nonce(1, 2)])[0]?.message).toMatch(/^n1 sealed index 5 with write_count 2 under dek 1 at epoch 1, but its last under dek 1 was 0: it must be 1$/);
  });

  it('production main counts from 1 per process across storage rotations, and its raft seals on a counter of their own', () => {
    expect(found([start('main'), nonce(1, 1), nonce(3, 2), nonce(2, 1, true), nonce(4, 2, true), crash, nonce(3, 1)])).toEqual([]);
    expect(found([start('main'), nonce(1, 1), crash, nonce(1, 0)])).toEqual([3]);
  });
});

describe('fixtures/variants/dek-switch-keeps-write-count.json', () => {
  const scenario = loadScenario(readFileSync(new URL('../../fixtures/variants/dek-switch-keeps-write-count.json', import.meta.url), 'utf8'));

  it('passes on the correct lifecycle; with the variant, the count carried past the DEK switch is found', () => {
    expect(runScenario(scenario).verdict).toBe('ok');
    const r = runScenario(scenario, { variant: 'dek-switch-keeps-write-count' });
    expect(r.violations.find((v) => v.code === 'write-count-sequence')?.message).toMatch(/its process's first under that counter \(dek \d+\): it must be 0$/);
  });
});
