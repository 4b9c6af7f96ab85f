// Counterexample files say what they fail: `replay FILE` reproduces with no
// flags; names carry a content hash, so runs never overwrite each other's files.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCounterexampleFile, metaOf } from '../../src/counterexample/index.ts';
import { loadScenario, serializeScenario } from '../../src/scenario/index.ts';
import { regsim, runPrinted, tempDir } from './regsim.ts';

const FINDING = 'fixtures/findings/unregistered-epoch-reuse/scenario.json';
const scenario = loadScenario(readFileSync(FINDING, 'utf8'));
const found = (variant: string) => metaOf({ variant, invariant: 'no-nonce-reuse', foundBy: { command: 'npx regsim explore --seed 1', shrunk: true } });

describe('saveCounterexampleFile', () => {
  it('names a file by its content: the same save is one file, a different one another; no temporary file is left', () => {
    const dir = join(tempDir(), 'a', 'b');
    const one = saveCounterexampleFile(dir, 'x-s1-r0', scenario, found('correct'));
    expect(saveCounterexampleFile(dir, 'x-s1-r0', scenario, found('correct'))).toBe(one);
    const other = saveCounterexampleFile(dir, 'x-s1-r0', scenario, { ...found('correct'), foundBy: { command: 'x', shrunk: false } });
    expect(other).not.toBe(one);
    expect(readdirSync(dir).sort()).toEqual([one, other].map((f) => f.slice(dir.length + 1)).sort());
    expect(loadScenario(readFileSync(one, 'utf8')).meta?.variant).toBe('correct');
  });
});

describe('replay of a saved file', () => {
  const dir = tempDir();

  it('runs the variant the file names, unless --variant overrides it', async () => {
    const file = saveCounterexampleFile(dir, 'lte', scenario, found('lte-rollback'));
    const [named, overridden] = await Promise.all([regsim('replay', file, '--json'), regsim('replay', file, '--json', '--variant', 'correct')]);
    expect(JSON.parse(named.stdout).variant).toBe('lte-rollback');
    expect(JSON.parse(overridden.stdout).variant).toBe('correct');
    const text = await regsim('replay', file);
    expect(text.stdout).toMatch(/^variant +lte-rollback \(from the file\)$/m);
  });

  it('a file an external applier failed needs --applier (regsim runs no command a file names)', async () => {
    const file = saveCounterexampleFile(dir, 'ext', scenario, { ...found('correct'), applier: 'touch /tmp/pwned' });
    const run = await regsim('replay', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`regsim: ${file} failed the external applier "touch /tmp/pwned"; pass it with --applier to replay it (regsim never runs a command a file names)\n`);
  });

  it('an unknown meta field is bad input naming it', async () => {
    const file = join(dir, 'bad-meta.json');
    writeFileSync(file, serializeScenario({ ...scenario, meta: { ...found('correct'), extra: 1 } as never }));
    const run = await regsim('replay', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/scenario: \/meta\/extra is not a known field/);
  });
});

describe('shrink', () => {
  it('writes a file that names its variant and invariant; its printed command replays it with no flags', async () => {
    const dir = tempDir();
    const lte = saveCounterexampleFile(dir, 'in', scenario, found('correct'));
    const out = join(dir, 'min.json');
    const run = await regsim('shrink', lte, '--out', out, '--budget', '20');
    expect(run.code).toBe(1);
    const command = run.stdout.trimEnd().split('\n').at(-1) as string;
    expect(command).toBe(`npx regsim replay ${out}`);
    const meta = loadScenario(readFileSync(out, 'utf8')).meta;
    expect(meta).toMatchObject({ variant: 'correct', invariant: 'no-nonce-reuse', foundBy: { command: `npx regsim shrink ${lte} --out ${out}`, shrunk: true } });
    const replayed = await runPrinted(command, '--json');
    expect(JSON.parse(replayed.stdout)).toMatchObject({ verdict: 'safety-violation', invariant: 'no-nonce-reuse' });
  });
});
