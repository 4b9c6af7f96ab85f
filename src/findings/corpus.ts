// A findings corpus: one folder per finding (<invariant>-<signature>/), with
// the shrunk scenario that first showed it (scenario.json) and what is known
// about it (finding.json): when and where it was seen, every sighting, and
// whether a person marked it known, with a note. The same bug found on ten
// machines is one finding with ten sightings; sightings are keyed by the
// exploration and run, so merging the same records twice counts once.
// One writer at a time (the merge job of a CI run): concurrent writers race.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { makeDir } from '../files/index.ts';
import { join } from 'node:path';
import type { ScenarioSize } from '../explore/index.ts';
import { serializeScenario } from '../scenario/index.ts';
import type { Scenario } from '../scenario/index.ts';
import { findingSignature } from './signature.ts';

export interface Sighting {
  /** When the exploration that saw it started. */
  at: string;
  host: string;
  seed: number;
  run: number;
  runSeed: string;
  shard?: string;
  commit: string | null;
  regsim: string;
}

export interface Finding {
  id: string;
  invariant: string;
  variant: string;
  config: string;
  /** The external applier command it was found with, or null. */
  applier: string | null;
  signature: string;
  /** The shrunk scenario's size (scenario.json). */
  size: ScenarioSize;
  firstSeen: string;
  sightings: Sighting[];
  known?: { note: string; at: string };
}

export interface Seen {
  invariant: string;
  variant: string;
  config: string;
  applier: string | null;
  scenario: Scenario;
  size: ScenarioSize;
  sighting: Sighting;
}

export type Filing = { finding: Finding; status: 'new' | 'seen' | 'known' };

/** Bad input in a corpus folder. */
export class CorpusError extends Error {
  override name = 'CorpusError';
}

const FINDING = 'finding.json';
export const scenarioFile = (dir: string, id: string): string => join(dir, id, 'scenario.json');
const sameSighting = (a: Sighting, b: Sighting): boolean => a.seed === b.seed && a.run === b.run && a.commit === b.commit;

function readFinding(file: string): Finding {
  try {
    const f = JSON.parse(readFileSync(file, 'utf8')) as Finding;
    if (typeof f.id !== 'string' || !Array.isArray(f.sightings)) throw new Error('not a finding');
    return f;
  } catch (err) {
    throw new CorpusError(`${file}: not a finding record (${(err as Error).message})`);
  }
}

const writeFinding = (dir: string, f: Finding): void => writeFileSync(join(dir, f.id, FINDING), `${JSON.stringify(f, null, 2)}\n`);

/** Files one sighting: a new finding, or one more sighting of a known signature. */
export function fileFinding(dir: string, seen: Seen): Filing {
  const signature = findingSignature(seen.invariant, seen.variant, seen.scenario);
  const id = `${seen.invariant}-${signature}`;
  const file = join(dir, id, FINDING);
  if (existsSync(file)) {
    const finding = readFinding(file);
    if (!finding.sightings.some((s) => sameSighting(s, seen.sighting))) {
      finding.sightings.push(seen.sighting);
      finding.firstSeen = [finding.firstSeen, seen.sighting.at].sort()[0] as string;
      writeFinding(dir, finding);
    }
    return { finding, status: finding.known ? 'known' : 'seen' };
  }
  const { invariant, variant, config, applier, size, sighting } = seen;
  const finding: Finding = { id, invariant, variant, config, applier, signature, size, firstSeen: sighting.at, sightings: [sighting] };
  makeDir(join(dir, id));
  writeFileSync(scenarioFile(dir, id), serializeScenario(seen.scenario));
  writeFinding(dir, finding);
  return { finding, status: 'new' };
}

/** Every finding of the corpus, oldest first (an absent folder is an empty corpus). */
export function listFindings(dir: string): Finding[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, FINDING)))
    .map((e) => readFinding(join(dir, e.name, FINDING)))
    .sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.id.localeCompare(b.id));
}

/** Marks a finding known (CI then fails only on the others); `at` is when. */
export function markKnown(dir: string, id: string, note: string, at: string): Finding {
  const file = join(dir, id, FINDING);
  if (!existsSync(file)) {
    const ids = listFindings(dir).map((f) => f.id);
    throw new CorpusError(`no finding ${id} in ${dir} (${ids.length === 0 ? 'the corpus is empty' : `known ids: ${ids.join(', ')}`})`);
  }
  const finding = { ...readFinding(file), known: { note, at } };
  writeFinding(dir, finding);
  return finding;
}
