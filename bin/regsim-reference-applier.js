#!/usr/bin/env node
// The reference external applier: serves protocol v1 (docs/external-applier.md)
// on stdin/stdout with regsim's own applier, or a named bug variant of it.
//   regsim-reference-applier.js [--variant NAME]
// Point regsim at it with --applier "node bin/regsim-reference-applier.js".
import { modulePath } from './modules.js';

// stdout is the protocol channel: anything logged must go to stderr.
console.log = console.info = console.debug = console.error;

const args = process.argv.slice(2);
let variant = 'correct';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--variant' && i + 1 < args.length) variant = args[++i];
  else if (args[i].startsWith('--variant=')) variant = args[i].slice('--variant='.length);
  else {
    process.stderr.write(`regsim-reference-applier: unknown argument ${args[i]} (usage: [--variant NAME])\n`);
    process.exit(2);
  }
}

const { applierFactoryByName } = await import(modulePath('applier/index'));
const { serve } = await import(modulePath('external/server'));

let factory;
try {
  factory = applierFactoryByName(variant);
} catch (err) {
  process.stderr.write(`regsim-reference-applier: ${err.message}\n`);
  process.exit(2);
}
process.exitCode = serve(factory, { name: `regsim-reference (variant ${variant})` });
