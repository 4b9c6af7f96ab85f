// The merge of the records files of one exploration's shards (or ranges):
// the same runs added up in the same index order as one unsharded process
// would (totals.ts), so the summary, the digest and the first failure are
// the same. Before any run is read, the inputs must be one exploration (the
// same seed, configuration, variant and provenance) and tile its runs: no
// overlap, no run in no input. Runs a shard did not get to (its wall-time
// budget ended, or it was stopped) are named, as an unsharded --time run
// would be not reproducible.
import { isFailure } from '../explore/run.ts';
import type { ExploreResult } from '../explore/index.ts';
import { RunDigest } from '../explore/seed.ts';
import { RunTotals } from '../explore/totals.ts';
import { loadScenario, ScenarioError } from '../scenario/index.ts';
import { fromRunRecord } from './format.ts';
import type { CounterexampleRecord, EndRecord, HeaderRecord } from './format.ts';
import { readHeader, readLines, RecordsError } from './reader.ts';

export interface MergeInput {
  file: string;
  header: HeaderRecord;
}

export interface Merged {
  header: HeaderRecord;
  /** The runs the inputs were given, together. */
  range: { from: number; to: number | null };
  result: ExploreResult;
  /** The counterexamples of the counted failures, by run (their scenarios load). */
  counterexamples: Map<number, CounterexampleRecord>;
  /** Every shrunk counterexample of every input, past the cut too (each is a sighting for a findings corpus), with its input's header. */
  shrunk: { record: CounterexampleRecord; header: HeaderRecord; runSeed: string }[];
  /** Runs in an input's range that it did not run, one line per stretch. */
  notRun: string[];
  /** Each input: its range and the digest of its own runs (from its end record; undefined without one). */
  parts: { file: string; range: HeaderRecord['range']; digest?: string }[];
}

const span = (from: number, to: number | null): string => (to === null ? `runs ${from}..` : `runs ${from}..${to - 1}`);

/** The first field where two values differ ("exploration.seed: 7 vs 8"), or undefined. */
function difference(a: unknown, b: unknown, path: string): string | undefined {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path.slice(1)}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** A counterexample's scenario must load (merge saves and replays it). */
function checkScenario(doc: unknown, where: string): void {
  try {
    loadScenario(doc);
  } catch (err) {
    if (err instanceof ScenarioError) throw new RecordsError(`${where}: counterexample ${err.message}`);
    throw err;
  }
}

/** The inputs' headers, checked to be one exploration that they tile; sorted by range. */
export function planMerge(files: readonly string[]): MergeInput[] {
  if (files.length === 0) throw new RecordsError('merge needs at least one records file');
  const inputs = files.map((file) => ({ file, header: readHeader(file) })).sort((a, b) => a.header.range.from - b.header.range.from);
  const [first] = inputs as [MergeInput];
  for (const input of inputs) {
    const identity = (h: HeaderRecord) => ({ exploration: h.exploration, provenance: h.provenance });
    const d = difference(identity(first.header), identity(input.header), '');
    if (d !== undefined) throw new RecordsError(`${first.file} and ${input.file} are not one exploration (${d})`);
  }
  const pairs = inputs.slice(1).map((b, i) => [inputs[i] as MergeInput, b] as const);
  for (const [a, b] of pairs) {
    const aTo = a.header.range.to;
    if (aTo === null || aTo > b.header.range.from) {
      throw new RecordsError(`${a.file} (${span(a.header.range.from, aTo)}) and ${b.file} (${span(b.header.range.from, b.header.range.to)}) overlap`);
    }
  }
  checkShards(inputs);
  for (const [a, b] of pairs) {
    const aTo = a.header.range.to as number;
    if (aTo < b.header.range.from) throw new RecordsError(`runs ${aTo}..${b.header.range.from - 1} are in no input (between ${a.file} and ${b.file})`);
  }
  return inputs;
}

