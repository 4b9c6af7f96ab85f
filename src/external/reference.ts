// The command that runs the reference external applier (bin/regsim-reference-applier.js),
// i.e. our own applier, or one of its named variants, served over the protocol.
import { fileURLToPath } from 'node:url';

export interface ReferenceOptions {
  /** Serve production main's applier (protocol 2 only) instead of Stage 6A's. */
  main?: boolean;
  /** The deliberate statelessness bug: rows cached across applies and nodes. */
  cacheRows?: boolean;
  /** Leave requests ahead out (a child without them; default false). */
  noAhead?: boolean;
}

export function referenceApplierCommand(variant = 'correct', opts: ReferenceOptions = {}): string[] {
  return [
    process.execPath,
    fileURLToPath(new URL('../../bin/regsim-reference-applier.js', import.meta.url)),
    '--variant',
    variant,
    ...(opts.main ? ['--main'] : []),
    ...(opts.cacheRows ? ['--cache-rows'] : []),
    ...(opts.noAhead ? ['--no-ahead'] : []),
  ];
}
