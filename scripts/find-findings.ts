// Finds (again) the scenario of a design finding in fixtures/findings, after
// a simulator change moved the old one: a fast-check property over the
// scenario arbitrary, restricted to the families the finding is about, that
// holds until a generated scenario shows the finding exactly as
// test/scenario/findings.test.ts checks it; fast-check then shrinks it, and
// the scenario is written over the fixture. Update the finding's write-up
// from the new scenario's timeline (`npx regsim replay <file> --timeline`).
//
//   npx tsx scripts/find-findings.ts <finding> [seed] [--runs N] [--out FILE]
//   findings: replay-window-rollback former-member-collision unregistered-epoch-reuse
//             held-behind-halt/colliding-joiners held-behind-halt/stale-inflight-registration
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import fc from 'fast-check';
import { presetPolicy, resolvePolicy, runScenario, scenarioArbitrary, serializeScenario } from '../src/scenario/index.ts';
import type { FaultFamily, PolicyOverrides, Scenario, ScenarioArbitraryOptions } from '../src/scenario/index.ts';

type Families = Partial<Record<FaultFamily, boolean>>;
const QUIET: Families = { entries: false, storage: false };

/** The spec-literal findings: saved without a policy, so they mean `spec`. */
const SPEC_FINDINGS: Record<string, { code: string; fix: PolicyOverrides; families: Families; notFixedBy?: PolicyOverrides }> = {
  'replay-window-rollback': {
    code: 'replay-idempotence/replay-window-halt',
    fix: { engine: { registryReplay: 'skip-applied' } },
    families: { crashes: true, restores: false, membership: false, storms: false, partitions: false, network: false },
  },
  'former-member-collision': {
    code: 'no-nonce-reuse/nonce-reuse',
    fix: { guards: { collisionScope: 'registry' } },
    families: { membership: true, restores: false },
  },
  'unregistered-epoch-reuse': {
    code: 'no-nonce-reuse/restored-epoch-reuse',
    fix: { nonces: { applies: 'after-registration-committed' } },
    families: { restores: true, membership: false, storms: false },
    // Not the former-member collision in disguise.
    notFixedBy: { guards: { collisionScope: 'registry' }, engine: { registryReplay: 'skip-applied' } },
  },
};

const codes = (s: Scenario): string[] => runScenario(s).violations.map((v) => `${v.invariant}/${v.code}`);
/** A nonce reuse between two different entries (not the same entry encrypted again on replay). */
const differentEntries = (s: Scenario): boolean =>
  runScenario(s).violations.some((v) => {
    const at = [...v.message.matchAll(/for index (\d+)/g)].map((m) => m[1]);
    return v.invariant === 'no-nonce-reuse' && at.length === 2 && at[0] !== at[1];
  });

function specFinding(name: string): { arbitrary: ScenarioArbitraryOptions; holds: (s: Scenario) => boolean } {
  const f = SPEC_FINDINGS[name] as (typeof SPEC_FINDINGS)[string];
  const strip = (s: Scenario): Scenario => ({ ...s, policy: undefined });
  return {
    arbitrary: { config: 'spec', families: { ...QUIET, ...f.families } },
    holds: (generated) => {
      const s = strip(generated);
      if (!codes(s).includes(f.code)) return false;
      if (f.code.startsWith('no-nonce-reuse') && !differentEntries(s)) return false;
      if (runScenario({ ...s, policy: presetPolicy('hardened') }).violations.length > 0) return false;
      if (runScenario({ ...s, policy: resolvePolicy(f.fix) }).violations.length > 0) return false;
      return f.notFixedBy === undefined || codes({ ...s, policy: resolvePolicy(f.notFixedBy) }).includes(f.code);
    },
  };
}

function heldBehindHalt(name: string): { arbitrary: ScenarioArbitraryOptions; holds: (s: Scenario) => boolean; policy: PolicyOverrides } {
  const fromHold = name === 'stale-inflight-registration';
  const policy = resolvePolicy({ nonces: { heldBehindHalt: 'wait' } }, presetPolicy('hardened'));
  const families: Families = fromHold
    ? { restores: true, crashes: true, membership: false, storms: false }
    : { membership: true, restores: false, storms: false };
  return {
    policy,
    arbitrary: { config: 'hardened', policy: { nonces: { heldBehindHalt: 'wait' } }, families: { ...QUIET, ...families } },
    holds: (generated) => {
      const s = { ...generated, policy };
      const found = new Set(codes(s));
      if (found.size !== 1 || !found.has('liveness/not-caught-up')) return false;
      const h = runScenario({ ...s, policy: presetPolicy('hardened') });
      if (h.violations.length > 0) return false;
      const halts = h.trace.flatMap((e, i) => (e.kind === 'halt' ? [{ e, i }] : []));
      if (halts.length <= 1 || new Set(halts.map(({ e }) => `${e.index}/${e.reason}`)).size !== 1) return false;
      const held = halts.filter(({ e, i }) => {
        const prev = h.trace[i - 1];
        return !(prev?.kind === 'apply' && prev.node === e.node && prev.index === e.index);
      });
      return held.length > 0 === fromHold;
    },
  };
}

const program = new Command('find-findings')
  .argument('<finding>')
  .argument('[seed]', 'fast-check seed', '1')
  .option('--runs <n>', 'scenarios to try', '5000')
  .option('--out <file>', 'where to write the scenario (default: over the fixture)')
  .action((finding: string, seedText: string, opts: { runs: string; out?: string }) => {
    const held = finding.startsWith('held-behind-halt/') ? finding.slice('held-behind-halt/'.length) : undefined;
    if (held === undefined && !(finding in SPEC_FINDINGS)) program.error(`unknown finding "${finding}"`);
    if (held !== undefined && held !== 'colliding-joiners' && held !== 'stale-inflight-registration') program.error(`unknown finding "${finding}"`);
    const search = held !== undefined ? heldBehindHalt(held) : { ...specFinding(finding), policy: undefined };
    const details = fc.check(
      fc.property(scenarioArbitrary(search.arbitrary), (s) => !search.holds(s)),
      { seed: Number(seedText), numRuns: Number(opts.runs) },
    );
    if (!details.failed || details.counterexample === null) {
      console.error(`${finding}: not found in ${opts.runs} scenarios (try another seed or more --runs)`);
      process.exit(1);
    }
    const [shrunk] = details.counterexample;
    const scenario = { ...shrunk, policy: search.policy };
    const file = opts.out ?? (held !== undefined ? `fixtures/findings/held-behind-halt/${held}.scenario.json` : `fixtures/findings/${finding}/scenario.json`);
    writeFileSync(file, serializeScenario(scenario as Scenario));
    console.log(`${finding}: found after ${details.numRuns} scenarios, shrunk ${details.numShrinks} times to ${scenario.cluster.nodes.length} nodes, ${scenario.events.length} events: ${file}`);
  });

program.parse();
