// Property suite "nonce": §7.0 no (DEK, nonce) pair is used twice. Part 2 of 2 (properties/support.ts suitePart).
// Scenarios: restores, crashes and joiners forced on. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite, suitePart } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.0 no (DEK, nonce) pair is used twice (part 2 of 2)', () => {
  checkSuite(suitePart(SUITES.nonce, 2));
});
