// `--applier "cmd args..."`: every verb that runs an applier can point it at
// an out-of-process implementation (docs/external-applier.md). This module
// starts the child, hands the verb its factory, and always stops the child
// (the option itself is declared with each verb in commands.ts).
import { startExternalApplier } from '../external/index.ts';
import type { ExternalApplier, ExternalApplierOptions, RestartPolicy } from '../external/index.ts';
import type { ApplierFactory } from '../applier/types.ts';
import { UsageError } from './errors.ts';

/** `--restart-child [rate]` as commander gives it: absent, true (process starts only) or a rate. */
export type RestartChildOption = true | number | undefined;

/** The restart policy `--restart-child` asks for (undefined: never restart). */
function restartPolicy(option: RestartChildOption, command: string | undefined): RestartPolicy | undefined {
  if (option === undefined) return undefined;
  if (command === undefined) throw new UsageError('--restart-child restarts an external applier: it needs --applier');
  return option === true ? { onProcessStart: true } : { onProcessStart: true, rate: option };
}

/**
 * How the verbs run a child: restarted as `--restart-child` asks, and
 * speculating (every verb runs its simulations through runScenario, which
 * simulates a voided run again), so an apply waits for the child only when
 * the reference applier cannot predict it.
 */
export function childOptions(option: RestartChildOption, command: string | undefined): ExternalApplierOptions {
  const restarts = restartPolicy(option, command);
  return { speculate: true, ...(restarts === undefined ? {} : { restarts }) };
}

/** The words `--restart-child` adds to a printed command. */
export function restartWords(option: RestartChildOption): string {
  return option === undefined ? '' : option === true ? ' --restart-child' : ` --restart-child ${option}`;
}

/** Under main's FSM (`--config production`), a child that does not implement production main is bad input: one line, before any run. */
export function requireMainChild(external: Pick<ExternalApplier, 'applier' | 'command'>, mainFsm: boolean): void {
  if (mainFsm && external.applier !== 'production-main') {
    throw new UsageError(`external applier \`${external.command}\`: its hello says ${external.applier}, and main's FSM (the production configuration) needs production-main (protocol 2)`);
  }
}

/** The applier a verb should run: `builtin` unless `command` names an external one (which must implement main's FSM if `mainFsm`). */
export async function withApplier<T>(
  command: string | undefined,
  builtin: ApplierFactory,
  run: (factory: ApplierFactory, name: string | undefined) => T | Promise<T>,
  options: ExternalApplierOptions = {},
  mainFsm = false,
): Promise<T> {
  if (command === undefined) return run(builtin, undefined);
  const external = startExternalApplier(command, options);
  try {
    requireMainChild(external, mainFsm);
    return await run(external.factory, external.name);
  } finally {
    external.close();
  }
}
