// Checks of user input that need the scenario layer (variants, scenario
// files). Kept apart from options.ts, which commander runs at parse time:
// only the verbs' implementations load this one.
import { readFileSync } from 'node:fs';
import { loadScenario, resolveVariant, ScenarioError } from '../scenario/index.ts';
import type { ResolvedVariant, Scenario } from '../scenario/index.ts';
import { UsageError } from './errors.ts';

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

/** A scenario file, loaded and checked; unreadable or invalid files are one-line usage errors. */
export function readScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read scenario file ${path}${code === 'ENOENT' ? ': no such file' : `: ${(err as Error).message}`}`);
  }
  try {
    return loadScenario(text);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  }
}