function checkShards(inputs: readonly MergeInput[]): void {
  const shards = inputs.filter((i) => i.header.shard !== undefined);
  if (shards.length === 0) return;
  const of = (i: MergeInput): string => (i.header.shard ? `shard ${i.header.shard.index}/${i.header.shard.count} of ${i.header.shard.runs} runs` : 'not a shard');
  const [s] = shards as [MergeInput];
  const { count, runs } = s.header.shard as NonNullable<HeaderRecord['shard']>;
  for (const i of inputs) {
    if (i.header.shard?.count !== count || i.header.shard.runs !== runs) throw new RecordsError(`${s.file} is ${of(s)}, ${i.file} is ${of(i)}`);
  }
  const have = new Set(inputs.map((i) => i.header.shard?.index));
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !have.has(k));
  if (missing.length > 0) throw new RecordsError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} of ${runs} runs missing: no input has ${missing.length > 1 ? 'them' : 'it'}`);
}

/** Reads every input in index order and adds the runs up as one exploration. */
export async function mergeRecords(files: readonly string[]): Promise<Merged> {
  const inputs = planMerge(files);
  const head = (inputs[0] as MergeInput).header;
  const keepGoing = head.exploration.keepGoing;
  const totals = new RunTotals();
  const counterexamples = new Map<number, CounterexampleRecord>();
  const notRun: string[] = [];
  const parts: Merged['parts'] = [];
  const shrunk: Merged['shrunk'] = [];
  let cutAt = Number.POSITIVE_INFINITY;
  let workers = 0;
  let elapsedMs = 0;
  let partial = false;

  for (const { file, header } of inputs) {
    const { from, to } = header.range;
    const own = new RunDigest();
    let next = from;
    let end: EndRecord | undefined;
    const failing = new Map<number, string>();
    for await (const { line, record } of readLines(file)) {
      const where = `${file}: line ${line}`;
      if (end !== undefined) throw new RecordsError(`${where}: a ${record.type} record after the end record`);
      if (record.type === 'header') throw new RecordsError(`${where}: a second header`);
      if (record.type === 'run') {
        if (record.run !== next) throw new RecordsError(`${where}: run ${record.run} where run ${next} was due (runs are recorded in order, without gaps)`);
        if (to !== null && record.run >= to) throw new RecordsError(`${where}: run ${record.run} outside the file's ${span(from, to)}`);
        next++;
        own.add(record.traceHash);
        const summary = fromRunRecord(record);
        if (isFailure(summary)) failing.set(summary.index, summary.runSeed);
        if (summary.index > cutAt) continue;
        totals.add(summary);
        if (isFailure(summary) && !keepGoing) cutAt = summary.index;
      } else if (record.type === 'counterexample') {
        if (!failing.has(record.run)) throw new RecordsError(`${where}: a counterexample of run ${record.run}, which is no failing run of this file`);
        checkScenario(record.scenario, where);
        if (record.run <= cutAt) counterexamples.set(record.run, record);
        if (record.shrunk) shrunk.push({ record, header, runSeed: failing.get(record.run) as string });
      } else end = record;
    }
    parts.push({ file, range: header.range, digest: end?.digest });
    if (end === undefined) {
      partial = true;
      if ((to === null || next < to) && next <= cutAt) notRun.push(`${span(next, to)} (${file} has no end record: it was stopped before it finished)`);
      continue;
    }
    if (end.runs !== next - from || end.next !== next) throw new RecordsError(`${file}: the end record counts ${end.runs} runs, the file has ${next - from}`);
    if (end.digest !== own.value()) throw new RecordsError(`${file}: the end record's digest does not match the file's runs (edited or mixed?)`);
    workers += end.workers;
    elapsedMs = Math.max(elapsedMs, end.elapsedMs);
    if (end.stoppedBy === 'time') {
      partial = true;
      if (next <= cutAt) notRun.push(`${span(next, to)} (${file}: its wall-time budget ended)`);
    }
  }
  const last = (inputs.at(-1) as MergeInput).header.range.to;
  const cut = cutAt !== Number.POSITIVE_INFINITY;
  const result: ExploreResult = {
    from: head.range.from,
    ...totals.summary(),
    stoppedBy: cut ? 'failure' : partial ? 'time' : 'runs',
    workers: Math.max(1, workers),
    elapsedMs,
  };
  return { header: head, range: { from: head.range.from, to: last }, result, counterexamples, shrunk, notRun, parts };
}
