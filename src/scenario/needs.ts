// Which design options a configuration has: some decision paths
// (src/model/paths.ts `needs`) and some bug variants exist only under one of
// them (the skip of already-applied registrations, production main's durable
// applied index), so an exploration judges them only where they can happen.
import type { PathNeed } from '../model/paths.ts';
import type { LifecyclePolicy } from '../sim/lifecycle/index.ts';

/** Whether `policy` has the design option `need` (undefined: needs nothing). */
export function policyHas(need: PathNeed | undefined, policy: LifecyclePolicy): boolean {
  switch (need) {
    case undefined:
      return true;
    case 'skip-applied':
      return policy.engine.registryReplay === 'skip-applied';
    case 'durable-applied-index':
      return policy.engine.coldStart === 'durable-applied-index';
    case 'last-snapshot-cold-start':
      return policy.engine.coldStart !== 'durable-applied-index';
    case 'admission-check':
      return policy.membership?.admission === 'leader-check';
    case 'main-admission-check':
      return policy.fsm === 'main' && policy.membership?.admission === 'leader-check';
    case 'no-admission-check':
      return policy.membership?.admission !== 'leader-check';
    case 'stage6a-fsm':
      return policy.fsm !== 'main';
    case 'main-fsm':
      return policy.fsm === 'main';
  }
}
