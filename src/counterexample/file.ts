// A counterexample file: a scenario document whose `meta` block says what it
// fails and how it was found, so that `regsim replay FILE` with no flags
// reproduces it. It is named by its content (a short hash: two different
// scenarios never share a name, the same one saved twice stays one file) and
// written to a temporary file renamed into place (src/files).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { formatCommand } from '../external/argv.ts';
import { makeDir, writeFileAtomic } from '../files/index.ts';
import { regsimVersion } from '../records/provenance.ts';
import { serializeScenario } from '../scenario/index.ts';
import type { Scenario, ScenarioMeta } from '../scenario/index.ts';

/** The meta block of a file saved now: what the caller knows, and this regsim's version. */
export const metaOf = (found: Omit<ScenarioMeta, 'regsim'>): ScenarioMeta => ({ ...found, regsim: regsimVersion() });

/** Saves `scenario` with `meta` as `<dir>/<stem>-<hash>.json` (the hash: 8 hex digits of the SHA-256 of its text); returns the path. */
export function saveCounterexampleFile(dir: string, stem: string, scenario: Scenario, meta: ScenarioMeta): string {
  const text = serializeScenario({ ...scenario, meta });
  const file = join(dir, `${stem}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}.json`);
  makeDir(dir);
  writeFileAtomic(file, text);
  return file;
}

/**
 * The command that replays `file`. A saved file names its own variant, so
 * `variant` is for what overrides it (or a file without a meta block); the
 * applier command is always given, since replay never runs a command a file names.
 */
export function replayCommand(file: string, opts: { variant?: string; applier?: string; config?: string } = {}): string {
  const variant = opts.variant === undefined ? [] : ['--variant', opts.variant];
  const preset = opts.config === undefined ? [] : ['--config', opts.config];
  const applier = opts.applier === undefined ? [] : ['--applier', opts.applier];
  return `npx regsim ${formatCommand(['replay', file, ...variant, ...preset, ...applier])}`;
}
