// A child that answers garbage, speaks another version, dies or hangs is a
// harness error with one clear line, raised within its deadline: never a hang.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '../../src/applier/index.ts';
import { ExternalApplierError, startExternalApplier } from '../../src/external/index.ts';

const fixture = fileURLToPath(new URL('./fixtures/misbehave.mjs', import.meta.url));
const child = (mode: string) => [process.execPath, fixture, mode];
const KV = Uint8Array.of(0x00, 0xab);
const REG = Uint8Array.from(Buffer.from('03010000000100000000000000010001', 'hex'));

/** The error a start-up raises, and how long it took. */
function startError(mode: string, opts = {}): { error: unknown; ms: number } {
  const t = performance.now();
  try {
    startExternalApplier(child(mode), opts).close();
  } catch (error) {
    return { error, ms: performance.now() - t };
  }
  throw new Error(`expected ${mode} to fail at start-up`);
}

/** The error the first apply raises (after a good handshake), and how long the apply took. */
function applyError(mode: string, entry = KV, timeoutMs = 2000): { error: unknown; ms: number; again: unknown } {
  const ext = startExternalApplier(child(mode), { timeoutMs });
  const applier = ext.factory(new MemoryRegistryStore());
  try {
    const t = performance.now();
    let error: unknown;
    try {
      applier.apply(entry);
    } catch (err) {
      error = err;
    }
    const ms = performance.now() - t;
    let again: unknown;
    try {
      applier.apply(entry);
    } catch (err) {
      again = err;
    }
    return { error, ms, again };
  } finally {
    ext.close();
  }
}

/** Running, as opposed to gone or a zombie waiting for init to reap it (Linux). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function expectOneLine(error: unknown, pattern: RegExp): void {
  expect(error).toBeInstanceOf(ExternalApplierError);
  const message = (error as Error).message;
  expect(message).toMatch(pattern);
  expect(message).not.toContain('\n');
}

describe('start-up and handshake errors', () => {
  it('a command that does not exist', () => {
    let err: unknown;
    try {
      startExternalApplier('/nonexistent/applier --flag');
    } catch (e) {
      err = e;
    }
    expectOneLine(err, /cannot start external applier `\/nonexistent\/applier --flag`: .*ENOENT/);
  });

  it('exits before the hello: exit code and stderr in the message', () => {
    const { error } = startError('exit-before-hello');
    expectOneLine(error, /exited with code 7 while waiting for its hello; stderr: fixture: cannot start: missing config/);
  });

  it('answers the hello with garbage', () => {
    const { error } = startError('garbage-hello');
    expectOneLine(error, /not a protocol message while waiting for its hello: "Segmentation fault \(core dumped\)"/);
  });

  it('speaks another protocol version', () => {
    const { error } = startError('wrong-version');
    expectOneLine(error, /speaks protocol 3; regsim speaks protocols 1 and 2/);
  });

  it('refuses the handshake with an error message', () => {
    const { error } = startError('refuse');
    expectOneLine(error, /refused the handshake: this applier needs protocol 3/);
  });

  it('never says hello: start-up deadline', () => {
    // 1500 ms: the deadline covers the keeper thread's start too, which a loaded machine (the full suite) can take 300 ms over.
    const { error, ms } = startError('hang-hello', { startupTimeoutMs: 1500 });
    expectOneLine(error, /did not answer within 1500 ms while waiting for its hello, so it was killed/);
    expect(ms).toBeLessThan(4000);
  });
});

describe('errors while applying', () => {
  it('garbage (truncated JSON)', () => {
    const { error } = applyError('garbage');
    expectOneLine(error, /sent a line that is not a protocol message while applying an entry: "\{\\"type\\": \\"result\\"/);
  });

  it('a message of the wrong type', () => {
    const { error } = applyError('wrong-type');
    expectOneLine(error, /sent a "hello" message while applying an entry \(expected get, set or result\)/);
  });

  it('a result with a bad field', () => {
    const { error } = applyError('bad-result');
    expectOneLine(error, /malformed "result" message: result kind "registered" has bad outcome "maybe"/);
  });

  it('a store call with a bad key', () => {
    const { error } = applyError('bad-hex');
    expectOneLine(error, /malformed "get" message: key is not a hex string/);
  });

  it('protocol v2: an operation regsim cannot decode breaks the apply with one line', () => {
    expectOneLine(applyError('v2-unknown-op', REG).error, /sent an unknown op "frob"/);
    expectOneLine(applyError('v2-bad-set', REG).error, /malformed "set" message: value is not a hex string/);
    expectOneLine(applyError('v2-bad-install', REG).error, /sent an "install" op without an integer dek/);
  });

  it('crashes mid-call: exit code and last stderr lines', () => {
    const { error, again } = applyError('crash');
    expectOneLine(error, /exited with code 3 while applying an entry; stderr: fixture: about to crash \| panic: runtime error: index out of range/);
    // The bridge stays broken: every later call repeats the first error.
    expect(again).toBe(error);
  });

  it('dies by a signal after a store call', () => {
    const { error } = applyError('crash-after-get');
    expectOneLine(error, /was killed by SIGSEGV while applying an entry/);
  });

  it('hangs: killed at the deadline', () => {
    const { error, ms } = applyError('hang', KV, 300);
    expectOneLine(error, /did not answer within 300 ms while applying an entry, so it was killed/);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1500);
  });

  it('hangs with a grandchild holding its stdout: unblocked at the deadline, whole tree killed', async () => {
    const { error, ms } = applyError('hang-grandchild', KV, 300);
    expectOneLine(error, /did not answer within 300 ms.*stderr: fixture: grandchild \d+/);
    expect(ms).toBeLessThan(1500);
    const grandchild = Number(/grandchild (\d+)/.exec((error as Error).message)?.[1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(grandchild)).toBe(false);
  });

  it('keeps asking for rows forever: the deadline covers the whole apply', () => {
    const { error, ms } = applyError('get-forever', REG, 300);
    // The watchdog kills it while it asks (regsim waits for its next message) or while regsim answers (the answer meets a closed pipe): which one is timing.
    expectOneLine(error, /did not answer within 300 ms while (applying an entry|sending a "value" message), so it was killed$/);
    expect(ms).toBeLessThan(1500);
  });
});

describe('bridge behaviour with a trivial child', () => {
  it('stays usable across many calls, then refuses calls once closed', () => {
    const ext = startExternalApplier(child('kv'));
    try {
      const applier = ext.factory(new MemoryRegistryStore());
      for (let op = 0; op < 50; op++) expect(applier.apply(Uint8Array.of(op))).toEqual({ kind: 'kv', opcode: op });
      expect(ext.stats()).toEqual({ applies: 50, answeredAhead: 0, requestsAhead: 0, correctedAhead: 0, storeGets: 0, storeSets: 0, roundTrips: 50, batched: 0, restarts: 0, speculated: 0, missed: 0 });
      expect(ext.name).toBe('misbehave kv');
    } finally {
      ext.close();
    }
    expect(() => ext.factory(new MemoryRegistryStore()).apply(KV)).toThrow(/is closed/);
  });

  it('refuses a missing store at construction, like the built-in factory', () => {
    const ext = startExternalApplier(child('kv'));
    try {
      expect(() => ext.factory(undefined as never)).toThrow(TypeError);
    } finally {
      ext.close();
    }
  });
});
