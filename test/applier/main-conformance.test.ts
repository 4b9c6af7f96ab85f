// Production main's golden vectors (fixtures/production-main-conformance.json,
// made by main's own Go code) against main's applier: every section checked,
// every sequence step counted, each bug variant caught unless listed in
// MAIN_VECTOR_GAPS with the reason.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEntryApplier, mainApplierVariants } from '../../src/applier/index.ts';
import { runConformance, variantTarget, vectorsKind } from '../../src/cli/conformance.ts';
import { formatCommand, referenceApplierCommand } from '../../src/external/index.ts';
import { regsim } from '../cli/regsim.ts';
import { usageMessageOf } from '../cli/usage-error.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'fixtures/production-main-conformance.json');
const vectors = JSON.parse(readFileSync(fixture, 'utf8'));
const sp = vectors.startupPrimitives;
const startupCases =
  sp.bumpLocalEpoch.length + sp.checkLocalEpochRollbackPrimitive.length + sp.checkNodeIdCollision.length + sp.guardSidecarBehindRaftLog.length + sp.deterministicNonceFactory.length + 1;
const COUNTS = {
  codec: vectors.codec.length,
  deriveNodeId: vectors.deriveNodeId.length,
  decodeErrors: vectors.decodeErrors.length,
  sequences: vectors.sequences.length,
  node16Collisions: vectors.node16Collisions.length,
  bootstrapDecode: vectors.bootstrapDecode.length,
  rotationDecode: vectors.rotationDecode.length,
  dispatch: vectors.dispatch.length,
  applySequences: vectors.applySequences.reduce((n: number, s: { steps: unknown[] }) => n + s.steps.length, 0),
  startupPrimitives: startupCases,
};
const total = Object.values(COUNTS).reduce((a, b) => a + b, 0);
const correct = variantTarget('correct');

const usageMessage = (doc: unknown): string => usageMessageOf(() => runConformance(doc, correct));

