// Runs an applier that lives in another process behind the synchronous
// ApplierFactory contract, so the simulator stays synchronous and
// deterministic (docs/external-applier.md).
//
// Design: the child's stdin and stdout are FIFOs that this thread reads and
// writes with *blocking* readSync/writeSync, so one protocol round trip is two
// syscalls and two context switches, with no event loop and no spinning.
// Blocking reads cannot time out by themselves, so a worker thread
// (host-worker.mjs) owns the child process: it is the watchdog that kills the
// child when a call overruns its deadline, records the exit status and stderr
// tail, and writes a wake-up line into our pipe so no read ever blocks
// forever. Everything is strictly request/response, in order: timing can make
// a run fail with ExternalApplierError, never change its result.
import { execFileSync } from 'node:child_process';
import { closeSync, constants as fsc, mkdtempSync, openSync, rmSync } from 'node:fs';
import { constants as osc, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { StoreFault } from '../applier/types.ts';
import type { ApplierFactory, ApplyResponse, RegistryStore } from '../applier/types.ts';
import { formatCommand, parseCommand } from './argv.ts';
import { LineReader, LineTooLong, writeLine } from './framing.ts';
import {
  ExternalApplierError,
  PROTOCOL_VERSION,
  fromHex,
  parseMessage,
  responseOf,
  toHex,
} from './protocol.ts';
import type { HostMessage } from './protocol.ts';

export interface ExternalApplierOptions {
  /** Deadline for one apply, all of its store round trips included (default 5000 ms). */
  timeoutMs?: number;
  /** Deadline for starting the child and the handshake (default 20000 ms). */
  startupTimeoutMs?: number;
  /** Copy the child's stderr to ours as it comes (default: keep its tail for error messages only). */
  forwardStderr?: boolean;
}

export interface ExternalApplierStats {
  /** Applies answered with a result. */
  applies: number;
  storeGets: number;
  storeSets: number;
}

export interface ExternalApplier {
  /** Binds a store per EntryApplier; all of them share the one child. */
  readonly factory: ApplierFactory;
  /** The name the child gave in its hello. */
  readonly name: string;
  /** The command, as it was run. */
  readonly command: string;
  stats(): ExternalApplierStats;
  /** Ends the child (EOF on its stdin, SIGKILL after a grace period). Idempotent. */
  close(): void;
}

// Shared cells between this thread and the keeper (Int32 indices).
const SLOT = {
  seq: 0, // bumped at the start of every guarded call
  busy: 1, // 1 while a guarded call runs
  limitMs: 2, // its deadline
  state: 3, // STATE below
  timedOut: 4, // set by the watchdog before it kills
  exitCode: 5,
  exitSignal: 6,
  pid: 7,
  closing: 8,
  textLength: 9,
  kill: 10, // set by us: the keeper kills the child's process tree
  count: 11,
  textOffset: 64,
  textBytes: 4096,
} as const;
const STATE = { starting: 0, running: 1, spawnFailed: 2, exited: 3 } as const;
const TICK_MS = 10;
const CLOSE_GRACE_MS = 1000;
/** How long to wait for the keeper to report an exit once our pipe closed. */
const EXIT_REPORT_MS = 2000;
const WAKE = '\0regsim-wake';

const live = new Set<Bridge>();
// A child that ignores EOF must not outlive regsim.
process.once('exit', () => {
  for (const bridge of live) bridge.killAtExit();
});

/**
 * Starts `command` (a string split with shell-like quoting, or an argv) as an
 * external applier, does the handshake and returns its factory. Throws
 * ExternalApplierError if it cannot start or fails the handshake.
 */
export function startExternalApplier(
  command: string | readonly string[],
  opts: ExternalApplierOptions = {},
): ExternalApplier {
  const bridge = new Bridge(typeof command === 'string' ? parseCommand(command) : [...command], opts);
  return {
    factory: (store) => {
      if (store == null || typeof store.get !== 'function' || typeof store.set !== 'function') {
        throw new TypeError(`external applier needs a RegistryStore, got ${store === null ? 'null' : typeof store}`);
      }
      return { apply: (entry) => bridge.apply(store, entry) };
    },
    name: bridge.name,
    command: bridge.label,
    stats: () => ({ ...bridge.counts }),
    close: () => bridge.close(),
  };
}

/** Fresh FIFOs: our write end and the child's stdin, our read end and the child's stdout. */
function openFifos(dir: string): { hostOut: number; childIn: number; hostIn: number; childOut: number; wakePath: string } {
  const toChild = join(dir, 'in');
  const fromChild = join(dir, 'out');
  try {
    execFileSync('mkfifo', ['-m', '600', toChild, fromChild], { stdio: 'ignore' });
  } catch (err) {
    throw new ExternalApplierError(`cannot create FIFOs for the external applier (needs POSIX mkfifo): ${(err as Error).message}`);
  }
  // Opening a FIFO blocks until the other side is open, so a non-blocking
  // reader goes first; every end we keep is opened blocking.
  const { O_RDONLY, O_WRONLY, O_NONBLOCK } = fsc;
  const pair = (path: string): [number, number] => {
    const probe = openSync(path, O_RDONLY | O_NONBLOCK);
    const w = openSync(path, O_WRONLY);
    const r = openSync(path, O_RDONLY);
    closeSync(probe);
    return [w, r];
  };
  const [hostOut, childIn] = pair(toChild);
  const [childOut, hostIn] = pair(fromChild);
  return { hostOut, childIn, hostIn, childOut, wakePath: fromChild };
}

class Bridge {
  readonly label: string;
  readonly name: string;
  readonly counts: ExternalApplierStats = { applies: 0, storeGets: 0, storeSets: 0 };
  private readonly cells: Int32Array;
  private readonly text: Uint8Array;
  private readonly outFd: number; // the child's stdin
  private readonly inFd: number; // the child's stdout
  private readonly reader: LineReader;
  private readonly timeoutMs: number;
  private broken: ExternalApplierError | undefined;
  private inCall = false;
  private closed = false;

  constructor(argv: string[], opts: ExternalApplierOptions) {
    this.label = formatCommand(argv);
    this.timeoutMs = opts.timeoutMs ?? 5000;
    const startupMs = opts.startupTimeoutMs ?? 20_000;
    const dir = mkdtempSync(join(tmpdir(), 'regsim-ext-'));
    let fifos: ReturnType<typeof openFifos>;
    try {
      fifos = openFifos(dir);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.outFd = fifos.hostOut;
    this.inFd = fifos.hostIn;
    this.reader = new LineReader(fifos.hostIn);
    const shared = new SharedArrayBuffer(SLOT.textOffset + SLOT.textBytes);
    this.cells = new Int32Array(shared, 0, SLOT.count);
    this.text = new Uint8Array(shared, SLOT.textOffset, SLOT.textBytes);
    const worker = new Worker(new URL('./host-worker.mjs', import.meta.url), {
      workerData: {
        argv,
        childIn: fifos.childIn,
        childOut: fifos.childOut,
        wakePath: fifos.wakePath,
        shared,
        slot: SLOT,
        state: STATE,
        tickMs: TICK_MS,
        closeGraceMs: CLOSE_GRACE_MS,
        forwardStderr: opts.forwardStderr ?? false,
      },
    });
    worker.unref(); // never keeps regsim alive; the child exits on EOF when we do
    worker.on('error', () => {}); // its failures surface as deadlines here

    // The keeper spawns the child; it needs no help from our event loop.
    Atomics.wait(this.cells, SLOT.state, STATE.starting, startupMs);
    const state = Atomics.load(this.cells, SLOT.state);
    if (state === STATE.starting) Atomics.store(this.cells, SLOT.closing, 1); // a late keeper must not spawn
    // The child has its copies now; ours would hide its death (no EPIPE, no EOF).
    closeSync(fifos.childIn);
    closeSync(fifos.childOut);
    rmSync(dir, { recursive: true, force: true }); // open fds keep the FIFOs alive
    if (state !== STATE.running) {
      this.close();
      const why = state === STATE.spawnFailed ? this.diagnostic() : `no child after ${startupMs} ms`;
      throw new ExternalApplierError(`cannot start external applier \`${this.label}\`: ${why}`);
    }
    live.add(this);
    try {
      this.name = this.handshake(startupMs);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  private handshake(limitMs: number): string {
    this.begin(limitMs);
    try {
      this.send({ type: 'hello', protocol: PROTOCOL_VERSION });
      const msg = this.receive('waiting for its hello');
      if (msg.type === 'error') throw this.fail(`refused the handshake: ${String(msg.message)}`);
      if (msg.type !== 'hello') throw this.fail(`answered the hello with a "${msg.type}" message`);
      if (msg.protocol !== PROTOCOL_VERSION) {
        throw this.fail(`speaks protocol ${JSON.stringify(msg.protocol)}; regsim speaks protocol ${PROTOCOL_VERSION}`);
      }
      return typeof msg.name === 'string' ? msg.name : this.label;
    } finally {
      this.end();
    }
  }

  apply(store: RegistryStore, entry: Uint8Array): ApplyResponse {
    if (this.broken) throw this.broken; // every later call repeats the first error
    if (this.closed) throw new ExternalApplierError(`external applier \`${this.label}\` is closed`);
    if (this.inCall) throw new ExternalApplierError('external applier called re-entrantly from inside a store call');
    this.inCall = true;
    this.begin(this.timeoutMs);
    try {
      return this.exchange(store, entry);
    } finally {
      this.end();
      this.inCall = false;
    }
  }

  /** One apply: send the entry, serve its store calls, return its result. */
  private exchange(store: RegistryStore, entry: Uint8Array): ApplyResponse {
    this.send({ type: 'apply', entry: toHex(entry) });
    // A store that throws anything but StoreFault (a simulated crash, a harness
    // bug) aborts the apply: the child unwinds, then we rethrow it here, with
    // the child still in step for the next call.
    let aborted: { error: unknown } | undefined;
    const call = (op: () => HostMessage): HostMessage => {
      if (aborted) return { type: 'abort' };
      try {
        return op();
      } catch (err) {
        if (err instanceof StoreFault) return { type: 'fault', message: err.message };
        aborted = { error: err };
        return { type: 'abort' };
      }
    };
    for (;;) {
      const msg = this.receive('applying an entry');
      switch (msg.type) {
        case 'get': {
          const key = this.field(msg, () => fromHex(msg.key, 'key'));
          this.counts.storeGets++;
          this.send(call(() => {
            const value = store.get(key);
            return { type: 'value', value: value === undefined ? null : toHex(value) };
          }));
          break;
        }
        case 'set': {
          const [key, value] = this.field(msg, () => [fromHex(msg.key, 'key'), fromHex(msg.value, 'value')]);
          this.counts.storeSets++;
          this.send(call(() => (store.set(key, value), { type: 'ok' })));
          break;
        }
        case 'result': {
          const response = this.field(msg, () => responseOf(msg));
          if (aborted) throw aborted.error;
          this.counts.applies++;
          return response;
        }
        case 'aborted':
          if (!aborted) throw this.fail('sent "aborted" but no apply was aborted');
          throw aborted.error;
        case 'error':
          throw this.fail(`reported an error while applying an entry: ${String(msg.message)}`);
        default:
          throw this.fail(`sent a "${msg.type}" message while applying an entry (expected get, set or result)`);
      }
    }
  }

  /** Reads a message's fields; a bad one breaks the bridge. */
  private field<T>(msg: { type: string }, read: () => T): T {
    try {
      return read();
    } catch (err) {
      throw this.fail(`sent a malformed "${msg.type}" message: ${(err as Error).message}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.cells, SLOT.closing, 1);
    // EOF on its stdin tells the child to exit; the keeper kills it after a grace period.
    for (const fd of [this.outFd, this.inFd]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.waitForExit(CLOSE_GRACE_MS + 200);
    live.delete(this);
  }

  /**
   * Has the keeper SIGKILL the child's process tree (on its next tick). The
   * keeper does it because it must see the descendants before their parent dies.
   */
  kill(): void {
    Atomics.store(this.cells, SLOT.kill, 1);
  }

  /** At process exit, when the keeper is about to go: kill what is left of the child ourselves. */
  killAtExit(): void {
    this.kill();
    this.waitForExit(100);
    const pid = Atomics.load(this.cells, SLOT.pid);
    if (pid > 0 && !this.exited()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  // Guarded calls: the keeper's watchdog kills the child if one overruns.
  private begin(limitMs: number): void {
    Atomics.store(this.cells, SLOT.limitMs, limitMs);
    Atomics.add(this.cells, SLOT.seq, 1);
    Atomics.store(this.cells, SLOT.busy, 1);
  }

  private end(): void {
    Atomics.store(this.cells, SLOT.busy, 0);
  }

  private send(msg: HostMessage): void {
    try {
      writeLine(this.outFd, msg);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') throw this.gone(`sending a "${msg.type}" message`);
      throw this.fail(`could not be written to: ${(err as Error).message}`);
    }
  }

  private receive(context: string): Record<string, unknown> & { type: string } {
    let line: string | null;
    try {
      line = this.reader.readLine();
    } catch (err) {
      if (err instanceof LineTooLong) throw this.fail(`sent a ${err.message} while ${context}`);
      throw this.fail(`could not be read from while ${context}: ${(err as Error).message}`);
    }
    if (line === null || line.endsWith(WAKE)) throw this.gone(context);
    try {
      return parseMessage(line);
    } catch (err) {
      if (this.timedOut() || this.exited()) throw this.gone(context);
      const preview = line.length > 80 ? `${line.slice(0, 80)}...` : line;
      throw this.fail(`sent a line that is not a protocol message while ${context}: ${JSON.stringify(preview)} (${(err as Error).message})`);
    }
  }

  /** The child stopped answering: timed out, exited, or closed its stdout. */
  private gone(context: string): ExternalApplierError {
    if (this.timedOut()) {
      return this.fail(`did not answer within ${Atomics.load(this.cells, SLOT.limitMs)} ms while ${context}, so it was killed`);
    }
    this.waitForExit(EXIT_REPORT_MS);
    if (!this.exited()) return this.fail(`closed its stdout while ${context}`);
    const code = Atomics.load(this.cells, SLOT.exitCode);
    const signal = Atomics.load(this.cells, SLOT.exitSignal);
    const signalName = Object.entries(osc.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
    return this.fail(`${signal !== 0 ? `was killed by ${signalName}` : `exited with code ${code}`} while ${context}`);
  }

  /** Marks the bridge broken with a one-line error (stderr tail appended) and kills the child. */
  private fail(problem: string): ExternalApplierError {
    const tail = this.diagnostic()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .slice(-3)
      .join(' | ');
    const stderr = tail === '' ? '' : `; stderr: ${tail.length > 300 ? `...${tail.slice(-300)}` : tail}`;
    this.broken = new ExternalApplierError(`external applier \`${this.label}\` ${problem}${stderr}`);
    this.kill();
    return this.broken;
  }

  private diagnostic(): string {
    const n = Atomics.load(this.cells, SLOT.textLength);
    return Buffer.from(this.text.slice(0, n)).toString('utf8');
  }

  private timedOut(): boolean {
    return Atomics.load(this.cells, SLOT.timedOut) === 1;
  }

  private exited(): boolean {
    return Atomics.load(this.cells, SLOT.state) === STATE.exited;
  }

  waitForExit(ms: number): void {
    const deadline = performance.now() + ms;
    for (let state = Atomics.load(this.cells, SLOT.state); state === STATE.running; ) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      Atomics.wait(this.cells, SLOT.state, state, left);
      state = Atomics.load(this.cells, SLOT.state);
    }
  }
}
