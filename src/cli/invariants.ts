// `regsim invariants`: what the oracle checks, each invariant with its
// meaning and the design-doc sections it protects.
import type { Command } from 'commander';
import { catalogMarkdown, INVARIANTS } from '../model/invariant-catalog.ts';

export function registerInvariants(program: Command): void {
  program
    .command('invariants')
    .description('list the invariants the oracle checks, what each means and what it protects')
    .option('--json', 'print the catalog as a JSON array')
    .option('--markdown', 'print the catalog as a Markdown table')
    .action((opts: { json?: boolean; markdown?: boolean }) => {
      if (opts.json) process.stdout.write(`${JSON.stringify(INVARIANTS, null, 2)}\n`);
      else if (opts.markdown) process.stdout.write(catalogMarkdown());
      else process.stdout.write(INVARIANTS.map((i) => `${i.section}  ${i.name} (${i.kind})\n  ${i.meaning}\n  protects: ${i.serves.join(', ')}\n`).join('\n'));
    });
}
