// `--corpus DIR` (explore, merge): every shrunk counterexample is filed in a
// findings corpus (src/findings), as a new finding or one more sighting. The
// exit code then leaves out failures of an invariant whose findings here are
// all marked known, so CI fails only on what nobody has looked at yet.
import { makeDir } from '../files/index.ts';
import { CorpusError, fileFinding, listFindings, scenarioFile } from '../findings/corpus.ts';
import type { Filing } from '../findings/corpus.ts';
import type { HeaderRecord } from '../records/format.ts';
import type { Scenario } from '../scenario/index.ts';
import type { ScenarioSize } from '../explore/index.ts';
import { replayCommand } from '../counterexample/index.ts';
import { UsageError } from './errors.ts';

/** A shrunk counterexample and the exploration (header) that found it. */
export interface Sighted {
  invariant: string;
  run: number;
  runSeed: string;
  scenario: Scenario;
  size: ScenarioSize;
  header: HeaderRecord;
}

/** Before any run: the corpus folder can be made and what it holds are findings (else a one-line usage error). */
export function checkCorpus(dir: string): void {
  try {
    makeDir(dir);
    listFindings(dir);
  } catch (err) {
    throw new UsageError(err instanceof CorpusError ? err.message : `cannot use ${dir} as a findings corpus: ${(err as Error).message}`);
  }
}

function fileAll(dir: string, sighted: readonly Sighted[]): Filing[] {
  try {
    return sighted.map(({ invariant, run, runSeed, scenario, size, header: h }) =>
      fileFinding(dir, {
        invariant,
        variant: h.exploration.variant,
        config: h.exploration.config,
        applier: h.exploration.applier,
        scenario,
        size,
        sighting: {
          at: h.startedAt,
          host: h.host,
          seed: h.exploration.seed,
          run,
          runSeed,
          ...(h.shard ? { shard: `${h.shard.index}/${h.shard.count}` } : {}),
          commit: h.provenance.commit,
          regsim: h.provenance.regsim,
        },
      }),
    );
  } catch (err) {
    if (err instanceof CorpusError) throw new UsageError(err.message);
    throw err;
  }
}

/** The replay command of a finding's saved scenario (with its variant: a corpus may hold files saved before they named it). */
export const findingRepro = (dir: string, f: Filing['finding']): string => replayCommand(scenarioFile(dir, f.id), { variant: f.variant, applier: f.applier ?? undefined });

/** With a corpus: files the sightings; the summary's extra lines and JSON, and the failures that still count for the exit code. */
export function corpusReport<F extends { invariant?: string }>(dir: string | undefined, sighted: readonly Sighted[], failures: readonly F[]) {
  if (dir === undefined) return {};
  const filings = fileAll(dir, sighted);
  // One line per finding: its latest state, and `new` if this exploration added it.
  const byId = new Map<string, Filing>();
  for (const f of filings) byId.set(f.finding.id, byId.get(f.finding.id)?.status === 'new' ? { ...f, status: 'new' } : f);
  const unique = [...byId.values()];
  const lines = unique.map(({ finding: f, status }) => {
    const what = status === 'new' ? 'new finding' : status === 'known' ? `known finding ("${f.known?.note}")` : 'finding seen before, not marked known';
    return `corpus: ${what} ${f.id}, ${f.sightings.length} sighting${f.sightings.length === 1 ? '' : 's'}: ${findingRepro(dir, f)}`;
  });
  const open = new Set(unique.filter((f) => f.status !== 'known').map((f) => f.finding.invariant));
  const known = new Set(unique.filter((f) => f.status === 'known').map((f) => f.finding.invariant));
  const excused = (f: F): boolean => known.has(f.invariant as string) && !open.has(f.invariant as string);
  if (failures.some(excused)) lines.push(`corpus: violations of ${[...known].filter((i) => !open.has(i)).join(', ')} are known findings: they do not fail the exit code`);
  return {
    extraLines: lines,
    extraJson: { findings: unique.map(({ finding: f, status }) => ({ id: f.id, invariant: f.invariant, status, sightings: f.sightings.length, repro: findingRepro(dir, f) })) },
    exitFailures: failures.filter((f) => !excused(f)),
  };
}
