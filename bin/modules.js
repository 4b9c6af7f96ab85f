// Where the commands load the package's modules from. In a clone of the
// repository (src/ beside bin/) the TypeScript sources, through tsx, so an
// edit needs no build; installed from the package, the compiled JavaScript
// in dist/ (the package ships no sources, and no tsx).
import { existsSync } from 'node:fs';

const fromSources = existsSync(new URL('../src/', import.meta.url));
if (fromSources) (await import('tsx/esm/api')).register();

/** The URL of the module at `path` (under src/ or dist/, without extension), to import(). */
export const modulePath = (path) => new URL(fromSources ? `../src/${path}.ts` : `../dist/${path}.js`, import.meta.url).href;
