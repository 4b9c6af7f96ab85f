// Parsing and checking what users type: every bad value becomes a one-line
// UsageError naming the option and what was wrong with it. These run while
// commander parses, so this module stays light (no scenario layer, no ajv):
// checks that need the scenario layer live in scenario-options.ts.
import { availableParallelism } from 'node:os';
import { isPolicyPresetName, POLICY_PRESET_INFO, POLICY_PRESET_NAMES } from '../sim/lifecycle/policy.ts';
import type { PolicyPresetName } from '../sim/lifecycle/policy.ts';
import { MAX_SLOTS } from '../scenario/limits.ts';
import { parseCommand } from '../external/argv.ts';
import { UsageError } from './errors.ts';


function integer(option: string, value: string, min: number, max: number, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${option} must be ${what} (got "${value}")`);
  }
  return n;
}

/** A commander parser for a positive integer option. */
export const positiveInt =
  (option: string) =>
  (value: string): number =>
    integer(option, value, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');

/** A commander parser for a run index (0 or more). */
export const runIndex =
  (option: string) =>
  (value: string): number =>
    integer(option, value, 0, Number.MAX_SAFE_INTEGER, 'a run index (an integer, 0 or more)');

/** `--shard i/k`: shard i (1-based) of k. */
export const shardArg = (value: string): { index: number; count: number } => {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) {
    throw new UsageError(`--shard must be i/k with 1 <= i <= k, e.g. 1/4 (got "${value}")`);
  }
  return { index, count };
};

/** `--applier "cmd args..."`: a command that splits into words (not empty, quotes closed); kept as typed. */
export const applierArg = (value: string): string => {
  try {
    parseCommand(value);
  } catch (err) {
    throw new UsageError(`--applier: ${(err as Error).message}`);
  }
  return value;
};

/** At most this many lanes per core: more only adds threads and memory (each lane is a worker thread). */
export const WORKERS_PER_CORE = 4;

export const workersArg = (value: string): number => {
  const max = availableParallelism() * WORKERS_PER_CORE;
  return integer('--workers', value, 1, max, `an integer from 1 to ${max} (${WORKERS_PER_CORE} per core on this machine)`);
};

export const seedArg = (value: string): number => integer('--seed', value, 0, 0xffffffff, 'an integer from 0 to 4294967295');

export const nodesArg = (value: string): number => integer('--nodes', value, 3, MAX_SLOTS, `an integer from 3 to ${MAX_SLOTS}`);

export const configArg = (value: string): PolicyPresetName => {
  if (!isPolicyPresetName(value)) throw new UsageError(`unknown --config "${value}" (known: ${POLICY_PRESET_NAMES.join(', ')})`);
  return value;
};

/** --config's help: the presets and what each one is. */
export const CONFIG_HELP = `policy configuration scenarios run under: ${POLICY_PRESET_NAMES.map((n) => `${n} (${POLICY_PRESET_INFO[n]})`).join('; ')}`;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A commander parser for `--restart-child [rate]`: a probability per apply, 0 < rate <= 1. */
export const restartRate = (value: string): number => {
  const rate = Number(value);
  if (!/^(0|1)?(\.\d+)?$/.test(value) || !(rate > 0 && rate <= 1)) throw new UsageError(`--restart-child must be a rate above 0 and at most 1, e.g. 0.01 (got "${value}")`);
  return rate;
};

/** A commander parser for a duration option: 500ms, 20s, 1.5m, 2h. */
export const duration =
  (option: string) =>
  (value: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
    const ms = m ? Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] as number)) : 0;
    if (ms <= 0) throw new UsageError(`${option} must be a duration like 500ms, 20s or 2m (got "${value}")`);
    return ms;
  };
