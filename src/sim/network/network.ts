// The simulated network between the nodes: per-message delay, loss,
// duplication and reordering, symmetric and one-way partitions, heal.
// Links are FIFO unless a message is picked for reordering (etcd's transport
// is TCP streams). A partition is checked both when a message is sent and
// when it arrives, so messages in flight across a new cut are dropped too.
import type { NetworkParams } from '../config.ts';
import type { Rng } from '../prng.ts';
import type { Message } from '../raft/raft.ts';

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

export class Network {
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  private readonly blocked: Uint8Array;
  private readonly lastArrival: Float64Array;

  private readonly lossRng: Rng;
  private readonly dupRng: Rng;
  private readonly reorderRng: Rng;

  constructor(
    private readonly n: number,
    public params: NetworkParams,
    /** Message delays. Loss, duplication and reordering draw from their own streams. */
    private readonly rng: Rng,
    streams: { loss: Rng; dup: Rng; reorder: Rng },
    private readonly now: () => number,
    /** Schedules the delivery of `msg` at virtual time `time`. */
    private readonly schedule: (msg: Message, time: number) => void,
  ) {
    this.blocked = new Uint8Array(n * n);
    this.lastArrival = new Float64Array(n * n);
    this.lossRng = streams.loss;
    this.dupRng = streams.dup;
    this.reorderRng = streams.reorder;
  }

  send(msg: Message): void {
    const stats = this.stats;
    stats.sent++;
    const link = msg.from * this.n + msg.to;
    if (this.blocked[link] === 1) {
      stats.dropped++;
      return;
    }
    const p = this.params;
    // Each fault family has its own stream, drawn only while it is on: no
    // draws are spent on families that are off, and none of them touches the
    // timing or workload streams.
    if (p.lossRate > 0 && this.lossRng.chance(p.lossRate)) {
      stats.dropped++;
      return;
    }
    let time = this.now() + this.rng.int(p.minDelayMs, p.maxDelayMs);
    if (p.reorderRate > 0 && this.reorderRng.chance(p.reorderRate)) {
      time += this.reorderRng.int(1, Math.max(1, p.reorderExtraMs));
    } else {
      const last = this.lastArrival[link] as number;
      if (time < last) time = last;
      this.lastArrival[link] = time;
    }
    this.schedule(msg, time);
    if (p.dupRate > 0 && this.dupRng.chance(p.dupRate)) {
      stats.duplicated++;
      this.schedule(msg.clone(), time + this.dupRng.int(0, Math.max(1, p.maxDelayMs)));
    }
  }

  /** At delivery time: is the link still open? */
  open(from: number, to: number): boolean {
    return this.blocked[from * this.n + to] === 0;
  }

  /** Replaces the current cuts by a symmetric partition into `groups` (node indices; every node in exactly one). */
  partition(groups: number[][]): void {
    const n = this.n;
    const groupOf = new Int32Array(n).fill(-1);
    groups.forEach((g, gi) => {
      for (const i of g) groupOf[i] = gi;
    });
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) this.blocked[a * n + b] = groupOf[a] === groupOf[b] ? 0 : 1;
    }
  }

  /** Adds a one-way cut: messages from `from` to `to` are dropped. */
  blockOneWay(from: number, to: number): void {
    this.blocked[from * this.n + to] = 1;
  }

  heal(): void {
    this.blocked.fill(0);
  }

  isPartitioned(): boolean {
    return this.blocked.includes(1);
  }
}
