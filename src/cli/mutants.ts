// `regsim mutants`: mutation testing of the harness itself. Every named bug
// variant is explored until a scenario catches it; the kill table says which
// invariant caught it, after how many scenarios, and how small the shrunk
// counterexample is. A variant is only credited with violations of invariants
// the correct applier keeps on the same scenario (differential runs), and half
// of the scenarios switch the start-up guards off: they stop stale and
// colliding registrations before the applier sees them, which would hide the
// applier's own checks.
import { randomInt } from 'node:crypto';
import { closeLanes, createLanes, defaultWorkers, explorationVerdict, explore, judgedPaths } from '../explore/index.ts';
import type { ScenarioSize } from '../explore/index.ts';
import { presetPolicy, resolvePolicy, resolveVariant, variantAppliesTo, variantNeeds, VARIANTS } from '../scenario/index.ts';
import type { PolicyPresetName, VariantInfo } from '../scenario/index.ts';
import { withApplier } from './applier-option.ts';
import { DEFAULT_TIME_PER_VARIANT_MS } from './defaults.ts';
import { configLabel, recordFailure } from './counterexample.ts';
import { EXIT, UsageError } from './errors.ts';
import { checkOutputDir } from './files.ts';
import { plural, seconds, table } from './format.ts';
import { readPolicyFile, variantArg } from './scenario-options.ts';
import { startProgress } from './progress.ts';

/** The options as commander parsed them (see commands.ts). */
export interface MutantsOptions {
  /** Per variant (--runs-per-variant and --time-per-variant: their old names). */
  runs?: number;
  time?: number;
  timePerVariant?: number;
  runsPerVariant?: number;
  seed?: number;
  config?: PolicyPresetName;
  policy?: string;
  workers?: number;
  outDir: string;
  json?: boolean;
  applier?: string;
  only?: string[];
}

interface Row {
  variant: string;
  layer: string;
  bug: string;
  caught: boolean;
  /** Not caught, and the runs never reached a decision path the bug changes: no evidence either way. */
  unreached: string[];
  invariant?: string;
  /** Scenarios run up to and including the one that caught it (or all of them). */
  scenarios: number;
  /** Failing runs where the correct applier violates the same invariants: not credited to the variant. */
  shared: number;
  wallMs: number;
  shrunk?: ScenarioSize;
  scenarioFile?: string;
  repro?: string;
}

