// Delta debugging over a scenario document: after fast-check's shrink (which
// works on the generator's raw draws), try cuts the generator cannot express
// (one event of a restore sequence, the heal of a partition, an idle member,
// the tail of the run) and keep each one that still fails. Also the whole
// shrink for a scenario file, which has no generator behind it. Every
// candidate must load (loadScenario) before it is run.
import { EVENT_FAMILY, loadScenario, ScenarioError } from '../scenario/index.ts';
import type { FaultFamily, Scenario } from '../scenario/index.ts';
import { MINIMIZE_BUDGET } from './budgets.ts';

export { MINIMIZE_BUDGET };

export interface ScenarioSize {
  events: number;
  nodes: number;
  families: number;
  durationMs: number;
}

export function scenarioSize(s: Scenario): ScenarioSize {
  return {
    events: s.events.length,
    nodes: s.cluster.nodes.length + (s.cluster.joiners?.length ?? 0),
    families: Object.keys(s.faults).length,
    durationMs: s.durationMs,
  };
}

export function formatSize(size: ScenarioSize): string {
  const n = (count: number, word: string, words: string): string => `${count} ${count === 1 ? word : words}`;
  return `${n(size.events, 'event', 'events')}, ${n(size.nodes, 'node', 'nodes')}, ${n(size.families, 'fault family', 'fault families')}, ${size.durationMs} ms`;
}

/** Greedy: take the first candidate that still fails, start over from it; stop at a fixpoint or the budget. */
export function minimizeScenario(
  scenario: Scenario,
  fails: (candidate: Scenario) => boolean,
  budget = MINIMIZE_BUDGET,
): { scenario: Scenario; tries: number } {
  let best = scenario;
  let tries = 0;
  let improved = true;
  while (improved && tries < budget) {
    improved = false;
    for (const candidate of candidates(best)) {
      if (!loads(candidate)) continue;
      if (++tries > budget) break;
      if (fails(candidate)) {
        best = candidate;
        improved = true;
        break;
      }
    }
  }
  return { scenario: best, tries: Math.min(tries, budget) };
}

function loads(s: Scenario): boolean {
  try {
    loadScenario(s);
    return true;
  } catch (err) {
    if (err instanceof ScenarioError) return false;
    throw err;
  }
}

/** Cuts, biggest first. Later events go first: a restore needs its backup, not the other way round. */
function* candidates(s: Scenario): Generator<Scenario> {
  for (const family of Object.keys(s.faults) as FaultFamily[]) {
    const faults = { ...s.faults };
    delete faults[family];
    yield { ...s, faults, events: s.events.filter((e) => EVENT_FAMILY[e.kind] !== family) };
  }
  for (let i = s.events.length - 1; i >= 0; i--) yield { ...s, events: s.events.filter((_, k) => k !== i) };
  yield* guardCuts(s);
  if (s.cluster.initialEpochs !== undefined) {
    const { initialEpochs: _dropped, ...cluster } = s.cluster;
    yield { ...s, cluster };
  }
  yield* idleNodeCuts(s);
  yield* durationCuts(s);
}

/**
 * Start-up guards the guard swarm switched off, back on: a counterexample
 * that does not need a guard off is simpler, and the same bug shrunk on two
 * machines then ends in the same policy (one finding, src/findings).
 */
function* guardCuts(s: Scenario): Generator<Scenario> {
  const guards = s.policy?.guards ?? {};
  for (const [name, on] of Object.entries(guards)) {
    if (on === false) yield { ...s, policy: { ...s.policy, guards: { ...guards, [name]: true } } };
  }
}

function namedNodes(s: Scenario): Set<string> {
  const names = new Set(Object.keys(s.cluster.initialEpochs ?? {}));
  for (const e of s.events) {
    if ('node' in e) names.add(e.node);
    if (e.kind === 'partition') for (const g of e.groups) for (const n of g) names.add(n);
  }
  return names;
}

/** Members and joiners no event names (the last one first: ids keep their order). */
function* idleNodeCuts(s: Scenario): Generator<Scenario> {
  const named = namedNodes(s);
  const joiners = s.cluster.joiners ?? [];
  for (const j of [...joiners].reverse().filter((n) => !named.has(n))) {
    const rest = joiners.filter((n) => n !== j);
    const { joiners: _dropped, ...cluster } = s.cluster;
    yield { ...s, cluster: rest.length > 0 ? { ...cluster, joiners: rest } : cluster };
  }
  for (const m of [...s.cluster.nodes].reverse().filter((n) => !named.has(n))) {
    yield { ...s, cluster: { ...s.cluster, nodes: s.cluster.nodes.filter((n) => n !== m) } };
  }
}

/** End the faults at the last event (keeping the quiet period), then halve the quiet period. */
function* durationCuts(s: Scenario): Generator<Scenario> {
  const quiet = s.durationMs - s.faultsEndMs;
  const lastEvent = s.events.reduce((t, e) => Math.max(t, e.at), 0);
  if (lastEvent < s.faultsEndMs) yield { ...s, faultsEndMs: lastEvent, durationMs: lastEvent + quiet };
  const half = Math.floor(quiet / 2);
  if (half >= 1) yield { ...s, durationMs: s.faultsEndMs + half };
}
