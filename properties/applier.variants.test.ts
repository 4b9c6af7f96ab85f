// Mutation check of the model-based property: it must pass on the correct
// applier and find a counterexample against every named bug variant. The seed
// is fixed so the verdict is reproducible.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applierVariants } from '../src/applier/index.ts';
import { agreesWithModel } from './applier.model.ts';

const options = { seed: 20240611, numRuns: 60, endOnFailure: true };

describe('variant kill tests', () => {
  it('the correct applier passes', () => {
    expect(fc.check(agreesWithModel(applierVariants.correct!.factory), options).failed).toBe(false);
  });

  it.each(Object.keys(applierVariants).filter((name) => name !== 'correct'))('the property kills %s', (name) => {
    const result = fc.check(agreesWithModel(applierVariants[name]!.factory), options);
    expect(result.failed).toBe(true);
    // Killed by a disagreement with the model, not by a crash in the harness.
    expect(String(result.errorInstance)).toMatch(/model says/);
  });
});
