// The virtual clock's agenda: a binary min-heap of events keyed by
// (time, sequence number). The sequence number is the order of scheduling, so
// two events at the same virtual time always run in the order they were
// scheduled: ties are deterministic.

export interface Scheduled {
  /** Virtual time (ms). */
  time: number;
  /** Set by the queue: the tie-breaker. */
  seq: number;
}

export class EventQueue<E extends Scheduled> {
  private heap: E[] = [];
  private nextSeq = 0;
  private last: E | undefined;

  get size(): number {
    return this.heap.length;
  }

  /**
   * The event pushed last, while it is still queued: anything pushed now for
   * its time would run right after it, so it may carry that instead of a new
   * event (the simulator's calls do, see Simulator.at).
   */
  get lastQueued(): E | undefined {
    return this.last;
  }

  /** Adds an event; its `seq` is overwritten. */
  push(event: E): void {
    event.seq = this.nextSeq++;
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as E;
      if (p.time < event.time || (p.time === event.time && p.seq < event.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
    this.last = event;
  }

  /** The earliest event's time, or Infinity when empty. */
  peekTime(): number {
    const top = this.heap[0];
    return top === undefined ? Infinity : top.time;
  }

  /** Removes and returns the earliest event. */
  pop(): E | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    if (top === this.last) this.last = undefined;
    const last = heap.pop() as E;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        let child = heap[l] as E;
        if (r < n) {
          const rc = heap[r] as E;
          if (rc.time < child.time || (rc.time === child.time && rc.seq < child.seq)) {
            c = r;
            child = rc;
          }
        }
        if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
