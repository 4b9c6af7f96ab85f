// Checks of user input that need the scenario layer (variants, scenario
// files). Kept apart from options.ts, which commander runs at parse time:
// only the verbs' implementations load this one.
import { loadPolicy, loadScenario, resolveVariant, ScenarioError } from '../scenario/index.ts';
import type { PolicyOverrides, ResolvedVariant, Scenario } from '../scenario/index.ts';
import { UsageError } from './errors.ts';
import { readInputFile } from './files.ts';

/** The variant called `name`; an unknown name is bad input (the message lists the known ones). */
export function variantArg(name: string, applierCommand?: string): ResolvedVariant {
  let variant: ResolvedVariant;
  try {
    variant = resolveVariant(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // An external applier replaces the variant's applier: only engine and lifecycle variants still mean something.
  if (applierCommand !== undefined && variant.layer === 'applier' && name !== 'correct') {
    throw new UsageError(`--variant ${name} is an applier variant; with --applier, pass it to the external applier command instead`);
  }
  return variant;
}

/**
 * The variant a saved scenario runs under: `--variant` if given, else the
 * one its meta block names (a counterexample file says what it fails), else
 * correct. A file that failed an external applier names that command, but
 * replay runs no command a file names: without `--applier`, that is bad input.
 */
export function fileVariant(path: string, scenario: Scenario, opts: { variant?: string; applier?: string }): { variant: ResolvedVariant; fromFile: boolean } {
  const meta = scenario.meta;
  if (opts.applier === undefined && meta?.applier !== undefined) {
    throw new UsageError(`${path} failed the external applier ${JSON.stringify(meta.applier)}; pass it with --applier to replay it (regsim never runs a command a file names)`);
  }
  const fromFile = opts.variant === undefined && meta !== undefined;
  return { variant: variantArg(opts.variant ?? meta?.variant ?? 'correct', opts.applier), fromFile };
}

/** The variant a replay command must name for `scenario`: none when the file names it already. */
export const variantFlag = (scenario: Scenario, variant: string): string | undefined => (variant === (scenario.meta?.variant ?? 'correct') ? undefined : variant);

/** A scenario file, loaded and checked; unreadable or invalid files are one-line usage errors. */
export function readScenarioFile(path: string): Scenario {
  const text = readInputFile(path, 'scenario file');
  try {
    return loadScenario(text);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  }
}

/** `--policy FILE.json`: policy fields on top of --config's, checked by the scenario schema's policy block. */
export function readPolicyFile(path: string): PolicyOverrides {
  const text = readInputFile(path, 'policy file');
  try {
    return loadPolicy(text);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  }
}
