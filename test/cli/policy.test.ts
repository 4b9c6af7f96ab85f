// `--policy FILE.json`: a design change explored from the command line. The
// file changes policy fields on top of --config's (checked by the scenario
// schema's policy block); it reaches every run, the records and merge, and
// the command that finds a failure again names it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/scenario/index.ts';
import { regsim, tempDir } from './regsim.ts';

const dir = tempDir();
const policy = join(dir, 'no-guards.json');
writeFileSync(policy, JSON.stringify({ guards: { rollback: false, collision: false }, registerMaxAttempts: 1 }));
const json = (stdout: string) => JSON.parse(stdout) as { digest: string; policy?: string; violations: { scenarioFile: string }[] };

describe('loadPolicy', () => {
  it('takes the fields of a scenario policy block; an unknown or ill-typed field is named by its pointer', () => {
    expect(loadPolicy('{"nonces":{"applies":"after-registration-committed"}}')).toEqual({ nonces: { applies: 'after-registration-committed' } });
    expect(() => loadPolicy('{"guards":{"rollbak":false}}')).toThrow(/^policy: \/guards\/rollbak is not a known field$/);
    expect(() => loadPolicy('{"registerMaxAttempts":0}')).toThrow(/^policy: \/registerMaxAttempts must be >= 1$/);
    expect(() => loadPolicy('{"guards":{},"guards":{}}')).toThrow(/^policy: \/guards is given twice/);
    expect(() => loadPolicy('{')).toThrow(/^policy: \/ is not valid JSON/);
  });
});

describe('explore --policy', () => {
  it('changes the runs; the records carry it, and merge gives the same digest and the same counterexample', async () => {
    const out = tempDir();
    const records = join(out, 'r.jsonl');
    const args = ['explore', '--variant', 'lte-rollback', '--seed', '7', '--runs', '5', '--workers', '1', '--json'];
    const [plain, changed] = await Promise.all([regsim(...args, '--out-dir', tempDir()), regsim(...args, '--policy', policy, '--out-dir', out, '--records', records)]);
    expect(json(changed.stdout).digest).not.toBe(json(plain.stdout).digest);
    expect(json(changed.stdout).policy).toBe(policy);
    const header = JSON.parse(readFileSync(records, 'utf8').split('\n')[0] as string);
    expect(header.exploration.policy).toEqual({ file: policy, overrides: { guards: { rollback: false, collision: false }, registerMaxAttempts: 1 } });
    const file = json(changed.stdout).violations[0]?.scenarioFile as string;
    const meta = JSON.parse(readFileSync(file, 'utf8')).meta;
    expect(meta.config).toBe(`hardened + ${policy}`);
    expect(meta.foundBy.command).toContain(`--config hardened --policy ${policy} `);
    const merged = await regsim('merge', records, '--json', '--out-dir', tempDir());
    expect(json(merged.stdout).digest).toBe(json(changed.stdout).digest);
    expect(json(merged.stdout).violations[0]?.scenarioFile.split('/').at(-1)).toBe(file.split('/').at(-1));
  });

  it('a bad policy file is one line, exit 2, before any run', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"guards":{"rollbak":false}}');
    const [explore, mutants] = await Promise.all([regsim('explore', '--policy', bad, '--runs', '1'), regsim('mutants', '--policy', join(dir, 'none.json'), '--runs', '1')]);
    expect([explore.code, explore.stdout, explore.stderr]).toEqual([2, '', `regsim: ${bad}: policy: /guards/rollbak is not a known field\n`]);
    expect([mutants.code, mutants.stderr]).toEqual([2, `regsim: cannot read policy file ${join(dir, 'none.json')}: no such file\n`]);
  });
});
