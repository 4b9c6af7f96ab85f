// `regsim merge <records...>`: the records files of one exploration's shards
// (explore --shard i/k --records FILE.jsonl) give the summary, the digest,
// the verdict and the counterexamples one unsharded run of the same seed
// gives. Each counterexample the shards saved is written again here and
// replayed from the saved bytes; a failure without one (a shard stopped
// before saving it) is regenerated from its run index.
import { readFileSync } from 'node:fs';
import type { RunSpec } from '../explore/index.ts';
import { resolveVariant } from '../scenario/index.ts';
import type { PolicyPresetName, Scenario } from '../scenario/index.ts';
import { mergeRecords } from '../records/merge.ts';
import type { Merged } from '../records/merge.ts';
import { RecordsError, firstLine } from '../records/reader.ts';
import { withApplier } from './applier-option.ts';
import { recordFailure, saveCounterexample } from './counterexample.ts';
import { checkCorpus, corpusReport } from './corpus-option.ts';
import { UsageError } from './errors.ts';
import { checkOutputDir } from './files.ts';
import { found, report } from './summary.ts';
import type { Found } from './summary.ts';

/** The options as commander parsed them (see commands.ts). */
export interface MergeOptions {
  outDir: string;
  corpus?: string;
  json?: boolean;
}

/** The explore --json summaries among the inputs: checked against the records of the same runs, not merged twice. */
interface Summary {
  file: string;
  range: { from: number; to: number | null };
  digest: string;
  runs: number;
}

export async function runMerge(files: string[], opts: MergeOptions): Promise<void> {
  if (opts.corpus !== undefined) checkCorpus(opts.corpus);
  checkOutputDir(opts.outDir, '--out-dir');
  const summaries = files.filter(isExploreSummary).map(readSummary);
  const records = files.filter((f) => !summaries.some((s) => s.file === f));
  let merged: Merged;
  try {
    merged = await mergeRecords(records);
  } catch (err) {
    if (err instanceof RecordsError) throw new UsageError(err.message);
    throw err;
  }
  checkSummaries(summaries, merged.parts);
  const { header, result } = merged;
  const x = header.exploration;
  const spec: RunSpec = {
    seed: x.seed,
    variant: x.variant,
    config: x.config as PolicyPresetName,
    ...(x.policy === undefined ? {} : { policy: x.policy.overrides }),
    nodes: x.nodes ?? undefined,
    guardSwarm: x.guardSwarm,
    differential: x.differential,
  };
  const applierCommand = x.applier ?? undefined;

  await withApplier(applierCommand, resolveVariant(x.variant).applier, async (factory) => {
    const applier = applierCommand === undefined ? undefined : factory;
    // As explore does: the first failure of each invariant comes shrunk (by its shard), the rest as generated.
    const shrunkInvariants = new Set<string>();
    const all: Found[] = result.failures.map((failure) => {
      const shrink = !shrunkInvariants.has(failure.invariant as string);
      shrunkInvariants.add(failure.invariant as string);
      const saved = merged.counterexamples.get(failure.index);
      const options = { outDir: opts.outDir, applier, applierCommand, policyFile: x.policy?.file };
      const c =
        saved === undefined
          ? recordFailure(spec, failure, { ...options, shrink })
          : saveCounterexample(spec, { ...saved, scenario: saved.scenario as Scenario, runSeed: failure.runSeed }, options);
      return found(x.variant, failure, c, applier);
    });
    const ctx = {
      seed: x.seed,
      variant: x.variant,
      config: spec.config as PolicyPresetName,
      ...(x.policy === undefined ? {} : { policy: x.policy.file }),
      applier: applierCommand,
      provenance: header.provenance,
      range: { from: merged.range.from, to: merged.range.to ?? undefined },
      inputs: merged.parts.map((p) => p.file),
      ...(merged.notRun.length > 0 ? { notRun: merged.notRun } : {}),
    };
    if (!opts.json) process.stdout.write(`regsim merge: ${merged.parts.length} records files of seed ${x.seed}, variant ${x.variant}, config ${x.config}\n`);
    const sighted = merged.shrunk.map(({ record, header: h, runSeed }) => ({ ...record, runSeed, size: record.after, scenario: record.scenario as Scenario, header: h }));
    report(ctx, result, all, { json: opts.json, ...corpusReport(opts.corpus, sighted, result.failures) });
  });
}

/** An explore --json output (one JSON object with a digest), not a records file. */
function isExploreSummary(file: string): boolean {
  try {
    const value = JSON.parse(firstLine(file)) as Record<string, unknown>;
    return value.type === undefined && typeof value.digest === 'string';
  } catch {
    return false;
  }
}

function readSummary(file: string): Summary {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Summary> & { firstRun?: number };
  if (value.range === undefined || typeof value.runs !== 'number') throw new UsageError(`${file}: an explore --json summary without its range (made by an older regsim?)`);
  return { file, range: value.range, digest: value.digest as string, runs: value.runs };
}

/** Each summary must have the records file of its runs among the inputs, with the same digest. */
function checkSummaries(summaries: readonly Summary[], parts: Merged['parts']): void {
  for (const s of summaries) {
    const mine = parts.find((p) => p.range.from === s.range.from && p.range.to === s.range.to);
    if (mine === undefined) throw new UsageError(`${s.file} summarises runs ${s.range.from}..${s.range.to ?? ''} but no records file among the inputs has them: pass the shard's --records file`);
    if (mine.digest !== s.digest) throw new UsageError(`${s.file} and ${mine.file} disagree: digests ${s.digest.slice(0, 12)} vs ${mine.digest?.slice(0, 12) ?? 'none'}`);
  }
}
