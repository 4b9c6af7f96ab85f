// Exploration worker bootstrap, run from the sources only (the compiled
// package starts worker.js itself): plain JS, so it starts under plain Node and
// registers the TypeScript loader (tsx) for this thread before loading the
// worker proper. Hooks registered in the main thread do not reach workers.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
