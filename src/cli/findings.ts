// `regsim findings [corpus]`: the findings of a corpus (explore/merge
// --corpus), one line each: status, invariant, first seen, sightings, shrunk
// size and the command that replays it. `--known ID --note TEXT` marks one
// known; `--fail-on-new` exits 1 while any finding is not marked known (CI).
import { formatSize } from '../explore/minimize.ts';
import { CorpusError, listFindings, markKnown } from '../findings/corpus.ts';
import type { Finding } from '../findings/corpus.ts';
import { findingRepro } from './corpus-option.ts';
import { EXIT, UsageError } from './errors.ts';
import { table } from './format.ts';

/** The options as commander parsed them (see commands.ts). */
export interface FindingsOptions {
  known?: string;
  note?: string;
  failOnNew?: boolean;
  json?: boolean;
}

export function runFindings(dir: string, opts: FindingsOptions): void {
  try {
    if (opts.known !== undefined) {
      if (opts.note === undefined || opts.note.trim() === '') throw new UsageError('--known needs --note "why it is known" (e.g. an issue link)');
      const f = markKnown(dir, opts.known, opts.note, new Date().toISOString());
      process.stdout.write(`${f.id} marked known: ${opts.note}\n`);
      return;
    }
    const findings = listFindings(dir);
    const open = findings.filter((f) => f.known === undefined);
    if (opts.json) process.stdout.write(`${JSON.stringify(findings.map((f) => ({ ...f, repro: findingRepro(dir, f) })), null, 2)}\n`);
    else process.stdout.write(listing(dir, findings, open));
    if (opts.failOnNew && open.length > 0) process.exitCode = EXIT.safety;
  } catch (err) {
    if (err instanceof CorpusError) throw new UsageError(err.message);
    throw err;
  }
}

function listing(dir: string, findings: readonly Finding[], open: readonly Finding[]): string {
  if (findings.length === 0) return `no findings in ${dir}\n`;
  const rows = findings.map((f) => [
    f.known ? 'known' : 'NEW',
    f.id,
    f.variant,
    f.firstSeen.slice(0, 19).replace('T', ' '),
    String(f.sightings.length),
    formatSize(f.size),
    findingRepro(dir, f),
  ]);
  const notes = findings.filter((f) => f.known).map((f) => `${f.id}: known: ${f.known?.note}`);
  const summary = `${findings.length} findings, ${open.length} not marked known${open.length > 0 ? ` (mark one: regsim findings ${dir} --known ID --note TEXT)` : ''}`;
  return `${table([['status', 'finding', 'variant', 'first seen (UTC)', 'sightings', 'shrunk to', 'replay'], ...rows], [4])}${notes.map((n) => `${n}\n`).join('')}${summary}\n`;
}
