// `regsim shrink <scenario.json> --out min.json`: make a failing scenario
// file as small as it goes while it keeps failing the same way (delta
// debugging over the document: a file has no generator to shrink through).
import { writeFileSync } from 'node:fs';
import { failsLike, formatSize, judge, minimizeScenario, scenarioSize } from '../explore/index.ts';
import { serializeScenario } from '../scenario/index.ts';
import { withApplier } from './applier-option.ts';
import { replayCommand } from './counterexample.ts';
import { EXIT, UsageError } from './errors.ts';
import { readScenarioFile, variantArg } from './scenario-options.ts';

/** The options as commander parsed them (see commands.ts). */
export interface ShrinkOptions {
  variant: string;
  out: string;
  budget: number;
  applier?: string;
}

export async function runShrink(path: string, opts: ShrinkOptions): Promise<void> {
  const variant = variantArg(opts.variant, opts.applier);
  const scenario = readScenarioFile(path);
  await withApplier(opts.applier, variant.applier, (factory) => {
    const applier = opts.applier === undefined ? undefined : factory;
    const spec = { variant: variant.name };
    const reference = judge(spec, scenario, applier);
    const top = reference.top;
    if (!top) throw new UsageError(`${path} passes with variant ${variant.name}: nothing to shrink`);
    const { scenario: min, tries } = minimizeScenario(scenario, failsLike(spec, reference, applier), opts.budget);
    try {
      writeFileSync(opts.out, serializeScenario(min));
    } catch (err) {
      throw new UsageError(`cannot write ${opts.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    process.stdout.write(
      `${reference.verdict} of ${top.invariant}\n` +
        `shrunk: ${formatSize(scenarioSize(scenario))} -> ${formatSize(scenarioSize(min))} (${tries} runs)\n` +
        `saved ${opts.out}\nreproduce with:\n${replayCommand(opts.out, variant.name, opts.applier)}\n`,
    );
    // The exit code is the verdict of what was written: it still fails.
    process.exitCode = reference.verdict === 'safety-violation' ? EXIT.safety : EXIT.liveness;
  });
}
