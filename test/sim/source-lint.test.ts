// Nothing in src/sim or src/model may read real time or unseeded randomness.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DIRS = ['src/sim', 'src/model'];
const FORBIDDEN: [RegExp, string][] = [
  [/\bMath\s*\.\s*random\b/, 'Math.random'],
  [/\bDate\s*\.\s*now\b/, 'Date.now'],
  [/\bnew\s+Date\b/, 'new Date'],
  [/\bperformance\s*\.\s*now\b/, 'performance.now'],
  [/\bprocess\s*\.\s*hrtime\b/, 'process.hrtime'],
  [/\bset(Timeout|Interval|Immediate)\s*\(/, 'timers'],
  [/\b(randomBytes|randomUUID|randomInt|getRandomValues)\b/, 'crypto randomness'],
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

/** Source without comments (a comment may say what is forbidden). Strings are kept. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:"'`\\])\/\/.*$/gm, '$1');
}

describe('source lint', () => {
  it('src/sim and src/model never read real time or Math.random', () => {
    const files = DIRS.flatMap((d) => sourceFiles(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(5);
    const hits: string[] = [];
    for (const file of files) {
      const code = stripComments(readFileSync(file, 'utf8'));
      code.split('\n').forEach((line, i) => {
        for (const [re, what] of FORBIDDEN) if (re.test(line)) hits.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('the lint itself catches a violation', () => {
    const code = stripComments('const x = Math.random(); // Date.now is fine in a comment');
    expect(FORBIDDEN.some(([re]) => re.test(code))).toBe(true);
    expect(FORBIDDEN.some(([re]) => re.test(stripComments('// Date.now()')))).toBe(false);
  });
});
