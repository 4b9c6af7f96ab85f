// The node lifecycle layer's public surface.
export { NodeLifecycle, INITIAL_DEK, lifecycleEvent } from './lifecycle.ts';
export type { LifecycleEvent, LifecycleOptions } from './lifecycle.ts';
export { DEFAULT_POLICY, NO_GUARDS, resolvePolicy } from './policy.ts';
export type { GuardPolicy, LifecyclePolicy, NoncePolicy, PolicyOverrides } from './policy.ts';
export { COLLIDING_RAFT_IDS } from './colliding-ids.ts';
export type { CollidingRaftId } from './colliding-ids.ts';
