// Property suite "rollback": §7.2 no silent rollback: a committed lower epoch halts everywhere.
// Scenarios: restores and crashes forced on, rollback and exhaustion guards off. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.2 no silent rollback: a committed lower epoch halts everywhere', () => {
  checkSuite(SUITES.rollback);
});
