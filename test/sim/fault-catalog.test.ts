// The fault catalog is the one description of the fault model: the README's
// table is rendered from it, every module it names exists, every path it
// names is a decision path, and `regsim invariants --faults` prints it.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { PATHS } from '../../src/model/paths.ts';
import { FAULTS, faultsMarkdown } from '../../src/sim/fault-catalog.ts';
import { regsim } from '../cli/regsim.ts';

const SIM = fileURLToPath(new URL('../../src/sim/', import.meta.url));

it('the README fault table is the catalog', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = /<!-- fault table: [^\n]*-->\n([\s\S]*?)<!-- end of fault table -->/.exec(readme)?.[1];
  expect(table).toBe(faultsMarkdown());
});

it.each(FAULTS.map((f) => [f.fault, f] as const))('%s: its modules exist and its paths are decision paths', (_, f) => {
  for (const [, path] of f.module.matchAll(/`([^`]+)`/g)) {
    // `lifecycle/` (tables: `colliding-ids.ts`, ...) names files inside the folder before it.
    const folder = /^`([a-z-]+\/)`/.exec(f.module)?.[1] ?? '';
    expect(existsSync(SIM + (path as string)) || existsSync(SIM + folder + (path as string)), path).toBe(true);
  }
  for (const p of f.paths) expect(PATHS.map((x) => x.name)).toContain(p);
  expect(f.reveals.length).toBeGreaterThan(0);
});

it('regsim invariants --faults prints every fault; --json the catalog', async () => {
  const [text, json] = await Promise.all([regsim('invariants', '--faults'), regsim('invariants', '--faults', '--json')]);
  expect(text.code).toBe(0);
  for (const f of FAULTS) expect(text.stdout).toContain(`${f.fault}\n  module (src/sim/): `);
  expect(JSON.parse(json.stdout)).toEqual(FAULTS);
});
