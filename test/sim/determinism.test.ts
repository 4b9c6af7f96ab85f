import { describe, expect, it } from 'vitest';
import { canonicalJson, parseTrace, serializeTrace, traceHash } from '../../src/sim/index.ts';
import { canonicalSlow } from '../../src/sim/trace.ts';
import { faultyRun } from './helpers.ts';

describe('determinism', () => {
  it('same scenario + same applier => same trace hash, over 200 seeds run twice', () => {
    const hashes = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const seed = `det-${i}`;
      const a = faultyRun(seed, { timeLimitMs: 2000 });
      const b = faultyRun(seed, { timeLimitMs: 2000 });
      const ha = traceHash(a.trace);
      expect(traceHash(b.trace), seed).toBe(ha);
      hashes.add(ha);
    }
    // Different seeds give different runs.
    expect(hashes.size).toBe(200);
  });

  it('the canonical serialization sorts keys, drops undefined fields and round-trips', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: undefined, b: null } })).toBe('{"a":{"b":null,"d":[1,"x"]},"b":1}');
    const { trace } = faultyRun('canon', { timeLimitMs: 1500 });
    const text = serializeTrace(trace);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').length - 1).toBe(trace.length);
    const back = parseTrace(text);
    expect(serializeTrace(back)).toBe(text);
    expect(traceHash(back)).toBe(traceHash(trace));
  });

  it('the fast path of the serializer agrees with the reference walk, whatever the key order', () => {
    const { trace } = faultyRun('canon-fast', { timeLimitMs: 2000 });
    const reversed = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(reversed);
      if (typeof v !== 'object' || v === null) return v;
      return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
    };
    for (const ev of trace) {
      const slow = canonicalSlow(ev);
      expect(canonicalJson(ev)).toBe(slow);
      expect(canonicalJson(reversed(ev))).toBe(slow);
    }
  });
});
