// The child side of protocol v2. Each apply runs the applier over stores built
// from what regsim sent: the rows, the sidecar and the keystore of the node,
// plus the applier's own writes. Every operation is logged with what it saw
// and sent with the result; a read of a row not sent is a call. When regsim
// corrects operation n (its real outcome differed), the entry is applied
// again from the start: operations before n come out as before, n as
// corrected, and only those after n are reported. Nothing outlives an apply.
import { Keystore, fakeKek } from '../applier/main/index.ts';
import type { MainApplierDeps, MainApplyResponse, Sidecar, SidecarStore } from '../applier/main/index.ts';
import { StoreFault } from '../applier/types.ts';
import type { ApplyResponse, RegistryStore } from '../applier/types.ts';
import { fromHex, toHex } from './protocol.ts';
import { isOrdinary, resultFields } from './protocol-v2.ts';
import type { Answer, Env, Op, Result } from './protocol-v2.ts';
import { Aborted, ProtocolError, entryOf } from './server-io.ts';
import type { ServedApplier, ServerIo } from './server-io.ts';
import { sidecarDoc, sidecarOf } from './sidecar-doc.ts';

type Message = Record<string, unknown> & { type: string };

/** How operation n really went, as regsim said (a call's answer or a correction). */
type Settled = { value: Uint8Array | undefined } | { fault: string } | { sidecar: Sidecar | undefined };

/** Thrown through the applier when regsim corrected an operation: the entry is applied again. */
class Again extends Error {
  override name = 'Again';
}

/** Thrown through the applier in a request ahead: it would need a call, which a request ahead cannot make. */
class Unanswered extends Error {
  override name = 'Unanswered';
}

/** Thrown through the applier in a batch: the entry would touch the node's state, so the batch stops before it. */
class Touched extends Error {
  override name = 'Touched';
}

function rowsOf(msg: Message): Map<string, Uint8Array | undefined> {
  const rows = new Map<string, Uint8Array | undefined>();
  if (msg.rows === undefined) return rows;
  if (typeof msg.rows !== 'object' || msg.rows === null) throw new ProtocolError('rows is not an object');
  for (const [key, value] of Object.entries(msg.rows)) rows.set(key, value === null ? undefined : fromHex(value, `row ${key}`));
  return rows;
}

/** The Raft index a message names (0: unknown, addendum §7.3). */
function indexOf(msg: Message): number {
  return Number.isInteger(msg.index) ? (msg.index as number) : 0;
}

function envOf(msg: Message): Env {
  const env = msg.env ?? {};
  if (typeof env !== 'object' || env === null) throw new ProtocolError('env is not an object');
  return env as Env;
}

function settledOf(msg: Message): Settled {
  if ('fault' in msg) return { fault: String(msg.fault) };
  if ('sidecar' in msg) return { sidecar: msg.sidecar === null ? undefined : sidecarOf(msg.sidecar) };
  return { value: msg.value === null || msg.value === undefined ? undefined : fromHex(msg.value, 'value') };
}

/** The served applier's result for one entry; `build` wraps the applier's construction (which may read the sidecar). */
function v2Result(served: ServedApplier, deps: MainApplierDeps | undefined, index: number, entry: Uint8Array, build = <T>(make: () => T): T => make()): Result {
  if (served.main) return resultFields(build(() => served.main(deps)).apply(index, entry));
  if (deps === undefined) throw new ProtocolError('a Stage 6A applier cannot be built without an applier (env.applier false)');
  return stage6aResult(served.stage6a(deps.registry).apply(entry));
}

function stage6aResult(r: ApplyResponse): Result {
  if (r.kind === 'registered') return { kind: 'applied' };
  return resultFields(r.kind === 'kv' ? r : ({ ...r, rows: [] } satisfies MainApplyResponse));
}

/** One apply: the stores over what regsim sent, with the log of their operations. */
class Attempt {
  private n = 0;
  readonly ops: Op[] = [];
  aborted = false;
  /** While the applier is built: production's constructor reads the sidecar file, which is no operation of the apply. */
  private building = false;
  private readonly rows: Map<string, Uint8Array | undefined>;
  private sidecarDoc: Sidecar | undefined;

  constructor(
    private readonly io: ServerIo,
    private readonly msg: Message,
    private readonly env: Env,
    private readonly settled: Map<number, Settled>,
    /** Operations numbered below this were reported already. */
    private reported: number,
    private readonly cache: Map<string, Uint8Array | undefined> | undefined,
  ) {
    this.rows = rowsOf(msg);
    this.sidecarDoc = env.sidecar === undefined || env.sidecar === null ? undefined : sidecarOf(env.sidecar);
  }

  get reportedUpTo(): number {
    return this.reported;
  }

  build<T>(make: () => T): T {
    this.building = true;
    try {
      return make();
    } finally {
      this.building = false;
    }
  }

