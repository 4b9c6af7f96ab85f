// The agenda's one subtle promise: an item pushed for the time of the event
// queued last may ride on that event (EventQueue.lastQueued), and every item
// still runs exactly where it would have run as an event of its own. Checked
// against a plain queue on random programs whose items schedule more items
// (zero and small delays, so ties are the common case), with items of a
// kind that never joins in between.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { EventQueue } from '../../src/sim/event-queue.ts';

interface Item {
  /** Only 'call' items join (the simulator's calls); 'other' stands for messages and timers. */
  kind: 'call' | 'other';
  delay: number;
  /** The item that schedules this one when it runs (-1: scheduled at the start). */
  parent: number;
}

const program = fc
  .array(fc.record({ kind: fc.constantFrom<Item['kind']>('call', 'call', 'other'), delay: fc.integer({ min: 0, max: 3 }), pick: fc.nat() }), { minLength: 1, maxLength: 80 })
  .map((raw) => raw.map(({ kind, delay, pick }, i): Item => ({ kind, delay, parent: i < 3 ? -1 : pick % (i + 1) - 1 })));

function childrenOf(items: readonly Item[], parent: number): number[] {
  return items.flatMap((item, i) => (item.parent === parent ? [i] : []));
}

/** Run order with one event per item. */
function plainOrder(items: readonly Item[]): number[] {
  const queue = new EventQueue<{ time: number; seq: number; id: number }>();
  const schedule = (parent: number, now: number): void => {
    for (const id of childrenOf(items, parent)) queue.push({ time: now + (items[id] as Item).delay, seq: 0, id });
  };
  const order: number[] = [];
  schedule(-1, 0);
  for (let ev = queue.pop(); ev !== undefined; ev = queue.pop()) {
    order.push(ev.id);
    schedule(ev.id, ev.time);
  }
  return order;
}

/** Run order with calls riding on the call event queued last when it is for their time. */
function joinedOrder(items: readonly Item[]): number[] {
  type Ev = { time: number; seq: number; kind: Item['kind']; ids: number[] };
  const queue = new EventQueue<Ev>();
  const schedule = (parent: number, now: number): void => {
    for (const id of childrenOf(items, parent)) {
      const { kind, delay } = items[id] as Item;
      const last = queue.lastQueued;
      if (kind === 'call' && last?.kind === 'call' && last.time === now + delay) last.ids.push(id);
      else queue.push({ time: now + delay, seq: 0, kind, ids: [id] });
    }
  };
  const order: number[] = [];
  schedule(-1, 0);
  for (let ev = queue.pop(); ev !== undefined; ev = queue.pop()) {
    for (const id of ev.ids) {
      order.push(id);
      schedule(id, ev.time);
    }
  }
  return order;
}

it('calls that share an event run where each would have run alone', () => {
  fc.assert(
    fc.property(program, (items) => {
      expect(joinedOrder(items)).toEqual(plainOrder(items));
    }),
    { numRuns: 500 },
  );
});

it('an event popped is no longer the one queued last (a call scheduled while it runs goes after what is queued)', () => {
  const queue = new EventQueue<{ time: number; seq: number }>();
  queue.push({ time: 5, seq: 0 });
  expect(queue.lastQueued?.time).toBe(5);
  queue.pop();
  expect(queue.lastQueued).toBeUndefined();
});
