// Where an exploration worker thread starts. Compiled (dist/), the worker.js
// beside this module; run from the sources, the JavaScript that `npm run
// build:workers` (run by npm ci and npm test) compiles into build/: loading the
// TypeScript through tsx cost a worker over a second of its start. A build
// that is missing or older than src/ is an error, never a worker running
// other code than the sources.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SOURCES = new URL('../', import.meta.url);
const BUILT = new URL('../../build/explore/worker.js', import.meta.url);

/** Modification time of the newest file under `dir`. */
function newestMtimeMs(dir: URL): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return newest;
}

/** The worker's entry module; throws, in one line, if the build is missing or stale. */
export function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./worker.js', import.meta.url);
  const built = statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined || built < newestMtimeMs(SOURCES)) {
    const state = built === undefined ? 'is missing' : `is older than ${fileURLToPath(SOURCES)}`;
    throw new Error(`the exploration workers' build ${fileURLToPath(BUILT)} ${state}: run npm run build:workers (npm ci runs it too)`);
  }
  return BUILT;
}
