// No module imports its own importer, directly or through others: the
// simulator's fault domains (src/sim/*/), and everything else in src, form an
// acyclic import graph (type-only imports included: a cycle of types is still
// two modules that cannot be read one without the other).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
/** Every tree of src. */
const ROOTS = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gm;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Each module's relative imports, resolved to files. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ROOTS.flatMap((root) => files(join(SRC, root)))) {
    const text = readFileSync(file, 'utf8');
    graph.set(file, [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1] as string)));
  }
  return graph;
}

/** Every cycle found by a depth-first search, as module paths relative to src. */
function cycles(graph: Map<string, string[]>): string[][] {
  const out: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') out.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(SRC, f)));
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return out;
}

it('the modules under src import each other without cycles', () => {
  const graph = importGraph();
  expect(graph.size).toBeGreaterThan(50);
  expect(cycles(graph)).toEqual([]);
});

it('the cycle finder finds a cycle', () => {
  const a = join(SRC, 'a.ts');
  const b = join(SRC, 'b.ts');
  expect(cycles(new Map([[a, [b]], [b, [a]]]))).toEqual([['a.ts', 'b.ts', 'a.ts']]);
});
