// Effort caps of shrinking, in a module with no imports so that the CLI can
// show them as defaults without loading the exploration engine.

/** Candidate runs one minimization may spend (each is a full simulation). */
export const MINIMIZE_BUDGET = 300;
