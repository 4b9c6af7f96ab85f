// The kill table: every bug variant of the catalog (applier, simulator and
// lifecycle layers) must be caught by the default property suites, within
// their default budgets, from their default seeds (see ./detect.ts). Prints
// runs-to-detection per variant at the end.
import { afterAll, expect, it } from 'vitest';
import { VARIANTS } from '../src/scenario/index.ts';
import { KNOWN_ESCAPES, detect } from './detect.ts';
import type { Detection } from './detect.ts';

const rows: { variant: string; detection: Detection | undefined }[] = [];
const variants = VARIANTS.filter((v) => v.name !== 'correct').map((v) => v.name);

it.each(variants.filter((v) => !(v in KNOWN_ESCAPES)))('the default suites catch %s', (variant) => {
  const detection = detect(variant);
  rows.push({ variant, detection });
  expect(detection, `${variant} escaped every suite`).toBeDefined();
});

const escapes = variants.filter((v) => v in KNOWN_ESCAPES);
if (escapes.length > 0) it.skip.each(escapes)('the default suites catch %s (known escape)', () => {});

afterAll(() => {
  for (const variant of Object.keys(KNOWN_ESCAPES)) rows.push({ variant, detection: undefined });
  const width = Math.max(...rows.map((r) => r.variant.length));
  const lines = rows.map(({ variant, detection: d }) =>
    d === undefined
      ? `  ${variant.padEnd(width)}  NOT CAUGHT${variant in KNOWN_ESCAPES ? ` (known escape: ${KNOWN_ESCAPES[variant]})` : ''}`
      : `  ${variant.padEnd(width)}  ${d.suite.padEnd(9)} run ${String(d.run).padStart(3)}  (${String(d.scenariosRun).padStart(4)} scenarios)  ${d.invariants.join(', ')}`,
  );
  console.log(['[regsim kill table] variant, catching suite, runs-to-detection in it (scenarios over all suites), invariants', ...lines].join('\n'));
});
