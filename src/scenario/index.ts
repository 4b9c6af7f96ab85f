// The scenario layer's public surface.
export { SCENARIO_VERSION, EVENT_FAMILY } from './types.ts';
export type { Scenario, ScenarioMeta, Cluster, FaultFamilies, FaultFamily, ScenarioEventDoc, ScenarioEventKind } from './types.ts';
export { SCENARIO_SCHEMA } from './schema.ts';
export { loadScenario, loadPolicy, ScenarioError, MAX_SLOTS } from './load.ts';
export { serializeScenario } from './serialize.ts';
export { compileScenario } from './compile.ts';
export type { CompileOptions } from './compile.ts';
export { VARIANTS, resolveVariant, variantAppliesTo, variantNeeds } from './variants.ts';
export type { VariantInfo, VariantLayer, ResolvedVariant } from './variants.ts';
export { runScenario, timed } from './run.ts';
export { givenUpBy } from './given-up.ts';
export type { GivenUp } from './given-up.ts';
export type { Phase, PhaseTimer, RunOptions, RunResult } from './run.ts';
export { scenarioArbitrary } from './arbitrary.ts';
export type { ScenarioArbitraryOptions } from './arbitrary.ts';
export {
  POLICY_PRESETS,
  POLICY_PRESET_NAMES,
  POLICY_PRESET_INFO,
  DEFAULT_POLICY,
  isPolicyPresetName,
  presetPolicy,
  resolvePolicy,
} from '../sim/lifecycle/index.ts';
export type { LifecyclePolicy, PolicyOverrides, PolicyPresetName } from '../sim/lifecycle/index.ts';
