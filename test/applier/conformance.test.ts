import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applierVariants, createEntryApplier } from '../../src/applier/index.ts';
import { runConformance } from '../../src/cli/conformance.ts';
import { usageMessageOf } from '../cli/usage-error.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'fixtures/applier-conformance.json');
const vectors = JSON.parse(readFileSync(fixture, 'utf8'));
const total = vectors.codec.length + vectors.deriveNodeId.length + vectors.decodeErrors.length + vectors.sequences.length;

function regsim(...args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'bin/regsim.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const usageMessage = (doc: unknown): string => usageMessageOf(() => runConformance(doc, { stage6a: createEntryApplier }));

describe('runConformance', () => {
  it('the correct applier passes every golden vector', () => {
    expect(runConformance(vectors, { stage6a: createEntryApplier })).toEqual({ passed: total, failed: 0, failures: [] });
  });

  // What production's own vectors cannot see: bugs only the simulation's generated domain reaches
  // (properties/applier.variants.test.ts and the kill table catch them).
  const VECTOR_GAPS: Record<string, string> = {
    'short-id-compare': 'no vector has two full ids equal in their low 32 bits',
    'dek-truncated-key': 'every vector uses a DEK id below 2^16',
  };
  const caughtByVectors = Object.keys(applierVariants).filter((name) => name !== 'correct' && !(name in VECTOR_GAPS));

  it.each(caughtByVectors)('variant %s fails some vectors', (name) => {
    const result = runConformance(vectors, { stage6a: applierVariants[name]!.factory });
    expect(result.failed).toBeGreaterThan(0);
    expect(result.passed + result.failed).toBe(total);
    expect(result.failures[0]).toMatch(/^(sequences|decodeErrors)\[\d+\]/);
  });

  it.each(Object.entries(VECTOR_GAPS))('variant %s passes every golden vector (%s)', (name) => {
    expect(runConformance(vectors, { stage6a: applierVariants[name]!.factory }).failed).toBe(0);
  });

  it('a wrong expectation is reported per vector', () => {
    const doc = structuredClone(vectors);
    doc.codec[0].registryValueHex = '00';
    doc.deriveNodeId[1].fullNodeId = '1';
    doc.decodeErrors[0].error = 'version';
    doc.sequences[0].steps[0].outcome = 'noop';
    doc.sequences[1].finalRows.pop();
    const result = runConformance(doc, { stage6a: createEntryApplier });
    expect(result.failed).toBe(5);
    expect(result.failures).toEqual([
      'codec[0]: value 000000000000000004bb0000, want 00; value does not decode: registry value is 1 bytes, want 12',
      'deriveNodeId[1] "n1": full id 626980046172116160, want 1',
      'decodeErrors[0] empty: decode malformed, want unknown-version; apply halt-malformed, want halt-unknown-version',
      'sequences[0]: step 0 outcome insert, want noop',
      expect.stringMatching(/^sequences\[1\]: row [0-9a-f]{54} [0-9a-f]{24}, want absent$/),
    ]);
  });

  it('an applier that throws fails its vectors without stopping the run', () => {
    const result = runConformance(vectors, {
      stage6a: () => ({
        apply: () => {
          throw new Error('boom');
        },
      }),
    });
    expect(result.failed).toBe(vectors.decodeErrors.length + vectors.sequences.length);
    expect(result.failures[0]).toContain('threw Error: boom');
  });

  it.each([
    [null, 'vectors: (document) must be object'],
    [{ ...vectors, codec: undefined }, "vectors: (document) must have required property 'codec'"],
    [{ ...vectors, sequences: {} }, 'vectors: /sequences must be array'],
    [{ ...vectors, codec: [{ ...vectors.codec[0], dekId: '4294967296' }] }, 'vectors: /codec/0/dekId must match format "u32"'],
    [{ ...vectors, codec: [{ ...vectors.codec[0], fullNodeId: '-1' }] }, 'vectors: /codec/0/fullNodeId must match format "u64"'],
    [{ ...vectors, decodeErrors: [{ name: 'x', payloadHex: 'abc', error: 'malformed' }] }, 'vectors: /decodeErrors/0/payloadHex must match pattern "^([0-9a-fA-F]{2})*$"'],
  ])('a malformed document is one UsageError line (%#)', (doc, message) => {
    expect(usageMessage(doc)).toBe(message);
  });

  it('names the exact bad field of a step', () => {
    const doc = structuredClone(vectors);
    doc.sequences[3].steps[0].outcome = 'halt';
    expect(usageMessage(doc)).toBe(
      'vectors: /sequences/3/steps/0/outcome must be one of insert, advance, noop, halt-collision, halt-rollback',
    );
  });
});

describe('regsim conformance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regsim-conformance-'));

  it('prints the summary and exits 0 on the golden vectors', () => {
    const run = regsim('conformance', fixture);
    expect(run).toMatchObject({ code: 0, stdout: `${total} passed, 0 failed\n`, stderr: '' });
  });

  it('--json prints the counts and the failures', () => {
    const run = regsim('conformance', fixture, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ passed: expect.any(Number), failed: 0, failures: [] });
  });

  it('exits 1 with one line per failure for a buggy variant', () => {
    const run = regsim('conformance', fixture, '--variant', 'lte-rollback');
    const lines = run.stdout.trimEnd().split('\n');
    expect(run.code).toBe(1);
    expect(lines.at(-1)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    expect(lines.slice(0, -1).every((line) => line.startsWith('FAIL sequences['))).toBe(true);
  });

  it.each([
    ['a missing file', () => join(dir, 'absent.json'), /^regsim: cannot read vectors file .*absent\.json: no such file$/m],
    ['a non-JSON file', () => write('bad.json', '{ nope'), /^regsim: vectors file .*bad\.json is not JSON: /],
    ['a malformed document', () => write('doc.json', '{"codec": []}'), /^regsim: vectors: \(document\) must have required property/],
  ])('%s exits 2 with one line', (_name, path, message) => {
    const run = regsim('conformance', path());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an unknown variant exits 2 naming the known ones', () => {
    const run = regsim('conformance', fixture, '--variant', 'nope');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`regsim: unknown applier variant "nope" (known: ${Object.keys(applierVariants).join(', ')})\n`);
  });

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }
});
