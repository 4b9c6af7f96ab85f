// `regsim conformance <vectors.json>`: run golden vectors produced by the
// production Go code against an applier (the correct one or a named variant).
// A file is one of two kinds, told apart by its sections (vectorsKind):
// Stage 6A's vectors run the Stage 6A applier, production main's run main's.
import { ExternalApplierError, formatCommand, startExternalApplier } from '../external/index.ts';
import { MemoryRegistryStore, mainApplierVariants, applierVariants, variantByName } from '../applier/index.ts';
import type { ApplierFactory, MainFsmFactory } from '../applier/index.ts';
import { UsageError } from './errors.ts';
import { readInputFile } from './files.ts';
import { applySequenceChecks } from './conformance/apply-sequences.ts';
import { runChecks } from './conformance/checks.ts';
import type { ConformanceResult, SectionCount } from './conformance/checks.ts';
import { decodeAndDispatchChecks } from './conformance/main-decode.ts';
import { registrationWord } from './conformance/main-outcome.ts';
import { mainSchema } from './conformance/main-schema.ts';
import type { MainVectors } from './conformance/main-schema.ts';
import { registrationChecks, registrationSchemas } from './conformance/registration-sections.ts';
import type { RegistrationRun, RegistrationSections } from './conformance/registration-sections.ts';
import { object, validator } from './conformance/schema.ts';
import { startupChecks } from './conformance/startup-primitives.ts';

export type VectorsKind = 'stage-6a' | 'production-main';

const STAGE_6A_SECTIONS = Object.keys(registrationSchemas);
const MAIN_ONLY_SECTIONS = Object.keys(mainSchema.properties).filter((s) => !STAGE_6A_SECTIONS.includes(s));

/**
 * The kind of a vectors file, by its top-level sections: only Stage 6A's four
 * (codec, deriveNodeId, decodeErrors, sequences) make a `stage-6a` file; any
 * of production main's own (meta, node16Collisions, ...) make it
 * `production-main`, which must then have them all. A section of neither is
 * an unknown kind (UsageError). A document that is not an object is left to
 * the Stage 6A schema to reject.
 */
export function vectorsKind(doc: unknown): VectorsKind {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'stage-6a';
  const sections = Object.keys(doc);
  const unknown = sections.find((s) => !STAGE_6A_SECTIONS.includes(s) && !MAIN_ONLY_SECTIONS.includes(s));
  if (unknown !== undefined) {
    throw new UsageError(
      `vectors: unknown section ${JSON.stringify(unknown)}: a stage-6a file has ${STAGE_6A_SECTIONS.join(', ')}; a production-main file also ${MAIN_ONLY_SECTIONS.join(', ')}`,
    );
  }
  return sections.some((s) => MAIN_ONLY_SECTIONS.includes(s)) ? 'production-main' : 'stage-6a';
}

/** The applier each kind of file runs. */
export interface ConformanceTarget {
  stage6a: ApplierFactory;
  /** Absent for an external applier of protocol 1: it carries no Raft index, sidecar or keystore. */
  main?: MainFsmFactory;
  /** An external applier's count of applies, so the result says which vectors reached it. */
  applies?: () => number;
}

/** A named variant of both appliers (the same bug flags on each). */
export function variantTarget(name: string): ConformanceTarget {
  return { stage6a: variantByName(applierVariants, name).factory, main: variantByName(mainApplierVariants, name).factory };
}

const validateStage6a = validator<RegistrationSections>(object(registrationSchemas));
const validateMain = validator<MainVectors>(mainSchema);

function stage6aRun(factory: ApplierFactory): RegistrationRun {
  const store = new MemoryRegistryStore();
  const applier = factory(store);
  return {
    apply: (entry) => {
      const response = applier.apply(entry);
      if (response.kind === 'registered') return response.outcome;
      return response.kind === 'halt' ? `halt-${response.reason}` : `kv(0x${response.opcode.toString(16)})`;
    },
    rows: () => store.rowsHex(),
  };
}

function mainRun(factory: MainFsmFactory): RegistrationRun {
  const registry = new MemoryRegistryStore();
  const fsm = factory({ registry });
  let raftIndex = 0;
  return { apply: (entry) => registrationWord(fsm.apply(++raftIndex, entry)), rows: () => registry.rowsHex() };
}

