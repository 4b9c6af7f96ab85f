// `regsim variants`: the catalog a design change is tried against, each bug
// variant with its layer and its one-line bug, and the configurations
// (policy presets) scenarios are generated under.
import { VARIANTS } from '../scenario/index.ts';
import { POLICY_PRESET_INFO, POLICY_PRESET_NAMES } from '../sim/lifecycle/policy.ts';
import { table } from './format.ts';

/** The catalog as `--json` prints it. */
export function variantsCatalog(): { variants: { name: string; layer: string; bug: string }[]; configs: { name: string; description: string }[] } {
  return {
    variants: VARIANTS.map(({ name, layer, bug }) => ({ name, layer, bug })),
    configs: POLICY_PRESET_NAMES.map((name) => ({ name, description: POLICY_PRESET_INFO[name] })),
  };
}

/** The options as commander parsed them (see commands.ts). */
export interface VariantsOptions {
  json?: boolean;
}

export function runVariants(opts: VariantsOptions): void {
  const catalog = variantsCatalog();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(catalog, null, 2)}\n`);
    return;
  }
  const variants = table([['variant', 'layer', 'what it breaks'], ...catalog.variants.map((v) => [v.name, v.layer, v.bug])]);
  const configs = table([['config', 'what it is'], ...catalog.configs.map((c) => [c.name, c.description])]);
  process.stdout.write(`${variants}\n${configs}`);
}
