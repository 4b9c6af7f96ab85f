// Property suite "nonce": §7.0 no (DEK, nonce) pair is used twice.
// Scenarios: restores, crashes and joiners forced on. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.0 no (DEK, nonce) pair is used twice', () => {
  checkSuite(SUITES.nonce);
});
