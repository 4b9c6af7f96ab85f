// The HTML report as text (no browser): determinism, self-containment,
// escaping, and the per-node row replay the page's details pane shows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveNodeId, encodeRegistryValue, registryKey, toHex } from '../../src/applier/index.ts';
import { hexFullIds, nodeNames } from '../../src/report/describe.ts';
import { esc } from '../../src/report/html-escape.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { decodeRow, replayRows, rowsAt, versionAt } from '../../src/report/rows.ts';
import { loadScenario, runScenario } from '../../src/scenario/index.ts';
import type { TraceEvent, TraceRow } from '../../src/trace/types.ts';
import { lteRollbackRun } from './trace-builder.ts';

const meta = { title: 'run', verdict: 'safety-violation', traceHash: 'abc123', repro: 'npx regsim run x.json' };

/** The JSON the page's script reads. */
function pageData(html: string): {
  nodes: string[];
  events: Record<string, unknown>[];
  versions: { slot?: string; owner?: string; first?: number; last?: number }[][];
  changes: Record<string, [number, number][]>;
} {
  const m = /<script type="application\/json" id="regsim-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m?.[1]) throw new Error('no data block');
  return JSON.parse(m[1]) as ReturnType<typeof pageData>;
}

const row = (dek: number, node: string, first: number, last: number): TraceRow => {
  const full = deriveNodeId(node);
  return {
    keyHex: toHex(registryKey(dek, Number(full & 0xffffn))),
    valueHex: toHex(encodeRegistryValue({ fullNodeId: full, firstSeen: first, lastSeen: last })),
  };
};

describe('renderHtmlReport', () => {
  const run = lteRollbackRun();
  const html = renderHtmlReport(run.trace, run.violations, meta);

  it('is a pure function of its inputs', () => {
    expect(renderHtmlReport(structuredClone(run.trace), structuredClone(run.violations), { ...meta })).toBe(html);
  });

  it('is one self-contained file: no external scripts, styles, images or links', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)="(?!data:)/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('has one lane per node and puts the violation, repro and hash in the page', () => {
    expect(html.match(/<div class="lane" data-node="/g)).toHaveLength(3);
    expect(html).toContain(run.violations[0]?.explanation ?? '?');
    expect(html).toContain('<code id="repro-cmd">npx regsim run x.json</code>');
    expect(html).toContain('abc123');
  });

  it('escapes everything that comes from the trace or the caller', () => {
    const evil = '</script><img src=x onerror=alert(1)>';
    const trace: TraceEvent[] = [
      { kind: 'run-start', t: 0, seed: evil, nodes: ['n1', evil], variant: evil },
      { kind: 'guard-refused', t: 1, node: evil, guard: evil, detail: evil },
    ];
    const out = renderHtmlReport(trace, [], { title: evil, verdict: evil, traceHash: evil, repro: evil, scenarioJson: evil });
    expect(out).not.toContain('<img');
    expect(out.match(/<\/script>/g)).toHaveLength(2); // the data block's and the script's own
    expect(pageData(out).nodes).toEqual(['n1', evil]);
  });

  it('embeds each node row history, decoded, without copying row sets into events', () => {
    const data = pageData(html);
    const restart = run.trace.findIndex((ev) => ev.kind === 'restart');
    expect(data.events[restart]?.rows).toBe(3);
    const v = (data.changes.n2 ?? []).at(-1)?.[1] ?? -1;
    expect(data.versions[v]?.map((r) => [r.slot, r.owner, r.first, r.last])).toEqual([
      ['0xd4c0', 'n1', 1, 1],
      ['0xd826', 'n3', 1, 1],
      ['0xd9d9', 'n2', 1, 1],
    ]);
  });

  it('shows full ids and slots in hex in the details pane fields', () => {
    const trace: TraceEvent[] = [
      { kind: 'run-start', t: 0, seed: 's', nodes: ['n1'], variant: 'correct', fullIds: { n1: '65537' } },
      { kind: 'add-node', t: 1, node: 'n4', fullNodeId: '131073' },
      { kind: 'add-node', t: 2, node: 'n5', fullNodeId: 'bogus' },
      { kind: 'nonce', t: 3, node: 'n1', index: 1, dekId: 1, nodeId16: 1, epoch: 1, writeCount: '1' },
    ];
    const events = pageData(renderHtmlReport(trace, [], meta)).events;
    expect(events[0]?.fullIds).toEqual({ n1: '0x0000000000010001' });
    expect(events[1]?.fullNodeId).toBe('0x0000000000020001');
    expect(events[2]?.fullNodeId).toBe('"bogus"');
    expect(events[3]?.nodeId16).toBe('0x0001');
  });

  it('shows the applier halt messages with full ids in hex', () => {
    const events = pageData(html).events;
    const halt = events.find((ev) => ev.kind === 'apply' && (ev.result as { kind: string }).kind === 'halt');
    expect((halt?.result as { message: string }).message).toMatch(/of full id 0x08b37b07b558d4c0$/);
    expect(hexFullIds('dek 1 slot 0x0001 is owned by full id 65537, not 131073')).toBe(
      'dek 1 slot 0x0001 is owned by full id 0x0000000000010001, not 0x0000000000020001',
    );
  });

  it('renders a trace with no events or violations', () => {
    const out = renderHtmlReport([], [], { title: 'empty', verdict: 'ok', traceHash: '-' });
    expect(out).toContain('No invariant was violated');
    expect(pageData(out).events).toEqual([]);
  });
});

