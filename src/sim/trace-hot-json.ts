// Canonical JSON of the six event kinds that make up 95 % of a trace
// (append, commit, apply, nonce, propose, snapshot-take), written out field
// by field in sorted key order. The trace hash serializes every event of
// every run, and JSON.stringify behind a walk that checks the key order cost
// three times as much. The text is byte for byte canonicalSlow's: numbers
// as JSON writes them, strings escaped by JSON.stringify unless plainly
// safe, undefined fields left out. test/sim/trace-hot-json.test.ts holds each
// kind's key set to its type, so a field added to one fails to compile there
// until it is written here.
import type { TraceApplyResult, TraceEvent, TraceEventOf as Of, TraceRow } from '../trace/types.ts';

/** No quote, backslash, control character or surrogate half: JSON writes the string as it is. */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

const str = (s: string): string => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));
const num = (n: number): string => (Number.isFinite(n) ? `${n}` : 'null');
const row = (r: TraceRow): string => `{"keyHex":${str(r.keyHex)},"valueHex":${str(r.valueHex)}}`;
/** `"key":value,` for a field that is there, '' for one that is not. */
const opt = <T>(key: string, v: T | undefined, json: (v: T) => string): string => (v === undefined ? '' : `"${key}":${json(v)},`);

function result(r: TraceApplyResult): string {
  switch (r.kind) {
    case 'kv':
      return `{"kind":"kv","opcode":${num(r.opcode)}}`;
    case 'registered':
      return `{"kind":"registered","outcome":${str(r.outcome)}}`;
    case 'halt':
      return `{"kind":"halt","message":${str(r.message)},"reason":${str(r.reason)}}`;
  }
}

const apply = (e: Of<'apply'>): string =>
  `{${opt('earlierWrites', e.earlierWrites, (rows) => `[${rows.map(row).join(',')}]`)}"entryHex":${str(e.entryHex)},"index":${num(e.index)},"kind":"apply","node":${str(e.node)},"result":${result(e.result)},"rowsHash":${str(e.rowsHash)},${opt('skipped', e.skipped, str)}"t":${num(e.t)},"term":${num(e.term)}${e.write === undefined ? '' : `,"write":${row(e.write)}`}}`;

const append = (e: Of<'append'>): string =>
  `{${opt('crash', e.crash, String)}"digest":${str(e.digest)},${opt('entryHex', e.entryHex, str)}"index":${num(e.index)},"kind":"append","node":${str(e.node)},"t":${num(e.t)},"term":${num(e.term)}}`;

const commit = (e: Of<'commit'>): string =>
  `{"digest":${str(e.digest)},"index":${num(e.index)},"kind":"commit","node":${str(e.node)},"t":${num(e.t)},"term":${num(e.term)}}`;

const nonce = (e: Of<'nonce'>): string =>
  `{"dekId":${num(e.dekId)},"epoch":${num(e.epoch)},"index":${num(e.index)},"kind":"nonce","node":${str(e.node)},"nodeId16":${num(e.nodeId16)},${opt('proposal', e.proposal, String)}"t":${num(e.t)},"writeCount":${str(e.writeCount)}}`;

const propose = (e: Of<'propose'>): string =>
  `{"entryHex":${str(e.entryHex)},"kind":"propose","node":${str(e.node)},"requestId":${str(e.requestId)},"t":${num(e.t)}}`;

const snapshotTake = (e: Of<'snapshot-take'>): string =>
  `{"index":${num(e.index)},"kind":"snapshot-take","node":${str(e.node)},"rowsHash":${str(e.rowsHash)},"t":${num(e.t)},"term":${num(e.term)}}`;

/** The canonical JSON of `event` if it is of a hot kind, else undefined (the generic serializer's). */
export function hotEventJson(event: TraceEvent): string | undefined {
  switch (event.kind) {
    case 'append':
      return append(event);
    case 'commit':
      return commit(event);
    case 'apply':
      return apply(event);
    case 'nonce':
      return nonce(event);
    case 'propose':
      return propose(event);
    case 'snapshot-take':
      return snapshotTake(event);
    default:
      return undefined;
  }
}
