#!/usr/bin/env node
// The reference external applier: serves the protocol (docs/external-applier.md)
// on stdin/stdout with regsim's own applier, or a named bug variant of it.
//   regsim-reference-applier.js [--variant NAME] [--main] [--cache-rows] [--no-ahead]
// --main serves production main's applier (protocol 2) instead of Stage 6A's;
// --cache-rows is a deliberate bug (rows kept across applies) that the
// statelessness checks must catch; --no-ahead leaves protocol v2's requests
// ahead out of the hello, as a child that does not implement them.
// Point regsim at it with --applier "node bin/regsim-reference-applier.js".
import { modulePath } from './modules.js';

// stdout is the protocol channel: anything logged must go to stderr.
console.log = console.info = console.debug = console.error;

const args = process.argv.slice(2);
let variant = 'correct';
let main = false;
let cacheRows = false;
let ahead = true;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--variant' && i + 1 < args.length) variant = args[++i];
  else if (args[i].startsWith('--variant=')) variant = args[i].slice('--variant='.length);
  else if (args[i] === '--main') main = true;
  else if (args[i] === '--cache-rows') cacheRows = true;
  else if (args[i] === '--no-ahead') ahead = false;
  else {
    process.stderr.write(`regsim-reference-applier: unknown argument ${args[i]} (usage: [--variant NAME] [--main] [--cache-rows] [--no-ahead])\n`);
    process.exit(2);
  }
}

const { applierVariants, mainApplierVariants, variantByName } = await import(modulePath('applier/index'));
const { serve } = await import(modulePath('external/server'));

let served;
try {
  served = main ? { main: variantByName(mainApplierVariants, variant).factory } : { stage6a: variantByName(applierVariants, variant).factory };
} catch (err) {
  process.stderr.write(`regsim-reference-applier: ${err.message}\n`);
  process.exit(2);
}
const name = `regsim-reference (${main ? 'main, ' : ''}variant ${variant}${cacheRows ? ', caching rows' : ''}${ahead ? '' : ', no requests ahead'})`;
process.exitCode = serve(served, { name, cacheRows, ahead });