export async function runMutants(opts: MutantsOptions): Promise<void> {
  for (const name of opts.only ?? []) variantArg(name);
  // An external applier replaces the applier layer, so only engine and lifecycle variants stay meaningful.
  const variants = VARIANTS.filter((v) => v.name !== 'correct' && (opts.only?.includes(v.name) ?? true));
  const config = opts.config ?? 'hardened';
  const policy = opts.policy === undefined ? undefined : readPolicyFile(opts.policy);
  // A variant of a design option the configuration lacks changes nothing under it.
  const applicable = variants.filter((v) => variantAppliesTo(v.name, resolvePolicy(policy, presetPolicy(config))));
  const runnable = applicable.filter((v) => opts.applier === undefined || v.layer !== 'applier');
  // A run that tests nothing is not a pass.
  if (runnable.length === 0) {
    const why = opts.applier === undefined ? 'correct is not a bug variant' : '--applier replaces the applier-layer variants';
    throw new UsageError(`no variant to run among --only ${(opts.only ?? []).join(',')} (${why})`);
  }
  checkOutputDir(opts.outDir, '--out-dir');
  const seed = opts.seed ?? randomInt(0x100000000);
  const runs = opts.runs ?? opts.runsPerVariant;
  const timeMs = opts.time ?? opts.timePerVariant ?? (runs === undefined ? DEFAULT_TIME_PER_VARIANT_MS : undefined);
  const workers = opts.workers ?? defaultWorkers();
  const log = (text: string): void => void process.stderr.write(text);
  const budget = [runs !== undefined ? plural(runs, 'run') : '', timeMs !== undefined ? seconds(timeMs) : ''].filter(Boolean).join(' or ');
  log(`regsim mutants: seed ${seed}, config ${configLabel(config, opts.policy)}, ${budget} per variant, ${plural(workers, 'worker')}\n`);
  log('half of the scenarios switch the rollback and collision start-up guards off, so the applier\'s own halts are reached;\n');
  log('a variant is credited only with violations of invariants the correct applier keeps on the same scenario\n');
  for (const v of variants.filter((x) => !applicable.includes(x))) log(`skipping ${v.name}: it needs ${variantNeeds(v.name)}, which config ${config} lacks\n`);
  if (runnable.length < applicable.length) log(`--applier: skipping the ${applicable.length - runnable.length} applier-layer variants (they replace the applier)\n`);

  const rows = await withApplier(opts.applier, resolveVariant('correct').applier, async (factory) => {
    const applier = opts.applier === undefined ? undefined : factory;
    const lanes = createLanes(workers, applier, opts.applier);
    const out: Row[] = [];
    try {
      for (const v of runnable) {
        const spec = { seed, variant: v.name, config, ...(policy === undefined ? {} : { policy }), guardSwarm: true, differential: true };
        const progress = startProgress(v.name, { runs, timeMs });
        const result = await explore({ ...spec, runs, timeMs, lanes, onProgress: (p) => progress.update(p) }).finally(() => progress.stop());
        const failure = result.failures[0];
        const { unreached } = explorationVerdict(result.failures, result.paths, judgedPaths(v.name, config));
        const row: Row = { ...info(v), caught: failure !== undefined, unreached, scenarios: result.runs, shared: result.masked, wallMs: result.elapsedMs };
        if (failure) {
          const c = recordFailure(spec, failure, { outDir: opts.outDir, shrink: true, applier, applierCommand: opts.applier, policyFile: opts.policy });
          Object.assign(row, { invariant: c.invariant, shrunk: c.after, scenarioFile: c.file, repro: c.repro });
        }
        const outcome = row.caught
          ? `caught by ${row.invariant} after ${plural(row.scenarios, 'scenario')}`
          : `${unreached.length > 0 ? `inconclusive (never reached ${unreached.join(', ')})` : 'NOT caught'} in ${plural(row.scenarios, 'scenario')}`;
        log(`${v.name}: ${outcome}\n`);
        out.push(row);
      }
    } finally {
      await closeLanes(lanes);
    }
    return out;
  });

  process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : killTable(rows));
  const escaped = rows.filter((r) => !r.caught);
  process.exitCode = escaped.length === 0 ? EXIT.ok : escaped.every((r) => r.unreached.length > 0) ? EXIT.inconclusive : EXIT.safety;
}

const info = (v: VariantInfo): Pick<Row, 'variant' | 'layer' | 'bug'> => ({ variant: v.name, layer: v.layer, bug: v.bug });

function killTable(rows: readonly Row[]): string {
  const header = ['variant', 'layer', 'caught', 'invariant', 'scenarios', 'wall', 'shrunk to', 'what it breaks'];
  const body = rows.map((r) => [
    r.variant,
    r.layer,
    r.caught ? 'yes' : r.unreached.length > 0 ? 'inconclusive' : 'NO',
    r.invariant ?? '-',
    String(r.scenarios),
    seconds(r.wallMs),
    r.shrunk ? `${plural(r.shrunk.events, 'event')}, ${r.shrunk.nodes} nodes` : '-',
    r.bug,
  ]);
  const caught = rows.filter((r) => r.caught);
  const shared = rows.reduce((n, r) => n + r.shared, 0);
  const inconclusive = rows.filter((r) => !r.caught && r.unreached.length > 0);
  const toDetection = caught.map((r) => r.scenarios).sort((a, b) => a - b);
  const median = toDetection.length === 0 ? undefined : toDetection[Math.floor((toDetection.length - 1) / 2)];
  const notes = [
    `${caught.length}/${rows.length} variants caught${median !== undefined ? `; median ${plural(median, 'scenario')} to detection` : ''}`,
    ...inconclusive.map((r) => `${r.variant}: inconclusive, the runs never reached ${r.unreached.join(', ')} (more runs, or a family that reaches it)`),
    ...(shared > 0 ? [`${plural(shared, 'failure')} shared with the correct configuration were not credited to a variant`] : []),
  ];
  return `${table([header, ...body], [4])}\n${notes.join('\n')}\n`;
}
