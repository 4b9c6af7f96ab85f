// Property suite "raft": §7.6 the simulated Raft is safe, and the cluster converges (liveness). Part 1 of 2 (properties/support.ts suitePart).
// Scenarios: a lossy, partitioned network with short time-outs. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite, suitePart } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.6 the simulated Raft is safe, and the cluster converges (liveness) (part 1 of 2)', () => {
  checkSuite(suitePart(SUITES.raft, 1));
});
