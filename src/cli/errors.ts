// Exit codes and the error type every verb throws for bad input, so the
// top level can print one line and exit instead of a stack trace.

export const EXIT = {
  ok: 0,
  safety: 1,
  badInput: 2,
  liveness: 3,
  harness: 4,
  /** Nothing broke, but the runs never reached a decision path the verdict is about. */
  inconclusive: 5,
} as const;

/** Bad input or usage: printed as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure of the harness itself (not of the system under test): exit 4. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}
