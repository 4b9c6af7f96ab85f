// Sharded exploration end to end: k shards run as separate processes, and
// `regsim merge` of their records gives what one unsharded run of the same
// seed gives (here computed in process, as `explore` runs it): the same
// digest, run count and first failure. Shards that find the same bug file one
// finding with a sighting each.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/index.ts';
import { listFindings, markKnown } from '../../src/findings/corpus.ts';
import { regsim, tempDir } from './regsim.ts';

interface Json {
  runs: number;
  digest: string;
  verdict: string;
  stoppedBy: string;
  violations: { run: number; invariant: string; scenarioFile: string }[];
  findings?: { status: string; sightings: number }[];
}
const json = (stdout: string): Json => JSON.parse(stdout) as Json;

const shardFiles = (dir: string, k: number): string[] => Array.from({ length: k }, (_, i) => join(dir, `shard-${i + 1}.jsonl`));

/** One unsharded exploration (as `regsim explore` runs it) and the merge of its k shards, each run by its own `regsim explore` process. */
async function wholeAndMerged(variant: string, seed: number, runs: number, k: number, mergeArgs: string[] = []) {
  const dir = tempDir();
  const files = shardFiles(dir, k);
  const args = ['--variant', variant, '--seed', String(seed), '--runs', String(runs), '--workers', '1'];
  const [whole, ...shards] = await Promise.all([
    explore({ seed, variant, config: 'hardened', guardSwarm: true, differential: variant !== 'correct', runs, workers: 1 }),
    ...files.map((file, i) => regsim('explore', ...args, '--shard', `${i + 1}/${k}`, '--records', file, '--json', '--out-dir', join(dir, `s${i}`))),
  ]);
  const merged = await regsim('merge', ...files, '--json', '--out-dir', join(dir, 'merged'), ...mergeArgs);
  return { whole, shards, merged, dir };
}

describe('merge of shards', () => {
  it('--shard 1/4 .. 4/4: the digest and run count of one unsharded run', async () => {
    const { whole, shards, merged } = await wholeAndMerged('correct', 7, 24, 4);
    expect(shards.map((s) => json(s.stdout).runs)).toEqual([6, 6, 6, 6]);
    const m = json(merged.stdout);
    expect([m.digest, m.runs, m.stoppedBy]).toEqual([whole.digest, 24, 'runs']);
    expect(m.verdict).toBe('inconclusive'); // 24 runs do not reach every judged path: the merged tallies say so
    expect(merged.code).toBe(5);
  });

  it('the first failure of one unsharded run; the shards that found the bug are one finding', async () => {
    const corpus = join(tempDir(), 'corpus');
    // Runs 0..5, 6..11, 12..17: shard 1 fails first (run 3), shards 2 and 3 too (runs 6 and 15, past the cut); all shrink to one shape.
    const { whole, merged, dir } = await wholeAndMerged('lte-rollback', 5, 18, 3, ['--corpus', corpus]);
    const m = json(merged.stdout);
    expect(whole.failures.map((f) => [f.index, f.invariant])).toEqual([[3, 'replay-idempotence']]);
    expect(m.violations.map((v) => [v.run, v.invariant])).toEqual([[3, 'replay-idempotence']]);
    expect([m.digest, m.runs, m.stoppedBy]).toEqual([whole.digest, whole.runs, 'failure']);
    expect(merged.code).toBe(1);

    const findings = listFindings(corpus);
    expect(findings.map((f) => [f.invariant, f.sightings.map((s) => [s.shard, s.run])])).toEqual([['replay-idempotence', [['1/3', 3], ['2/3', 6], ['3/3', 15]]]]);
    expect(m.findings).toEqual([expect.objectContaining({ status: 'new', sightings: 3 })]);
    const id = findings[0]?.id as string;
    const listed = await regsim('findings', corpus, '--fail-on-new');
    expect(listed.code).toBe(1);
    expect(listed.stdout).toMatch(new RegExp(`^NEW +${id} +lte-rollback +\\S+ \\S+ +3 +0 events, 3 nodes, .* npx regsim replay ${corpus}/${id}/scenario\\.json --variant lte-rollback$`, 'm'));
    // Marked known, it no longer fails a merge that sees it again (nor counts twice).
    markKnown(corpus, id, 'the historic <= bug', '2025-01-01T00:00:00.000Z');
    const again = await regsim('merge', ...shardFiles(dir, 3), '--corpus', corpus, '--out-dir', join(dir, 'again'));
    expect(again.code).toBe(5); // the known failure no longer counts: the runs before it are judged alone
    expect(again.stdout).toContain(`corpus: known finding ("the historic <= bug") ${id}, 3 sightings`);
  });
});
