// One apply in protocol v2: the entry goes with its Raft index, the rows it
// addresses and the node's environment; the child answers with its operations
// and its result, and regsim replays the operations on the node's stores
// (replay.ts). One round trip in the common case; a read of something not sent
// is a call, and an operation that came out otherwise is corrected. A batch
// carries consecutive ordinary entries, which read nothing, in one round trip;
// requests ahead carry the applies of several nodes in one round trip, each
// answered as an apply would be and made on its node's stores when it comes.
import { fakeKek } from '../applier/main/index.ts';
import type { MainApplierDeps, MainApplyResponse } from '../applier/main/index.ts';
import type { Connection } from './connection.ts';
import type { Counts } from './exchange-v1.ts';
import { fromHex, toHex } from './protocol.ts';
import { opsOf, resultOf } from './protocol-v2.ts';
import type { ApplyRequest, Env, HostMessageV2, Result } from './protocol-v2.ts';
import { canonicalJson } from '../sim/trace.ts';
import { Replay, parseOps } from './replay.ts';
import type { ParsedOp } from './replay.ts';
import { rowsOf } from './rows.ts';
import type { Traffic } from './rows.ts';
import { sidecarDoc } from './sidecar-doc.ts';
import { slotsOf } from './slots.ts';

/** What a node's applier is built with, as the protocol can carry it; TypeError for what it cannot. */
export function checkDeps(deps: MainApplierDeps | undefined): void {
  if (deps === undefined) return;
  if (deps.registry == null || typeof deps.registry.get !== 'function' || typeof deps.registry.set !== 'function') {
    throw new TypeError(`external applier needs a RegistryStore, got ${deps.registry === null ? 'null' : typeof deps.registry}`);
  }
  if (deps.kek !== undefined && deps.kek !== fakeKek) throw new TypeError('protocol v2 carries only the fake KEK (fakeKek)');
  if (deps.sidecar !== undefined && typeof deps.sidecar.peek !== 'function') throw new TypeError('an external applier\'s sidecar store needs peek()');
}

/** What the request carries of the node's environment (undefined: nothing but the registry). */
export function envOf(deps: MainApplierDeps | undefined): Env | undefined {
  if (deps === undefined) return { applier: false };
  const { kek, keystore, sidecar, localEpoch = 0, raftLocalEpoch = 0 } = deps;
  if (kek === undefined && keystore === undefined && sidecar === undefined && localEpoch === 0 && raftLocalEpoch === 0) return undefined;
  const env: Env = {};
  if (kek !== undefined) env.kek = true;
  if (keystore !== undefined) env.keystore = Object.fromEntries(keystore.ids().map((id) => [String(id), toHex(keystore.get(id) as Uint8Array)]));
  if (sidecar !== undefined) {
    const doc = sidecar.peek?.();
    env.sidecar = doc === undefined ? null : sidecarDoc(doc);
  }
  if (localEpoch !== 0) env.localEpoch = localEpoch;
  if (raftLocalEpoch !== 0) env.raftLocalEpoch = raftLocalEpoch;
  return env;
}

/** A result with the rows its traffic shows. */
function responseOf(result: Result, traffic: readonly Traffic[]): MainApplyResponse {
  switch (result.kind) {
    case 'applied':
      return { kind: 'applied', rows: rowsOf(traffic, undefined) };
    case 'halt':
      return { ...result, rows: rowsOf(traffic, result.reason) };
    default:
      return result;
  }
}

/** The `apply` message of an entry on a node: the rows it addresses and the environment (`env`: envOf(deps), if the caller has it), as they are now. */
export function applyRequest(deps: MainApplierDeps | undefined, index: number, entry: Uint8Array, env = envOf(deps)): ApplyRequest {
  // Only a registry that can be read without side effects sends its rows ahead.
  const registry = deps?.registry;
  const slots = registry?.peek === undefined ? [] : slotsOf(entry);
  return requestOf(index, entry, slots, slots.map((key) => registry?.peek?.(key)), env);
}

