// This repository as a user gets it: `npm run build` (dist/), `npm pack`,
// then the tarball installed into a fresh project. Used by the package test
// and by the start-up figure of `npm run bench`. The pack runs no scripts: its
// prepare script would rebuild build/ under the workers of explorations
// running meanwhile (the other tests); prepack's build is run here instead.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface Packed {
  /** The fresh project, with regsim (and `deps`) in its node_modules. */
  project: string;
  tarball: string;
}

/** Packs the repository into a new temporary folder and installs the tarball, with `deps` beside it, into a project there. */
export function installPacked(deps: readonly string[] = []): Packed {
  const dir = mkdtempSync(join(tmpdir(), 'regsim-packed-'));
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
  const name = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (name === undefined) throw new Error(`npm pack left no tarball in ${dir}`);
  const tarball = join(dir, name);
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'regsim-consumer', private: true, type: 'module' })}\n`);
  const install = (mode: string): void => void execFileSync('npm', ['install', mode, '--no-audit', '--no-fund', tarball, ...deps], { cwd: project, stdio: 'pipe' });
  // The dependencies are in npm's cache once `npm ci` ran here; the registry only for what is not.
  try {
    install('--offline');
  } catch {
    install('--prefer-offline');
  }
  return { project, tarball };
}
