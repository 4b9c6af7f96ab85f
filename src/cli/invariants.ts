// `regsim invariants`: what the oracle checks, each invariant with its
// meaning and the design-doc sections it protects, and the fault model that
// drives the system towards breaking them (--faults).
import type { Command } from 'commander';
import { catalogMarkdown, INVARIANTS } from '../model/invariant-catalog.ts';
import { FAULTS, faultsMarkdown } from '../sim/fault-catalog.ts';

interface InvariantsOptions {
  json?: boolean;
  markdown?: boolean;
  faults?: boolean;
}

export function registerInvariants(program: Command): void {
  program
    .command('invariants')
    .description('list the invariants the oracle checks, what each means and what it protects (--faults: the fault model)')
    .option('--faults', 'list the simulated faults instead: module, injection, model, what each can reveal, its decision paths')
    .option('--json', 'print the catalog as a JSON array')
    .option('--markdown', 'print the catalog as a Markdown table')
    .action((opts: InvariantsOptions) => void process.stdout.write(opts.faults ? faultsText(opts) : invariantsText(opts)));
}

function invariantsText(opts: InvariantsOptions): string {
  if (opts.json) return `${JSON.stringify(INVARIANTS, null, 2)}\n`;
  if (opts.markdown) return catalogMarkdown();
  const text = INVARIANTS.map((i) => `${i.section}  ${i.name} (${i.kind})\n  ${i.meaning}\n  protects: ${i.serves.join(', ')}\n`).join('\n');
  return `${text}\nThe faults that drive a run towards breaking them: regsim invariants --faults\n`;
}

function faultsText(opts: InvariantsOptions): string {
  if (opts.json) return `${JSON.stringify(FAULTS, null, 2)}\n`;
  if (opts.markdown) return faultsMarkdown();
  return FAULTS.map(
    (f) =>
      `${f.fault}\n  module (src/sim/): ${f.module.replaceAll('`', '')}\n  injected: ${f.injected}\n  model: ${f.model}\n  reveals: ${f.reveals}\n${f.paths.length > 0 ? `  paths: ${f.paths.join(', ')}\n` : ''}`,
  ).join('\n');
}
