// The package's public API (`import ... from 'regsim'`), documented in the
// README's "Using regsim as a library". Everything else under dist/ is
// internal: it may change in any release.

// Scenarios: the document, its schema, the generator and the configurations.
export {
  DEFAULT_POLICY,
  POLICY_PRESETS,
  POLICY_PRESET_INFO,
  POLICY_PRESET_NAMES,
  SCENARIO_SCHEMA,
  ScenarioError,
  loadScenario,
  presetPolicy,
  resolvePolicy,
  scenarioArbitrary,
  serializeScenario,
} from './scenario/index.ts';
export type { LifecyclePolicy, PolicyOverrides, PolicyPresetName, Scenario, ScenarioArbitraryOptions, ScenarioEventDoc } from './scenario/index.ts';

// One scenario, end to end: simulate and judge.
export { runScenario, VARIANTS, resolveVariant } from './scenario/index.ts';
export type { RunOptions, RunResult, VariantInfo, VariantLayer } from './scenario/index.ts';

// The oracle: judges a finished trace.
export { INVARIANTS, MalformedTraceError, checkTrace, formatViolation, verdictOf } from './model/oracle.ts';
export type { InvariantName, OracleOptions, Violation } from './model/oracle.ts';
export type { InvariantInfo } from './model/invariant-catalog.ts';
export { PATHS, PATH_NAMES } from './model/paths.ts';
export type { PathInfo } from './model/paths.ts';
export type { TraceEvent } from './trace/types.ts';

// The system under test: the applier contract, the port and its bug variants.
export { MemoryRegistryStore, StoreFault, applierVariants, createEntryApplier } from './applier/index.ts';
export type { ApplierFactory, ApplyResponse, EntryApplier, HaltReason, RegistryStore } from './applier/index.ts';
export { startExternalApplier } from './external/index.ts';
export type { ExternalApplier } from './external/index.ts';

// Property suites of your own (vitest or any runner).
export { checkSuite, runSuite, knobs, suiteSeed, failureMessage, DEFAULT_BASE_SEED, FAILURE_DIR, MIN_RUNS_FOR_FLOORS } from './property/index.ts';
export type { CheckOptions, Floors, Knobs, RunSuiteOptions, SuiteOutcome, SuiteSpec, Tally } from './property/index.ts';
