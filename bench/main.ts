// `npm run bench [-- --json] [-- --seconds N --rate R --seed S]`
//
// Runs the default 5-node workload in the simulator and reports simulated
// events, registrations applied and simulated seconds per wall second; then
// pushes the same registrations (every replica's applies, in the order each
// replica applied them) through the applier alone in a tight loop, and prints
// the ratio of the two. Wall time is measured here, outside src/sim.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MemoryRegistryStore, createEntryApplier } from '../src/applier/index.ts';
import type { ApplierFactory } from '../src/applier/index.ts';
import { referenceApplierCommand, startExternalApplier } from '../src/external/index.ts';
import { faultSchedule, simulate, traceHash, workloadHooks } from '../src/sim/index.ts';
import type { SimConfig, SimResult } from '../src/sim/index.ts';
import { Command } from 'commander';
import { positiveInt } from '../src/cli/options.ts';
import { parseScriptArgs } from './cli.ts';
import { STARTUP_TARGET_RATIO, startupFigure } from './startup.ts';

interface Options {
  json: boolean;
  seconds: number;
  rate: number;
  seed: string;
  runs: number;
}

function parseArgs(argv: string[]): Options {
  const program = new Command('npm run bench --')
    .description('simulator and applier throughput, and the start-up figure')
    .option('--json', 'print one JSON object', false)
    .option('--seconds <n>', 'virtual seconds per run', positiveInt('--seconds'), 600)
    .option('--rate <n>', 'proposals per virtual second', positiveInt('--rate'), 10)
    .option('--seed <text>', 'simulation seed', 'bench')
    .option('--runs <n>', 'timed runs (medians are reported)', positiveInt('--runs'), 5);
  return parseScriptArgs<Options>(program, argv);
}

export const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

/**
 * The default workload: 5 nodes, `rate` proposals per virtual second (80 %
 * registrations, 20 % KV writes), 1 % message loss, a seeded schedule of
 * partitions, one-way cuts, loss bursts and explicit snapshots (about one
 * fault every 20 s), snapshots every 8..64 entries. No crashes: with the
 * correct applier a crash replay can halt a node for good (see the report),
 * which would measure an idle cluster.
 */
export function benchConfig(seed: string, seconds: number, rate: number, applier: ApplierFactory = createEntryApplier): SimConfig {
  const T = seconds * 1000;
  return {
    seed,
    nodes: NODES,
    applier,
    applierName: 'correct',
    timeLimitMs: T,
    network: { lossRate: 0.01 },
    faultsEndMs: T - 5000,
    events: faultSchedule({
      seed,
      nodes: NODES,
      fromMs: 1000,
      toMs: T - 5000,
      ratePerSec: 0.05,
      weights: { crash: 0 },
      downMs: [200, 3000],
    }),
    hooks: workloadHooks({ fromMs: 500, toMs: T - 1000, ratePerSec: rate }),
  };
}

/** Every replica's applied entries, in its apply order (what the applier-alone loop replays). */
function appliedStreams(result: SimResult): Uint8Array[][] {
  const byNode = new Map<string, Uint8Array[]>();
  for (const ev of result.trace) {
    if (ev.kind !== 'apply') continue;
    let list = byNode.get(ev.node);
    if (list === undefined) byNode.set(ev.node, (list = []));
    list.push(Buffer.from(ev.entryHex, 'hex'));
  }
  return [...byNode.values()];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1] as number;
}

/** One timed pass of every replica's applies through the applier alone. */
function applierAlone(streams: Uint8Array[][]): { registrations: number; ms: number } {
  const t0 = performance.now();
  let n = 0;
  for (const entries of streams) {
    const applier = createEntryApplier(new MemoryRegistryStore());
    for (const e of entries) if (applier.apply(e).kind === 'registered') n++;
  }
  return { registrations: n, ms: performance.now() - t0 };
}

/**
 * The same simulation once more with the applier out of process (the
 * reference child, our own applier behind the protocol): applies per wall
 * second against the built-in median, and whether the trace is identical.
 */
function externalRun(opts: Options, builtin: SimResult, builtinMs: number, command: readonly string[]) {
  const ext = startExternalApplier(command);
  try {
    const t0 = performance.now();
    const run = simulate(benchConfig(opts.seed, opts.seconds, opts.rate, ext.factory));
    const ms = performance.now() - t0;
    const applies = (r: SimResult): number => r.trace.reduce((n, ev) => n + (ev.kind === 'apply' ? 1 : 0), 0);
    const perSec = applies(run) / (ms / 1000);
    const builtinPerSec = applies(builtin) / (builtinMs / 1000);
    return {
      wallMs: Math.round(ms),
      appliesPerWallSecond: Math.round(perSec),
      builtinAppliesPerWallSecond: Math.round(builtinPerSec),
      ratio: Math.round((perSec / builtinPerSec) * 1000) / 1000,
      sameTraceHash: traceHash(run.trace) === traceHash(builtin.trace),
      ...ext.stats(),
    };
  } finally {
    ext.close();
  }
}

