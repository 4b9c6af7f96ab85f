// Tallies of the decision paths (src/model/paths.ts) a property's runs
// reached, and the vacuity floors on them: "nothing bad happened" only counts
// when the bad situations happened and were handled.
import { PATHS, PATH_NAMES, pathCounts } from '../model/paths.ts';
import type { TraceStats } from '../model/trace-stats.ts';
import { presetPolicy } from '../scenario/index.ts';
import type { PolicyPresetName } from '../scenario/index.ts';
import { policyHas } from '../scenario/needs.ts';

/** Per decision path (src/model/paths.ts): in how many runs it was reached at least once, and how often in all. */
export interface Tally {
  runs: number;
  runsWith: Record<string, number>;
  events: Record<string, number>;
}

export function emptyTally(): Tally {
  const zero = () => Object.fromEntries(PATH_NAMES.map((k) => [k, 0])) as Record<string, number>;
  return { runs: 0, runsWith: zero(), events: zero() };
}

export function addToTally(tally: Tally, stats: TraceStats): void {
  tally.runs++;
  const counts = pathCounts(stats);
  PATH_NAMES.forEach((name, k) => {
    const n = counts[k] ?? 0;
    tally.events[name] = (tally.events[name] ?? 0) + n;
    if (n > 0) tally.runsWith[name] = (tally.runsWith[name] ?? 0) + 1;
  });
}

/** Floors, by decision path: the least fraction of runs in which each must be reached. */
export type Floors = Partial<Record<string, number>>;

const label = (name: string): string => PATHS.find((p) => p.name === name)?.label ?? name;

/** `floors` without those on paths that exist only under a design option `config` lacks (src/model/paths.ts `needs`). */
export function floorsUnder(floors: Floors, config: PolicyPresetName): Floors {
  const policy = presetPolicy(config);
  return Object.fromEntries(Object.entries(floors).filter(([name]) => policyHas(PATHS.find((p) => p.name === name)?.needs, policy)));
}

/** The floors `tally` misses, one line each (empty: the guard passes). */
export function unmetFloors(tally: Tally, floors: Floors): string[] {
  const out: string[] = [];
  for (const [name, floor] of Object.entries(floors)) {
    if (floor === undefined) continue;
    if (!PATH_NAMES.includes(name)) throw new Error(`floor on unknown decision path "${name}"`);
    const need = Math.max(1, Math.ceil(floor * tally.runs));
    if ((tally.runsWith[name] ?? 0) < need) {
      out.push(`${name} (${label(name)}): ${tally.runsWith[name] ?? 0} of ${tally.runs} runs, floor ${pct(floor)} (${need} runs)`);
    }
  }
  return out;
}

/**
 * fc.statistics-style table: each path with a floor (or, without floors,
 * every path), the share of runs it was reached in, its floor; then how many
 * of the other paths were reached.
 */
export function formatTally(title: string, tally: Tally, floors: Floors = {}): string {
  const shown = Object.keys(floors).length > 0 ? Object.keys(floors) : [...PATH_NAMES];
  const width = Math.max(...shown.map((k) => k.length + label(k).length + 3)) + 3;
  const lines = [title];
  for (const name of shown) {
    const text = `${name} (${label(name)})`;
    const share = tally.runs === 0 ? 0 : (tally.runsWith[name] ?? 0) / tally.runs;
    const floor = floors[name] === undefined ? '' : `  (floor ${pct(floors[name])})`;
    lines.push(`  ${text}${'.'.repeat(Math.max(1, width - text.length))}${pct(share).padStart(7)}  ${tally.runsWith[name] ?? 0} runs, ${tally.events[name] ?? 0} times${floor}`);
  }
  const others = PATH_NAMES.filter((n) => !shown.includes(n));
  if (others.length > 0) {
    const reached = others.filter((n) => (tally.runsWith[n] ?? 0) > 0);
    lines.push(`  other paths reached: ${reached.length} of ${others.length}${reached.length < others.length ? ` (not: ${others.filter((n) => !reached.includes(n)).join(', ')})` : ''}`);
  }
  return lines.join('\n');
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

