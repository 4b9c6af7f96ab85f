// Property suite "replay": §7.1 replaying committed entries is idempotent.
// Scenarios: crashes and snapshots forced on. Floors: ./suites.ts;
// knobs, decision-path table, failure file and replay command: ./support.ts.
import { it } from 'vitest';
import { checkSuite } from './support.ts';
import { SUITES } from './suites.ts';

it('§7.1 replaying committed entries is idempotent', () => {
  checkSuite(SUITES.replay);
});
