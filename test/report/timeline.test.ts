import { describe, expect, it } from 'vitest';
import { deriveNodeId } from '../../src/applier/index.ts';
import { describeEntry, describeEvent, nodeNames } from '../../src/report/describe.ts';
import { renderTimeline } from '../../src/report/timeline.ts';
import type { ReportViolation } from '../../src/report/violation.ts';
import type { TraceEvent } from '../../src/trace/types.ts';
import { TraceBuilder, kv, lteRollbackRun, reg } from './trace-builder.ts';

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
/** Lines that are events: gutter, index, time. */
const eventLines = (s: string): string[] => lines(s).filter((l) => /^(>> | {3})\s*\d+\s+\d+\.\d{3}ms /.test(l));
const indexOf = (line: string): number => Number(/^(?:>> | {3})\s*(\d+)/.exec(line)?.[1]);

const violation = (eventIndex: number, extra: Partial<ReportViolation> = {}): ReportViolation => ({
  invariant: 'replay-idempotence',
  section: '§7.1',
  eventIndex,
  node: 'n2',
  message: 'n2 halted replaying #1',
  explanation: 'Re-applying committed entries after a crash must leave every registry row byte-identical. '.repeat(3),
  kind: 'safety',
  ...extra,
});

describe('renderTimeline: layout', () => {
  const run = lteRollbackRun();
  const text = renderTimeline(run.trace, run.violations);

  it('aligns index, time, node and verb columns on every line', () => {
    const evs = eventLines(text);
    expect(evs.length).toBeGreaterThan(20);
    const msEnd = new Set(evs.map((l) => l.indexOf('ms ') + 2));
    expect(msEnd.size).toBe(1);
    // Node column: padded to the widest node name ("n1"), "*" for cluster-wide events.
    const [end] = [...msEnd];
    const nodes = new Set(evs.map((l) => l.slice((end ?? 0) + 2, (end ?? 0) + 4)));
    expect([...nodes].sort()).toEqual(['* ', 'n1', 'n2', 'n3']);
    // The description starts in the same column everywhere (verbs padded).
    // Then a 9-column verb ("apply    ", "snapshot ") and the description right after it.
    const verbStart = (end ?? 0) + 6;
    for (const l of evs) {
      expect(l.slice(verbStart, verbStart + 9)).toMatch(/^\S+ +$/);
      expect(l.charAt(verbStart + 9)).not.toBe(' ');
    }
    expect(text).toContain('  29   37.000ms  n1  snapshot taken @3\n');
    expect(text).toContain('  60  105.250ms  n2  apply    #1 t1 register(dek 1, node 0xd4c0 (n1), epoch 1) → HALT rollback\n');
  });

  it('pads indices and times to the widest in the trace', () => {
    const evs = eventLines(text);
    expect(evs[0]).toMatch(/^ {4}0 {4}0\.000ms {2}\* {3}start /);
    expect(evs.at(-1)).toMatch(/^ {3}62 {2}130\.000ms /);
  });

  it('is a pure function of its inputs', () => {
    expect(renderTimeline(run.trace, run.violations)).toBe(text);
    expect(renderTimeline(structuredClone(run.trace), structuredClone(run.violations))).toBe(text);
  });

  it('ends with a newline and renders an empty trace as nothing', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(renderTimeline([])).toBe('');
  });
});

describe('renderTimeline: marking violations', () => {
  const run = lteRollbackRun();

  it('marks exactly the violating event with a >> gutter and the violation under it', () => {
    const out = lines(renderTimeline(run.trace, run.violations));
    const marked = out.filter((l) => l.startsWith('>> '));
    expect(marked).toHaveLength(1);
    expect(indexOf(marked[0] ?? '')).toBe(run.haltEvent);
    const at = out.indexOf(marked[0] ?? '');
    const note = out[at + 1] ?? '';
    expect(note.trimStart()).toBe(`^ SAFETY [§7.1 replay-idempotence] n2: ${run.violations[0]?.message}`);
    // The note is indented to the description column.
    const descColumn = (marked[0] ?? '').indexOf('HALT');
    expect(note.indexOf('^')).toBe(descColumn);
  });

  it('adds the explanation, wrapped, only when asked', () => {
    const v = violation(run.haltEvent);
    expect(renderTimeline(run.trace, [v])).not.toContain('byte-identical');
    const out = lines(renderTimeline(run.trace, [v], { explain: true }));
    const explained = out.filter((l) => l.includes('byte-identical') || l.includes('Re-applying'));
    expect(explained.length).toBeGreaterThan(1);
    for (const l of explained) expect(l.length).toBeLessThanOrEqual(100);
  });

  it('shows a violating event even when its kind is filtered out', () => {
    const commit = run.trace.findIndex((ev) => ev.kind === 'commit');
    const out = renderTimeline(run.trace, [violation(commit, { message: 'commit lost' })]);
    const marked = lines(out).filter((l) => l.startsWith('>> '));
    expect(marked.map(indexOf)).toEqual([commit]);
    expect(marked[0]).toContain('commit   #1 t1');
  });

  it('lists violations whose event is not shown, or not in the trace, at the end', () => {
    const out = lines(renderTimeline(run.trace, [violation(run.haltEvent), violation(999, { message: 'ghost' })], { around: 5, context: 1 }));
    expect(out.at(-2)).toBe(`>> event #${run.haltEvent} (not shown): [§7.1 replay-idempotence] n2: n2 halted replaying #1`);
    expect(out.at(-1)).toBe('>> event #999 (not in this trace): [§7.1 replay-idempotence] n2: ghost');
  });

  it('colours only when asked, and colour changes nothing but escapes', () => {
    const plain = renderTimeline(run.trace, run.violations);
    expect(plain).not.toContain('\u001b[');
    const coloured = renderTimeline(run.trace, run.violations, { color: true });
    expect(coloured).toContain('\u001b[1;31m>> \u001b[0m');
    expect(stripAnsi(coloured)).toBe(plain);
  });
});

