// `regsim replay <scenario.json>`: run one scenario, print the verdict and
// the trace hash, and on a violation what broke and where; optionally write
// the canonical trace and the HTML report.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { headline } from '../explore/index.ts';
import { renderHtmlReport } from '../report/index.ts';
import { runScenario, serializeScenario } from '../scenario/index.ts';
import type { RunResult } from '../scenario/index.ts';
import { serializeTrace } from '../sim/trace.ts';
import { APPLIER_OPTION, withApplier } from './applier-option.ts';
import { replayCommand } from './counterexample.ts';
import { EXIT, UsageError } from './errors.ts';
import { colorOut, seconds, table } from './format.ts';
import { readScenarioFile, variantArg } from './options.ts';
import { showRun } from './show.ts';

interface Options {
  variant: string;
  json?: boolean;
  trace?: string;
  html?: string;
  timeline?: boolean;
  applier?: string;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('run one scenario and print its verdict and trace hash')
    .argument('<scenario.json>', 'scenario file (e.g. a counterexample saved by explore)')
    .option('--variant <name>', 'bug variant to run (see regsim mutants)', 'correct')
    .option('--json', 'print {verdict, invariant?, eventIndex?, traceHash, violations}')
    .option('--timeline', 'print the whole timeline (default: a window around the violation)')
    .option('--trace <out.jsonl>', 'write the canonical trace (one JSON event per line)')
    .option('--html <out.html>', 'write the self-contained HTML report')
    .option(...APPLIER_OPTION)
    .action(runReplay);
}

async function runReplay(path: string, opts: Options): Promise<void> {
  const variant = variantArg(opts.variant, opts.applier);
  const scenario = readScenarioFile(path);
  const result = await withApplier(opts.applier, variant.applier, (factory) =>
    runScenario(scenario, { variant: variant.name, applier: opts.applier === undefined ? undefined : factory }),
  );
  const top = headline(result);
  if (opts.trace !== undefined) write(opts.trace, serializeTrace(result.trace));
  if (opts.html !== undefined) {
    const repro = replayCommand(path, variant.name, opts.applier);
    const meta = { title: `regsim replay ${path}`, repro, scenarioJson: serializeScenario(scenario), verdict: result.verdict, traceHash: result.traceHash };
    write(opts.html, renderHtmlReport(result.trace, result.violations, meta));
  }
  if (opts.json) {
    const report = {
      verdict: result.verdict,
      ...(top ? { invariant: top.invariant, eventIndex: top.eventIndex } : {}),
      traceHash: result.traceHash,
      violations: result.violations.map(({ invariant, section, kind, eventIndex, node, message }) => ({ invariant, section, kind, eventIndex, node, message })),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(textReport(result, opts));
  }
  process.exitCode = result.verdict === 'safety-violation' ? EXIT.safety : result.verdict === 'liveness-violation' ? EXIT.liveness : EXIT.ok;
}

function textReport(result: RunResult, opts: Options): string {
  const facts = table([
    ['verdict', result.verdict],
    ['trace hash', result.traceHash],
    ['events', `${result.trace.length} over ${seconds(result.simulatedMs)} of virtual time`],
    ...(opts.trace !== undefined ? [['trace', opts.trace]] : []),
    ...(opts.html !== undefined ? [['report', opts.html]] : []),
  ]);
  const shown = showRun(result, { color: colorOut(), fullTimeline: opts.timeline });
  return shown === '' ? facts : `${facts}\n${shown}`;
}

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
