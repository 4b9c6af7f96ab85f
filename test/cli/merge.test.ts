// Sharded exploration end to end: k shards run as separate processes, and
// `regsim merge` of their records gives what one unsharded run gives: the
// same digest, run count and first failure (and the same counterexample).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFindings, markKnown } from '../../src/findings/corpus.ts';
import { regsim, tempDir } from './regsim.ts';

interface Json {
  runs: number;
  digest: string;
  verdict: string;
  stoppedBy: string;
  violations: { run: number; invariant: string; scenarioFile: string }[];
}
const json = (stdout: string): Json => JSON.parse(stdout) as Json;

const shardFiles = (dir: string, k: number): string[] => Array.from({ length: k }, (_, i) => join(dir, `shard-${i + 1}.jsonl`));

/** `explore` unsharded and as k shards (each its own process), and the merge of the shards. */
async function shardedAndWhole(args: string[], k: number, mergeArgs: string[] = []) {
  const dir = tempDir();
  const shards = Array.from({ length: k }, (_, i) => `${i + 1}/${k}`);
  const files = shardFiles(dir, k);
  const runs = await Promise.all([
    regsim('explore', ...args, '--workers', '2', '--json', '--out-dir', join(dir, 'whole')),
    ...shards.map((s, i) => regsim('explore', ...args, '--shard', s, '--workers', '1', '--records', files[i] as string, '--json', '--out-dir', join(dir, `s${i}`))),
  ]);
  const merged = await regsim('merge', ...files, '--json', '--out-dir', join(dir, 'merged'), ...mergeArgs);
  return { whole: runs[0] as (typeof runs)[number], shards: runs.slice(1), merged, dir };
}

describe('merge of shards', () => {
  it('gives the digest and run count of one unsharded run', async () => {
    const { whole, shards, merged } = await shardedAndWhole(['--seed', '7', '--runs', '24'], 3);
    const [w, m] = [json(whole.stdout), json(merged.stdout)];
    expect(shards.map((s) => json(s.stdout).runs)).toEqual([8, 8, 8]);
    expect(m.digest).toBe(w.digest);
    expect(m.runs).toBe(24);
    expect([m.verdict, m.stoppedBy]).toEqual([w.verdict, 'runs']);
    expect(merged.code).toBe(whole.code);
  });

  it('gives the first failure of one unsharded run, with the same counterexample; the shards that found the bug are one finding', async () => {
    const corpus = join(tempDir(), 'corpus');
    const { whole, merged, dir } = await shardedAndWhole(['--variant', 'lte-rollback', '--seed', '5', '--runs', '24'], 4, ['--corpus', corpus]);
    const [w, m] = [json(whole.stdout), json(merged.stdout)];
    // run 6: the first run of shard 2/4; shards 3 and 4 fail too, past the cut
    expect(w.violations.map((v) => v.run)).toEqual([6]);
    expect(m.violations.map((v) => [v.run, v.invariant])).toEqual(w.violations.map((v) => [v.run, v.invariant]));
    expect([m.digest, m.runs, m.stoppedBy]).toEqual([w.digest, w.runs, 'failure']);
    const saved = (j: Json): string => readFileSync(j.violations[0]?.scenarioFile as string, 'utf8');
    expect(saved(m)).toBe(saved(w));
    expect(merged.code).toBe(1);

    // Shards 2, 3 and 4 each found and shrank the same bug: one finding, three sightings.
    const findings = listFindings(corpus);
    expect(findings.map((f) => [f.invariant, f.sightings.map((s) => s.shard)])).toEqual([['replay-idempotence', ['2/4', '3/4', '4/4']]]);
    expect((JSON.parse(merged.stdout) as { findings: unknown[] }).findings).toEqual([expect.objectContaining({ status: 'new', sightings: 3 })]);
    const id = findings[0]?.id as string;
    const listed = await regsim('findings', corpus, '--fail-on-new');
    expect(listed.code).toBe(1);
    expect(listed.stdout).toMatch(new RegExp(`^NEW +${id} +lte-rollback +\\S+ \\S+ +3 +0 events, 3 nodes, .* npx regsim replay ${corpus}/${id}/scenario\\.json --variant lte-rollback$`, 'm'));
    // Marked known, it no longer fails a merge that sees it again.
    markKnown(corpus, id, 'the historic <= bug', '2025-01-01T00:00:00.000Z');
    const again = await regsim('merge', ...shardFiles(dir, 4), '--corpus', corpus, '--out-dir', join(dir, 'again'));
    expect(again.code).toBe(5); // the known failure no longer counts: the runs before it are judged alone
    expect(again.stdout).toContain(`corpus: known finding ("the historic <= bug") ${id}, 3 sightings`);
  });
});
