// Exploration progress on stderr (stdout stays for the result): a bar on a
// terminal, a plain line every couple of seconds otherwise (CI logs).
import cliProgress from 'cli-progress';
import { plural } from './format.ts';

export interface ProgressUpdate {
  done: number;
  failures: number;
  elapsedMs: number;
}

export interface Progress {
  update(p: ProgressUpdate): void;
  stop(): void;
}

const LINE_EVERY_MS = 2000;

/** `budget`: the run count or the wall time the exploration is bounded by. */
export function startProgress(label: string, budget: { runs?: number; timeMs?: number }): Progress {
  const rate = (p: ProgressUpdate): string => (p.elapsedMs > 0 ? ((p.done * 1000) / p.elapsedMs).toFixed(1) : '0');
  if (process.stderr.isTTY !== true) {
    let last = 0;
    return {
      update(p) {
        if (p.elapsedMs - last < LINE_EVERY_MS) return;
        last = p.elapsedMs;
        const of = budget.runs !== undefined ? `/${budget.runs}` : '';
        process.stderr.write(`${label}: ${p.done}${of} runs, ${plural(p.failures, 'violation')}, ${(p.elapsedMs / 1000).toFixed(0)} s, ${rate(p)} runs/s\n`);
      },
      stop() {},
    };
  }
  // By runs when there is a run budget, else by seconds of the wall-time budget.
  const byRuns = budget.runs !== undefined;
  const total = byRuns ? (budget.runs as number) : Math.ceil((budget.timeMs ?? 0) / 1000);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {percentage}% | {runs} runs | {failures} | {rate} runs/s`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { runs: 0, failures: plural(0, 'violation'), rate: '0' });
  return {
    update(p) {
      const value = byRuns ? p.done : Math.min(total, Math.floor(p.elapsedMs / 1000));
      bar.update(value, { runs: p.done, failures: plural(p.failures, 'violation'), rate: rate(p) });
    },
    stop: () => bar.stop(),
  };
}
