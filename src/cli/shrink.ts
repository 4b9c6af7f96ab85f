// `regsim shrink <scenario.json> --out min.json`: make a failing scenario
// file as small as it goes while it keeps failing the same way (delta
// debugging over the document: a file has no generator to shrink through).
import { metaOf, replayCommand } from '../counterexample/index.ts';
import { formatCommand } from '../external/argv.ts';
import { writeFileAtomic } from '../files/index.ts';
import { MINIMIZE_BUDGET } from '../explore/budgets.ts';
import { failsLike, formatSize, judge, minimizeScenario, scenarioSize } from '../explore/index.ts';
import { serializeScenario } from '../scenario/index.ts';
import { withApplier } from './applier-option.ts';
import { EXIT, UsageError } from './errors.ts';
import { checkOutputFile } from './files.ts';
import { fileVariant, readScenarioFile } from './scenario-options.ts';

/** The options as commander parsed them (see commands.ts). */
export interface ShrinkOptions {
  /** Absent: the variant the file names (a saved counterexample), else correct. */
  variant?: string;
  out: string;
  /** Scenarios to try at most (--budget: its old name). */
  runs?: number;
  budget?: number;
  json?: boolean;
  applier?: string;
}

export async function runShrink(path: string, opts: ShrinkOptions): Promise<void> {
  const scenario = readScenarioFile(path);
  const { variant } = fileVariant(path, scenario, opts);
  checkOutputFile(opts.out, '--out');
  await withApplier(opts.applier, variant.applier, (factory) => {
    const applier = opts.applier === undefined ? undefined : factory;
    const spec = { variant: variant.name };
    const reference = judge(spec, scenario, applier);
    const top = reference.top;
    if (!top) throw new UsageError(`${path} passes with variant ${variant.name}: nothing to shrink`);
    const { scenario: min, tries } = minimizeScenario(scenario, failsLike(spec, reference, applier), opts.runs ?? opts.budget ?? MINIMIZE_BUDGET);
    // The shrunk file says what it fails, as a saved counterexample does (the input's configuration, if it named one).
    const words = ['shrink', path, '--out', opts.out, ...(opts.variant === undefined ? [] : ['--variant', opts.variant]), ...(opts.applier === undefined ? [] : ['--applier', opts.applier])];
    const meta = metaOf({
      variant: variant.name,
      ...(scenario.meta?.config === undefined ? {} : { config: scenario.meta.config }),
      ...(opts.applier === undefined ? {} : { applier: opts.applier }),
      invariant: top.invariant,
      foundBy: { command: `npx regsim ${formatCommand(words)}`, shrunk: true },
    });
    try {
      writeFileAtomic(opts.out, serializeScenario({ ...min, meta }));
    } catch (err) {
      throw new UsageError(`cannot write ${opts.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const repro = replayCommand(opts.out, { applier: opts.applier });
    const [before, after] = [scenarioSize(scenario), scenarioSize(min)];
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ verdict: reference.verdict, invariant: top.invariant, before, after, runs: tries, file: opts.out, repro })}\n`
        : `${reference.verdict} of ${top.invariant}\n` +
            `shrunk: ${formatSize(before)} -> ${formatSize(after)} (${tries} runs)\n` +
            `saved ${opts.out}\nreproduce with:\n${repro}\n`,
    );
    // The exit code is the verdict of what was written: it still fails.
    process.exitCode = reference.verdict === 'safety-violation' ? EXIT.safety : EXIT.liveness;
  });
}
