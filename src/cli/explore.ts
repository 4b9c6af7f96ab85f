// `regsim explore`: VOPR-style exploration of generated scenarios. Stops at
// the first violation (or keeps going), shrinks it, saves it and prints the
// one command that replays it; the summary says what ran and how often the
// rare situations the invariants are about came up. A shard (or an explicit
// range) does part of an exploration; its records file is what `merge` needs.
import { randomInt } from 'node:crypto';
import { RunError, defaultWorkers, explore } from '../explore/index.ts';
import type { ExploreResult, RunSpec } from '../explore/index.ts';
import { presetPolicy, resolvePolicy } from '../scenario/index.ts';
import type { PolicyOverrides, PolicyPresetName } from '../scenario/index.ts';
import { RECORDS_FORMAT, toRunRecord } from '../records/format.ts';
import type { Exploration, HeaderRecord } from '../records/format.ts';
import { host, provenance } from '../records/provenance.ts';
import { RecordsWriter } from '../records/writer.ts';
import { childOptions, restartWords, withApplier } from './applier-option.ts';
import type { RestartChildOption } from './applier-option.ts';
import { DEFAULT_RUNS } from './defaults.ts';
import { configLabel, exploreRunCommand, recordFailure } from './counterexample.ts';
import { checkCorpus, corpusReport } from './corpus-option.ts';
import { HarnessError, UsageError } from './errors.ts';
import { checkOutputDir } from './files.ts';
import { plural, seconds } from './format.ts';
import { formatRange, runRange } from './range.ts';
import { readPolicyFile, variantArg } from './scenario-options.ts';
import { startProgress } from './progress.ts';
import { found, report } from './summary.ts';
import type { ExplorationContext, Found } from './summary.ts';

/** The options as commander parsed them (see commands.ts). */
export interface ExploreOptions {
  seed?: number;
  runs?: number;
  time?: number;
  shard?: { index: number; count: number };
  from?: number;
  to?: number;
  variant: string;
  nodes?: number;
  config?: PolicyPresetName;
  policy?: string;
  workers?: number;
  keepGoing?: boolean;
  shrink: boolean;
  outDir: string;
  records?: string;
  corpus?: string;
  json?: boolean;
  applier?: string;
  restartChild?: RestartChildOption;
  /** Compare the built-in applier with this external one, run by run (compare.ts). */
  compare?: string;
}

/** The identity of an exploration, as records files carry it. */
function explorationOf(spec: Required<Pick<RunSpec, 'guardSwarm' | 'differential'>> & RunSpec, keepGoing: boolean, applier?: string, policyFile?: string): Exploration {
  return {
    seed: spec.seed,
    variant: spec.variant,
    config: spec.config ?? 'hardened',
    nodes: spec.nodes ?? null,
    guardSwarm: spec.guardSwarm,
    differential: spec.differential,
    keepGoing,
    applier: applier ?? null,
    ...(spec.policy !== undefined && policyFile !== undefined ? { policy: { file: policyFile, overrides: spec.policy } } : {}),
  };
}

/** What `explore` runs (also the bench's main job, bench/explore.ts): scenarios of `seed` under `config` (default hardened). */
export function exploreSpec(seed: number, variant: string, opts: { nodes?: number; config?: PolicyPresetName; policy?: PolicyOverrides } = {}) {
  const { nodes, config = 'hardened', policy } = opts;
  // Half of the runs switch start-up guards off (so the applier's halts are reached), and a variant is
  // judged against the correct applier on the same scenario (a finding of the configuration is not its doing).
  return { seed, variant, nodes, config, ...(policy === undefined ? {} : { policy }), guardSwarm: true, differential: variant !== 'correct' };
}

