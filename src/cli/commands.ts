// What each verb takes: its arguments and options, all commander needs for
// --help and for parsing. Only light modules are imported here; a verb's
// implementation (the simulator, fast-check, ajv, the oracle, the report
// renderer) is loaded by a dynamic import when the verb runs, so --help and
// usage errors start fast.
import { Option } from 'commander';
import type { Command } from 'commander';
import type { ConformanceOptions } from './conformance.ts';
import type { ExploreOptions } from './explore.ts';
import type { FindingsOptions } from './findings.ts';
import type { MergeOptions } from './merge.ts';
import type { MutantsOptions } from './mutants.ts';
import type { ReplayOptions } from './replay.ts';
import type { ShrinkOptions } from './shrink.ts';
import type { VariantsOptions } from './variants.ts';
import { MINIMIZE_BUDGET } from '../explore/budgets.ts';
import { DEFAULT_RUNS, DEFAULT_TIME_PER_VARIANT_MS } from './defaults.ts';
import { seconds } from './format.ts';
import { applierArg, CONFIG_HELP, configArg, duration, nodesArg, positiveInt, restartRate, runIndex, seedArg, shardArg, workersArg } from './options.ts';

const APPLIER_OPTION = ['--applier <command>', 'run an external applier process (docs/external-applier.md)', applierArg] as const;
const RESTART_OPTION = [
  '--restart-child [rate]',
  'with --applier: restart the child at every simulated process start (a statelessness check), and with a rate also before that share of applies',
  restartRate,
] as const;

const FILE_VARIANT_HELP = 'bug variant to run (see regsim variants; default: the one a saved counterexample names, else correct)';

const POLICY_HELP = "a JSON file of policy fields to change on top of --config's, shaped like a scenario's policy block (guards, nonces, engine, membership, registerMaxAttempts)";

const CORPUS_HELP = 'file every shrunk counterexample in this findings corpus (see regsim findings); violations of findings marked known do not fail the exit code';


export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('run generated scenarios until a violation; shrink it, save it, print how to replay it')
    .option('--seed <n>', 'exploration seed (default: random, printed)', seedArg)
    .option('--runs <n>', `scenarios to run (default ${DEFAULT_RUNS}); with --shard, the runs of the whole exploration`, positiveInt('--runs'))
    .option('--time <duration>', 'wall-time budget, e.g. 60s, alone or with a run count (whichever ends first; the run count is then not reproducible)', duration('--time'))
    .option('--shard <i/k>', 'run shard i of k: the i-th of k disjoint, contiguous parts of the runs (merge the records with regsim merge)', shardArg)
    .option('--from <run>', 'first run index (default 0)', runIndex('--from'))
    .option('--to <run>', 'stop before this run index (the range is --from to --to - 1)', runIndex('--to'))
    .option('--records <file.jsonl>', 'write one JSON line per run (seed, trace hash, verdict, paths, wall time), streamed; what regsim merge reads')
    .option('--variant <name>', 'bug variant to run (see regsim variants)', 'correct')
    .option('--config <name>', `${CONFIG_HELP} (default: hardened)`, configArg)
    .option('--policy <file.json>', POLICY_HELP)
    .option('--nodes <n>', 'members at boot, 3 to 7 (default: 3 to 5)', nodesArg)
    .option('--workers <n>', 'parallel lanes: this thread and n-1 worker threads (default: one per core); results do not depend on it', workersArg)
    .option('--keep-going', 'do not stop at the first violation (shrinks the first of each invariant)')
    .option('--no-shrink', 'save failing scenarios as generated')
    .option('--out-dir <dir>', 'where counterexamples are saved', 'regsim-failures')
    .option('--corpus <dir>', CORPUS_HELP)
    .option('--json', 'print one JSON object on stdout')
    .option(...APPLIER_OPTION)
    .option('--compare <command>', 'run every scenario under the built-in applier and under this external one; print, per run, the first event where their behaviour differs (halt message text ignored) and both behaviour digests')
    .option(...RESTART_OPTION)
    .action(async (opts: ExploreOptions) => (await import('./explore.ts')).runExplore(opts));
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the records files of an exploration\'s shards: the summary, digest and first failure of one unsharded run')
    .argument('<records...>', 'records files (explore --records), and optionally the shards\' --json outputs, checked against them')
    .option('--out-dir <dir>', 'where the counterexamples are saved again', 'regsim-failures')
    .option('--corpus <dir>', CORPUS_HELP)
    .option('--json', 'print one JSON object on stdout (as explore --json)')
    .action(async (files: string[], opts: MergeOptions) => (await import('./merge.ts')).runMerge(files, opts));
}

