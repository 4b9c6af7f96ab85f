// An exploration worker: serves one lane (lanes.ts) over its parent port.
import { parentPort, workerData } from 'node:worker_threads';
import { serveLane } from './lanes.ts';
import type { WorkerSetup } from './lanes.ts';

if (parentPort === null) throw new Error('worker.ts runs as a worker thread');
serveLane(workerData as WorkerSetup, parentPort);
