// Limits of the scenario format, in a module with no imports so that the
// CLI's option parsers can check them without loading the scenario layer.

/** Raft slots a scenario may use: the sim's cluster size limit covers every slot, joiners included. */
export const MAX_SLOTS = 7;
