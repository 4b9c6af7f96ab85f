// A bare worker thread for the bench's parallel ceiling (explore.ts): runs
// the given runs of an exploration with exploreRun alone (no lanes, no
// counting, no messages per run) and reports their wall time.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const { runModule, spec, runs, warm } = workerData;
const { exploreRun } = await import(runModule);
// Warm the JIT up on other runs, as the bench warms its own thread.
for (let i = 0; i < warm; i++) exploreRun(spec, runs + i);
const t0 = performance.now();
for (let i = 0; i < runs; i++) exploreRun(spec, i);
parentPort.postMessage(performance.now() - t0);