describe('production-main vectors', () => {
  it('are the production-main kind; the Stage 6A file is not', () => {
    expect(vectorsKind(vectors)).toBe('production-main');
    expect(vectorsKind(JSON.parse(readFileSync(join(root, 'fixtures/applier-conformance.json'), 'utf8')))).toBe('stage-6a');
  });

  it('every section, every vector and every sequence step passes on main\'s applier', () => {
    expect(COUNTS).toEqual({
      codec: 40,
      deriveNodeId: 27,
      decodeErrors: 63,
      sequences: 200,
      node16Collisions: 10,
      bootstrapDecode: 30,
      rotationDecode: 41,
      dispatch: 40,
      applySequences: 123,
      startupPrimitives: 31,
    });
    expect(runConformance(vectors, correct)).toEqual({ passed: total, failed: 0, failures: [] });
  });

  it('the Stage 6A applier cannot run them (main\'s sections need main\'s applier)', () => {
    expect(() => runConformance(vectors, { stage6a: createEntryApplier })).toThrow(/need main's applier/);
  });

  // What main's vectors cannot see (the simulation's generated domain and the kill table catch them).
  const MAIN_VECTOR_GAPS: Record<string, string> = {
    'short-id-compare': 'no two full ids in the vectors are equal in their low 32 bits',
    'dek-truncated-key': 'every DEK id the vectors register under is below 2^16 (the larger ones are only decoded)',
  };
  const caught = Object.keys(mainApplierVariants).filter((name) => name !== 'correct' && !(name in MAIN_VECTOR_GAPS));

  it.each(caught)('variant %s on main\'s applier fails some vectors', (name) => {
    const result = runConformance(vectors, variantTarget(name));
    expect(result.failed).toBeGreaterThan(0);
    expect(result.passed + result.failed).toBe(total);
  });

  it.each(Object.entries(MAIN_VECTOR_GAPS))('variant %s passes every main vector (%s)', (name) => {
    expect(runConformance(vectors, variantTarget(name)).failed).toBe(0);
  });

  it('the bugs that break replay are caught in the new sections too', () => {
    for (const name of ['lte-rollback', 'no-collision-check', 'accept-rollback', 'wrong-truncation']) {
      expect(runConformance(vectors, variantTarget(name)).failures.some((f) => f.startsWith('applySequences['))).toBe(true);
    }
  });

  it('a wrong expectation is reported per step, naming the field', () => {
    const doc = structuredClone(vectors);
    doc.applySequences[4].steps[1].sidecarAfter.keys[0].localEpoch = 0;
    doc.applySequences[14].steps[6].outcome.reason = 'collision';
    doc.rotationDecode[20].result = 'malformed';
    doc.startupPrimitives.checkNodeIdCollision[5].result = 'ok';
    const result = runConformance(doc, correct);
    expect(result.failures).toEqual([
      'rotationDecode[20] subtag-10-alone: decode subtag, want malformed',
      'applySequences[4] bootstrap-batch-collision-partial step 1: sidecar.keys[0].localEpoch 1, want 0',
      'applySequences[14] rotate-replay-rollback step 6: outcome.reason "rollback", want "collision"',
      'startupPrimitives.checkNodeIdCollision[5] zero-and-0x10000: result ErrNodeIDCollision, want ok',
    ]);
  });

  it.each([
    [{ ...vectors, extra: [] }, /^vectors: unknown section "extra": a stage-6a file has codec, deriveNodeId, decodeErrors, sequences; a production-main file also meta, /],
    [{ ...vectors, dispatch: undefined }, /^vectors: \(document\) must have required property 'dispatch'$/],
    [{ codec: [], meta: {} }, /^vectors: \(document\) must have required property 'deriveNodeId'$/],
  ])('a file of unknown or incomplete kind is one UsageError line (%#)', (doc, message) => {
    expect(usageMessage(doc)).toMatch(message);
  });

  it('a field the tool does not know is an error naming its JSON pointer, not a silent skip', () => {
    const doc = structuredClone(vectors);
    doc.applySequences[2].steps[1].sidecarWrites = 1;
    expect(usageMessage(doc)).toBe('vectors: /applySequences/2/steps/1 has unknown field "sidecarWrites"');
    const reason = structuredClone(vectors);
    reason.dispatch[3].outcome.reason = 'lease';
    expect(usageMessage(reason)).toMatch(/^vectors: \/dispatch\/3\/outcome\/reason must be one of collision, rollback, /);
    const step = structuredClone(vectors);
    delete step.applySequences[4].steps[1].applierAfterRestart;
    expect(usageMessage(step)).toBe("vectors: /applySequences/4/steps/1 must have required property 'applierAfterRestart'");
  });
});

describe('regsim conformance on production-main vectors', () => {
  it('checks every section and prints the count', async () => {
    expect(await regsim('conformance', fixture)).toMatchObject({ code: 0, stdout: `${total} passed, 0 failed\n`, stderr: '' });
  });

  it('--variant runs main\'s applier with that bug: one FAIL line per failing step, exit 1', async () => {
    const run = await regsim('conformance', fixture, '--variant', 'lte-rollback');
    const lines = run.stdout.trimEnd().split('\n');
    expect(run.code).toBe(1);
    expect(lines.at(-1)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    expect(lines).toContain(
      'FAIL applySequences[1] bootstrap-replayed step 1: outcome.kind "halt", want "applied"; outcome.reason "rollback", want absent; rowResults has 1 items, want 6; rowResults[0].result "halted", want "noop"; storeTrace has 1 items, want 6',
    );
  });

  it.each([
    [
      "an external applier of Stage 6A's generation",
      ['--applier', formatCommand(referenceApplierCommand())],
      /^regsim: production-main vectors need main's applier: .* speaks protocol 2 and implements stage-6a$/m,
    ],
    ['a file of unknown kind', [], /^regsim: vectors: unknown section "kind"/],
  ])('%s exits 2 with one line', async (name, args, message) => {
    const path = name === 'a file of unknown kind' ? join(mkdtempSync(join(tmpdir(), 'regsim-main-')), 'v.json') : fixture;
    if (path !== fixture) writeFileSync(path, JSON.stringify({ kind: 'x', codec: [] }));
    const run = await regsim('conformance', path, ...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
