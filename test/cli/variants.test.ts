// `regsim variants` lists the catalog a design change is tried against; the
// expectations come from the catalog itself, so adding a variant or a
// preset changes no test.
import { describe, expect, it } from 'vitest';
import { POLICY_PRESET_INFO, POLICY_PRESET_NAMES, VARIANTS } from '../../src/scenario/index.ts';
import { regsim } from './regsim.ts';

describe('variants', () => {
  it('lists every variant with its layer and bug, and every configuration', async () => {
    const [text, json] = await Promise.all([regsim('variants'), regsim('variants', '--json')]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      variants: VARIANTS.map(({ name, layer, bug }) => ({ name, layer, bug })),
      configs: POLICY_PRESET_NAMES.map((name) => ({ name, description: POLICY_PRESET_INFO[name] })),
    });
    expect(text.code).toBe(0);
    for (const v of VARIANTS) expect(text.stdout).toMatch(new RegExp(`^${v.name} +${v.layer} +\\S`, 'm'));
    for (const name of POLICY_PRESET_NAMES) expect(text.stdout).toMatch(new RegExp(`^${name} +\\S`, 'm'));
  });
});
