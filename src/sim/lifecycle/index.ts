// The node lifecycle layer's public surface.
export { NodeLifecycle, INITIAL_DEK, lifecycleEvent } from './lifecycle.ts';
export type { LifecycleEvent, LifecycleOptions } from './lifecycle.ts';
export {
  DEFAULT_POLICY,
  NO_GUARDS,
  POLICY_PRESETS,
  POLICY_PRESET_NAMES,
  POLICY_PRESET_INFO,
  isPolicyPresetName,
  presetPolicy,
  resolvePolicy,
} from './policy.ts';
export type { EnginePolicy, GuardPolicy, LifecyclePolicy, MembershipPolicy, NoncePolicy, PolicyOverrides, PolicyPresetName } from './policy.ts';
export { COLLIDING_RAFT_IDS } from './colliding-ids.ts';
export type { CollidingRaftId } from './colliding-ids.ts';
export { NEAR_RAFT_IDS } from './near-ids.ts';
export type { NearRaftId } from './near-ids.ts';
