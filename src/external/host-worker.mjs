// The external applier's keeper, on its own thread (see bridge.ts). The main
// thread talks to the child with blocking reads and writes and cannot run an
// event loop while it waits, so this thread does what needs one: it spawns the
// child, keeps the tail of its stderr, records how it exits, and is the
// watchdog that kills it when a call overruns its deadline. Whenever the main
// thread may be stuck in a read that will never finish (timeout, exit), it
// writes a wake-up line into the pipe the main thread reads.
// Plain JS so it loads in a worker under any TypeScript loader (tsx, vitest).
import { spawn } from 'node:child_process';
import { closeSync, constants as fsc, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';

const { argv, childIn, childOut, wakePath, shared, slot, state, tickMs, closeGraceMs, forwardStderr } = workerData;
const cells = new Int32Array(shared, 0, slot.count);
const text = new Uint8Array(shared, slot.textOffset, slot.textBytes);
const STDERR_KEEP = 4000;

// Our own write end of the pipe the main thread reads (non-blocking: a full
// pipe already wakes it). Opened here so this thread alone writes and closes it.
const wakeFd = openSync(wakePath, fsc.O_WRONLY | fsc.O_NONBLOCK);
let stderrTail = '';
let finished = false;

/** Publishes a diagnostic text (stderr tail or spawn error) for the main thread. */
function publish(s) {
  const bytes = Buffer.from(s);
  const tail = bytes.subarray(Math.max(0, bytes.length - text.length));
  text.set(tail);
  Atomics.store(cells, slot.textLength, tail.length);
}

function setState(value) {
  Atomics.store(cells, slot.state, value);
  Atomics.notify(cells, slot.state);
}

/** Unblocks a main-thread read; EAGAIN (pipe full) means it has data anyway. */
function wake() {
  try {
    writeSync(wakeFd, '\0regsim-wake\n');
  } catch {
    // EAGAIN or EPIPE (main already closed its end): nothing to wake.
  }
}

let child;
try {
  if (Atomics.load(cells, slot.closing)) throw new Error('gave up waiting for the keeper thread');
  child = spawn(argv[0], argv.slice(1), { stdio: [childIn, childOut, 'pipe'], detached: false });
} catch (err) {
  child = undefined;
  publish(err instanceof Error ? err.message : String(err));
}

/** The child and all its descendants (via /proc on Linux; elsewhere the child alone). */
function processTree(root) {
  const childrenOf = new Map();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^[0-9]+$/.test(name)) continue;
      let stat;
      try {
        stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // "pid (comm) state ppid ...": comm may contain anything, so parse after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!childrenOf.has(ppid)) childrenOf.set(ppid, []);
      childrenOf.get(ppid).push(Number(name));
    }
  } catch {
    return [root];
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(childrenOf.get(tree[i]) ?? []));
  return tree;
}

/** SIGKILL the whole tree: `go run` and the like fork the real server, which holds our pipes. */
function kill() {
  if (!child?.pid || finished) return;
  for (const pid of processTree(child.pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function finish(code, signal) {
  if (finished) return;
  finished = true;
  clearInterval(timer);
  publish(stderrTail);
  Atomics.store(cells, slot.exitCode, code ?? -1);
  Atomics.store(cells, slot.exitSignal, signal ? (constants.signals[signal] ?? -1) : 0);
  setState(state.exited);
  wake();
  child?.stderr?.destroy();
  closeSync(wakeFd);
}

// The watchdog. The main thread bumps `seq` and sets `busy` for each guarded
// call; a call still running `limitMs` after we first saw it gets the child
// killed. Polling a few cells every tick costs nothing and needs no message
// per call.
let watchedSeq = -1;
let since = 0;
let closingSince = 0;
const timer = setInterval(() => {
  const now = performance.now();
  if (Atomics.load(cells, slot.kill)) {
    kill();
    return;
  }
  if (Atomics.load(cells, slot.closing)) {
    if (closingSince === 0) closingSince = now;
    else if (now - closingSince >= closeGraceMs) kill();
    return;
  }
  if (!Atomics.load(cells, slot.busy)) {
    watchedSeq = -1;
    return;
  }
  const seq = Atomics.load(cells, slot.seq);
  if (seq !== watchedSeq) {
    watchedSeq = seq;
    since = now;
  } else if (now - since >= Atomics.load(cells, slot.limitMs) && !Atomics.load(cells, slot.timedOut)) {
    Atomics.store(cells, slot.timedOut, 1);
    kill();
    wake();
  }
}, tickMs);

if (child?.pid === undefined) {
  // spawn() reports ENOENT and friends asynchronously.
  const failed = (err) => {
    if (err) publish(err.message);
    clearInterval(timer);
    closeSync(wakeFd);
    setState(state.spawnFailed);
  };
  if (child) child.once('error', failed);
  else failed(undefined);
} else {
  Atomics.store(cells, slot.pid, child.pid);
  child.stderr.on('data', (chunk) => {
    if (forwardStderr) writeSync(2, chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP);
    publish(stderrTail);
  });
  child.on('error', () => {}); // a failed kill(); the exit event still comes
  // 'close' waits for stderr to drain; a grandchild holding stderr must not delay the verdict.
  child.once('exit', (code, signal) => setTimeout(() => finish(code, signal), 100));
  child.once('close', (code, signal) => finish(code, signal));
  setState(state.running);
}