export async function runExplore(opts: ExploreOptions): Promise<void> {
  if (opts.compare !== undefined && opts.applier !== undefined) throw new UsageError('--compare runs the built-in applier against the external one it names: drop --applier');
  const variant = variantArg(opts.variant, opts.applier ?? opts.compare);
  const range = runRange(opts, DEFAULT_RUNS);
  const seed = opts.seed ?? randomInt(0x100000000);
  if (opts.compare !== undefined) return compareRuns(opts, seed, variant.name, range);
  const workers = opts.workers ?? defaultWorkers();
  const config = opts.config ?? 'hardened';
  const policy = opts.policy === undefined ? undefined : readPolicyFile(opts.policy);
  const keepGoing = opts.keepGoing === true;
  const spec = exploreSpec(seed, variant.name, { nodes: opts.nodes, config, policy });
  const ctx: ExplorationContext = { seed, variant: variant.name, config, ...(opts.policy === undefined ? {} : { policy: opts.policy }), applier: opts.applier, provenance: provenance(), range, shard: range.shard, records: opts.records };
  if (opts.corpus !== undefined) checkCorpus(opts.corpus);
  checkOutputDir(opts.outDir, '--out-dir');
  const records = opts.records === undefined ? undefined : openRecords(opts.records);
  const say = (text: string): void => void (opts.json ? undefined : process.stdout.write(text));

  const header: HeaderRecord = {
    type: 'header',
    format: RECORDS_FORMAT,
    startedAt: new Date().toISOString(),
    host: host(),
    provenance: ctx.provenance,
    exploration: explorationOf(spec, keepGoing, opts.applier, opts.policy),
    range: { from: range.from, to: range.to ?? null },
    ...(range.shard ? { shard: range.shard } : {}),
  };

  try {
    records?.write(header);
    const applierOptions = childOptions(opts.restartChild, opts.applier);
    await withApplier(opts.applier, variant.applier, async (factory, applierName) => {
      const applier = opts.applier === undefined ? undefined : factory;
      const runs = range.to === undefined ? undefined : range.to - range.from;
      const budget = [range.to !== undefined ? formatRange(range.from, range.to) : `from run ${range.from}`, opts.time !== undefined ? `${seconds(opts.time)} of wall time` : '']
        .filter(Boolean)
        .join(', at most ');
      const shard = range.shard ? `shard ${range.shard.index}/${range.shard.count} (${budget})` : budget;
      const external = applierName === undefined ? '' : `, external applier ${applierName}${workers > 1 ? ' (one child per worker)' : ''}`;
      say(`regsim explore: seed ${seed}, variant ${variant.name}, config ${configLabel(config, opts.policy)}, ${shard}, ${plural(workers, 'worker')}${external}\n`);

      const progress = startProgress('explore', { runs, timeMs: opts.time });
      let result: ExploreResult;
      try {
        result = await explore({
          ...spec,
          from: range.from,
          runs,
          timeMs: opts.time,
          workers,
          keepGoing,
          applier,
          applierCommand: opts.applier,
          applierOptions,
          onProgress: (p) => progress.update(p),
          onRun: (s) => records?.write(toRunRecord(s)),
        });
      } catch (err) {
        if (err instanceof RunError) throw new HarnessError(`${err.message}; reproduce with: ${exploreRunCommand(spec, err.run, opts.applier, opts.policy)}${restartWords(opts.restartChild)}`);
        throw err;
      } finally {
        progress.stop();
      }

      // Shrinking costs many runs: with --keep-going only the first failure of each invariant gets it.
      const shrunkInvariants = new Set<string>();
      const all: Found[] = result.failures.map((failure) => {
        const shrink = opts.shrink && !shrunkInvariants.has(failure.invariant as string);
        shrunkInvariants.add(failure.invariant as string);
        if (shrink) process.stderr.write(`shrinking run ${failure.index} (${failure.invariant})...\n`);
        const c = recordFailure(spec, failure, { outDir: opts.outDir, shrink, applier, applierCommand: opts.applier, policyFile: opts.policy });
        records?.write({ type: 'counterexample', run: c.run, invariant: c.invariant, shrunk: c.shrunk, before: c.before, after: c.after, tries: c.tries, scenario: c.scenario });
        return found(variant.name, failure, c, applier);
      });
      records?.write({
        type: 'end',
        runs: result.runs,
        next: result.from + result.runs,
        stoppedBy: result.stoppedBy,
        digest: result.digest,
        elapsedMs: Math.round(result.elapsedMs),
        workers: result.workers,
        finishedAt: new Date().toISOString(),
      });
      const sighted = all.filter((f) => f.c.shrunk).map(({ failure, c }) => ({ ...c, runSeed: failure.runSeed, size: c.after, header }));
      report(ctx, result, all, { json: opts.json, ...corpusReport(opts.corpus, sighted, result.failures) });
    }, applierOptions, resolvePolicy(spec.policy, presetPolicy(config)).fsm === 'main');
  } finally {
    records?.close();
  }
}

/** `--compare`: the runs of the range under both appliers, on this thread (compare.ts). */
async function compareRuns(opts: ExploreOptions, seed: number, variant: string, range: ReturnType<typeof runRange>): Promise<void> {
  const command = opts.compare as string;
  if (range.to === undefined) throw new UsageError('--compare needs a run count (--runs, --to or --shard), not only --time');
  const spec = { seed, variant, nodes: opts.nodes, config: opts.config ?? 'hardened', guardSwarm: true, differential: false };
  const applierOptions = childOptions(opts.restartChild, command);
  (await import('./compare.ts')).runCompare({ spec, from: range.from, to: range.to, command, applierOptions, json: opts.json });
}

/** Opened before any run, so that a bad path is bad input, not a lost exploration. */
function openRecords(file: string): RecordsWriter {
  try {
    return new RecordsWriter(file);
  } catch (err) {
    throw new UsageError(`cannot write records file ${file}: ${(err as Error).message}`);
  }
}
