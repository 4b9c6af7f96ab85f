// The `regsim` command. Each verb's options are declared in commands.ts and
// its implementation lives in its own module; this file only wires them and
// maps errors to exit codes (one line, no stack trace unless --debug).
import { Command, CommanderError } from 'commander';
import { EXIT, HarnessError, UsageError } from './errors.ts';
// Only light modules here: commands.ts loads each verb's implementation when it runs.
import { registerConformance, registerExplore, registerFindings, registerMerge, registerMutants, registerReplay, registerShrink, registerVariants } from './commands.ts';
import { registerInvariants } from './invariants.ts';
// protocol.ts, not external/index.ts: the index loads the whole bridge.
import { ExternalApplierError } from '../external/protocol.ts';
import { regsimVersion } from '../records/provenance.ts';

const program = new Command('regsim')
  .description('Deterministic simulation and property testing for the writer-registry applier')
  .version(regsimVersion(), '--version', 'print the regsim version')
  .option('--debug', 'print stack traces for errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerExplore(program);
registerMerge(program);
registerFindings(program);
registerReplay(program);
registerShrink(program);
registerMutants(program);
registerInvariants(program);
registerVariants(program);
registerConformance(program);

function fail(message: string, code: number, err: unknown): never {
  process.stderr.write(`regsim: ${message}\n`);
  if (program.opts().debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its message (help, version or usage error).
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.badInput);
  }
  if (err instanceof UsageError) fail(err.message, EXIT.badInput, err);
  if (err instanceof HarnessError || err instanceof ExternalApplierError) fail(`harness error: ${err.message}`, EXIT.harness, err);
  fail(`harness error: ${err instanceof Error ? err.message : String(err)}`, EXIT.harness, err);
}