/** Validate `vectors` (UsageError on a bad document) and run every vector, and every step of a sequence, against `target`. */
export function runConformance(vectors: unknown, target: ConformanceTarget): ConformanceResult {
  if (vectorsKind(vectors) === 'stage-6a') return runChecks(registrationChecks(validateStage6a(vectors), () => stage6aRun(target.stage6a)), target.applies);
  const doc = validateMain(vectors);
  const main = target.main;
  if (main === undefined) throw new UsageError(NEEDS_MAIN);
  return runChecks(
    [
      ...registrationChecks(doc, () => mainRun(main)),
      ...decodeAndDispatchChecks(doc, main),
      ...applySequenceChecks(doc.applySequences, main),
      ...startupChecks(doc.startupPrimitives),
    ],
    target.applies,
  );
}

const NEEDS_MAIN = 'production-main vectors need main\'s applier: an external one must speak protocol 2 and implement production-main';

/** Why a section's checks never reach an applier. */
const UNSENT_WHY: Readonly<Record<string, string>> = {
  codec: "regsim's byte codecs",
  deriveNodeId: "regsim's FNV-1a",
  node16Collisions: "regsim's FNV-1a",
  startupPrimitives: "regsim's start-up guards",
  applySequences: 'restarts and guard checks run in regsim',
};

/** `N of M vectors went through the external applier; not sent: …` */
export function sentLine(sent: readonly SectionCount[]): string {
  const total = sent.reduce((n, s) => n + s.of, 0);
  const through = sent.reduce((n, s) => n + s.sent, 0);
  const unsent = sent
    .filter((s) => s.sent < s.of)
    .map((s) => `${s.section} ${s.of - s.sent} of ${s.of}${UNSENT_WHY[s.section] ? ` (${UNSENT_WHY[s.section]})` : ''}`);
  return `${through} of ${total} vectors went through the external applier${unsent.length > 0 ? `; not sent: ${unsent.join(', ')}` : ''}`;
}

function readVectors(path: string): unknown {
  const text = readInputFile(path, 'vectors file');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`vectors file ${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The options as commander parsed them (see commands.ts). */
export interface ConformanceOptions {
  variant: string;
  json?: boolean;
  applier?: string;
}

/** The `conformance` verb: run the vectors file at `path` and print the failures and a count. */
export async function runConformanceVerb(path: string, options: ConformanceOptions): Promise<void> {
  let builtin: ConformanceTarget;
  try {
    builtin = variantTarget(options.variant);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (options.applier !== undefined && options.variant !== 'correct') {
    throw new UsageError('--variant selects a built-in applier; pass it to the external applier command instead');
  }
  const vectors = readVectors(path);
  const result = options.applier === undefined ? runConformance(vectors, builtin) : externalConformance(vectors, options.applier, path);
  // A run that tests nothing is not a pass.
  if (result.passed + result.failed === 0) throw new UsageError(`${path} has no vectors (every section is empty): nothing to check`);
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    for (const failure of result.failures) process.stdout.write(`FAIL ${failure}\n`);
    process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
    if (result.sent !== undefined) process.stdout.write(`${sentLine(result.sent)}\n`);
  }
  if (result.failed > 0) process.exitCode = 1;
}

/** The vectors through an external applier; its failures name the command that reproduces them. */
function externalConformance(vectors: unknown, command: string, path: string): ConformanceResult {
  try {
    const external = startExternalApplier(command);
    try {
      const main = external.protocol === 2 && external.applier === 'production-main' ? external.mainFactory : undefined;
      if (main === undefined && vectorsKind(vectors) === 'production-main') {
        throw new UsageError(`${NEEDS_MAIN}; \`${external.command}\` speaks protocol ${external.protocol} and implements ${external.applier}`);
      }
      return runConformance(vectors, { stage6a: external.factory, main, applies: () => external.stats().applies });
    } finally {
      external.close();
    }
  } catch (err) {
    const again = `npx regsim conformance ${formatCommand([path])} --applier ${formatCommand([command])}`;
    if (err instanceof ExternalApplierError) throw new ExternalApplierError(`${err.message}; reproduce with: ${again}`);
    throw err;
  }
}
