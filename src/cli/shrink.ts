// `regsim shrink <scenario.json> --out min.json`: make a failing scenario
// file as small as it goes while it keeps failing the same way (delta
// debugging over the document: a file has no generator to shrink through).
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { failsLike, formatSize, judge, minimizeScenario, MINIMIZE_BUDGET, scenarioSize } from '../explore/index.ts';
import { serializeScenario } from '../scenario/index.ts';
import { APPLIER_OPTION, withApplier } from './applier-option.ts';
import { replayCommand } from './counterexample.ts';
import { EXIT, UsageError } from './errors.ts';
import { readScenarioFile, positiveInt, variantArg } from './options.ts';

interface Options {
  variant: string;
  out: string;
  budget: number;
  applier?: string;
}

export function registerShrink(program: Command): void {
  program
    .command('shrink')
    .description('shrink a failing scenario to a smaller one that fails with the same invariant')
    .argument('<scenario.json>', 'failing scenario file')
    .requiredOption('--out <min.json>', 'where to write the shrunk scenario')
    .option('--variant <name>', 'bug variant to run (see regsim mutants)', 'correct')
    .option('--budget <n>', 'scenarios to try at most', positiveInt('--budget'), MINIMIZE_BUDGET)
    .option(...APPLIER_OPTION)
    .action(runShrink);
}

async function runShrink(path: string, opts: Options): Promise<void> {
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