export function registerFindings(program: Command): void {
  program
    .command('findings')
    .description('list the findings of a corpus (first seen, sightings, shrunk size, replay command), or mark one known')
    .argument('[corpus]', 'the corpus folder (explore/merge --corpus)', 'regsim-corpus')
    .option('--known <id>', 'mark this finding known (needs --note): CI then fails only on the others')
    .option('--note <text>', 'why it is known (an issue link, a decision)')
    .option('--fail-on-new', 'exit 1 if any finding is not marked known')
    .option('--json', 'print the findings as a JSON array')
    .action(async (dir: string, opts: FindingsOptions) => (await import('./findings.ts')).runFindings(dir, opts));
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('run one scenario and print its verdict and trace hash')
    .argument('<scenario.json>', 'scenario file (e.g. a counterexample saved by explore)')
    .option('--variant <name>', FILE_VARIANT_HELP)
    .option('--config <name>', `run under this configuration's policy instead of the scenario's own (a scenario without one means spec): ${CONFIG_HELP}`, configArg)
    .option('--json', 'print {verdict, invariant?, eventIndex?, traceHash, violations}')
    .option('--timeline', 'print the whole timeline (default: a window around the violation)')
    .option('--trace <out.jsonl>', 'write the canonical trace (one JSON event per line)')
    .option('--html <out.html>', 'write the self-contained HTML report')
    .option(...APPLIER_OPTION)
    .option(...RESTART_OPTION)
    .action(async (path: string, opts: ReplayOptions) => (await import('./replay.ts')).runReplay(path, opts));
}

export function registerShrink(program: Command): void {
  program
    .command('shrink')
    .description('shrink a failing scenario to a smaller one that fails with the same invariant')
    .argument('<scenario.json>', 'failing scenario file')
    .requiredOption('--out <min.json>', 'where to write the shrunk scenario')
    .option('--variant <name>', FILE_VARIANT_HELP)
    .option('--runs <n>', `scenarios to try at most (default ${MINIMIZE_BUDGET})`, positiveInt('--runs'))
    .addOption(new Option('--budget <n>', 'the old name of --runs').argParser(positiveInt('--budget')).hideHelp())
    .option('--json', 'print {verdict, invariant, before, after, runs, file, repro}')
    .option(...APPLIER_OPTION)
    .action(async (path: string, opts: ShrinkOptions) => (await import('./shrink.ts')).runShrink(path, opts));
}

export function registerMutants(program: Command): void {
  program
    .command('mutants')
    .description('explore every bug variant and print the kill table (which invariant catches it, how fast)')
    .option('--runs <n>', 'scenarios per variant (with --time too: whichever ends first)', positiveInt('--runs'))
    .option('--time <duration>', `wall-time budget per variant (default ${seconds(DEFAULT_TIME_PER_VARIANT_MS)} unless --runs)`, duration('--time'))
    .addOption(new Option('--runs-per-variant <n>', 'the old name of --runs').argParser(positiveInt('--runs-per-variant')).hideHelp())
    .addOption(new Option('--time-per-variant <duration>', 'the old name of --time').argParser(duration('--time-per-variant')).hideHelp())
    .option('--seed <n>', 'exploration seed (default: random, printed)', seedArg)
    .option('--config <name>', `${CONFIG_HELP} (default: hardened)`, configArg)
    .option('--policy <file.json>', POLICY_HELP)
    .option('--workers <n>', 'parallel lanes: this thread and n-1 worker threads (default: one per core)', workersArg)
    .option('--out-dir <dir>', 'where counterexamples are saved', 'regsim-failures')
    .option('--json', 'print the kill table as a JSON array')
    .option(...APPLIER_OPTION)
    .option('--only <variants>', 'comma-separated variants to run instead of all (see regsim variants)', (v: string) => v.split(','))
    .action(async (opts: MutantsOptions) => (await import('./mutants.ts')).runMutants(opts));
}

export function registerVariants(program: Command): void {
  program
    .command('variants')
    .description('list the bug variants (--variant, mutants --only) and the configurations (--config), each with what it is')
    .option('--json', 'print {variants: [{name, layer, bug}], configs: [{name, description}]}')
    .action(async (opts: VariantsOptions) => (await import('./variants.ts')).runVariants(opts));
}

export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('run golden vectors against an applier: Stage 6A vectors on the 6A applier, production-main vectors on main\'s')
    .argument('<vectors.json>', 'golden vectors file (its sections tell its kind)')
    .option('--variant <name>', 'applier variant to test (the same bug on either applier)', 'correct')
    .option('--json', 'print {passed, failed, failures}')
    .option(...APPLIER_OPTION)
    .action(async (path: string, opts: ConformanceOptions) => (await import('./conformance.ts')).runConformanceVerb(path, opts));
}
