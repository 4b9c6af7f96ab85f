// The property suites' figure: how many scenarios the default cluster suites
// run (properties/suites.ts, each suite split into SUITE_PARTS files) and,
// when asked, their wall time: vitest on those files only, as `npm test`
// runs them (in parallel over the cores), start-up included.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SUITES } from '../properties/suites.ts';
import { SUITE_PARTS, knobs, suitePart, suiteRuns } from '../properties/support.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

export interface SuitesFigure {
  files: number;
  scenarios: number;
  /** null: not run (bench --suites runs them). */
  wallMs: number | null;
  scenariosPerWallSecond: number | null;
}

function timeSuites(files: readonly string[]): number {
  process.stderr.write(`bench: running the property suites (vitest, ${files.length} files)...\n`);
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [VITEST, 'run', ...files], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`the property suites failed (vitest exited ${run.status}):\n${run.stdout}${run.stderr}`);
  return ms;
}

export function suitesFigure(run: boolean): SuitesFigure {
  const parts = Object.values(SUITES).flatMap((spec) => Array.from({ length: SUITE_PARTS }, (_, i) => suitePart(spec, i + 1)));
  const env = knobs();
  const scenarios = parts.reduce((n, part) => n + suiteRuns(part, env), 0);
  const wallMs = run ? timeSuites(parts.map((part) => part.file)) : null;
  return {
    files: parts.length,
    scenarios,
    wallMs: wallMs === null ? null : Math.round(wallMs),
    scenariosPerWallSecond: wallMs === null ? null : Math.round(scenarios / (wallMs / 1000)),
  };
}
