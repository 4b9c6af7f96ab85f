// Exploration: many generated scenarios over one seed, in parallel, with
// reproducible results, and the shrinking of what they find.
export { explore, defaultWorkers } from './engine.ts';
export type { ExploreOptions, ExploreResult } from './engine.ts';
export { createLanes, closeLanes } from './lanes.ts';
export type { Lane } from './lanes.ts';
export { RunError, failsLike, headline, judge, scenarioOf } from './run.ts';
export type { Judgement, RunSpec, RunSummary, Verdict } from './run.ts';
export { shrinkRun } from './shrink.ts';
export type { Shrunk } from './shrink.ts';
export { minimizeScenario, scenarioSize, formatSize, MINIMIZE_BUDGET } from './minimize.ts';
export type { ScenarioSize } from './minimize.ts';
export { explorationVerdict, judgedPaths, unreachedPaths } from './coverage.ts';
export type { ExplorationVerdict, PathTally } from './coverage.ts';
