// Where runs execute. A lane runs one chunk of run indices at a time and
// reports every run as it finishes. `workers` lanes are this thread (no
// start-up cost: runs begin at once) plus workers - 1 worker threads, which
// join the exploration as soon as they have loaded.
import { Worker } from 'node:worker_threads';
import type { ApplierFactory } from '../applier/index.ts';
import type { PhaseTimer } from '../scenario/index.ts';
import { startExternalApplier } from '../external/index.ts';
import type { ExternalApplier, ExternalApplierOptions } from '../external/index.ts';
import { RunError, runRange } from './run.ts';
import { workerEntry } from './worker-entry.ts';
import type { RunSpec, RunSummary } from './run.ts';

export interface Chunk {
  spec: RunSpec;
  start: number;
  end: number;
  keepGoing: boolean;
}

export interface Lane {
  /** Settles when the lane can take chunks (rejects if it never will). */
  ready: Promise<void>;
  run(chunk: Chunk, onRun: (summary: RunSummary) => void): Promise<void>;
  close(): Promise<void>;
}

/** Messages of the worker protocol (worker.ts). */
export type ToWorker = { type: 'chunk'; chunk: Chunk } | { type: 'close' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'run'; summary: RunSummary }
  | { type: 'idle' }
  | { type: 'error'; name: string; message: string; stack?: string; run?: number };
export interface WorkerSetup {
  /** An external applier command: every worker starts its own child. */
  applierCommand?: string;
  /** How it starts it (plain data: restarts). */
  applierOptions?: ExternalApplierOptions;
}

/**
 * This thread (with `applier`: an external one the caller started, or
 * undefined for the built-in) and workers - 1 threads. `onPhase` times the
 * phases of this thread's runs (a callback cannot reach a worker).
 */
export function createLanes(
  workers: number,
  applier?: ApplierFactory,
  applierCommand?: string,
  applierOptions?: ExternalApplierOptions,
  onPhase?: PhaseTimer,
): Lane[] {
  const inline = inlineLane(applier, onPhase);
  if (workers <= 1) return [inline];
  const entry = workerEntry();
  return [inline, ...Array.from({ length: workers - 1 }, () => workerLane(entry, { applierCommand, applierOptions }))];
}

export const closeLanes = async (lanes: readonly Lane[]): Promise<void> => {
  await Promise.all(lanes.map((lane) => lane.close()));
};

function inlineLane(applier?: ApplierFactory, onPhase?: PhaseTimer): Lane {
  return {
    ready: Promise.resolve(),
    run: (chunk, onRun) => runRange(chunk.spec, chunk, applier, onRun, onPhase),
    close: async () => {},
  };
}

function workerLane(entry: URL, setup: WorkerSetup): Lane {
  const worker = new Worker(entry, { workerData: setup });
  let loaded = false;
  let failure: Error | undefined;
  let signalReady: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (signalReady = { resolve, reject }));
  // A lane closed before it loaded rejects `ready` with nobody waiting: not an error.
  ready.catch(() => {});
  let pending: { resolve: () => void; reject: (err: Error) => void; onRun: (s: RunSummary) => void } | undefined;
  const fail = (err: Error): void => {
    failure ??= err;
    signalReady?.reject(err);
    pending?.reject(err);
    pending = undefined;
  };
  worker.on('message', (msg: FromWorker) => {
    if (msg.type === 'ready') {
      loaded = true;
      signalReady?.resolve();
    } else if (msg.type === 'run') pending?.onRun(msg.summary);
    else if (msg.type === 'idle') {
      pending?.resolve();
      pending = undefined;
    } else fail(Object.assign(msg.run !== undefined ? new RunError(msg.run, msg.message) : new Error(msg.message), { name: msg.name, stack: msg.stack }));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exploration worker exited (code ${code})`)));
  return {
    ready,
    run: (chunk, onRun) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        pending = { resolve, reject, onRun };
        worker.postMessage({ type: 'chunk', chunk } satisfies ToWorker);
      }),
    close: async () => {
      // A worker still loading (or broken) has nothing to finish: stop it outright.
      if (!loaded || failure) return void (await worker.terminate());
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'close' } satisfies ToWorker);
      await exited;
    },
  };
}

/** The worker side: run chunks for the parent until told to close. */
export function serveLane(setup: WorkerSetup, port: { postMessage(msg: FromWorker): void; on(event: 'message', fn: (msg: ToWorker) => void): void; close(): void }): void {
  let external: ExternalApplier | undefined;
  port.on('message', async (msg) => {
    if (msg.type === 'close') {
      external?.close();
      port.close();
      return;
    }
    try {
      if (setup.applierCommand !== undefined) external ??= startExternalApplier(setup.applierCommand, setup.applierOptions);
      await runRange(msg.chunk.spec, msg.chunk, external?.factory, (summary) => port.postMessage({ type: 'run', summary }));
      port.postMessage({ type: 'idle' });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'error', name: e.name, message: e.message, stack: e.stack, ...(e instanceof RunError ? { run: e.run } : {}) });
    }
  });
  port.postMessage({ type: 'ready' });
}
