// explore --compare: built-in against external, run by run, by behaviour
// (halt message text left out), with the first event where the traces part.
import { describe, expect, it } from 'vitest';
import { firstDifference } from '../../src/explore/compare.ts';
import { formatCommand, referenceApplierCommand } from '../../src/external/index.ts';
import { behaviourHash, traceHash } from '../../src/sim/index.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { regsim } from './regsim.ts';

const apply = (message: string, reason = 'rollback'): TraceEvent => ({
  kind: 'apply',
  t: 10,
  node: 'n1',
  index: 4,
  term: 1,
  entryHex: '03',
  result: { kind: 'halt', reason, message },
  rowsHash: '00',
});
const start: TraceEvent = { kind: 'faults-end', t: 0 };

describe('behaviour of a trace', () => {
  it('halt message text is not behaviour; the halt reason is', () => {
    const a = [start, apply('epoch 1 is not above 5')];
    const b = [start, apply('writer-registry local_epoch rollback')];
    expect(traceHash(a)).not.toBe(traceHash(b));
    expect(behaviourHash(a)).toBe(behaviourHash(b));
    expect(firstDifference(a, b)).toBeUndefined();
    const c = [start, apply('x', 'collision')];
    expect(firstDifference(a, c)).toMatchObject({ eventIndex: 1, builtin: { result: { reason: 'rollback' } }, external: { result: { reason: 'collision' } } });
    expect(firstDifference(a, [start])).toMatchObject({ eventIndex: 1, external: null });
  });
});

describe('regsim explore --compare', () => {
  const reference = (...args: string[]) => formatCommand(referenceApplierCommand(...(args as [string])));

  it('the reference child behaves as the built-in applier: no difference, equal behaviour digests, exit 0', async () => {
    const run = await regsim('explore', '--seed', '3', '--runs', '8', '--compare', reference());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('8 runs compared, 0 with a difference in behaviour');
    const [builtin, external] = [...run.stdout.matchAll(/(?:built-in|external) ([0-9a-f]{64})/g)].map((m) => m[1]);
    expect(builtin).toBe(external);
  });

  it('the lte-rollback child differs: one line per differing run naming the first event, exit 1', async () => {
    const run = await regsim('explore', '--seed', '3', '--runs', '8', '--compare', reference('lte-rollback'), '--json');
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as { runs: number; differing: number; builtinDigest: string; externalDigest: string; differences: { run: number; firstDifference: { eventIndex: number } }[] };
    expect(summary.runs).toBe(8);
    expect(summary.differing).toBeGreaterThan(0);
    expect(summary.builtinDigest).not.toBe(summary.externalDigest);
    expect(summary.differences[0]?.firstDifference.eventIndex).toBeGreaterThan(0);
  });

  it('under --config production, bootstrap and rotation go through main\'s child with their sidecar effects: no difference', async () => {
    const run = await regsim('explore', '--config', 'production', '--seed', '1', '--runs', '12', '--compare', formatCommand(referenceApplierCommand('correct', { main: true })));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('12 runs compared, 0 with a difference in behaviour');
  });

  it('under --config production, a Stage 6A child is bad input: exit 2, one line, before any run', async () => {
    for (const flag of ['--compare', '--applier']) {
      const run = await regsim('explore', '--config', 'production', '--runs', '3', flag, reference());
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toMatch(/^regsim: external applier `.*`: its hello says stage-6a, and main's FSM \(the production configuration\) needs production-main \(protocol 2\)$/);
    }
  });

  it('with --applier too: exit 2, one line', async () => {
    const run = await regsim('explore', '--runs', '1', '--compare', 'x', '--applier', 'y');
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^regsim: --compare runs the built-in applier against the external one it names: drop --applier$/);
  });
});
