// Re-judges a configuration with policy options on top (a design option not
// yet in any preset, such as production main's cold start or admission
// check): runs the correct applier over generated scenarios and prints, per
// violation code, in how many runs it appeared, and how the restarts cold
// started. What the findings' write-ups quote as "a sweep".
//
//   npx tsx scripts/policy-sweep.ts <spec|hardened> '<policy overrides JSON>' [--runs N] [--seed S]
//   e.g. npx tsx scripts/policy-sweep.ts spec '{"engine":{"coldStart":"durable-applied-index"}}' --runs 400 --seed 1
import { Command, InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { isPolicyPresetName, loadScenario, runScenario, scenarioArbitrary, serializeScenario } from '../src/scenario/index.ts';
import type { PolicyOverrides, PolicyPresetName } from '../src/scenario/index.ts';

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
  return n;
};

function sweep(config: PolicyPresetName, policy: PolicyOverrides, runs: number, seed: number): void {
  const byCode: Record<string, number> = {};
  const coldStarts: Record<string, number> = {};
  const byMode: Record<string, number> = {};
  let failing = 0;
  const scenarios = fc.sample(scenarioArbitrary({ config, policy }), { seed, numRuns: runs });
  // The scenario schema judges the overrides (an unknown field or value is an error, not ignored).
  try {
    loadScenario(serializeScenario(scenarios[0]!));
  } catch (err) {
    throw new InvalidArgumentError(`the policy is not valid: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  for (const scenario of scenarios) {
    const r = runScenario(scenario);
    for (const e of r.trace) if (e.kind === 'restart' && e.coldStart !== undefined) coldStarts[e.coldStart] = (coldStarts[e.coldStart] ?? 0) + 1;
    const codes = new Set(r.violations.map((v) => `${v.invariant}/${v.code}`));
    const modes = new Set<string>();
    for (const v of r.violations) {
      // The cold-start mode of the violating node's last restart before the violation.
      for (let i = v.eventIndex; i >= 0; i--) {
        const e = r.trace[i];
        if (e?.kind !== 'restart' || e.node !== v.node) continue;
        if (e.coldStart !== undefined) modes.add(`${v.invariant}/${v.code} after a restart in mode ${e.coldStart}`);
        break;
      }
    }
    for (const m of modes) byMode[m] = (byMode[m] ?? 0) + 1;
    if (codes.size > 0) failing++;
    for (const c of codes) byCode[c] = (byCode[c] ?? 0) + 1;
  }
  console.log(`${config} + ${JSON.stringify(policy)}: ${runs} runs (fast-check seed ${seed}), ${failing} with a violation`);
  for (const [code, n] of Object.entries(byCode).sort()) console.log(`  ${code}: ${n} runs`);
  for (const [what, n] of Object.entries(byMode).sort()) console.log(`  ${what}: ${n} runs`);
  if (Object.keys(coldStarts).length > 0) console.log(`  restarts by cold-start mode: ${Object.entries(coldStarts).map(([m, n]) => `${m} ${n}`).join(', ')}`);
}

const program = new Command('policy-sweep')
  .argument('<config>', 'the preset the scenarios are generated under')
  .argument('<policy>', 'policy overrides on top of it, as JSON')
  .option('--runs <n>', 'scenarios', positive, 400)
  .option('--seed <n>', 'fast-check seed', positive, 1)
  .action((config: string, json: string, opts: { runs: number; seed: number }) => {
    if (!isPolicyPresetName(config)) throw new InvalidArgumentError(`unknown config "${config}"`);
    let policy: PolicyOverrides;
    try {
      policy = JSON.parse(json) as PolicyOverrides;
    } catch {
      throw new InvalidArgumentError(`the policy is not JSON: ${json}`);
    }
    sweep(config, policy, opts.runs, opts.seed);
  });
try {
  program.parse();
} catch (err) {
  console.error(`policy-sweep: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