/** The `apply` message of an entry whose slots (the row keys it addresses) hold `values`. */
export function requestOf(index: number, entry: Uint8Array, slots: readonly Uint8Array[], values: readonly (Uint8Array | undefined)[], env: Env | undefined): ApplyRequest {
  const rows: Record<string, string | null> = {};
  slots.forEach((key, i) => {
    const value = values[i];
    rows[toHex(key)] = value === undefined ? null : toHex(value);
  });
  return { type: 'apply', index, entry: toHex(entry), ...(slots.length > 0 ? { rows } : {}), ...(env ? { env } : {}) };
}

export function applyV2(conn: Connection, counts: Counts, deps: MainApplierDeps | undefined, request: ApplyRequest): MainApplyResponse {
  conn.send(request);
  return exchange(conn, counts, new Replay(conn, deps, counts));
}

/** The child's messages for the apply just sent, its calls answered and its operations made, up to its result. */
function exchange(conn: Connection, counts: Counts, replay: Replay): MainApplyResponse {
  for (;;) {
    const msg = conn.receive('applying an entry');
    counts.roundTrips++;
    switch (msg.type) {
      case 'result': {
        const result = conn.field(msg, () => resultOf(msg));
        const ops = conn.field(msg, () => opsOf(msg));
        // An abort in a call: the child's result is discarded.
        replay.rethrowAbort();
        const correction = replay.run(parseOps(conn, ops));
        // A store that threw mid-replay: the child already finished; nothing to tell it.
        replay.rethrowAbort();
        if (correction !== undefined) {
          conn.send(correction);
          break;
        }
        counts.applies++;
        return responseOf(result, replay.traffic);
      }
      case 'get': {
        const key = conn.field(msg, () => fromHex(msg.key, 'key'));
        const ops = conn.field(msg, () => opsOf(msg));
        const correction = replay.aborted ? undefined : replay.run(parseOps(conn, ops));
        conn.send(replay.aborted ? { type: 'abort' } : (correction ?? replay.get(key)));
        break;
      }
      case 'aborted':
        replay.rethrowAbort();
        throw conn.fail('sent "aborted" but no apply was aborted');
      case 'error':
        throw conn.fail(`reported an error while applying an entry: ${String(msg.message)}`);
      default:
        throw conn.fail(`sent a "${msg.type}" message while applying an entry (expected get or result)`);
    }
  }
}

/** What the child answered ahead to one request (or regsim predicted it answers). */
export interface Answered {
  result: Result;
  ops: Record<string, unknown>[];
  /** The ops decoded, once for every replica the answer serves (parsedOf). */
  parsed?: ParsedOp[];
}

function parsedOf(conn: Connection, answer: Answered): ParsedOp[] {
  return (answer.parsed ??= parseOps(conn, answer.ops));
}

/** Sends `requests` ahead; their answers come with `answersV2`, before any other message of the child. */
export function sendAheadV2(conn: Connection, requests: readonly ApplyRequest[]): void {
  conn.send({ type: 'ahead', requests: requests.map(({ type: _, ...request }) => request) } satisfies HostMessageV2);
}

/** The child's answers to the `count` requests sent ahead, each applied as if it came alone (undefined: it needed a call). */
export function answersV2(conn: Connection, counts: Counts, count: number): (Answered | undefined)[] {
  const msg = conn.receive('answering requests ahead');
  counts.roundTrips++;
  if (msg.type === 'error') throw conn.fail(`reported an error while answering requests ahead: ${String(msg.message)}`);
  if (msg.type !== 'answers') throw conn.fail(`sent a "${msg.type}" message in answer to requests ahead (expected answers)`);
  return conn.field(msg, () => {
    if (!Array.isArray(msg.answers) || msg.answers.length !== count) throw new SyntaxError(`answers is not an array of ${count} answers`);
    return (msg.answers as unknown[]).map((a) => {
      if (typeof a !== 'object' || a === null || Array.isArray(a)) throw new SyntaxError('an answer is not an object');
      const answer = a as Record<string, unknown>;
      if (answer.kind === 'unanswered') return undefined;
      if (answer.ops === undefined) throw new SyntaxError('an answer has no ops');
      return answerOf(answer);
    });
  });
}

