// src/sim's public surface.
export { Simulator, simulate } from './simulator.ts';
export type { SimResult, SimStats } from './simulator.ts';
export type { ProposeOptions } from './client/proposals.ts';
export type { ScenarioEvent, NetworkParams, RaftParams, ClientParams, Bytes, EngineOptions } from './config.ts';
export type { SimConfig } from './sim-config.ts';
export { DEFAULT_NETWORK, DEFAULT_RAFT, DEFAULT_CLIENT, DEFAULT_SNAPSHOT_INTERVAL, DEFAULT_ENGINE, FAULT_KINDS } from './config.ts';
export { registrationKeyHex } from './storage/registry-replay.ts';
export type { SimApi, SimHooks, NodeStartInfo, ApplyInfo } from './hooks.ts';
export { SIM_VARIANTS, RAFT_VARIANTS, isSimVariant } from './variants.ts';
export type { SimVariant } from './variants.ts';
export { TraceRecorder, behaviourHash, behaviourOf, canonicalJson, serializeTrace, parseTrace, traceHash } from './trace.ts';
export { Prng, Rng } from './prng.ts';
export { startWorkload, workloadHooks, combineHooks, registrationEntry, kvEntry } from './workload.ts';
export type { WorkloadOptions } from './workload.ts';
export { faultSchedule } from './fault-schedule.ts';
export type { FaultOptions } from './fault-schedule.ts';
export type { SimNode } from './process/node.ts';
export type { Disk, DiskTable } from './storage/disk.ts';
