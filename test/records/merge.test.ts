// The merge's checks, on hand-made records files: inputs that are not one
// exploration, that overlap or leave runs out, or that are malformed are
// rejected with one message naming the file and what is wrong; runs a shard
// did not get to are named; the digest is over the runs in index order.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunDigest } from '../../src/explore/seed.ts';
import type { EndRecord, HeaderRecord, RecordLine, RunRecord } from '../../src/records/format.ts';
import { mergeRecords } from '../../src/records/merge.ts';
import { provenance } from '../../src/records/provenance.ts';
import { tempDir } from '../cli/regsim.ts';

const dir = tempDir();
const hash = (i: number): string => i.toString(16).padStart(64, '0');

function header(from: number, to: number | null, extra: Partial<HeaderRecord> = {}): HeaderRecord {
  return {
    type: 'header',
    format: 'regsim-records/1',
    startedAt: '2025-01-01T00:00:00.000Z',
    host: 'test',
    provenance: provenance(),
    exploration: { seed: 7, variant: 'correct', config: 'hardened', nodes: null, guardSwarm: true, differential: false, keepGoing: false, applier: null },
    range: { from, to },
    ...extra,
  };
}

const run = (i: number, verdict: RunRecord['verdict'] = 'ok'): RunRecord => ({
  type: 'run',
  run: i,
  runSeed: i.toString(16).padStart(16, '0'),
  traceHash: hash(i),
  verdict,
  ...(verdict === 'ok' ? {} : { invariant: 'replay-idempotence', eventIndex: 1 }),
  simulatedMs: 10,
  paths: { insert: 1 },
  wallMs: 1,
});

function end(runs: RunRecord[], stoppedBy: EndRecord['stoppedBy'] = 'runs'): EndRecord {
  const d = new RunDigest();
  for (const r of runs) d.add(r.traceHash);
  const next = (runs.at(-1)?.run ?? -1) + 1;
  return { type: 'end', runs: runs.length, next, stoppedBy, digest: d.value(), elapsedMs: 5, workers: 1, finishedAt: '2025-01-01T00:00:01.000Z' };
}

let n = 0;
function file(lines: (RecordLine | string)[]): string {
  const path = join(dir, `r${n++}.jsonl`);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

const runs = (from: number, to: number): RunRecord[] => Array.from({ length: to - from }, (_, k) => run(from + k));
const part = (from: number, to: number, extra: Partial<HeaderRecord> = {}): string => file([header(from, to, extra), ...runs(from, to), end(runs(from, to))]);
const message = (p: Promise<unknown>): Promise<string> => p.then(() => 'no error', (err: Error) => err.message);

describe('merge', () => {
  it('adds the runs up in index order, whatever order the files come in', async () => {
    const whole = new RunDigest();
    for (let i = 0; i < 10; i++) whole.add(hash(i));
    const merged = await mergeRecords([part(6, 10), part(0, 3), part(3, 6)]);
    expect([merged.result.digest, merged.result.runs, merged.result.stoppedBy]).toEqual([whole.value(), 10, 'runs']);
    expect(merged.result.paths.find((p) => p.name === 'insert')).toMatchObject({ count: 10, runs: 10 });
  });

  it('rejects inputs that are not one exploration, overlap or leave runs out', async () => {
    const a = part(0, 5);
    expect(await message(mergeRecords([a, part(5, 10, { exploration: { ...header(0, 0).exploration, seed: 8 } })]))).toMatch(/are not one exploration \(exploration\.seed: 7 vs 8\)$/);
    expect(await message(mergeRecords([a, part(5, 10, { provenance: { ...provenance(), commit: 'abc' } })]))).toMatch(/are not one exploration \(provenance\.commit: .* vs "abc"\)$/);
    expect(await message(mergeRecords([a, part(4, 8)]))).toMatch(/\(runs 0\.\.4\) and .* \(runs 4\.\.7\) overlap$/);
    expect(await message(mergeRecords([a, part(7, 9)]))).toMatch(/^runs 5\.\.6 are in no input/);
    const shard = (i: number) => part(i * 5, i * 5 + 5, { shard: { index: i + 1, count: 3, runs: 15 } });
    expect(await message(mergeRecords([shard(0), shard(2)]))).toBe('shard 2/3 of 15 runs missing: no input has it');
    expect(await message(mergeRecords([]))).toBe('merge needs at least one records file');
  });

  it('rejects malformed files, naming the file and line', async () => {
    const bad = file([header(0, 2), run(0), '{"type":"run","run":1}']);
    expect(await message(mergeRecords([bad]))).toBe(`${bad}: line 3: run record: / must have required property 'runSeed'`);
    const notJson = file(['{"type": "header",']);
    expect(await message(mergeRecords([notJson]))).toBe(`${notJson}: line 1: not valid JSON`);
    const gap = file([header(0, 3), run(0), run(2)]);
    expect(await message(mergeRecords([gap]))).toMatch(/line 3: run 2 where run 1 was due/);
    const tampered = file([header(0, 2), run(0), run(1), { ...end(runs(0, 2)), digest: hash(9) }]);
    expect(await message(mergeRecords([tampered]))).toMatch(/the end record's digest does not match the file's runs/);
    expect(await message(mergeRecords([join(dir, 'nope.jsonl')]))).toMatch(/cannot read .*nope\.jsonl: no such file$/);
    const failing = [run(0, 'safety-violation')];
    const size = { events: 0, nodes: 3, families: 0, durationMs: 1 };
    const counterexample = { type: 'counterexample', run: 0, invariant: 'replay-idempotence', shrunk: true, before: size, after: size, tries: 1, scenario: { version: 1 } } as const;
    const badScenario = file([header(0, 1), ...failing, counterexample, end(failing, 'failure')]);
    expect(await message(mergeRecords([badScenario]))).toBe(`${badScenario}: line 3: counterexample scenario: /seed is required`);
  });

  it('names the runs a shard did not get to, and cuts at the first failure like one run', async () => {
    const stopped = file([header(0, 5), ...runs(0, 2)]);
    const merged = await mergeRecords([stopped, part(5, 8)]);
    expect(merged.notRun).toEqual([`runs 2..4 (${stopped} has no end record: it was stopped before it finished)`]);
    expect(merged.result.stoppedBy).toBe('time');
    const failing = [run(0), run(1, 'safety-violation')];
    const cut = await mergeRecords([file([header(0, 4), ...failing, end(failing, 'failure')]), part(4, 8)]);
    expect([cut.result.runs, cut.result.stoppedBy, cut.result.failures.map((f) => f.index)]).toEqual([2, 'failure', [1]]);
  });
});