  deps(): MainApplierDeps | undefined {
    if (this.env.applier === false) return undefined;
    const registry: RegistryStore = { get: (key) => this.get(key), set: (key, value) => this.set(key, value) };
    const deps: MainApplierDeps = { registry, localEpoch: this.env.localEpoch ?? 0, raftLocalEpoch: this.env.raftLocalEpoch ?? 0 };
    if (this.env.kek) deps.kek = fakeKek;
    if (this.env.keystore !== undefined) deps.keystore = this.keystore(this.env.keystore);
    if (this.env.sidecar !== undefined) deps.sidecar = { read: () => this.readSidecar(), write: (doc) => this.writeSidecar(doc) } satisfies SidecarStore;
    return deps;
  }

  /** The next operation's number and how it went, if regsim said. */
  private begin(): { n: number; settled: Settled | undefined; report: boolean } {
    const n = this.n++;
    const settled = this.settled.get(n);
    if (settled !== undefined && 'fault' in settled) throw new StoreFault(settled.fault);
    return { n, settled, report: n >= this.reported };
  }

  private get(key: Uint8Array): Uint8Array | undefined {
    const keyHex = toHex(key);
    const { n, settled, report } = this.begin();
    // The caching bug: a row it has seen before is taken from memory and never read, so regsim cannot check it.
    if (settled === undefined && this.cache?.has(keyHex)) {
      this.n--;
      return this.cache.get(keyHex)?.slice();
    }
    let value: Uint8Array | undefined;
    if (settled !== undefined) value = (settled as { value: Uint8Array | undefined }).value;
    else if (this.rows.has(keyHex)) value = this.rows.get(keyHex);
    else if (!report) throw new ProtocolError(`operation ${n} was reported, but its row ${keyHex} is unknown on a second pass`);
    else return this.call(n, keyHex);
    this.rows.set(keyHex, value);
    this.cache?.set(keyHex, value);
    if (report && settled === undefined) this.ops.push({ op: 'get', key: keyHex, value: value === undefined ? null : toHex(value) });
    return value?.slice();
  }

  /** A row regsim did not send: ask for it, reporting the operations before it first. */
  private call(n: number, keyHex: string): Uint8Array | undefined {
    this.io.send({ type: 'get', key: keyHex, ops: this.ops.splice(0) });
    this.reported = n;
    const reply = this.io.next();
    if (reply === null) throw new ProtocolError('regsim closed the pipe during a call');
    switch (reply.type) {
      case 'value':
      case 'fault':
        this.settled.set(n, reply.type === 'fault' ? { fault: String(reply.message) } : settledOf(reply));
        this.reported = n + 1;
        this.n--;
        return this.get(fromHex(keyHex, 'key'));
      case 'abort':
        this.aborted = true;
        throw new Aborted('apply aborted by regsim');
      case 'correct':
        this.correct(reply);
        throw new Again('regsim corrected an operation');
      default:
        throw new ProtocolError(`expected "value", "fault", "abort" or "correct", got "${reply.type}"`);
    }
  }

  /** Regsim's correction of operation `op`: it went so, and everything after it is redone. */
  correct(msg: Message): void {
    if (!Number.isInteger(msg.op) || (msg.op as number) < 0 || (msg.op as number) >= this.n || this.settled.has(msg.op as number)) {
      throw new ProtocolError(`a correction of operation ${JSON.stringify(msg.op)}, which was not reported`);
    }
    this.settled.set(msg.op as number, settledOf(msg));
    this.reported = (msg.op as number) + 1;
  }

  private set(key: Uint8Array, value: Uint8Array): void {
    const { report } = this.begin();
    const keyHex = toHex(key);
    this.rows.set(keyHex, value.slice());
    this.cache?.set(keyHex, value.slice());
    if (report) this.ops.push({ op: 'set', key: keyHex, value: toHex(value) });
  }

  private readSidecar(): Sidecar | undefined {
    if (this.building) return this.sidecarDoc;
    const { settled, report } = this.begin();
    if (settled !== undefined) this.sidecarDoc = (settled as { sidecar: Sidecar | undefined }).sidecar;
    else if (report) this.ops.push({ op: 'read-sidecar', sidecar: this.sidecarDoc === undefined ? null : sidecarDoc(this.sidecarDoc) });
    return this.sidecarDoc;
  }

  private writeSidecar(doc: Sidecar): void {
    const { report } = this.begin();
    this.sidecarDoc = doc;
    if (report) this.ops.push({ op: 'write-sidecar', sidecar: sidecarDoc(doc) });
  }

