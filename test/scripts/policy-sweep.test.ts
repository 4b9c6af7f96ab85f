// scripts/policy-sweep.ts: a preset with policy options on top, over generated
// scenarios; bad input is one line on stderr and exit 2.
import { expect, it } from 'vitest';
import { runNode } from '../cli/regsim.ts';
import type { Run } from '../cli/regsim.ts';

function sweep(...args: string[]): Promise<Run> {
  return runNode(['--import', 'tsx', 'scripts/policy-sweep.ts', ...args]);
}

it('prints the runs per violation code and the restarts by cold-start mode', async () => {
  const r = await sweep('hardened', '{"engine":{"coldStart":"durable-applied-index"}}', '--runs', '6', '--seed', '3');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^hardened \+ \{"engine":\{"coldStart":"durable-applied-index"\}\}: 6 runs \(fast-check seed 3\), 0 with a violation\n/);
  expect(r.stdout).toMatch(/restarts by cold-start mode: /);
});

it.each([
  [['strict', '{}'], 'policy-sweep: unknown config "strict"\n'],
  [['spec', '{x'], 'policy-sweep: the policy is not JSON: {x\n'],
  [['spec', '{"engine":{"coldStart":"nope"}}', '--runs', '1'], 'policy-sweep: the policy is not valid: scenario: /policy/engine/coldStart must be one of "last-snapshot", "durable-applied-index"\n'],
])('bad input %j: one line, exit 2', async (args, line) => {
  const r = await sweep(...args);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(line);
});
