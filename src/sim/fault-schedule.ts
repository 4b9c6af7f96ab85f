// A seeded fault schedule for tests and the benchmark: crashes (with a
// restart after a while), partitions and one-way cuts (healed later),
// explicit snapshots and bursts of message loss. Scenario generators with
// shrinking (fast-check) live above the simulator; this is the plain-seed kind.
import type { ScenarioEvent } from './config.ts';
import { Prng } from './prng.ts';

export interface FaultOptions {
  seed: string;
  nodes: string[];
  fromMs: number;
  toMs: number;
  /** Mean faults per virtual second. */
  ratePerSec: number;
  /** Relative weights of the fault kinds (0 switches one off). */
  weights?: Partial<Record<'crash' | 'partition' | 'one-way' | 'snapshot' | 'loss', number>>;
  /** How long a crashed node stays down / a partition lasts: [min, max] ms. */
  downMs?: [number, number];
}

export function faultSchedule(opts: FaultOptions): ScenarioEvent[] {
  const rng = new Prng(opts.seed).stream('fault-schedule');
  const w = { crash: 3, partition: 2, 'one-way': 1, snapshot: 1, loss: 1, ...opts.weights };
  const kinds = (Object.keys(w) as (keyof typeof w)[]).filter((k) => w[k] > 0);
  const total = kinds.reduce((s, k) => s + w[k], 0);
  const [downMin, downMax] = opts.downMs ?? [50, 1500];
  const events: ScenarioEvent[] = [];
  if (total === 0 || opts.ratePerSec <= 0) return events;
  const meanGap = 1000 / opts.ratePerSec;
  let t = opts.fromMs;
  for (;;) {
    t += Math.max(1, Math.round(-Math.log(1 - rng.float()) * meanGap));
    if (t >= opts.toMs) break;
    let r = rng.float() * total;
    let kind = kinds[0] as (typeof kinds)[number];
    for (const k of kinds) {
      r -= w[k];
      if (r < 0) {
        kind = k;
        break;
      }
    }
    const node = rng.pick(opts.nodes);
    const dur = rng.int(downMin, downMax);
    const end = Math.min(t + dur, opts.toMs);
    switch (kind) {
      case 'crash':
        events.push({ at: t, kind: 'crash', node, restartAfterMs: end - t });
        break;
      case 'partition': {
        const shuffled = rng.shuffle(opts.nodes);
        const cut = rng.int(1, opts.nodes.length - 1);
        events.push({ at: t, kind: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] });
        events.push({ at: end, kind: 'heal' });
        break;
      }
      case 'one-way': {
        const to = rng.pick(opts.nodes.filter((n) => n !== node));
        events.push({ at: t, kind: 'one-way', from: node, to });
        events.push({ at: end, kind: 'heal' });
        break;
      }
      case 'snapshot':
        events.push({ at: t, kind: 'snapshot', node });
        break;
      case 'loss':
        events.push({ at: t, kind: 'set-network', params: { lossRate: rng.float() * 0.3, dupRate: rng.float() * 0.1 } });
        events.push({ at: end, kind: 'set-network', params: { lossRate: 0, dupRate: 0 } });
        break;
    }
  }
  return events;
}
