// Trace recording and its canonical form. The recorder only appends events;
// the canonical serialization is one JSON object per line with keys sorted at
// every level (undefined fields left out), and the trace hash is the SHA-256
// of that text. Same scenario + same applier => same bytes => same hash.
import { createHash } from 'node:crypto';
import type { TraceEvent } from '../trace/types.ts';
import { hotEventJson } from './trace-hot-json.ts';

export class TraceRecorder {
  readonly events: TraceEvent[] = [];

  record(event: TraceEvent): void {
    this.events.push(event);
  }
}

/**
 * True if JSON.stringify(value) is already canonical: plain objects whose keys
 * come in sorted order, arrays, strings, finite-or-not numbers, booleans, null.
 * (The simulator writes its events that way, so serializing is native speed.)
 */
function stringifyIsCanonical(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const item of value) if (!stringifyIsCanonical(item)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      const obj = value as Record<string, unknown>;
      let prev = '';
      let first = true;
      for (const key in obj) {
        if (!Object.hasOwn(obj, key)) return false;
        if (!first && !(prev < key)) return false;
        first = false;
        prev = key;
        if (!stringifyIsCanonical(obj[key])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Canonical JSON of one value: sorted keys, no whitespace, undefined fields omitted. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'object' && value !== null && stringifyIsCanonical(value)) return JSON.stringify(value);
  return canonicalSlow(value);
}

/**
 * Per event kind, the key order of its last event and that order sorted. The
 * simulator writes some kinds (epoch-bump, register-propose, ...) with unsorted keys, and
 * sorting them per event cost more than hashing them.
 */
const sortedShapes = new Map<string, { keys: readonly string[]; sorted: readonly string[] }>();

function sortedKeysOf(event: TraceEvent): readonly string[] {
  const keys = Object.keys(event);
  const shape = sortedShapes.get(event.kind);
  if (shape !== undefined && shape.keys.length === keys.length && shape.keys.every((key, i) => key === keys[i])) return shape.sorted;
  const sorted = [...keys].sort();
  sortedShapes.set(event.kind, { keys, sorted });
  return sorted;
}

/**
 * canonicalJson of one event: a hot kind's is written field by field;
 * another with unsorted keys is copied in its kind's sorted key order, which
 * JSON.stringify then keeps.
 */
export function eventJson(event: TraceEvent): string {
  const hot = hotEventJson(event);
  if (hot !== undefined) return hot;
  if (stringifyIsCanonical(event)) return JSON.stringify(event);
  const sorted: Record<string, unknown> = {};
  for (const key of sortedKeysOf(event)) sorted[key] = (event as unknown as Record<string, unknown>)[key];
  return canonicalJson(sorted);
}

/** The reference implementation (always walks and sorts); canonicalJson must agree with it. */
export function canonicalSlow(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += item === undefined ? 'null' : canonicalSlow(item);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = obj[key];
        if (item === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:${canonicalSlow(item)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialize a ${typeof value}`);
  }
}

/** The canonical text of a trace: one line per event, each ending in "\n". */
export function serializeTrace(events: readonly TraceEvent[]): string {
  let out = '';
  for (const event of events) out += `${eventJson(event)}\n`;
  return out;
}

/** Parses serializeTrace's output back into events. */
export function parseTrace(text: string): TraceEvent[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as TraceEvent);
}

/** SHA-256 (hex) of the canonical serialization, computed line by line. */
export function traceHash(events: readonly TraceEvent[]): string {
  const hash = createHash('sha256');
  // Hash in chunks of lines: one update per line costs more than the hashing.
  let chunk = '';
  for (const event of events) {
    chunk += `${eventJson(event)}\n`;
    if (chunk.length > 1 << 16) {
      hash.update(chunk);
      chunk = '';
    }
  }
  hash.update(chunk);
  return hash.digest('hex');
}

/**
 * The event as behaviour: halt messages left out. An applier's words are not
 * its behaviour (its halt reason is), so two appliers that differ only in how
 * they phrase a halt give equal behaviour hashes.
 */
export function behaviourOf(event: TraceEvent): TraceEvent {
  if (event.kind !== 'apply' || event.result.kind !== 'halt') return event;
  return { ...event, result: { kind: 'halt', reason: event.result.reason, message: '' } };
}

/** traceHash of the trace's behaviour (behaviourOf each event). */
export function behaviourHash(events: readonly TraceEvent[]): string {
  return traceHash(events.map(behaviourOf));
}
