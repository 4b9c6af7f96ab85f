// Sharded exploration end to end: k shards run as separate processes, and
// `regsim merge` of their records gives what one unsharded run of the same
// seed gives (here computed in process, as `explore` runs it): the same
// digest, run count and first failure. Shards that find the same bug file one
// finding with a sighting each.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/index.ts';
import { exploreRun } from '../../src/explore/run.ts';
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

  it('the first failure of one unsharded run; every shard that found the bug is a sighting in the corpus', async () => {
    const corpus = join(tempDir(), 'corpus');
    // Runs 0..5, 6..11, 12..17: each shard's first failure (the seed is one where every shard has one).
    const spec = { seed: 7, variant: 'lte-rollback', config: 'hardened' as const, guardSwarm: true, differential: true };
    const firsts = [0, 6, 12].map((from) => Array.from({ length: 6 }, (_, i) => from + i).find((i) => exploreRun(spec, i).verdict !== 'ok'));
    expect(firsts.every((f) => f !== undefined), `seed 7 no longer fails in every shard: ${JSON.stringify(firsts)}`).toBe(true);
    const { whole, merged, dir } = await wholeAndMerged('lte-rollback', spec.seed, 18, 3, ['--corpus', corpus]);
    const m = json(merged.stdout);
    expect(whole.failures.map((f) => [f.index, f.invariant])).toEqual([[firsts[0], 'replay-idempotence']]);
    expect(m.violations.map((v) => [v.run, v.invariant])).toEqual([[firsts[0], 'replay-idempotence']]);
    expect([m.digest, m.runs, m.stoppedBy]).toEqual([whole.digest, whole.runs, 'failure']);
    expect(merged.code).toBe(1);

    // One sighting per shard; shards whose failures shrink to one shape share a finding
    // (how many shapes there are is the shrinker's business: test/findings/ checks the grouping).
    const findings = listFindings(corpus);
    const sightings = findings.flatMap((f) => f.sightings.map((s) => [s.shard, s.run]));
    expect(sightings.sort()).toEqual(firsts.map((f, k) => [`${k + 1}/3`, f]).sort());
    expect(findings.every((f) => f.invariant === 'replay-idempotence')).toBe(true);
    expect(m.findings?.map((f) => f.status)).toEqual(findings.map(() => 'new'));
    expect(m.findings?.reduce((n, f) => n + f.sightings, 0)).toBe(3);
    const listed = await regsim('findings', corpus, '--fail-on-new');
    expect(listed.code).toBe(1);
    for (const f of findings) {
      expect(listed.stdout).toMatch(new RegExp(`^NEW +${f.id} +lte-rollback +\\S+ \\S+ +${f.sightings.length} +\\d+ events?, \\d nodes, .* npx regsim replay ${corpus}/${f.id}/scenario\\.json --variant lte-rollback$`, 'm'));
    }
    // Marked known, they no longer fail a merge that sees them again (nor count twice).
    for (const f of findings) markKnown(corpus, f.id, 'the historic <= bug', '2025-01-01T00:00:00.000Z');
    const again = await regsim('merge', ...shardFiles(dir, 3), '--corpus', corpus, '--out-dir', join(dir, 'again'));
    expect(again.code).toBe(5); // the known failure no longer counts: the runs before it are judged alone
    for (const f of findings) expect(again.stdout).toContain(`corpus: known finding ("the historic <= bug") ${f.id}, ${f.sightings.length} sighting`);
  });
});
