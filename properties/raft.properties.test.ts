// Property suite "raft": §7.6 the simulated Raft is safe, and the cluster converges (liveness).
// Scenarios: a lossy, partitioned network with short time-outs. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.6 the simulated Raft is safe, and the cluster converges (liveness)', () => {
  checkSuite(SUITES.raft);
});
