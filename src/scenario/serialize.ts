// The canonical text of a scenario: keys sorted at every level, two-space
// indentation, a final newline. Saving a loaded scenario gives the same bytes.
import type { Scenario } from './types.ts';

export function serializeScenario(scenario: Scenario): string {
  return `${JSON.stringify(sortKeys(scenario), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) if (obj[key] !== undefined) out[key] = sortKeys(obj[key]);
  return out;
}
