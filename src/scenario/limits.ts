// Limits of the scenario format, in a module with no imports so that the
// CLI's option parsers can check them without loading the scenario layer.

/** Raft slots a scenario may use: the sim's cluster size limit covers every slot, joiners included. */
export const MAX_SLOTS = 7;

/** KV writes x nodes a scenario may ask for (about 1 KiB of memory each, traced): checked before it runs. */
export const MAX_REPLICATED_WRITES = 500_000;
