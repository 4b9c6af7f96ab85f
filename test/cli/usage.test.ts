// Every verb explains itself, and bad input gets one line naming what is
// wrong and exit 2, with no stack trace unless --debug.
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, regsim, tempDir } from './regsim.ts';

const VERBS = ['explore', 'merge', 'findings', 'replay', 'shrink', 'mutants', 'invariants', 'variants', 'conformance'];

it('every verb has --help', async () => {
  const runs = await Promise.all(VERBS.map((verb) => regsim(verb, '--help')));
  runs.forEach((run, i) => {
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: regsim ${VERBS[i]}`);
  });
  const top = await regsim('--help');
  for (const verb of VERBS) expect(top.stdout).toContain(verb);
});

describe('bad input', () => {
  const dir = tempDir();
  const notJson = join(dir, 'not-json.json');
  writeFileSync(notJson, '{"version": 1,');
  const missing = join(dir, 'missing.json');
  const scenario = (patch: string): string => `{"version":1,"seed":"s","durationMs":600000,"faultsEndMs":300,"cluster":{"nodes":["n1","n2","n3","n4","n5","n6","n7"]},"faults":{},"workload":{"kvWritesPerSec":1000},"events":[]${patch}}`;
  const huge = join(dir, 'huge.json');
  writeFileSync(huge, scenario(''));
  const twice = join(dir, 'twice.json');
  writeFileSync(twice, scenario(',"seed":"again"').replace('"kvWritesPerSec":1000', '"kvWritesPerSec":1'));
  const noVectors = join(dir, 'no-vectors.json');
  writeFileSync(noVectors, JSON.stringify({ codec: [], decodeErrors: [], deriveNodeId: [], sequences: [] }));

  // End to end: the plumbing from a bad value to one line on stderr and exit 2.
  const cases: [string, string[], RegExp][] = [
    ['unknown variant', ['explore', '--variant', 'nope', '--runs', '1'], /unknown variant "nope" \(known: correct, lte-rollback/],
    ['malformed scenario', ['replay', notJson], /not-json\.json: scenario: \/ is not valid JSON/],
    ['missing scenario file', ['replay', missing], /cannot read scenario file .*missing\.json: no such file/],
    ['--runs abc', ['explore', '--runs', 'abc'], /--runs must be a positive integer \(got "abc"\)/],
    ['--workers 0', ['explore', '--workers', '0'], /--workers must be an integer from 1 to \d+ \(4 per core on this machine\) \(got "0"\)/],
    ['--time 5x', ['explore', '--time', '5x'], /--time must be a duration like 500ms, 20s or 2m \(got "5x"\)/],
    ['--shard 0/4', ['explore', '--shard', '0/4'], /--shard must be i\/k with 1 <= i <= k, e\.g\. 1\/4 \(got "0\/4"\)/],
    ['unusable --corpus', ['merge', 'x.jsonl', '--corpus', '/dev/null/corpus'], /cannot use \/dev\/null\/corpus as a findings corpus: ENOTDIR/],
    ['--restart-child without --applier', ['explore', '--runs', '1', '--restart-child'], /--restart-child restarts an external applier: it needs --applier/],
    ['--restart-child 2', ['replay', missing, '--applier', 'x', '--restart-child', '2'], /--restart-child must be a rate above 0 and at most 1, e\.g\. 0\.01 \(got "2"\)/],
    ['unwritable --records', ['explore', '--runs', '1', '--records', '/nonexistent/dir/r.jsonl'], /cannot write records file \/nonexistent\/dir\/r\.jsonl: ENOENT/],
    // Found before any work starts (Node 20's recursive mkdir spins forever under /proc).
    ['--out-dir under /proc', ['explore', '--runs', '1', '--out-dir', '/proc/regsim-nope'], /^regsim: --out-dir \/proc\/regsim-nope: cannot save files there/],
    ['--out-dir a file', ['mutants', '--runs-per-variant', '1', '--only', 'lte-rollback', '--out-dir', '/dev/null/x'], /^regsim: --out-dir \/dev\/null\/x: cannot save files there \(not a directory\)/],
    ['--corpus under /proc', ['explore', '--runs', '1', '--corpus', '/proc/regsim-nope'], /^regsim: cannot use \/proc\/regsim-nope as a findings corpus: ENOENT/],
    ['--workers 1000', ['explore', '--workers', '1000'], /--workers must be an integer from 1 to \d+ \(4 per core on this machine\) \(got "1000"\)/],
    ['replay /dev/zero', ['replay', '/dev/zero'], /^regsim: scenario file \/dev\/zero is larger than 16 MiB$/],
    ['a directory as scenario', ['replay', '/tmp'], /^regsim: cannot read scenario file \/tmp: is a directory$/],
    ['--html in a missing folder', ['replay', 'fixtures/findings/unregistered-epoch-reuse/scenario.json', '--html', '/nonexistent/r.html'], /^regsim: --html \/nonexistent\/r\.html: cannot write there/],
    ['shrink --out in a missing folder', ['shrink', 'fixtures/findings/unregistered-epoch-reuse/scenario.json', '--out', '/nonexistent/min.json'], /^regsim: --out \/nonexistent\/min\.json: cannot write there/],
    ['mutants that run nothing', ['mutants', '--applier', 'node bin/regsim-reference-applier.js', '--only', 'lte-rollback'], /^regsim: no variant to run among --only lte-rollback \(--applier replaces the applier-layer variants\)$/],
    ['a scenario too large to run', ['replay', huge], /^regsim: .*huge\.json: scenario: \/workload\/kvWritesPerSec 1000 writes\/s over 600000 ms on 7 nodes is about 4,200,000 replicated writes, above the limit of 500,000/],
    ['a key given twice', ['replay', twice], /^regsim: .*twice\.json: scenario: \/seed is given twice \(JSON would keep only the last\)$/],
    ['--applier empty', ['explore', '--runs', '1', '--applier', ''], /^regsim: --applier: applier command is empty$/],
    ['--applier with an open quote', ['replay', missing, '--applier', '"x'], /^regsim: --applier: applier command has an unterminated " quote/],
    ['vectors with nothing to check', ['conformance', noVectors], /^regsim: .*no-vectors\.json has no vectors \(every section is empty\): nothing to check$/],
    ['vectors /dev/zero', ['conformance', '/dev/zero'], /^regsim: vectors file \/dev\/zero is larger than 16 MiB$/],
  ];

  it.each(cases)('%s: exit 2, one line', async (_name, args, message) => {
    const run = await regsim(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^regsim: /);
    expect(lines[0]).toMatch(message);
  });

  it('the benchmarks parse their flags as the command does: one line, exit 2', () => {
    const bench = spawnSync(process.execPath, ['--import', 'tsx', 'bench/main.ts', '--seconds', 'x'], { cwd: ROOT, encoding: 'utf8' });
    expect(bench.status).toBe(2);
    expect(bench.stderr).toBe('npm run bench --: --seconds must be a positive integer (got "x")\n');
  });

  it('an unknown option is a usage error too', async () => {
    const run = await regsim('explore', '--frobnicate');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('a bad --html is found before --trace is written', async () => {
    const trace = join(dir, 'never.jsonl');
    const run = await regsim('replay', 'fixtures/findings/unregistered-epoch-reuse/scenario.json', '--trace', trace, '--html', join(dir, 'missing', 'r.html'));
    expect(run.code).toBe(2);
    expect(existsSync(trace)).toBe(false);
  });

  it('--debug adds the stack', async () => {
    const run = await regsim('--debug', 'replay', missing);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(/^regsim: cannot read scenario file/);
    expect(run.stderr).toMatch(/\n\s+at /);
  });
});

it('a clone whose build/ is current runs the compiled JavaScript, not the sources through tsx', async () => {
  // npm test builds build/ first; editing a source here would make it stale for the other files' runs, so only this side is tested.
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', "console.log((await import('./bin/modules.js')).modulePath('cli/main'))"], { cwd: ROOT, encoding: 'utf8' });
  expect(probe.stderr).toBe('');
  expect(probe.stdout.trim()).toMatch(/\/build\/cli\/main\.js$/);
});
