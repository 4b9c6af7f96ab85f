// Property suite "domain": the corners of the input domain reach every invariant. Part 1 of 2 (properties/support.ts suitePart).
// Scenarios: unusual committed entries, near ids (one bit, low 32 bits equal), wide DEK ids,
// epochs across integer boundaries; collision guard off. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite, suitePart } from './support.ts';
import { SUITES } from './suites.ts';

it('the whole input domain: every opcode, version byte, id bit, DEK width and epoch boundary fails closed or applies as spec §3 says (part 1 of 2)', () => {
  checkSuite(suitePart(SUITES.domain, 1));
});
