#!/usr/bin/env node
// Entry point for `npx regsim`: loads the TypeScript CLI through tsx so the
// sources run as written, with no build step between an edit and a run.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
