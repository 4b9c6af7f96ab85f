// Seeded randomness for the simulator: one seed, independent named streams.
// Each stream is its own alea generator seeded with `${seed}/${name}`, so
// drawing more numbers from one stream (say, turning on message loss) never
// shifts the values another stream (say, election timeouts) produces.
import seedrandom from 'seedrandom';

/** The streams the simulator uses. Hooks may ask for their own names too. */
export type StreamName = 'network' | 'timing' | 'faults' | 'workload' | (string & {});

/** One deterministic stream of numbers. */
export class Rng {
  private readonly next: seedrandom.PRNG;

  constructor(seed: string) {
    this.next = seedrandom.alea(seed);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. Always draws one number, so the stream's position does not depend on p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A Fisher-Yates shuffled copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }
}

/** All the streams of one run. A stream is created on first use and then kept. */
export class Prng {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: string) {}

  stream(name: StreamName): Rng {
    let rng = this.streams.get(name);
    if (rng === undefined) {
      rng = new Rng(`${this.seed}/${name}`);
      this.streams.set(name, rng);
    }
    return rng;
  }
}
