// `regsim explore --compare "cmd"`: the exploration's scenarios under the
// built-in applier and under an external one, run by run, compared by
// behaviour (halt message text left out). Prints, for every run where they
// part, the first event that differs; then each side's behaviour digest.
// Exit 1 when any run differs.
import { performance } from 'node:perf_hooks';
import type { ApplierFactory } from '../applier/index.ts';
import { compareRun } from '../explore/compare.ts';
import type { RunComparison } from '../explore/compare.ts';
import type { RunSpec } from '../explore/index.ts';
import { RunDigest } from '../explore/seed.ts';
import { canonicalJson } from '../sim/trace.ts';
import { startExternalApplier } from '../external/index.ts';
import type { ExternalApplierOptions } from '../external/index.ts';
import { presetPolicy } from '../scenario/index.ts';
import { requireMainChild } from './applier-option.ts';
import { EXIT } from './errors.ts';
import { formatRange } from './range.ts';
import { startProgress } from './progress.ts';

export interface CompareRequest {
  spec: RunSpec;
  from: number;
  to: number;
  command: string;
  applierOptions: ExternalApplierOptions;
  json?: boolean;
}

export interface CompareSummary {
  runs: number;
  differing: number;
  /** SHA-256 over each side's behaviour hashes in run order (as explore's digest over trace hashes). */
  builtinDigest: string;
  externalDigest: string;
  differences: RunComparison[];
}

/** One line per differing run. */
export function differenceLine(c: RunComparison): string {
  const d = c.firstDifference;
  if (d === undefined) return `run ${c.run}: same behaviour`;
  const show = (e: unknown): string => (e === null ? '(trace ended)' : canonicalJson(e));
  return `run ${c.run}: first difference at event ${d.eventIndex}: built-in ${show(d.builtin)}; external ${show(d.external)}`;
}

/** Every run of the range under both appliers. */
function compareAll(req: CompareRequest, external: ApplierFactory, say: (text: string) => void): CompareSummary {
  const { spec, from, to } = req;
  const builtin = new RunDigest();
  const outside = new RunDigest();
  const differences: RunComparison[] = [];
  const progress = startProgress('compare', { runs: to - from });
  const started = performance.now();
  try {
    for (let run = from; run < to; run++) {
      const c = compareRun(spec, run, undefined, external);
      builtin.add(c.builtin.behaviourHash);
      outside.add(c.external.behaviourHash);
      if (!c.same) {
        differences.push(c);
        say(`${differenceLine(c)}\n`);
      }
      progress.update({ done: run - from + 1, failures: differences.length, elapsedMs: performance.now() - started });
    }
  } finally {
    progress.stop();
  }
  return { runs: to - from, differing: differences.length, builtinDigest: builtin.value(), externalDigest: outside.value(), differences };
}

export function runCompare(req: CompareRequest): void {
  const { spec, from, to } = req;
  const say = (text: string): void => void (req.json ? undefined : process.stdout.write(text));
  const ext = startExternalApplier(req.command, req.applierOptions);
  let summary: CompareSummary;
  try {
    requireMainChild(ext, presetPolicy(spec.config ?? 'hardened').fsm === 'main');
    say(`regsim explore --compare: seed ${spec.seed}, variant ${spec.variant}, config ${spec.config ?? 'hardened'}, ${formatRange(from, to)}, built-in against ${ext.name}\n`);
    summary = compareAll(req, ext.factory, say);
  } finally {
    ext.close();
  }
  if (req.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    say(`${summary.runs} runs compared, ${summary.differing} with a difference in behaviour (halt message text ignored)\n`);
    say(`behaviour digest  built-in ${summary.builtinDigest}\n                  external ${summary.externalDigest}\n`);
  }
  if (summary.differing > 0) process.exitCode = EXIT.safety;
}