/** The Go example applier (examples/go-applier), built into a temporary directory; undefined without a Go toolchain. */
function goExample(): string[] | undefined {
  const out = join(mkdtempSync(join(os.tmpdir(), 'regsim-bench-go-')), 'regsim-go-applier');
  try {
    execFileSync('go', ['build', '-o', out, '.'], { cwd: fileURLToPath(new URL('../examples/go-applier/', import.meta.url)), stdio: 'ignore' });
    return [out];
  } catch {
    return undefined;
  }
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  // Warm the JIT up on one full run of the same workload (another seed) and
  // one applier-alone pass; then alternate timed simulation runs and timed
  // applier-alone passes, so both see the same machine load, and report
  // medians (the machine may be shared) and the best run.
  const warm = simulate(benchConfig(`${opts.seed}-warmup`, opts.seconds, opts.rate));
  applierAlone(appliedStreams(warm));
  let result: SimResult | undefined;
  let streams: Uint8Array[][] = [];
  const simTimes: number[] = [];
  const aloneTimes: number[] = [];
  const idleTimes: number[] = [];
  const ratios: number[] = [];
  let aloneRegs = 0;
  for (let i = 0; i < opts.runs; i++) {
    const t0 = performance.now();
    result = simulate(benchConfig(opts.seed, opts.seconds, opts.rate));
    const ms = performance.now() - t0;
    if (i === 0) streams = appliedStreams(result);
    const alone = applierAlone(streams);
    aloneRegs = alone.registrations;
    simTimes.push(ms);
    aloneTimes.push(alone.ms);
    ratios.push(result.stats.registrationsApplied / ms / (alone.registrations / alone.ms));
    // The same cluster, faults and time with no proposals: the cost of time passing.
    const i0 = performance.now();
    simulate(benchConfig(opts.seed, opts.seconds, 0));
    idleTimes.push(performance.now() - i0);
  }
  if (result === undefined) throw new Error('no run');
  const simMs = median(simTimes);
  const bestMs = Math.min(...simTimes);
  const h0 = performance.now();
  const hash = traceHash(result.trace);
  const hashMs = performance.now() - h0;

  const external = externalRun(opts, result, simMs, referenceApplierCommand());
  const go = goExample();
  const goExternal = go === undefined ? null : externalRun(opts, result, simMs, go);
  const startup = startupFigure();

  const s = result.stats;
  const wallS = simMs / 1000;
  const simRegsPerSec = s.registrationsApplied / wallS;
  const aloneMs = median(aloneTimes);
  const idleMs = median(idleTimes);
  const aloneRegsPerSec = aloneRegs / (aloneMs / 1000);
  const figures = {
    workload: {
      nodes: NODES.length,
      simulatedSeconds: opts.seconds,
      proposalsPerSimSecond: opts.rate,
      seed: opts.seed,
      snapshotInterval: result.snapshotInterval,
    },
    runs: opts.runs,
    wallMs: Math.round(simMs),
    wallMsPerRun: simTimes.map((t) => Math.round(t)),
    simulatedEvents: s.events,
    simulatedEventsPerWallSecond: Math.round(s.events / wallS),
    registrationsApplied: s.registrationsApplied,
    registrationsAppliedPerWallSecond: Math.round(simRegsPerSec),
    simulatedSecondsPerWallSecond: Math.round(opts.seconds / wallS),
    bestRun: {
      wallMs: Math.round(bestMs),
      simulatedSecondsPerWallSecond: Math.round(opts.seconds / (bestMs / 1000)),
      registrationsAppliedPerWallSecond: Math.round(s.registrationsApplied / (bestMs / 1000)),
    },
    applierAlone: {
      registrations: aloneRegs,
      wallMs: Math.round(aloneMs * 10) / 10,
      wallMsPerRun: aloneTimes.map((t) => Math.round(t)),
      registrationsPerWallSecond: Math.round(aloneRegsPerSec),
    },
    /** Median over runs of (simulation registrations/s) / (applier-alone registrations/s), each pair timed back to back. */
    simToApplierAloneRatio: Math.round(median(ratios) * 1000) / 1000,
    simToApplierAloneRatioPerRun: ratios.map((r) => Math.round(r * 1000) / 1000),
    /**
     * Where the time goes (medians): the idle cluster (heartbeats, timers, no
     * proposals), the applier itself, and the rest (Raft replication of the
     * entries, trace recording, digests, client). The floor is what the
     * simulation could reach if the rest cost nothing.
     */
    breakdown: {
      idleClusterMs: Math.round(idleMs),
      applierMs: Math.round(aloneMs),
      restMs: Math.round(Math.max(0, simMs - idleMs - aloneMs)),
      floorSimulatedSecondsPerWallSecond: Math.round(opts.seconds / ((idleMs + aloneMs) / 1000)),
    },
    external,
    /** The same through the Go example applier (null: no Go toolchain to build it). */
    goExternal,
    startup,
    traceEvents: s.traceEvents,
    traceHashMs: Math.round(hashMs),
    traceHash: hash,
    messages: { sent: s.messagesSent, delivered: s.messagesDelivered, dropped: s.messagesDropped },
    proposals: { proposed: s.proposals, applied: s.proposalsApplied, givenUp: s.proposalsGivenUp },
    targets: { simToApplierAloneRatio: 0.25, simulatedSecondsPerWallSecond: 1000, externalAppliesPerWallSecond: 20_000, externalRatio: 0.5, startupRatio: STARTUP_TARGET_RATIO },
    machine: { cpus: os.cpus().length, loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100, node: process.version },
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const f = figures;
  const lines = [
    `regsim bench: ${f.workload.nodes} nodes, ${f.workload.simulatedSeconds} simulated s, ${f.workload.proposalsPerSimSecond} proposals/simulated s (seed ${f.workload.seed}, K=${f.workload.snapshotInterval})`,
    `  simulation wall time            ${f.wallMs} ms (median of ${f.runs}: ${f.wallMsPerRun.join(', ')} ms)`,
    `  simulated events / wall s       ${f.simulatedEventsPerWallSecond}  (${f.simulatedEvents} events)`,
    `  registrations applied / wall s  ${f.registrationsAppliedPerWallSecond}  (${f.registrationsApplied} applies on all replicas)`,
    `  simulated seconds / wall s      ${f.simulatedSecondsPerWallSecond}  (target >= ${f.targets.simulatedSecondsPerWallSecond}; best run ${f.bestRun.simulatedSecondsPerWallSecond})`,
    `  applier alone, same applies     ${f.applierAlone.registrationsPerWallSecond} registrations / wall s  (median ${f.applierAlone.wallMs} ms of ${f.applierAlone.wallMsPerRun.join(', ')})`,
    `  simulation / applier alone      ${f.simToApplierAloneRatio}  (target >= ${f.targets.simToApplierAloneRatio}; per run ${f.simToApplierAloneRatioPerRun.join(', ')})`,
    `  breakdown (medians)             idle cluster ${f.breakdown.idleClusterMs} ms + applier ${f.breakdown.applierMs} ms + rest ${f.breakdown.restMs} ms; floor ${f.breakdown.floorSimulatedSecondsPerWallSecond} simulated s / wall s`,
    ...externalLines('reference child', f.external, f.targets),
    ...(f.goExternal === null ? ['  external applier (Go example): skipped, no Go toolchain to build examples/go-applier'] : externalLines('Go example', f.goExternal, f.targets)),
    `  start-up, installed package    regsim --help ${f.startup.helpMs} ms, node -e 0 ${f.startup.nodeMs} ms: ${f.startup.ratio}x  (target <= ${f.targets.startupRatio}x; medians of ${f.startup.samples})`,
    `  trace: ${f.traceEvents} events, hashed in ${f.traceHashMs} ms, sha256 ${f.traceHash.slice(0, 16)}...`,
    `  machine: ${f.machine.cpus} cpus, load average ${f.machine.loadAverage1m}, node ${f.machine.node}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function externalLines(what: string, e: ReturnType<typeof externalRun>, targets: { externalAppliesPerWallSecond: number; externalRatio: number }): string[] {
  return [
    `  external applier (${what} over the protocol, same run)`,
    `    applies / wall s              ${e.appliesPerWallSecond}  (built-in ${e.builtinAppliesPerWallSecond}; ratio ${e.ratio}, target >= ${targets.externalRatio}; target >= ${targets.externalAppliesPerWallSecond} / s)`,
    `    round trips / apply           ${(e.roundTrips / Math.max(1, e.applies)).toFixed(2)}  (${e.batched} of ${e.applies} applies answered from batches)`,
    `    same trace hash as built-in   ${e.sameTraceHash}`,
  ];
}

main();
