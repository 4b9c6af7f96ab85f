// A cluster property suite run through the external reference applier (what
// REGSIM_APPLIER does): the correct child passes, and the lte-rollback child
// is caught, exactly as the built-in variants are.
import { afterAll, describe, expect, it } from 'vitest';
import { referenceApplierCommand, startExternalApplier } from '../../src/external/index.ts';
import { SUITES } from '../../properties/suites.ts';
import { runSuite } from '../../properties/support.ts';

describe('a property suite through the external applier', () => {
  const correct = startExternalApplier(referenceApplierCommand());
  const lteRollback = startExternalApplier(referenceApplierCommand('lte-rollback'));
  afterAll(() => {
    correct.close();
    lteRollback.close();
  });

  it('passes with the correct applier served externally', () => {
    const outcome = runSuite(SUITES.replay, { runs: 40, applier: correct.factory });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.tally.runs).toBe(40);
  });

  it('catches lte-rollback served externally', () => {
    const outcome = runSuite(SUITES.collision, { runs: 60, applier: lteRollback.factory, shrink: false });
    expect(outcome.failure?.violations.map((v) => v.invariant)).toContain('replay-idempotence');
  });
});
