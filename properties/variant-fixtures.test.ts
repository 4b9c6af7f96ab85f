// Regression fixtures of the bug variants (fixtures/variants, recorded by
// scripts/record-variant-fixtures.ts): each shrunk counterexample still gives
// its variant the same verdict, the same violated invariant and the same trace
// hash, and the correct applier does not violate that invariant on it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../src/scenario/index.ts';
import { SUITES_CONFIG, killTableVariants } from './detect.ts';
import { DEFAULT_SUITES_CONFIG } from './support.ts';
import type { VariantFixture } from './detect.ts';

const DIR = new URL('../fixtures/variants/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as VariantFixture[];

// The fixtures were recorded under the default configuration; under another
// (REGSIM_CONFIG) the kill table finds other counterexamples: listed, not run.
const recorded = SUITES_CONFIG === DEFAULT_SUITES_CONFIG;

it.skipIf(!recorded)('every variant the suites catch has a fixture', () => {
  expect(expected.map((f) => f.variant)).toEqual(killTableVariants().covered);
});

describe.skipIf(!recorded).each(expected)(`fixture $variant (recorded under ${DEFAULT_SUITES_CONFIG})`, (fixture) => {
  const scenario = loadScenario(readFileSync(new URL(`${fixture.variant}.json`, DIR), 'utf8'));

  it(`replays: ${fixture.verdict}, ${fixture.invariant}, same trace hash`, () => {
    const result = runScenario(scenario, { variant: fixture.variant });
    expect(result.verdict).toBe(fixture.verdict);
    expect(result.violations.map((v) => v.invariant)).toContain(fixture.invariant);
    expect(result.traceHash).toBe(fixture.traceHash);
  });

  it(`the correct applier does not violate ${fixture.invariant} on it`, () => {
    expect(runScenario(scenario).violations.map((v) => v.invariant)).not.toContain(fixture.invariant);
  });
});
