// `regsim explore`: the same seed gives the same runs (digest) whatever the
// number of workers, and a found failure is shrunk, saved and replayed by the
// one command it prints.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.ts';
import { ROOT, regsim, runPrinted, tempDir } from './regsim.ts';

interface ExploreJson {
  runs: number;
  digest: string;
  workers: number;
  verdict: string;
  violations: { run: number; invariant: string; scenarioFile: string; repro: string; events: { before: number; after: number } }[];
  elapsedMs: number;
  paths: Record<string, { count: number; runs: number }>;
  unreachedPaths: string[];
}

const json = (stdout: string): ExploreJson => JSON.parse(stdout) as ExploreJson;

describe('explore', () => {
  it('gives the same digest twice and for 1 or 2 workers', async () => {
    const args = ['explore', '--seed', '7', '--runs', '24', '--json', '--out-dir', tempDir()];
    const [one, again, two] = await Promise.all([regsim(...args, '--workers', '1'), regsim(...args, '--workers', '1'), regsim(...args, '--workers', '2')]);
    const [a, b, c] = [one, again, two].map((r) => json(r.stdout));
    expect(a?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.digest).toBe(a?.digest);
    expect(c?.digest).toBe(a?.digest);
    expect([a?.workers, c?.workers]).toEqual([1, 2]);
    expect(c?.runs).toBe(a?.runs);
    expect(c?.violations.map((v) => [v.run, v.invariant])).toEqual(a?.violations.map((v) => [v.run, v.invariant]));
    expect(Object.keys(a?.paths ?? {})).toContain('replay');
    // 24 runs do not reach every decision path: the verdict says so instead of "ok"
    expect(a?.verdict).toBe('inconclusive');
    expect(a?.unreachedPaths.length).toBeGreaterThan(0);
    expect(one.code).toBe(5);
  });

  it('gives the same digest through the external reference applier as with the built-in one', async () => {
    const args = ['explore', '--seed', '3', '--runs', '12', '--json', '--workers', '1', '--out-dir', tempDir()];
    const [builtin, external] = await Promise.all([
      regsim(...args),
      regsim(...args, '--applier', 'node bin/regsim-reference-applier.js'),
    ]);
    expect(json(external.stdout).digest).toBe(json(builtin.stdout).digest);
  });

  it('finds lte-rollback, shrinks and saves it, and the printed command reproduces it', async () => {
    const outDir = tempDir();
    const found = await regsim('explore', '--variant', 'lte-rollback', '--seed', '7', '--runs', '50', '--workers', '1', '--out-dir', outDir);
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/^verdict: safety-violation \(replay-idempotence at run \d+\)$/m);
    expect(found.stdout).toMatch(/^shrunk: \d+ events?, .* -> /m);
    const lines = found.stdout.trimEnd().split('\n');
    const repro = lines.at(-1) as string;
    expect(lines.at(-2)).toBe('reproduce with:');
    // Self-describing: the file names its variant, so the command needs no --variant.
    expect(repro).toMatch(new RegExp(`^npx regsim replay ${outDir}/lte-rollback-s7-r\\d+-[0-9a-f]{8}\\.json$`));
    const file = repro.split(' ')[3] as string;
    expect(existsSync(file)).toBe(true);
    const saved = loadScenario(readFileSync(file, 'utf8'));
    expect(saved.meta).toMatchObject({ variant: 'lte-rollback', config: 'hardened', invariant: 'replay-idempotence', regsim: expect.any(String), foundBy: { shrunk: true, run: expect.any(Number) } });
    expect(saved.meta?.foundBy.command).toMatch(/^npx regsim explore --seed 7 --from \d+ --to \d+ --variant lte-rollback --config hardened --workers 1$/);

    const replayed = await runPrinted(repro, '--json');
    expect(replayed.code).toBe(1);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ verdict: 'safety-violation', invariant: 'replay-idempotence' });
  });
});

describe('a run that cannot be judged', () => {
  it('is a harness error (exit 4) naming the run, ending with the command that runs it alone', async () => {
    const child = `node ${join(ROOT, 'test/external/fixtures/misbehave.mjs')} crash`;
    const r = await regsim('explore', '--seed', '3', '--runs', '5', '--workers', '2', '--applier', child);
    expect(r.code).toBe(4);
    const line = r.stderr.trim().split('\n').at(-1) as string;
    expect(line).toMatch(/^regsim: harness error: run \d+: .*exited with code 3.*; reproduce with: npx regsim explore --seed 3 --from (\d+) --to \d+ --variant correct --config hardened --applier '.*misbehave\.mjs crash' --workers 1$/);
    const [, run, from] = /run (\d+): .* --from (\d+) /.exec(line) ?? [];
    expect(from).toBe(run);
    // The printed command fails the same way.
    const again = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn('sh', ['-c', (line.split('reproduce with: ')[1] as string).replace('npx regsim', `node ${join(ROOT, 'bin/regsim.js')}`)], { cwd: ROOT });
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (code) => resolve({ code, stderr }));
    });
    expect(again.code).toBe(4);
    expect(again.stderr).toContain(`run ${run}: `);
  });
});
