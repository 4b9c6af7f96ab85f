// The findings table (fixtures/findings/README.md, "Each finding under each
// configuration") and the same rows in each finding's write-up: every cell's
// replay command, run as a user would, gives the verdict the cell states.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_PRESET_NAMES } from '../../src/scenario/index.ts';
import { ROOT, runPrinted } from '../cli/regsim.ts';

const DIR = join(ROOT, 'fixtures/findings');
const HEADER = `| scenario | replay | as saved | ${POLICY_PRESET_NAMES.map((n) => `\`--config ${n}\``).join(' | ')} |`;
const EXIT: Readonly<Record<string, number>> = { liveness: 3 };

interface Row {
  scenario: string;
  command: string;
  cells: { config: string | undefined; want: string }[];
}

/** The rows of the table under HEADER in a markdown file. */
function rowsOf(file: string): Row[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.indexOf(HEADER);
  if (at < 0) return [];
  const rows: Row[] = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.startsWith('|')) break;
    const [scenario, command, saved, ...byConfig] = line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, ''));
    rows.push({
      scenario: scenario as string,
      command: command as string,
      cells: [{ config: undefined, want: saved as string }, ...POLICY_PRESET_NAMES.map((config, i) => ({ config, want: byConfig[i] as string }))],
    });
  }
  return rows;
}

const table = rowsOf(join(DIR, 'README.md'));
const findings = readdirSync(DIR).filter((d) => statSync(join(DIR, d)).isDirectory());

describe('the findings table', () => {
  it('has a row for every saved scenario and a column for every configuration', () => {
    const saved = findings.flatMap((d) => readdirSync(join(DIR, d)).filter((f) => f.endsWith('.json')).map((f) => `${d}/${f}`));
    expect(table.map((r) => r.scenario).sort()).toEqual(saved.sort());
    expect(POLICY_PRESET_NAMES.map((n) => `\`--config ${n}\``)).toEqual(HEADER.split('|').slice(4, -1).map((c) => c.trim()));
  });

  it.each(findings)('%s: its write-up holds the same rows', (d) => {
    expect(rowsOf(join(DIR, d, 'README.md'))).toEqual(table.filter((r) => r.scenario.startsWith(`${d}/`)));
  });

  it.each(table.map((r) => [r.scenario, r] as const))('%s: every cell\'s command gives its verdict', async (_, row) => {
    expect(row.command).toBe(`npx regsim replay fixtures/findings/${row.scenario} --config <name>`);
    const runs = await Promise.all(
      row.cells.map(async ({ config, want }) => {
        const command = config === undefined ? row.command.replace(' --config <name>', '') : row.command.replace('<name>', config);
        const r = await runPrinted(command, '--json');
        const report = JSON.parse(r.stdout) as { verdict: string; invariant?: string };
        const got = report.verdict === 'ok' ? 'passes' : `reproduces: ${report.invariant}`;
        const code = got === 'passes' ? 0 : (EXIT[report.invariant as string] ?? 1);
        return { command, got: `${got} (exit ${r.code})`, want: `${want} (exit ${code})` };
      }),
    );
    for (const r of runs) expect(`${r.command}: ${r.got}`).toBe(`${r.command}: ${r.want}`);
  });
});
