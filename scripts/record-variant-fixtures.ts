// Records one regression fixture per bug variant: finds the first run of the
// default property suites that catches it (properties/detect.ts), shrinks it
// while the variant keeps violating the same invariant and the correct applier
// does not, and saves
//   fixtures/variants/<variant>.json   the shrunk scenario (canonical)
//   fixtures/variants/expected.json    per variant: suite, verdict, invariant, trace hash
// properties/variant-fixtures.test.ts replays them. Rerun this script whenever
// the engine, lifecycle or oracle change a trace (the trace hashes move).
//
//   npx tsx scripts/record-variant-fixtures.ts [variant...]
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import fc from 'fast-check';
import { VARIANTS, runScenario, scenarioArbitrary, serializeScenario } from '../src/scenario/index.ts';
import { detect, differentialViolations, killTableVariants } from '../properties/detect.ts';
import type { VariantFixture } from '../properties/detect.ts';
import { SUITES } from '../properties/suites.ts';
import type { InvariantName } from '../src/model/oracle.ts';
import type { Scenario } from '../src/scenario/index.ts';

const DIR = new URL('../fixtures/variants/', import.meta.url);
const EXPECTED = new URL('expected.json', DIR);

function record(variant: string): VariantFixture {
  const found = detect(variant);
  if (found === undefined) throw new Error(`${variant}: no suite catches it`);
  const spec = SUITES[found.suite];
  const invariant = found.invariants[0] as InvariantName;
  const stillCaught = (scenario: Scenario): boolean => differentialViolations(scenario, variant).invariants.includes(invariant);
  // Replay the catching run (path = its 0-based index) and let fast-check shrink it.
  const details = fc.check(
    fc.property(scenarioArbitrary(spec.arbitrary), (s) => !stillCaught(s)),
    { seed: found.seed, path: String(found.run - 1) },
  );
  if (!details.failed || details.counterexample === null) throw new Error(`${variant}: the catching run did not replay`);
  const [scenario] = details.counterexample;
  const result = runScenario(scenario, { variant });
  writeFileSync(new URL(`${variant}.json`, DIR), serializeScenario(scenario));
  console.log(
    `${variant}: caught by ${found.suite} at run ${found.run}, ${invariant}; shrunk ${details.numShrinks} times ` +
      `to ${scenario.cluster.nodes.length} nodes, ${scenario.events.length} events`,
  );
  return { variant, suite: found.suite, run: found.run, verdict: result.verdict, invariant, traceHash: result.traceHash };
}

const wanted = process.argv.slice(2);
const names = killTableVariants().covered.filter((n) => wanted.length === 0 || wanted.includes(n));
for (const n of wanted) if (!VARIANTS.some((v) => v.name === n)) throw new Error(`unknown variant "${n}"`);
mkdirSync(DIR, { recursive: true });
const previous: VariantFixture[] = existsSync(EXPECTED) ? (JSON.parse(readFileSync(EXPECTED, 'utf8')) as VariantFixture[]) : [];
const byName = new Map(previous.map((f) => [f.variant, f]));
for (const name of names) byName.set(name, record(name));
const order = VARIANTS.map((v) => v.name);
const covered = killTableVariants().covered;
const all = [...byName.values()].filter((f) => covered.includes(f.variant)).sort((a, b) => order.indexOf(a.variant) - order.indexOf(b.variant));
writeFileSync(EXPECTED, `${JSON.stringify(all, null, 2)}\n`);
console.log(`wrote ${names.length} fixture(s) and ${EXPECTED.pathname}`);