  /** The node's keystore as sent, logging each DEK the applier installs. */
  private keystore(dekHex: Record<string, string>): Keystore {
    const keystore = new Keystore();
    for (const [id, dek] of Object.entries(dekHex)) keystore.set(Number(id), fromHex(dek, `keystore DEK ${id}`));
    const install = keystore.set.bind(keystore);
    // A refused install throws before it is numbered: regsim never sees it.
    keystore.set = (dekId, dek) => {
      install(dekId, dek);
      if (this.begin().report) this.ops.push({ op: 'install', dek: dekId, key: toHex(dek) });
    };
    return keystore;
  }
}

/** Serves applies, batches and (if `ahead`) requests ahead until EOF. `cacheRows`: the deliberate bug of ServeOptions. */
export function serveV2(io: ServerIo, served: ServedApplier, opts: { cacheRows: boolean; ahead: boolean }): void {
  const cache = opts.cacheRows ? new Map<string, Uint8Array | undefined>() : undefined;
  let msg = io.next();
  while (msg !== null) {
    if (msg.type === 'apply') msg = apply(io, served, msg, cache);
    else if (msg.type === 'batch') {
      io.send({ type: 'results', results: batch(served, msg) });
      msg = io.next();
    } else if (msg.type === 'ahead' && opts.ahead) {
      io.send({ type: 'answers', answers: ahead(served, msg, cache) });
      msg = io.next();
    } else throw new ProtocolError(`expected "apply"${opts.ahead ? ', "batch" or "ahead"' : ' or "batch"'}, got "${msg.type}"`);
  }
}

/** The io of a request ahead: it cannot make a call, so a read of a row not sent leaves it unanswered. */
const noCalls: ServerIo = {
  send: () => {},
  next: () => {
    throw new Unanswered('the request needs a row that was not sent');
  },
};

/** Each request of an `ahead` message answered as an `apply` of it would have been, unless it needs a call. */
function ahead(served: ServedApplier, msg: Message, cache: Map<string, Uint8Array | undefined> | undefined): Answer[] {
  if (!Array.isArray(msg.requests)) throw new ProtocolError('ahead has no requests array');
  return (msg.requests as unknown[]).map((item): Answer => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ProtocolError('a request ahead is not an object');
    return answerRequest(served, item as Message, cache);
  });
}

/**
 * One request answered as an `apply` of it would be (`unanswered` if it needs
 * a call): what a request ahead gets, and what regsim predicts in-process
 * when it speculates (bridge.ts).
 */
export function answerRequest(served: ServedApplier, request: Message, cache?: Map<string, Uint8Array | undefined>): Answer {
  const attempt = new Attempt(noCalls, request, envOf(request), new Map(), 0, cache);
  try {
    return { ...v2Result(served, attempt.deps(), indexOf(request), entryOf(request), (make) => attempt.build(make)), ops: attempt.ops };
  } catch (err) {
    if (err instanceof Unanswered) return { kind: 'unanswered' };
    throw err;
  }
}

/** One apply, corrections included; returns the message that follows it. */
function apply(io: ServerIo, served: ServedApplier, msg: Message, cache: Map<string, Uint8Array | undefined> | undefined): Message | null {
  const entry = entryOf(msg);
  const env = envOf(msg);
  const index = indexOf(msg);
  const settled = new Map<number, Settled>();
  let reported = 0;
  for (;;) {
    const attempt = new Attempt(io, msg, env, settled, reported, cache);
    let result: Result;
    try {
      result = v2Result(served, attempt.deps(), index, entry, (make) => attempt.build(make));
    } catch (err) {
      if (err instanceof Again) {
        reported = attempt.reportedUpTo;
        continue;
      }
      // The applier let the abort through (as it should): tell regsim we unwound.
      if (!attempt.aborted) throw err;
      io.send({ type: 'aborted' });
      return io.next();
    }
    io.send({ type: 'result', ...result, ops: attempt.ops });
    const next = io.next();
    if (next?.type !== 'correct') return next;
    attempt.correct(next);
    reported = attempt.reportedUpTo;
  }
}

/** Results for the entries of a batch, up to the first that touches the node's state (none is sent). */
function batch(served: ServedApplier, msg: Message): Result[] {
  if (!Array.isArray(msg.entries)) throw new ProtocolError('batch has no entries array');
  const env = envOf(msg);
  const touched = (): never => {
    throw new Touched('the entry touches the node\'s state');
  };
  const deps: MainApplierDeps | undefined =
    env.applier === false
      ? undefined
      : { registry: { get: touched, set: touched }, ...(env.kek ? { kek: fakeKek } : {}), ...(env.sidecar !== undefined ? { sidecar: { read: touched, write: touched } } : {}) };
  const results: Result[] = [];
  for (const item of msg.entries as Message[]) {
    const entry = entryOf(item);
    if (!isOrdinary(entry)) break;
    try {
      results.push(v2Result(served, deps, indexOf(item), entry));
    } catch (err) {
      if (err instanceof Touched) break;
      throw err;
    }
  }
  return results;
}
