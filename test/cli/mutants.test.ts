// `regsim mutants` on a small budget, and `regsim invariants`.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { INVARIANTS } from '../../src/model/invariant-catalog.ts';
import { regsim, tempDir } from './regsim.ts';

describe('mutants', () => {
  it('prints the kill table for the chosen variants', async () => {
    const args = ['--runs-per-variant', '30', '--seed', '1', '--workers', '1', '--out-dir', tempDir()];
    const [json, text] = await Promise.all([
      regsim('mutants', '--only', 'lte-rollback,snapshot-omits-registry', '--json', ...args),
      regsim('mutants', '--only', 'lte-rollback', ...args),
    ]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as { variant: string; caught: boolean; invariant: string; scenarios: number; shrunk: { events: number }; repro: string }[];
    expect(rows.map((r) => [r.variant, r.caught])).toEqual([
      ['lte-rollback', true],
      ['snapshot-omits-registry', true],
    ]);
    for (const r of rows) {
      expect(r.invariant).toBeTruthy();
      expect(r.scenarios).toBeGreaterThan(0);
      // The saved file names its variant: the replay command needs no flags.
      expect(r.repro).toMatch(/^npx regsim replay \S+\.json$/);
      expect(JSON.parse(readFileSync(r.repro.split(' ')[3] as string, 'utf8')).meta.variant).toBe(r.variant);
    }
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^variant +layer +caught +invariant +scenarios +wall +shrunk to +what it breaks$/m);
    expect(text.stdout).toMatch(/^lte-rollback +applier +yes +replay-idempotence /m);
    expect(text.stdout).toContain('1/1 variants caught');
  });
});

describe('invariants', () => {
  it('lists every invariant with its section and meaning', async () => {
    const [text, json] = await Promise.all([regsim('invariants'), regsim('invariants', '--json')]);
    expect(text.code).toBe(0);
    for (const i of INVARIANTS) {
      expect(text.stdout).toContain(`${i.section}  ${i.name}`);
      expect(text.stdout).toContain(i.meaning);
    }
    expect((JSON.parse(json.stdout) as unknown[]).length).toBe(INVARIANTS.length);
  });
});
