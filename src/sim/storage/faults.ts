// Latent faults of the registry store's disk (the storage fault domain): while
// the engine applies an entry, a read or a write may fail, or a read may
// return a corrupted value (another length than the 12 bytes of a row; the
// stored row itself stays intact). Each injected fault is recorded in the
// trace (`store-fault`), so the oracle can tell the environment's halts
// (store-fault, corrupt-row) from the applier's own, and a halt the trace
// does not explain is judged like any other. An fsync of Raft's WAL may fail
// too, which kills the process (etcd panics) with its unsynced records kept,
// lost or torn as in a crash. A node that halts or dies on an injected fault
// is restarted by its supervisor shortly after, as a real deployment would.
//
// The fault atlas (TigerBeetle's name): only the disks of `nodes`, at most a
// minority of the voters, ever fail, so a quorum keeps working disks and the
// cluster keeps making progress under any fault rate.
import type { Rng } from '../prng.ts';

export interface StoreFaultRates {
  /** Chance that one store read or write during an apply fails. */
  errorRate: number;
  /** Chance that one store read during an apply returns a corrupted value. */
  corruptRate: number;
  /** Chance that one fsync of Raft's WAL fails (default 0). */
  fsyncErrorRate?: number;
  /** The fault atlas: the nodes whose disks may fail (absent: every node). */
  nodes?: readonly string[];
}

export type StoreFaultKind = 'error' | 'corrupt';

/** The supervisor's restart delay after a halt on an injected fault (ms). */
const RESTART_AFTER_MS: [number, number] = [20, 200];

export class StoreFaults {
  /** No fault after faults-end: the quiet period liveness is judged on. */
  private stopped = false;

  constructor(
    private readonly rates: StoreFaultRates,
    private readonly rng: Rng,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /** Whether the atlas lets `node`'s disk fail. */
  mayFail(node: string): boolean {
    return this.rates.nodes === undefined || this.rates.nodes.includes(node);
  }

  /** Whether an fsync of Raft's WAL fails. */
  onFsync(): boolean {
    const rate = this.rates.fsyncErrorRate ?? 0;
    return !this.stopped && rate > 0 && this.rng.chance(rate);
  }

  /** The fault to inject into a read, if any. */
  onGet(): StoreFaultKind | undefined {
    if (this.stopped) return undefined;
    if (this.rates.errorRate > 0 && this.rng.chance(this.rates.errorRate)) return 'error';
    if (this.rates.corruptRate > 0 && this.rng.chance(this.rates.corruptRate)) return 'corrupt';
    return undefined;
  }

  /** The fault to inject into a write, if any. */
  onSet(): StoreFaultKind | undefined {
    return !this.stopped && this.rates.errorRate > 0 && this.rng.chance(this.rates.errorRate) ? 'error' : undefined;
  }

  /** A corrupted copy of a stored value: its bytes at another length than 12 (0 to 24, never 12). */
  corrupt(value: Uint8Array): Uint8Array {
    let length = this.rng.int(0, 23);
    if (length >= 12) length++;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = i < value.length ? (value[i] as number) : this.rng.int(0, 255);
    return out;
  }

  /** How long the supervisor waits before restarting a node that halted on an injected fault. */
  restartDelayMs(): number {
    return this.rng.int(RESTART_AFTER_MS[0], RESTART_AFTER_MS[1]);
  }
}
