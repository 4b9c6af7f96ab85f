// The findings corpus: one finding per signature, sightings counted once per
// (seed, run, commit), marked known with a note; `regsim findings` lists them
// and fails CI (--fail-on-new) only while one is not marked known.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runFindings } from '../../src/cli/findings.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { fileFinding, listFindings, markKnown } from '../../src/findings/corpus.ts';
import type { Seen } from '../../src/findings/corpus.ts';
import { scenarioSize } from '../../src/explore/index.ts';
import { loadScenario } from '../../src/scenario/index.ts';
import { tempDir } from '../cli/regsim.ts';

const scenario = loadScenario(readFileSync(new URL('../../docs/example-lte-rollback.json', import.meta.url), 'utf8'));
const seen = (run: number, at: string, s = scenario): Seen => ({
  invariant: 'replay-idempotence',
  variant: 'lte-rollback',
  config: 'hardened',
  applier: null,
  scenario: s,
  size: scenarioSize(s),
  sighting: { at, host: 'h', seed: 7, run, runSeed: '0000000000000001', commit: 'c', regsim: '0.1.0' },
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function output(fn: () => void): string {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  fn();
  vi.restoreAllMocks();
  return out;
}

describe('findings corpus', () => {
  it('files the same bug once, with one sighting per run, however often it is merged', () => {
    const dir = join(tempDir(), 'corpus');
    expect(fileFinding(dir, seen(3, '2025-01-02T00:00:00Z')).status).toBe('new');
    expect(fileFinding(dir, seen(3, '2025-01-02T00:00:00Z')).status).toBe('seen');
    const renamed = { ...scenario, cluster: { nodes: ['a', 'b', 'c'] }, seed: 'other' };
    const third = fileFinding(dir, seen(9, '2025-01-01T00:00:00Z', renamed));
    expect([third.status, third.finding.sightings.map((s) => s.run), third.finding.firstSeen]).toEqual(['seen', [3, 9], '2025-01-01T00:00:00Z']);
    expect(listFindings(dir)).toHaveLength(1);
  });

  it('lists findings, marks one known, and fails on new ones only while unmarked', () => {
    const dir = join(tempDir(), 'corpus');
    const { finding } = fileFinding(dir, seen(3, '2025-01-02T00:00:00Z'));
    const listed = output(() => runFindings(dir, { failOnNew: true }));
    expect(listed).toMatch(new RegExp(`^NEW +${finding.id} +lte-rollback +2025-01-02 00:00:00 +1 +0 events, 3 nodes, 1 fault family, 225 ms +npx regsim replay ${dir}/${finding.id}/scenario\\.json --variant lte-rollback$`, 'm'));
    expect(listed).toContain('1 findings, 1 not marked known');
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(() => runFindings(dir, { known: finding.id })).toThrow(UsageError);
    expect(() => runFindings(dir, { known: 'nope', note: 'x' })).toThrow(`no finding nope in ${dir} (known ids: ${finding.id})`);
    expect(output(() => runFindings(dir, { known: finding.id, note: 'issue 12' }))).toBe(`${finding.id} marked known: issue 12\n`);
    expect(output(() => runFindings(dir, { failOnNew: true }))).toContain(`${finding.id}: known: issue 12`);
    expect(process.exitCode).toBeUndefined();
    expect(markKnown(dir, finding.id, 'again', 'now').known?.note).toBe('again');
    expect(output(() => runFindings(join(dir, 'none'), {}))).toBe(`no findings in ${join(dir, 'none')}\n`);
  });
});
