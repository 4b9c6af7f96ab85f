// `--applier "cmd args..."`: every verb that runs an applier can point it at
// an out-of-process implementation (docs/external-applier.md). This module
// starts the child, hands the verb its factory, and always stops the child
// (the option itself is declared with each verb in commands.ts).
import { startExternalApplier } from '../external/index.ts';
import type { ApplierFactory } from '../applier/types.ts';

/** The applier a verb should run: `builtin` unless `command` names an external one. */
export async function withApplier<T>(
  command: string | undefined,
  builtin: ApplierFactory,
  run: (factory: ApplierFactory, name: string | undefined) => T | Promise<T>,
): Promise<T> {
  if (command === undefined) return run(builtin, undefined);
  const external = startExternalApplier(command);
  try {
    return await run(external.factory, external.name);
  } finally {
    external.close();
  }
}
