// `regsim replay <scenario.json>`: run one scenario, print the verdict and
// the trace hash, and on a violation what broke and where; optionally write
// the canonical trace and the HTML report.
import { writeFileSync } from 'node:fs';
import { headline } from '../explore/index.ts';
import { renderHtmlReport } from '../report/index.ts';
import { presetPolicy, runScenario, serializeScenario } from '../scenario/index.ts';
import type { PolicyPresetName, RunResult } from '../scenario/index.ts';
import { serializeTrace } from '../sim/trace.ts';
import { childOptions, withApplier } from './applier-option.ts';
import type { RestartChildOption } from './applier-option.ts';
import { replayCommand } from '../counterexample/index.ts';
import { EXIT, UsageError } from './errors.ts';
import { checkOutputFile } from './files.ts';
import { colorOut, seconds, table } from './format.ts';
import { fileVariant, readScenarioFile, variantFlag } from './scenario-options.ts';
import { showRun } from './show.ts';

/** The options as commander parsed them (see commands.ts). */
export interface ReplayOptions {
  /** Absent: the variant the file names (a saved counterexample), else correct. */
  variant?: string;
  /** Run under this preset's policy instead of the scenario's own. */
  config?: PolicyPresetName;
  json?: boolean;
  trace?: string;
  html?: string;
  timeline?: boolean;
  applier?: string;
  restartChild?: RestartChildOption;
}

export async function runReplay(path: string, opts: ReplayOptions): Promise<void> {
  const read = readScenarioFile(path);
  const { variant, fromFile } = fileVariant(path, read, opts);
  const scenario = opts.config === undefined ? read : { ...read, policy: presetPolicy(opts.config) };
  if (opts.trace !== undefined) checkOutputFile(opts.trace, '--trace');
  if (opts.html !== undefined) checkOutputFile(opts.html, '--html');
  const result = await withApplier(
    opts.applier,
    variant.applier,
    (factory) => runScenario(scenario, { variant: variant.name, applier: opts.applier === undefined ? undefined : factory }),
    childOptions(opts.restartChild, opts.applier),
    scenario.policy?.fsm === 'main',
  );
  const top = headline(result);
  if (opts.trace !== undefined) write(opts.trace, serializeTrace(result.trace));
  if (opts.html !== undefined) {
    const repro = replayCommand(path, { variant: variantFlag(read, variant.name), applier: opts.applier, config: opts.config });
    const meta = { title: `regsim replay ${path}`, repro, scenarioJson: serializeScenario(scenario), verdict: result.verdict, traceHash: result.traceHash };
    write(opts.html, renderHtmlReport(result.trace, result.violations, meta));
  }
  if (opts.json) {
    const report = {
      verdict: result.verdict,
      variant: variant.name,
      ...(top ? { invariant: top.invariant, eventIndex: top.eventIndex } : {}),
      traceHash: result.traceHash,
      violations: result.violations.map(({ invariant, section, kind, eventIndex, node, message }) => ({ invariant, section, kind, eventIndex, node, message })),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(textReport(result, opts, fromFile ? `${variant.name} (from the file)` : variant.name));
  }
  process.exitCode = result.verdict === 'safety-violation' ? EXIT.safety : result.verdict === 'liveness-violation' ? EXIT.liveness : EXIT.ok;
}

function textReport(result: RunResult, opts: ReplayOptions, variant: string): string {
  const facts = table([
    ['verdict', result.verdict],
    ...(opts.config !== undefined ? [['config', `${opts.config} (in place of the scenario's own policy)`]] : []),
    ['variant', variant],
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
