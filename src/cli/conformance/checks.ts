// A conformance run is a list of named checks, each returning its problems
// ([] when it passes). The helpers compare what an applier did with a vector
// and say what differs, field by field.
import { ExternalApplierError } from '../../external/index.ts';
import { CodecError } from '../../applier/index.ts';
import type { Row } from './schema.ts';

export type Check = () => string[];
export type NamedCheck = [name: string, check: Check];

export interface ConformanceResult {
  passed: number;
  failed: number;
  failures: string[];
  /** With an external applier: how many checks of each section sent it at least one entry. */
  sent?: SectionCount[];
}

export interface SectionCount {
  section: string;
  sent: number;
  of: number;
}

/** The section a check belongs to: its name up to the first `[` or `.`. */
const sectionOf = (name: string): string => /^[^[.]*/.exec(name)?.[0] ?? name;

/** Runs every check; `applies` (an external child's apply count) lets the result say which checks reached it. */
export function runChecks(checks: readonly NamedCheck[], applies?: () => number): ConformanceResult {
  const failures: string[] = [];
  const sent = new Map<string, SectionCount>();
  for (const [name, check] of checks) {
    const section = sectionOf(name);
    const count = sent.get(section) ?? { section, sent: 0, of: 0 };
    sent.set(section, count);
    count.of++;
    const before = applies?.();
    let problems: string[];
    try {
      problems = check();
    } catch (err) {
      // A dead or garbled external applier is a harness error, not a failed vector.
      if (err instanceof ExternalApplierError) throw err;
      // An applier that throws fails its vector; it does not stop the run.
      problems = [`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`];
    }
    if (problems.length > 0) failures.push(`${name}: ${problems.join('; ')}`);
    if (applies !== undefined && applies() !== before) count.sent++;
  }
  const result = { passed: checks.length - failures.length, failed: failures.length, failures };
  return applies === undefined ? result : { ...result, sent: [...sent.values()] };
}

export function expectEqual(what: string, got: string, want: string): string[] {
  return sameLeaf(got, want) ? [] : [`${what} ${got}, want ${want}`];
}

/** Decode the vector's bytes and re-encode them: they must give back the expected fields. */
export function decodesBack(what: string, roundTrip: () => string, want: string): string[] {
  try {
    return roundTrip() === want ? [] : [`${what} does not decode back`];
  } catch (err) {
    if (err instanceof CodecError) return [`${what} does not decode: ${err.message}`];
    throw err;
  }
}

/** One problem per key whose row differs (absent on one side, or another value). */
export function rowDifferences(got: Row[], want: Row[], what = 'row'): string[] {
  const byKey = (rows: Row[]) => new Map(rows.map((r) => [r.keyHex.toLowerCase(), r.valueHex.toLowerCase()]));
  const gotRows = byKey(got);
  const wantRows = byKey(want);
  return [...new Set([...gotRows.keys(), ...wantRows.keys()])]
    .sort()
    .filter((key) => gotRows.get(key) !== wantRows.get(key))
    .map((key) => `${what} ${key} ${gotRows.get(key) ?? 'absent'}, want ${wantRows.get(key) ?? 'absent'}`);
}

/** Every leaf where two JSON values differ, as `path got, want`; arrays of other lengths also say so. */
export function jsonDifferences(path: string, got: unknown, want: unknown): string[] {
  if (Array.isArray(got) && Array.isArray(want)) {
    const common = Math.min(got.length, want.length);
    const lengths = got.length === want.length ? [] : [`${path} has ${got.length} items, want ${want.length}`];
    return [...lengths, ...got.slice(0, common).flatMap((g, i) => jsonDifferences(`${path}[${i}]`, g, want[i]))];
  }
  if (isRecord(got) && isRecord(want)) {
    return [...new Set([...Object.keys(got), ...Object.keys(want)])].flatMap((k) => jsonDifferences(`${path}.${k}`, got[k], want[k]));
  }
  if (sameLeaf(got, want)) return [];
  return [`${path} ${JSON.stringify(got) ?? 'absent'}, want ${JSON.stringify(want) ?? 'absent'}`];
}

/** Hex digits compare case-insensitively (the vectors' schema allows either case). */
function sameLeaf(got: unknown, want: unknown): boolean {
  const hex = /^[0-9a-fA-F]*$/;
  if (typeof got === 'string' && typeof want === 'string' && hex.test(got) && hex.test(want)) return got.toLowerCase() === want.toLowerCase();
  return got === want;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
