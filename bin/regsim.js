#!/usr/bin/env node
// Entry point of `npx regsim` (src/cli/main.ts).
import { modulePath } from './modules.js';

await import(modulePath('cli/main'));
