// Property suite "collision": §7.3 collisions always halt, the row keeps its owner. Part 1 of 2 (properties/support.ts suitePart).
// Scenarios: joiners forced on, collision guard off. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite, suitePart } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.3 collisions always halt, the row keeps its owner (part 1 of 2)', () => {
  checkSuite(suitePart(SUITES.collision, 1));
});
