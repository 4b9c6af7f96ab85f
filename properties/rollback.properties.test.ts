// Property suite "rollback": §7.2 no silent rollback: a committed lower epoch halts everywhere.
// Scenarios: restores and crashes forced on, rollback guard off. Floors and judged invariants: ./suites.ts;
// knobs, rare-event table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.2 no silent rollback: a committed lower epoch halts everywhere', () => {
  checkSuite(SUITES.rollback);
});
