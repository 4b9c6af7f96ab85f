// The package as a user gets it: packed, installed into a fresh project, and
// used there from a vitest suite in TypeScript (type-checked by the user's
// strict tsc), from plain Node, and as the `regsim` command, whose workers
// and external-applier keeper run compiled JavaScript (the package has no
// sources and no tsx).
import { execFile } from 'node:child_process';
import type { ExecFileException } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPacked } from '../../scripts/packed.ts';
import type { Packed } from '../../scripts/packed.ts';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import { ROOT, regsim } from '../cli/regsim.ts';
import type { Run } from '../cli/regsim.ts';

const CONSUMER = new URL('./consumer/', import.meta.url);

/** The environment of a user's shell: none of this vitest run's own variables. */
const userEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|NODE_V8_COVERAGE|NODE_OPTIONS|FORCE_COLOR$|TEST$|NODE_ENV$)/.test(k))),
  NO_COLOR: '1',
};

let packed: Packed;
const inProject = (file: string, args: string[]): Promise<Run> =>
  new Promise((resolve) =>
    execFile(process.execPath, [file, ...args], { cwd: packed.project, env: userEnv, encoding: 'utf8' }, (err: ExecFileException | null, stdout, stderr) =>
      resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr }),
    ),
  );
const bin = (name: string): string => join(packed.project, 'node_modules', '.bin', name);
const regsimInstalled = (...args: string[]) => inProject(bin('regsim'), args);

beforeAll(() => {
  packed = installPacked(['vitest@4.1.12', 'typescript@7.0.2', '@types/node@20.19.43']);
  cpSync(CONSUMER, packed.project, { recursive: true });
}, 300_000);

afterAll(() => {
  if (packed !== undefined) rmSync(dirname(packed.project), { recursive: true, force: true });
});

describe('the packed tarball, installed into a fresh project', () => {
  it('ships compiled JavaScript with declarations, no sources and no tsx', () => {
    const pkg = join(packed.project, 'node_modules', 'regsim');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { exports: unknown; dependencies: Record<string, string> };
    expect(manifest.exports).toEqual({ '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' });
    expect(readFileSync(join(pkg, 'dist/index.d.ts'), 'utf8')).toContain('runScenario');
    expect(() => readFileSync(join(pkg, 'src/index.ts'))).toThrow(/ENOENT/);
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
  });

  it("passes the user's strict tsc", async () => {
    await expect(inProject(bin('tsc'), ['-p', '.'])).resolves.toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it("runs the user's vitest suite over the public API; its saved failure replays", async () => {
    const suite = await inProject(bin('vitest'), ['run']);
    expect(suite).toMatchObject({ code: 0, stdout: expect.stringMatching(/Tests +3 passed/) });
    const [saved, ...more] = readdirSync(join(packed.project, 'regsim-failures'));
    expect(more).toEqual([]);
    const replay = regsimInstalled('replay', join('regsim-failures', saved as string), '--variant', 'lte-rollback');
    await expect(replay).resolves.toMatchObject({ code: 1, stdout: expect.stringMatching(/verdict +safety-violation/) });
  });

  it('works from plain Node, with the trace hashes of the sources', async () => {
    const { stdout } = await inProject('plain.mjs', []);
    const scenario = loadScenario(readFileSync(new URL('scenario.json', CONSUMER), 'utf8'));
    const fromSources = runScenario(scenario, { variant: 'lte-rollback' });
    expect(JSON.parse(stdout)).toMatchObject({ verdict: 'safety-violation', traceHash: fromSources.traceHash, rejudged: fromSources.violations.length });
  });

  it('is the regsim command: --version, explore on worker threads with the digest of the sources, the reference applier', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    await expect(regsimInstalled('--version')).resolves.toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const args = ['explore', '--seed', '3', '--runs', '16', '--workers', '2', '--json'];
    const [installed, sources] = await Promise.all([regsimInstalled(...args), regsim(...args)]);
    expect(installed.code).toBe(sources.code);
    expect(JSON.parse(installed.stdout).digest).toBe(JSON.parse(sources.stdout).digest);
    const reference = `node ${join(packed.project, 'node_modules/regsim/bin/regsim-reference-applier.js')}`;
    const conformance = await regsimInstalled('conformance', join(ROOT, 'fixtures/applier-conformance.json'), '--applier', reference);
    expect(conformance.stdout).toMatch(/^251 passed, 0 failed$/m);
  });
});
