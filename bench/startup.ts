// The start-up figure: `regsim --help` of the package as a user installs it
// (scripts/packed.ts: packed, installed into a fresh project, so compiled
// JavaScript) against `node -e 0`, the floor every Node command pays. Wall
// times are medians of several spawns (the machine may be shared).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { installPacked } from '../scripts/packed.ts';

/** `--help` may take at most this many times `node -e 0`. */
export const STARTUP_TARGET_RATIO = 3;

export interface StartupFigure {
  helpMs: number;
  nodeMs: number;
  ratio: number;
  samples: number;
}

function medianSpawnMs(args: string[], cwd: string, samples: number): number {
  const times = Array.from({ length: samples }, () => {
    const t0 = performance.now();
    const run = spawnSync(process.execPath, args, { cwd, stdio: 'ignore' });
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}`);
    return performance.now() - t0;
  }).sort((a, b) => a - b);
  return times[(times.length - 1) >> 1] as number;
}

export function startupFigure(samples = 9): StartupFigure {
  const { project } = installPacked();
  try {
    const bin = join(project, 'node_modules', 'regsim', 'bin', 'regsim.js');
    medianSpawnMs([bin, '--help'], project, 1); // the first load reads the files from disk
    const helpMs = medianSpawnMs([bin, '--help'], project, samples);
    const nodeMs = medianSpawnMs(['-e', '0'], project, samples);
    return { helpMs: Math.round(helpMs), nodeMs: Math.round(nodeMs), ratio: Math.round((helpMs / nodeMs) * 100) / 100, samples };
  } finally {
    rmSync(dirname(project), { recursive: true, force: true });
  }
}
