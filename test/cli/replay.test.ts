// `regsim replay` and `regsim shrink` on scenario files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.ts';
import { regsim, runPrinted, tempDir } from './regsim.ts';

const FINDING = 'fixtures/findings/unregistered-epoch-reuse/scenario.json';
const dir = tempDir();
// Nodes held forever behind a committed halt (the held-behind-halt finding): a liveness violation.
const STALLED = 'fixtures/findings/held-behind-halt/colliding-joiners.scenario.json';
const QUIET = join(dir, 'quiet.json');
writeFileSync(
  QUIET,
  JSON.stringify({ version: 1, seed: 's1', durationMs: 600, faultsEndMs: 300, cluster: { nodes: ['n1', 'n2', 'n3'] }, faults: {}, workload: { kvWritesPerSec: 20 }, events: [] }),
);

describe('replay', () => {
  it('--json gives verdict, invariant, event index and trace hash; exit code per verdict', async () => {
    const [safety, liveness, ok] = await Promise.all([regsim('replay', FINDING, '--json'), regsim('replay', STALLED, '--json'), regsim('replay', QUIET, '--json')]);
    expect(safety.code).toBe(1);
    expect(JSON.parse(safety.stdout)).toMatchObject({ verdict: 'safety-violation', invariant: 'no-nonce-reuse', eventIndex: expect.any(Number), traceHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(liveness.code).toBe(3);
    expect(JSON.parse(liveness.stdout)).toMatchObject({ verdict: 'liveness-violation', invariant: 'liveness' });
    expect(ok.code).toBe(0);
    const okJson = JSON.parse(ok.stdout);
    expect(okJson).toEqual({ verdict: 'ok', variant: 'correct', traceHash: expect.stringMatching(/^[0-9a-f]{64}$/), violations: [] });
  });

  it('prints the verdict, trace hash and the violating event; writes the trace and the HTML report', async () => {
    const trace = join(dir, 'out.jsonl');
    const html = join(dir, 'out.html');
    const run = await regsim('replay', FINDING, '--trace', trace, '--html', html);
    expect(run.code).toBe(1);
    const hash = /^trace hash\s+([0-9a-f]{64})$/m.exec(run.stdout)?.[1];
    expect(hash).toBeDefined();
    expect(run.stdout).toMatch(/^verdict\s+safety-violation$/m);
    expect(run.stdout).toMatch(/^\[§7\.0 no-nonce-reuse\] event #\d+/m);
    expect(run.stdout).toMatch(/^>> +\d+ /m);
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain(`npx regsim replay ${FINDING}`);
    expect(page).toContain(hash);
  });

  it('--config runs the scenario under that preset\'s policy instead of its own; an unknown one is a usage error', async () => {
    const [hardened, unknown] = await Promise.all([regsim('replay', FINDING, '--config', 'hardened'), regsim('replay', FINDING, '--config', 'strict')]);
    expect(hardened.code).toBe(0);
    expect(hardened.stdout).toMatch(/^config\s+hardened \(in place of the scenario's own policy\)$/m);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('regsim: unknown --config "strict" (known: spec, hardened, production)\n');
  });
});

describe('shrink', () => {
  it('makes a failing scenario smaller or equal, and it still fails the same way', async () => {
    const out = join(dir, 'min.json');
    const run = await regsim('shrink', FINDING, '--out', out);
    expect(run.code).toBe(1);
    const before = loadScenario(readFileSync(FINDING, 'utf8'));
    const after = loadScenario(readFileSync(out, 'utf8'));
    expect(after.events.length).toBeLessThanOrEqual(before.events.length);
    expect(after.durationMs).toBeLessThanOrEqual(before.durationMs);
    expect(run.stdout).toMatch(/^shrunk: .* -> .*\(\d+ runs\)$/m);
    const replayed = await runPrinted(run.stdout.trimEnd().split('\n').at(-1) as string, '--json');
    expect(JSON.parse(replayed.stdout)).toMatchObject({ verdict: 'safety-violation', invariant: 'no-nonce-reuse' });
  });

  it('refuses a scenario that passes', async () => {
    const run = await regsim('shrink', QUIET, '--out', join(dir, 'never.json'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`regsim: ${QUIET} passes with variant correct: nothing to shrink\n`);
  });
});
