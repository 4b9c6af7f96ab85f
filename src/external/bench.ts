// Micro-benchmark: the external applier bridge against the built-in applier
// on the same entries, applied the way a simulated cluster applies them
// (every committed entry on every node, each node over its own store).
// For `npm run bench` (bench/main.ts) and for measuring design choices.
import { MemoryRegistryStore, createEntryApplier, encodeRegistration, OPCODE } from '../applier/index.ts';
import type { ApplierFactory } from '../applier/index.ts';
import { startExternalApplier } from './bridge.ts';
import { referenceApplierCommand } from './reference.ts';

export interface ExternalBenchOptions {
  /** External applier command (default: the reference applier, i.e. our own applier over the protocol). */
  command?: string | readonly string[];
  /** Simulated nodes; every entry is applied once per node (default 5). */
  nodes?: number;
  /** Committed entries (default 4000, so 20,000 applies on 5 nodes). */
  entries?: number;
  /** Fraction of entries that are registrations, the rest KV writes (default 0.5). */
  registrationShare?: number;
  /** One child per node instead of one shared child (default false; for comparing). */
  childPerNode?: boolean;
}

export interface ExternalBenchResult {
  appliesPerSecond: number;
  builtinAppliesPerSecond: number;
  /** external / built-in. */
  ratio: number;
  /** Mean wall time per external apply, in microseconds. */
  microsPerApply: number;
  /** Protocol round trips per external apply. */
  roundTripsPerApply: number;
  /** Wall time to start the child(ren) and handshake, in milliseconds. */
  startupMs: number;
  applies: number;
}

/**
 * Deterministic entries: registrations from 16 writers under 2 DEKs whose
 * epochs mostly advance and sometimes replay (insert, advance and noop all
 * occur), between 16-byte KV writes. No randomness: a fixed stride pattern.
 */
export function benchEntries(count: number, registrationShare: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  const epochs = new Map<number, number>();
  let registrations = 0;
  for (let i = 0; i < count; i++) {
    if (registrations < Math.round((i + 1) * registrationShare)) {
      const writer = (registrations * 7) % 16;
      const dekId = 1 + (registrations % 2);
      const key = writer * 2 + dekId;
      // Every third registration of a writer replays its epoch (noop), the others advance.
      const epoch = (epochs.get(key) ?? -1) + (registrations % 3 === 2 ? 0 : 1);
      epochs.set(key, Math.max(epoch, 0));
      const fullNodeId = 0x1000_0000_0000_0000n + BigInt(writer) * 0x1_0001n;
      entries.push(Uint8Array.of(OPCODE.registration, ...encodeRegistration({ dekId, fullNodeId, localEpoch: Math.max(epoch, 0) })));
      registrations++;
    } else {
      const kv = new Uint8Array(17);
      kv[0] = i % 2; // 0x00 / 0x01: ordinary KV writes
      for (let j = 1; j < kv.length; j++) kv[j] = (i * 31 + j) & 0xff;
      entries.push(kv);
    }
  }
  return entries;
}

/** Seconds to apply `entries` on `nodes` fresh stores through the given factories. */
function timeRun(factories: ApplierFactory[], entries: Uint8Array[]): number {
  const appliers = factories.map((f) => f(new MemoryRegistryStore()));
  const start = performance.now();
  for (const entry of entries) for (const applier of appliers) applier.apply(entry);
  return (performance.now() - start) / 1000;
}

export function benchExternalApplier(opts: ExternalBenchOptions = {}): ExternalBenchResult {
  const nodes = opts.nodes ?? 5;
  const entries = benchEntries(opts.entries ?? 4000, opts.registrationShare ?? 0.5);
  const applies = entries.length * nodes;
  const command = opts.command ?? referenceApplierCommand();

  const started = performance.now();
  const children = Array.from({ length: opts.childPerNode ? nodes : 1 }, () => startExternalApplier(command));
  const startupMs = performance.now() - started;
  try {
    const external = Array.from({ length: nodes }, (_, i) => (children[i % children.length] ?? children[0]!).factory);
    const builtin = Array.from({ length: nodes }, () => createEntryApplier);
    // Warm both paths (JIT, page cache) on a slice, then time the full run.
    const warm = entries.slice(0, Math.min(entries.length, 500));
    timeRun(external, warm);
    timeRun(builtin, warm);
    const before = children.reduce((n, c) => n + c.stats().roundTrips, 0);
    const externalSeconds = timeRun(external, entries);
    const after = children.reduce((n, c) => n + c.stats().roundTrips, 0);
    const builtinSeconds = timeRun(builtin, entries);
    const appliesPerSecond = applies / externalSeconds;
    const builtinAppliesPerSecond = applies / builtinSeconds;
    return {
      appliesPerSecond,
      builtinAppliesPerSecond,
      ratio: appliesPerSecond / builtinAppliesPerSecond,
      microsPerApply: (externalSeconds * 1e6) / applies,
      roundTripsPerApply: (after - before) / applies,
      startupMs,
      applies,
    };
  } finally {
    for (const child of children) child.close();
  }
}
