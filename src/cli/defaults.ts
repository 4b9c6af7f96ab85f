// Defaults shared by a verb's help text (commands.ts) and its implementation.

/** `explore` without --runs, --time or --shard. */
export const DEFAULT_RUNS = 1000;

/** `mutants`: the wall-time budget per variant unless --runs-per-variant. */
export const DEFAULT_TIME_PER_VARIANT_MS = 20_000;
