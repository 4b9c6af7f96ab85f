// What a scenario gives up by design (src/scenario/given-up.ts).
import { expect, it } from 'vitest';
import { splitGivenUp } from '../../src/scenario/given-up.ts';
import type { Violation } from '../../src/model/oracle.ts';
import type { Scenario } from '../../src/scenario/index.ts';

const v = (invariant: Violation['invariant'], code: string, eventIndex: number): Violation => ({
  invariant,
  code,
  eventIndex,
  section: '',
  message: '',
  explanation: '',
  kind: 'safety',
});
const naive: Pick<Scenario, 'policy' | 'events'> = {
  events: [
    { at: 1, kind: 'backup', node: 'n1', name: 'b1' },
    { at: 2, kind: 'restore', node: 'n1', name: 'b1', raft: 'keep' },
  ],
};

it('a naive restore gives up raft-safety, and every invariant only from the first raft-safety violation on', () => {
  const before = v('replica-agreement', 'rows-mismatch', 5);
  const { counted, expected } = splitGivenUp([before, v('raft-safety', 'two-leaders', 9), v('no-nonce-reuse', 'nonce-reuse', 12)], naive);
  expect(counted).toEqual([before]);
  expect(expected.map((x) => x.eventIndex)).toEqual([9, 12]);
});

it('without a naive restore nothing of the kind is given up', () => {
  const all = [v('raft-safety', 'two-leaders', 9), v('no-nonce-reuse', 'nonce-reuse', 12)];
  expect(splitGivenUp(all, { events: [{ at: 2, kind: 'restore', node: 'n1', name: 'b1' }] }).counted).toEqual(all);
});

it('the rollback guard off gives up restored-epoch reuse only', () => {
  const reuse = v('no-nonce-reuse', 'restored-epoch-reuse', 3);
  const other = v('no-nonce-reuse', 'nonce-reuse', 4);
  const { counted, expected } = splitGivenUp([reuse, other], { events: [], policy: { guards: { rollback: false } } });
  expect(expected).toEqual([reuse]);
  expect(counted).toEqual([other]);
});