/**
 * An answer the child gave ahead to exactly `request`, made on the node's
 * stores as the answer to an apply sent now would be. An operation that comes
 * out otherwise (an injected fault) needs the child: the request goes as an
 * apply, which must answer as ahead (a stateless child does), and is corrected
 * there.
 */
export function answeredV2(
  conn: Connection,
  counts: Counts & { correctedAhead: number },
  deps: MainApplierDeps | undefined,
  request: ApplyRequest,
  answer: Answered,
  predicted?: Prediction,
): MainApplyResponse {
  const replay = new Replay(conn, deps, counts);
  const correction = replay.run(parsedOf(conn, answer));
  replay.rethrowAbort();
  if (correction === undefined) {
    counts.applies++;
    return responseOf(answer.result, replay.traffic);
  }
  counts.correctedAhead++;
  predicted?.beforeCall();
  conn.send(request);
  const msg = conn.receive('applying an entry answered ahead');
  counts.roundTrips++;
  const same = msg.type === 'result' && conn.field(msg, () => sameAnswer(answerOf(msg), answer));
  if (!same) {
    if (predicted) throw predicted.missed();
    throw conn.fail('answered an apply otherwise than the same request ahead: it keeps state between messages');
  }
  conn.send(correction);
  return exchange(conn, counts, replay);
}

/** An answer regsim predicted in-process (the bridge speculating), rather than one the child gave. */
export interface Prediction {
  /** Called before the apply goes to the child: every message it was sent before must be answered first. */
  beforeCall(): void;
  /** The child answered otherwise: what to throw. */
  missed(): Error;
}

/** A `result` message or an answer ahead as an Answered (SyntaxError naming a bad field). */
export function answerOf(msg: Record<string, unknown>): Answered {
  return { result: resultOf(msg), ops: opsOf(msg) };
}

/** Equal answers: the same result and the same operations, whatever order the child wrote their fields in. */
export function sameAnswer(a: Answered, b: Answered): boolean {
  return sameFields(a.result, b.result) && a.ops.length === b.ops.length && a.ops.every((op, i) => sameFields(op, b.ops[i] as Record<string, unknown>));
}

function sameFields(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false;
  return keys.every((k) => {
    const [v, w] = [x[k], y[k]];
    return typeof v === 'object' && v !== null ? typeof w === 'object' && w !== null && canonicalJson(v) === canonicalJson(w) : v === w;
  });
}

/** Results for a prefix of `entries` (ordinary ones): the child stops before the first that would touch the node's state. */
export function batchV2(conn: Connection, counts: Counts, deps: MainApplierDeps | undefined, entries: { index: number; entry: Uint8Array }[]): MainApplyResponse[] {
  const env = envOf(deps);
  conn.send({ type: 'batch', entries: entries.map((e) => ({ index: e.index, entry: toHex(e.entry) })), ...(env ? { env } : {}) } satisfies HostMessageV2);
  const msg = conn.receive('applying a batch of entries');
  counts.roundTrips++;
  if (msg.type === 'error') throw conn.fail(`reported an error while applying a batch of entries: ${String(msg.message)}`);
  if (msg.type !== 'results') throw conn.fail(`sent a "${msg.type}" message in answer to a batch (expected results)`);
  const results = conn.field(msg, () => {
    if (!Array.isArray(msg.results) || msg.results.length > entries.length) throw new SyntaxError(`results is not an array of at most ${entries.length} results`);
    return (msg.results as unknown[]).map((r) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new SyntaxError('a result is not an object');
      return responseOf(resultOf(r as Record<string, unknown>), []);
    });
  });
  counts.applies += results.length;
  return results;
}
