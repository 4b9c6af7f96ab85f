// Where a result comes from: what ran (regsim's version and git commit, the
// exact dependency set by its lock-file hash, Node and fast-check) so that
// outputs of many machines are only merged when the same code produced them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';

export interface Provenance {
  regsim: string;
  /** The checkout's HEAD, or null outside a git checkout (e.g. an installed package). */
  commit: string | null;
  /** SHA-256 of package-lock.json, or null without one. */
  packageLock: string | null;
  node: string;
  fastCheck: string;
}

const ROOT = new URL('../../', import.meta.url);

const readOrNull = (file: string): Buffer | null => {
  try {
    return readFileSync(new URL(file, ROOT));
  } catch {
    return null;
  }
};

function gitCommit(): string | null {
  // Installed under a project's node_modules, git would name the project's commit, not regsim's.
  if (!existsSync(new URL('.git', ROOT))) return null;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}

/** regsim's own version (its package.json). */
export const regsimVersion = (): string => (JSON.parse(readOrNull('package.json')?.toString() ?? '{}') as { version?: string }).version ?? 'unknown';

let cached: Provenance | undefined;

export function provenance(): Provenance {
  if (cached) return cached;
  const lock = readOrNull('package-lock.json');
  const fastCheck = (createRequire(import.meta.url)('fast-check/package.json') as { version: string }).version;
  cached = {
    regsim: regsimVersion(),
    commit: gitCommit(),
    packageLock: lock === null ? null : createHash('sha256').update(lock).digest('hex'),
    node: process.version,
    fastCheck,
  };
  return cached;
}

/** The machine a result came from (a sighting's, not part of what must match). */
export const host = (): string => hostname();

/** One line for a text summary. */
export function formatProvenance(p: Provenance): string {
  const commit = p.commit === null ? 'no git commit' : `commit ${p.commit.slice(0, 12)}`;
  const lock = p.packageLock === null ? 'no package-lock' : `package-lock ${p.packageLock.slice(0, 12)}`;
  return `regsim ${p.regsim}, ${commit}, ${lock}, node ${p.node}, fast-check ${p.fastCheck}`;
}
