// The command that runs the reference external applier (bin/regsim-reference-applier.js),
// i.e. our own applier, or one of its named variants, served over the protocol.
import { fileURLToPath } from 'node:url';

export function referenceApplierCommand(variant = 'correct'): string[] {
  return [
    process.execPath,
    fileURLToPath(new URL('../../bin/regsim-reference-applier.js', import.meta.url)),
    '--variant',
    variant,
  ];
}