describe('renderHtmlReport: the worked example', () => {
  const run = runScenario(loadScenario(readFileSync(new URL('../../docs/example-lte-rollback.json', import.meta.url), 'utf8')), {
    variant: 'lte-rollback',
  });
  const html = renderHtmlReport(run.trace, run.violations, meta);

  it('summarises the violations above the chart, a line each, each explanation once and folded', () => {
    expect(run.violations).toHaveLength(3);
    expect(html.indexOf('class="violations"')).toBeLessThan(html.indexOf('class="chart-wrap"'));
    expect(html.match(/<li class="v-line safety"/g)).toHaveLength(3);
    expect(html.match(/<details class="v-why">/g)).toHaveLength(1);
    // In the markup once (the page's data block holds it too, as JSON).
    expect(html.split(esc(run.violations[0]?.explanation ?? '?'))).toHaveLength(2);
  });

  it('draws every client attempt as a bar, the retried registration as two linked duplicates', () => {
    const bars = [...html.matchAll(/<div class="abar ([^"]+)" data-i="(\d+)"[^>]*><span>([^<]+)<\/span>/g)].map((m) => [m[3], m[1]]);
    expect(bars).toEqual([
      ['liveness-probe#9', 'a-ok a-probe'],
      ['liveness-probe#10', 'a-ok a-probe'],
      ['p2#1', 'a-dup'],
      ['p3#1', 'a-ok'],
      ['liveness-probe#11', 'a-ok a-probe'],
      ['p4#1', 'a-ok'],
      ['p2#2', 'a-dup'],
      ['p3#2', 'a-lost'],
    ]);
    // One arc (a path per axis) from p2#1's commit to p2#2's.
    expect(html.match(/<path class="l-t"/g)).toHaveLength(1);
    expect(html).toContain('<span class="node-name">clients</span><span class="slot">5 attempts</span>');
  });
});

describe('row replay', () => {
  const a1 = row(1, 'n1', 1, 1);
  const a2 = row(1, 'n1', 1, 2);
  const b1 = row(1, 'n2', 1, 1);
  const apply = (node: string, write?: TraceRow): TraceEvent => ({
    kind: 'apply',
    t: 0,
    node,
    index: 1,
    term: 1,
    entryHex: '00',
    result: { kind: 'kv', opcode: 0 },
    rowsHash: '',
    ...(write ? { write } : {}),
  });
  const trace: TraceEvent[] = [
    { kind: 'run-start', t: 0, seed: 's', nodes: ['n1', 'n2'], variant: 'correct' },
    apply('n1', a1), // 1
    apply('n1', b1), // 2
    apply('n1'), // 3: no write, no change
    apply('n1', a2), // 4: upsert replaces the n1 row
    apply('n2', b1), // 5
    { kind: 'restart', t: 0, node: 'n1', appliedIndex: 0, rows: [a1] }, // 6: replaces the set
    { kind: 'snapshot-install', t: 0, node: 'n2', index: 2, term: 1, from: 'n1', rows: [b1, a1] }, // 7
  ];
  const h = replayRows(trace);

  it('upserts writes and replaces the set on restart / install', () => {
    expect(rowsAt(h, 'n1', 0)).toEqual([]);
    expect(rowsAt(h, 'n1', 2)).toEqual([a1, b1]);
    expect(rowsAt(h, 'n1', 3)).toEqual([a1, b1]);
    expect(rowsAt(h, 'n1', 5)).toEqual([a2, b1]);
    expect(rowsAt(h, 'n1', 6)).toEqual([a1]);
    expect(rowsAt(h, 'n2', 6)).toEqual([b1]);
    expect(rowsAt(h, 'n2', 7)).toEqual([a1, b1]);
    expect(rowsAt(h, 'n3', 7)).toEqual([]);
  });

  it('stores each distinct row set once', () => {
    // n1 after event 2 and n2 after event 7 hold the same rows: one version.
    expect(versionAt(h, 'n1', 2)).toBe(versionAt(h, 'n2', 7));
    expect(h.changes.get('n1')?.map(([i]) => i)).toEqual([1, 2, 4, 6]);
  });

  it('decodes rows for display and flags corrupt ones', () => {
    const names = nodeNames(trace);
    expect(decodeRow(a2, names)).toMatchObject({ dekId: 1, slot: '0xd4c0', owner: 'n1', fullId: '0x08b37b07b558d4c0', first: 1, last: 2 });
    const bad = decodeRow({ keyHex: a1.keyHex, valueHex: a1.valueHex.slice(0, -2) }, names);
    expect(bad.problem).toMatch(/11 bytes, want 12/);
    expect(bad.slot).toBe('0xd4c0');
    expect(decodeRow({ keyHex: 'ff', valueHex: a1.valueHex }, names).problem).toBe('bad key');
  });
});
