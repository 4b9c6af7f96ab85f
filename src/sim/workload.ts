// A seeded background workload for tests and the benchmark: registrations
// (opcode 0x03) and ordinary KV writes (opcode 0x00), proposed at seeded
// times by a driver that runs inside the simulation (via hooks).
//
// Registrations follow §5's discipline so the correct applier never halts on
// them: a node has at most one registration in flight and proposes its next
// epoch only after the previous one was applied; if a registration is given
// up (every attempt timed out), the node proposes none again, since the old
// one may still commit later. Retries still commit the same registration
// twice (an idempotent replay). The lifecycle layer builds the real §5
// behaviour (epoch bumps at process start, guards, nonces) on the same hooks.
import { OPCODE, deriveNodeId, encodeRegistration } from '../applier/index.ts';
import type { SimHooks } from './hooks.ts';
import type { SimApi } from './hooks.ts';

export interface WorkloadOptions {
  /** First and last proposal times (virtual ms). */
  fromMs: number;
  toMs: number;
  /** Mean proposals per virtual second (arrivals are Poisson). */
  ratePerSec: number;
  /** Share of registrations among proposals (the rest are KV writes). Default 0.8. */
  registrationShare?: number;
  dekId?: number;
}

/** Opcode byte followed by the registration payload. */
export function registrationEntry(dekId: number, fullNodeId: bigint, localEpoch: number): Uint8Array {
  const payload = encodeRegistration({ dekId, fullNodeId, localEpoch });
  const entry = new Uint8Array(1 + payload.length);
  entry[0] = OPCODE.registration;
  entry.set(payload, 1);
  return entry;
}

/** An ordinary KV write entry: opcode 0x00 followed by `body`. */
export function kvEntry(body: Uint8Array): Uint8Array {
  const entry = new Uint8Array(1 + body.length);
  entry[0] = OPCODE.kvWrite;
  entry.set(body, 1);
  return entry;
}

/** Runs the workload inside `sim` (call once, e.g. from a hook at boot). */
export function startWorkload(sim: SimApi, opts: WorkloadOptions): void {
  if (!(opts.ratePerSec > 0)) return;
  const rng = sim.rng('workload');
  const share = opts.registrationShare ?? 0.8;
  const dekId = opts.dekId ?? 1;
  const names = sim.nodes.map((n) => n.name);
  const ids = names.map((n) => deriveNodeId(n));
  const epochs = names.map(() => 0);
  // 0: idle, 1: a registration in flight, 2: gave up (never again)
  const state = names.map(() => 0);
  const meanGap = 1000 / opts.ratePerSec;
  const gap = (): number => Math.max(1, Math.round(-Math.log(1 - rng.float()) * meanGap));
  const body = new Uint8Array(8);

  const step = (s: SimApi): void => {
    const who = rng.int(0, names.length - 1);
    const name = names[who] as string;
    const register = rng.chance(share);
    for (let i = 0; i < 8; i++) body[i] = rng.int(0, 255);
    if (register && state[who] === 0) {
      const e = (epochs[who] as number) + 1;
      epochs[who] = e;
      // After epoch 0xFFFF the node moves on to a fresh DEK (epochs restart per DEK).
      const dek = dekId + Math.floor((e - 1) / 0xffff);
      const epoch = ((e - 1) % 0xffff) + 1;
      state[who] = 1;
      s.propose(registrationEntry(dek, ids[who] as bigint, epoch), {
        node: name,
        onApplied: () => {
          state[who] = 0;
        },
        onGiveUp: () => {
          state[who] = 2;
        },
      });
    } else {
      s.propose(kvEntry(body), { node: name });
    }
    const next = gap();
    if (s.now + next <= opts.toMs) s.after(next, step);
  };
  const first = Math.max(0, opts.fromMs - sim.now) + gap();
  if (sim.now + first <= opts.toMs) sim.after(first, step);
}

/** Hooks that start the workload when the first node boots. */
export function workloadHooks(opts: WorkloadOptions): SimHooks {
  let started = false;
  return {
    onNodeStart(sim) {
      if (started) return;
      started = true;
      startWorkload(sim, opts);
    },
  };
}

/** Runs several hook sets in order (a 'refuse' from any onNodeStart or onNodeReplayed wins). */
export function combineHooks(...sets: SimHooks[]): SimHooks {
  return {
    onNodeStart(sim, node, info) {
      let verdict: void | 'refuse' = undefined;
      for (const h of sets) if (h.onNodeStart?.(sim, node, info) === 'refuse') verdict = 'refuse';
      return verdict;
    },
    onNodeReplayed(sim, node) {
      let verdict: void | 'refuse' = undefined;
      for (const h of sets) if (h.onNodeReplayed?.(sim, node) === 'refuse') verdict = 'refuse';
      return verdict;
    },
    onApply(sim, node, info) {
      for (const h of sets) h.onApply?.(sim, node, info);
    },
    onHalt(sim, node, index, reason) {
      for (const h of sets) h.onHalt?.(sim, node, index, reason);
    },
    onCrash(sim, node) {
      for (const h of sets) h.onCrash?.(sim, node);
    },
    onSnapshotInstall(sim, node, index) {
      for (const h of sets) h.onSnapshotInstall?.(sim, node, index);
    },
    onCustom(sim, event) {
      for (const h of sets) h.onCustom?.(sim, event);
    },
    onFaultsEnd(sim) {
      for (const h of sets) h.onFaultsEnd?.(sim);
    },
    onEnd(sim) {
      for (const h of sets) h.onEnd?.(sim);
    },
  };
}