describe('renderTimeline: filtering and windows', () => {
  const run = lteRollbackRun();

  it('hides append and commit by default, shows everything with "all"', () => {
    const byDefault = eventLines(renderTimeline(run.trace)).map(indexOf);
    const kinds = new Set(byDefault.map((i) => run.trace[i]?.kind));
    expect(kinds.has('append') || kinds.has('commit')).toBe(false);
    const all = eventLines(renderTimeline(run.trace, [], { kinds: 'all' })).map(indexOf);
    expect(all).toEqual(run.trace.map((_, i) => i));
  });

  it('takes a list or a predicate of kinds', () => {
    const listed = eventLines(renderTimeline(run.trace, [], { kinds: ['crash', 'restart'] }));
    expect(listed.map((l) => run.trace[indexOf(l)]?.kind)).toEqual(['crash', 'restart']);
    const pred = eventLines(renderTimeline(run.trace, [], { kinds: (k) => k === 'halt' }));
    expect(pred.map(indexOf)).toEqual([run.haltEvent]);
  });

  it('shows a window of context lines around an event, counting what it cut', () => {
    const all = eventLines(renderTimeline(run.trace)).map(indexOf);
    const anchorAt = all.indexOf(run.haltEvent);
    const out = renderTimeline(run.trace, run.violations, { around: run.haltEvent, context: 3 });
    const shown = eventLines(out).map(indexOf);
    expect(shown).toEqual(all.slice(anchorAt - 3, anchorAt + 4).filter((i) => i !== undefined));
    expect(lines(out)[0]).toBe(`   … ${anchorAt - 3} lines before`);
    const after = all.length - (anchorAt + 4);
    if (after > 0) expect(out).toContain(`   … ${after} line${after === 1 ? '' : 's'} after`);
  });

  it('always shows the anchor, even of a hidden kind, and clips at the ends', () => {
    const out = eventLines(renderTimeline(run.trace, [], { around: 2, context: 2 }));
    expect(run.trace[2]?.kind).toBe('append');
    expect(out.map(indexOf)).toEqual([0, 1, 2, 20, 21]);
    expect(renderTimeline(run.trace, [], { around: 0, context: 0 })).toBe(`${lines(renderTimeline(run.trace))[0]}\n   … ${eventLines(renderTimeline(run.trace)).length - 1} lines after\n`);
  });

  it('rejects an anchor that is not an event', () => {
    expect(() => renderTimeline(run.trace, [], { around: run.trace.length })).toThrow(RangeError);
    expect(() => renderTimeline(run.trace, [], { around: -1 })).toThrow(/no event #-1/);
  });
});

describe('event descriptions: decoding', () => {
  const names = nodeNames([{ kind: 'run-start', t: 0, seed: 's', nodes: ['n1', 'n2'], variant: 'correct' }]);
  const d = (ev: TraceEvent): string => {
    const { verb, text } = describeEvent(ev, names);
    return `${verb} ${text}`;
  };

  it('decodes registrations: dek, 16-bit slot, owner and epoch (big-endian)', () => {
    expect(describeEntry(reg(1, 'n2', 4), names)).toBe('register(dek 1, node 0xd9d9 (n2), epoch 4)');
    // Exact bytes: opcode 03, version 01, dek 0x01020304, full 0x1122334455662551, epoch 0x0102.
    expect(describeEntry('030101020304112233445566255101 02'.replace(/ /g, ''), names)).toBe(
      'register(dek 16909060, node 0x2551 (full 0x1122334455662551), epoch 258)',
    );
    expect(names.get(deriveNodeId('n1'))).toBe('n1');
  });

  it('says why a registration payload does not decode', () => {
    expect(describeEntry(reg(1, 'n1', 1).slice(0, -2), names)).toBe('register(malformed, 14 bytes)');
    expect(describeEntry(`0302${reg(1, 'n1', 1).slice(4)}`, names)).toBe('register(unknown-version, 15 bytes)');
  });

  it('names the other opcodes', () => {
    expect(describeEntry(kv('aabbcc'), names)).toBe('kv write (4 bytes)');
    expect(describeEntry('01ff', names)).toBe('kv write (2 bytes)');
    expect(describeEntry('02aa', names)).toBe('hlc lease');
    expect(describeEntry('04', names)).toBe('bootstrap');
    expect(describeEntry('05', names)).toBe('rotation');
    expect(describeEntry('07aa', names)).toBe('reserved opcode 0x07');
    expect(describeEntry('09aa', names)).toBe('opcode 0x09 (2 bytes)');
    expect(describeEntry('', names)).toBe('empty entry');
    expect(describeEntry('zz', names)).toBe('unreadable entry "zz"');
  });

  it('describes every kind of event in a few words', () => {
    const row = { keyHex: '00', valueHex: '00' };
    expect(d({ kind: 'apply', t: 0, node: 'n1', index: 12, term: 3, entryHex: reg(1, 'n1', 4), result: { kind: 'registered', outcome: 'insert' }, rowsHash: 'h' })).toBe(
      'apply #12 t3 register(dek 1, node 0xd4c0 (n1), epoch 4) → insert',
    );
    expect(d({ kind: 'apply', t: 0, node: 'n1', index: 13, term: 3, entryHex: kv(), result: { kind: 'kv', opcode: 0 }, rowsHash: 'h' })).toBe('apply #13 t3 kv write (3 bytes)');
    expect(d({ kind: 'halt', t: 0, node: 'n1', index: 12, reason: 'rollback' })).toBe('HALT #12 rollback');
    expect(d({ kind: 'crash', t: 0, node: 'n1', lostWrites: 2 })).toBe('crash (lost 2 pending writes)');
    expect(d({ kind: 'crash', t: 0, node: 'n1', lostWrites: 1 })).toBe('crash (lost 1 pending write)');
    expect(d({ kind: 'became-leader', t: 0, node: 'n1', term: 3 })).toBe('leader term 3');
    expect(d({ kind: 'snapshot-take', t: 0, node: 'n1', index: 40, term: 2, rowsHash: 'h' })).toBe('snapshot taken @40');
    expect(d({ kind: 'snapshot-install', t: 0, node: 'n1', index: 40, term: 2, from: 'n2', rows: Array(6).fill(row) })).toBe(
      'snapshot installed @40 from n2 (6 rows)',
    );
    expect(d({ kind: 'partition', t: 0, groups: [['n1', 'n2'], ['n3']] })).toBe('network partition {n1,n2} | {n3}');
    expect(d({ kind: 'partition', t: 0, groups: [['n1', 'n2', 'n3']], oneWay: { from: 'n1', to: 'n3' } })).toBe('network drop n1 → n3 (one-way)');
    expect(d({ kind: 'nonce', t: 0, node: 'n1', index: 9, dekId: 1, nodeId16: 0x2551, epoch: 4, writeCount: '17' })).toBe('nonce dek 1 0x2551/e4/#17 (entry #9)');
    expect(d({ kind: 'restore', t: 0, node: 'n1', backupAt: 12.5, rows: [row], name: 'b1', raft: 'discarded' })).toBe('restore disk replaced by backup "b1" from 12.500ms (1 row)');
    expect(d({ kind: 'restore', t: 0, node: 'n1', backupAt: 12.5, rows: [row], name: 'b2', from: 'n2' })).toBe(
      'restore disk replaced by backup "b2" of n2 from 12.500ms (1 row, old Raft state included)',
    );
    expect(d({ kind: 'add-node', t: 0, node: 'n4', fullNodeId: String(0xabcd2551n) })).toBe('add-node full 0x00000000abcd2551 (slot 0x2551)');
  });

  it('still describes an event kind it does not know', () => {
    const future = { kind: 'remove-node', t: 5, node: 'n3', reason: 'scale-in' } as unknown as TraceEvent;
    expect(d(future)).toBe('remove-node {"reason":"scale-in"}');
    expect(() => renderTimeline([future])).not.toThrow();
  });
});

describe('TraceBuilder sanity', () => {
  it('records a halt right after a halting apply', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3'], 'correct');
    b.commit(reg(1, 'n1', 2));
    b.commit(reg(1, 'n1', 1));
    b.applyAll();
    const halts = b.events.filter((e) => e.kind === 'halt');
    expect(halts.map((h) => (h.kind === 'halt' ? h.reason : ''))).toEqual(['rollback', 'rollback', 'rollback']);
  });
});
