// Production main's cold start (engine option coldStart 'durable-applied-index',
// addendum §3): the durable applied index M that only data writes and local
// snapshot persists advance, the two cold-start modes, the skip rule, and
// registrations re-applied on top of the persisted rows; judged by the oracle.
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/model/oracle.ts';
import { kvEntry } from '../../src/sim/index.ts';
import type { ScenarioEvent, SimConfig } from '../../src/sim/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { ofKind, reg, runEngine } from './helpers.ts';

const run = (events: ScenarioEvent[], extra: Partial<SimConfig> = {}): TraceEvent[] =>
  runEngine('cold-start', events, { engine: { registryReplay: 'reapply', coldStart: 'durable-applied-index' }, ...extra });

const kv = (b: number): Uint8Array => kvEntry(new Uint8Array([b]));
const restartOf = (trace: TraceEvent[]) => ofKind(trace, 'restart')[0];
const appliesAfter = (trace: TraceEvent[], node: string, t: number) => ofKind(trace, 'apply').filter((a) => a.node === node && a.t >= t);

describe('production cold start', () => {
  it('records the engine option at run-start', () => {
    expect(run([])[0]).toMatchObject({ kind: 'run-start', coldStart: 'durable-applied-index' });
  });

  it('with no snapshot of its own and no data write, restores the initial (empty) snapshot and replays everything', () => {
    const trace = run([
      { at: 300, kind: 'propose', data: reg('n1', 1) },
      { at: 400, kind: 'propose', data: reg('n2', 1) },
      { at: 1000, kind: 'crash', node: 'n3', restartAfterMs: 200 },
    ]);
    expect(restartOf(trace)).toMatchObject({ node: 'n3', appliedIndex: 0, coldStart: 'restore', rows: [] });
    expect(appliesAfter(trace, 'n3', 1200).map((a) => a.result)).toEqual([
      { kind: 'registered', outcome: 'insert' },
      { kind: 'registered', outcome: 'insert' },
    ]);
    expect(checkTrace(trace)).toEqual([]);
  });

  it('with no snapshot of its own, a data write is past the initial snapshot: skip, resume at it', () => {
    const trace = run([
      { at: 300, kind: 'propose', data: reg('n1', 1) },
      { at: 400, kind: 'propose', data: kv(1) },
      { at: 1000, kind: 'crash', node: 'n3', restartAfterMs: 200 },
    ]);
    const kvIndex = ofKind(trace, 'apply').find((a) => a.node === 'n3' && a.entryHex === '0001')?.index;
    expect(restartOf(trace)).toMatchObject({ node: 'n3', appliedIndex: kvIndex, coldStart: 'skip' });
    expect(appliesAfter(trace, 'n3', 1200)).toEqual([]);
    expect(checkTrace(trace)).toEqual([]);
  });

  it('skip: resumes at the last data write; a registration after it is re-applied on the persisted rows', () => {
    const trace = run([
      { at: 300, kind: 'propose', data: kv(1) },
      { at: 350, kind: 'snapshot', node: 'n3' },
      { at: 400, kind: 'propose', data: kv(2) },
      { at: 500, kind: 'propose', data: reg('n1', 1) },
      { at: 1000, kind: 'crash', node: 'n3', restartAfterMs: 200 },
    ]);
    const kvIndex = ofKind(trace, 'apply').find((a) => a.node === 'n3' && a.entryHex === '0002')?.index;
    expect(restartOf(trace)).toMatchObject({ node: 'n3', appliedIndex: kvIndex, coldStart: 'skip' });
    // Only the registration is above M: it comes back a no-op on the row it wrote before the crash.
    expect(appliesAfter(trace, 'n3', 1200).map((a) => a.result)).toEqual([{ kind: 'registered', outcome: 'noop' }]);
    expect(checkTrace(trace)).toEqual([]);
  });

  it('skip: a local snapshot persist raises M to its index, so nothing at or below it replays', () => {
    const trace = run([
      { at: 300, kind: 'propose', data: kv(1) },
      { at: 400, kind: 'propose', data: reg('n1', 1) },
      { at: 600, kind: 'snapshot', node: 'n3' },
      { at: 1000, kind: 'crash', node: 'n3', restartAfterMs: 200 },
    ]);
    const snap = ofKind(trace, 'snapshot-take').find((s) => s.node === 'n3');
    expect(restartOf(trace)).toMatchObject({ appliedIndex: snap?.index, coldStart: 'skip' });
    expect(appliesAfter(trace, 'n3', 1200)).toEqual([]);
    expect(checkTrace(trace)).toEqual([]);
  });

  it('two registrations of one writer after the last data write halt rollback on replay (registration-replay-window)', () => {
    const trace = run([
      { at: 300, kind: 'propose', data: kv(1) },
      { at: 400, kind: 'propose', data: reg('n1', 1) },
      { at: 500, kind: 'propose', data: reg('n1', 2) },
      { at: 1000, kind: 'crash', node: 'n3', restartAfterMs: 200 },
    ]);
    expect(restartOf(trace)?.coldStart).toBe('skip');
    expect(ofKind(trace, 'halt')).toMatchObject([{ node: 'n3', reason: 'rollback' }]);
    expect(checkTrace(trace).map((v) => v.code)).toContain('replay-window-halt');
  });

  it('restore: after an install (M as the image carried, below its index) the store is replaced by the snapshot', () => {
    const trace = run(
      [
        { at: 250, kind: 'partition', groups: [['n3']] },
        { at: 300, kind: 'propose', data: reg('n1', 1) },
        { at: 350, kind: 'propose', data: reg('n2', 1) },
        { at: 400, kind: 'propose', data: reg('n1', 2) },
        { at: 450, kind: 'propose', data: reg('n2', 2) },
        { at: 800, kind: 'heal' },
        { at: 1500, kind: 'crash', node: 'n3', restartAfterMs: 200 },
      ],
      { snapshotInterval: 2, hooks: {} },
    );
    const install = ofKind(trace, 'snapshot-install').find((i) => i.node === 'n3');
    expect(install).toBeDefined();
    const restart = restartOf(trace);
    expect(restart?.node).toBe('n3');
    expect(restart?.coldStart).toBe('restore');
    expect(checkTrace(trace)).toEqual([]);
  });
});

describe('the oracle predicts the cold start', () => {
  it('halt-advances-applied-index: a restart resumes past the halting entry, caught', () => {
    const events: ScenarioEvent[] = [
      { at: 300, kind: 'propose', data: kv(1) },
      { at: 350, kind: 'snapshot', node: 'n3' },
      { at: 400, kind: 'propose', data: reg('n1', 5) },
      { at: 500, kind: 'propose', data: reg('n1', 3) }, // rollback: every replica halts
      { at: 1000, kind: 'restart', node: 'n3' },
    ];
    const good = run(events);
    expect(checkTrace(good).map((v) => v.invariant)).not.toContain('fail-closed-halts');
    const bad = run(events, { variants: ['halt-advances-applied-index'] });
    const codes = checkTrace(bad).map((v) => `${v.invariant}:${v.code}`);
    expect(codes).toContain('raft-safety:restart-index');
    expect(codes.some((c) => c.startsWith('fail-closed-halts'))).toBe(true);
  });
});
