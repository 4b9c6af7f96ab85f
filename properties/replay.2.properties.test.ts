// Property suite "replay": §7.1 replaying committed entries is idempotent. Part 2 of 2 (properties/support.ts suitePart).
// Scenarios: crashes and snapshots forced on. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite, suitePart } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.1 replaying committed entries is idempotent (part 2 of 2)', () => {
  checkSuite(suitePart(SUITES.replay, 2));
});
