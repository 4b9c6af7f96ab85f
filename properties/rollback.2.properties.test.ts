// Property suite "rollback": §7.2 no silent rollback: a committed lower epoch halts everywhere. Part 2 of 2 (properties/support.ts suitePart).
// Scenarios: restores and crashes forced on, rollback and exhaustion guards off. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite, suitePart } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.2 no silent rollback: a committed lower epoch halts everywhere (part 2 of 2)', () => {
  checkSuite(suitePart(SUITES.rollback, 2));
});
