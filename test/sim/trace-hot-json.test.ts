// The hot kinds' field-by-field serializer (src/sim/trace-hot-json.ts) against
// the reference walk: same bytes on generated runs of every configuration,
// with every optional field reached, and on values JSON must escape.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { exploreSpec } from '../../src/cli/explore.ts';
import { scenarioOf } from '../../src/explore/run.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { canonicalSlow, eventJson } from '../../src/sim/trace.ts';
import type { TraceEvent, TraceEventOf as Of } from '../../src/trace/types.ts';

describe('hot event kinds serialized field by field', () => {
  it('write every key their types have (a new field fails to compile here until trace-hot-json.ts writes it)', () => {
    expectTypeOf<keyof Of<'apply'>>().toEqualTypeOf<'earlierWrites' | 'entryHex' | 'index' | 'kind' | 'node' | 'result' | 'rowsHash' | 'skipped' | 't' | 'term' | 'write'>();
    expectTypeOf<keyof Of<'append'>>().toEqualTypeOf<'crash' | 'digest' | 'entryHex' | 'index' | 'kind' | 'node' | 't' | 'term'>();
    expectTypeOf<keyof Of<'commit'>>().toEqualTypeOf<'digest' | 'index' | 'kind' | 'node' | 't' | 'term'>();
    expectTypeOf<keyof Of<'nonce'>>().toEqualTypeOf<'dekId' | 'epoch' | 'index' | 'kind' | 'node' | 'nodeId16' | 'proposal' | 't' | 'writeCount'>();
    expectTypeOf<keyof Of<'propose'>>().toEqualTypeOf<'entryHex' | 'kind' | 'node' | 'requestId' | 't'>();
    expectTypeOf<keyof Of<'snapshot-take'>>().toEqualTypeOf<'index' | 'kind' | 'node' | 'rowsHash' | 't' | 'term'>();
    expectTypeOf<Of<'apply'>['result']['kind']>().toEqualTypeOf<'kv' | 'registered' | 'halt'>();
  });

  it('give the reference bytes on generated runs, every result kind and most optional fields among them (a crash-found append is made up below)', () => {
    const reached = new Set<string>();
    for (const config of ['hardened', 'spec', 'production'] as const) {
      const spec = { ...exploreSpec(7, 'correct'), config };
      for (let i = 0; i < 40; i++) {
        for (const ev of runScenario(scenarioOf(spec, i)).trace) {
          expect(eventJson(ev)).toBe(canonicalSlow(ev));
          for (const [key, value] of Object.entries(ev)) if (value !== undefined) reached.add(`${ev.kind}.${key}`);
          if (ev.kind === 'apply') reached.add(`apply.result.${ev.result.kind}`);
        }
      }
    }
    const optional = ['apply.earlierWrites', 'apply.write', 'nonce.proposal', 'apply.result.kv', 'apply.result.registered', 'apply.result.halt'];
    expect(optional.filter((f) => !reached.has(f))).toEqual([]);
  });

  it('escape what JSON escapes and write non-finite numbers as null, as the reference does', () => {
    const odd = ['a"b', 'back\\slash', 'tab\there', '\u0000', 'lone \ud800 half', 'pair \ud83d\ude00', 'é', ''];
    for (const s of odd) {
      const events: TraceEvent[] = [
        { kind: 'propose', node: s, requestId: s, entryHex: s, t: 1 },
        { kind: 'apply', node: 'n1', index: NaN, term: Infinity, entryHex: '00', rowsHash: s, t: -0, skipped: 'registry-applied-index', result: { kind: 'halt', reason: s, message: s }, write: { keyHex: s, valueHex: s }, earlierWrites: [] },
        { kind: 'nonce', node: 'n1', index: 1, dekId: 2 ** 53, epoch: 1e21, nodeId16: 0, writeCount: s, proposal: true, t: 0.5 },
        { kind: 'append', node: 'n1', index: 1, term: 1, digest: s, t: 0, crash: undefined, entryHex: undefined },
        { kind: 'append', node: 'n1', index: 1, term: 1, digest: '00', t: 0, crash: true, entryHex: s },
      ];
      for (const ev of events) expect(eventJson(ev)).toBe(canonicalSlow(ev));
    }
  });
});
