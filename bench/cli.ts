// The benchmarks' command lines, parsed like the regsim command's: commander
// with the same option parsers (src/cli/options.ts), and a bad flag or value
// is one line and exit 2, never a stack trace.
import { Command, CommanderError } from 'commander';
import { UsageError } from '../src/cli/errors.ts';

/** Parses `argv` (the script's own arguments) with `program`; returns its options or exits 2 with one line. */
export function parseScriptArgs<T>(program: Command, argv: readonly string[]): T {
  program.exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    program.parse(argv.filter((a) => a !== '--'), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof UsageError) {
      process.stderr.write(`${program.name()}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  return program.opts<T & object>() as T;
}
