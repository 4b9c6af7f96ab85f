import { UsageError } from '../../src/cli/errors.ts';

/** The one-line message of the UsageError `fn` throws (any other outcome fails the test). */
export function usageMessageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error('expected a UsageError');
}
