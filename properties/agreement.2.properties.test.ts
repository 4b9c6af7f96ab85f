// Property suite "agreement": §7.4 replicas agree on rows and halts, §7.5 halts fail closed. Part 2 of 2 (properties/support.ts suitePart).
// Scenarios: crashes, snapshots, restores, joiners and store faults forced on, both guards off. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite, suitePart } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.4 replicas agree on rows and halts, §7.5 halts fail closed (part 2 of 2)', () => {
  checkSuite(suitePart(SUITES.agreement, 2));
});
