// One external applier process and the pipes to it: start-up, the handshake,
// one JSON line at a time each way, deadlines, and one-line errors when the
// child breaks. The exchanges of protocol v1 and v2 run on top of it
// (exchange-v1.ts, exchange-v2.ts); bridge.ts ties them to the applier
// contracts (docs/external-applier.md).
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
import { LineReader, LineTooLong, writeText } from './framing.ts';
import { ExternalApplierError, PROTOCOL_VERSIONS, parseMessage } from './protocol.ts';
import type { ApplierGeneration, ProtocolVersion } from './protocol.ts';

export interface ConnectionOptions {
  /** Deadline for starting the child and the handshake (default 20000 ms). */
  startupTimeoutMs?: number;
  /** Copy the child's stderr to ours as it comes (default: keep its tail for error messages only). */
  forwardStderr?: boolean;
}

/** What the child said in its hello. */
export interface Hello {
  protocol: ProtocolVersion;
  name: string;
  applier: ApplierGeneration;
  /** Protocol v2: it answers requests ahead. */
  ahead: boolean;
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

const live = new Set<Connection>();
// A child that ignores EOF must not outlive regsim.
process.once('exit', () => {
  for (const connection of live) connection.killAtExit();
});

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

export class Connection {
  /** The command, as it was run. */
  readonly label: string;
  private readonly cells: Int32Array;
  private readonly text: Uint8Array;
  private readonly outFd: number; // the child's stdin
  private readonly inFd: number; // the child's stdout
  private readonly reader: LineReader;
  private readonly startupMs: number;
  private closed = false;

  /** Spawns the child (returns once it runs; ExternalApplierError if it cannot start). The handshake is separate, so a spare can load meanwhile. */
  constructor(argv: readonly string[], label: string, opts: ConnectionOptions) {
    this.label = label;
    const startupMs = (this.startupMs = opts.startupTimeoutMs ?? 20_000);
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
      // Plain JS: no TypeScript loader (tsx's --import) to load in the thread; it cost about 40 % of a child's start.
      execArgv: [],
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
  }

  /** regsim offers every version it speaks (`protocol` stays 1 for v1 children); the child picks one. Closes the child on failure. */
  handshake(): Hello {
    try {
      return this.guarded(this.startupMs, () => {
        this.send({ type: 'hello', protocol: 1, versions: PROTOCOL_VERSIONS });
        const msg = this.receive('waiting for its hello');
        if (msg.type === 'error') throw this.fail(`refused the handshake: ${String(msg.message)}`);
        if (msg.type !== 'hello') throw this.fail(`answered the hello with a "${msg.type}" message`);
        if (!(PROTOCOL_VERSIONS as readonly unknown[]).includes(msg.protocol)) {
          throw this.fail(`speaks protocol ${JSON.stringify(msg.protocol)}; regsim speaks protocols ${PROTOCOL_VERSIONS.join(' and ')}`);
        }
        const applier = msg.applier ?? 'stage-6a';
        if (applier !== 'stage-6a' && applier !== 'production-main') throw this.fail(`names an unknown applier ${JSON.stringify(applier)} in its hello`);
        return { protocol: msg.protocol as ProtocolVersion, name: typeof msg.name === 'string' ? msg.name : this.label, applier, ahead: msg.protocol === 2 && msg.ahead === true };
      });
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Reads a message's fields; a bad one breaks the connection. */
  field<T>(msg: { type: string }, read: () => T): T {
    try {
      return read();
    } catch (err) {
      throw this.fail(`sent a malformed "${msg.type}" message: ${(err as Error).message}`);
    }
  }

  /** EOF on its stdin tells the child to exit; the keeper kills it after a grace period. `wait`: until it has gone. */
  close(wait = true): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.cells, SLOT.closing, 1);
    for (const fd of [this.outFd, this.inFd]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    if (wait) this.waitForExit(CLOSE_GRACE_MS + 200);
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

  /** Runs `exchange` under a deadline: the keeper's watchdog kills the child if it overruns. */
  guarded<T>(limitMs: number, exchange: () => T): T {
    if (this.closed) throw new ExternalApplierError(`external applier \`${this.label}\` is closed`);
    Atomics.store(this.cells, SLOT.limitMs, limitMs);
    Atomics.add(this.cells, SLOT.seq, 1);
    Atomics.store(this.cells, SLOT.busy, 1);
    try {
      return exchange();
    } finally {
      Atomics.store(this.cells, SLOT.busy, 0);
    }
  }

  send<M extends { type: string }>(msg: M): void {
    this.write(`${JSON.stringify(msg)}\n`, `a "${msg.type}" message`);
  }

  /** `what`: the message, for the error if the child is gone. */
  private write(text: string, what: string): void {
    try {
      writeText(this.outFd, text);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') throw this.gone(`sending ${what}`);
      throw this.fail(`could not be written to: ${(err as Error).message}`);
    }
  }

  receive(context: string): Record<string, unknown> & { type: string } {
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

  /** A one-line error (stderr tail appended); kills the child. */
  fail(problem: string): ExternalApplierError {
    const tail = this.diagnostic()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .slice(-3)
      .join(' | ');
    const stderr = tail === '' ? '' : `; stderr: ${tail.length > 300 ? `...${tail.slice(-300)}` : tail}`;
    this.kill();
    return new ExternalApplierError(`external applier \`${this.label}\` ${problem}${stderr}`);
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
