// The HTML report of one run: a single self-contained file (inline CSS and
// JS, no external resources; a CSP forbids any network access) with a line
// per violation above the chart, a band of client attempts (html-clients.ts)
// and one lane per node over virtual time, a legend, and an event log.
// Clicking any event shows its fields and every node's registry rows just
// after it. The chart is laid out here (static markup); the page's script
// only does interaction (selection, zoom, axis, folding labels that would
// overlap). The output is a pure function of the inputs.
import { deriveNodeId, low16 } from '../applier/index.ts';
import type { TraceEvent, TraceNodeSummary } from '../trace/types.ts';
import { describeEvent, formatMs, hex16, hexFullIds, nodeNames, showFullId, traceNodes } from './describe.ts';
import type { EventDescription } from './describe.ts';
import { PAGE_SCRIPT, PAGE_STYLE } from './html-assets.ts';
import { CLIENTS_SCRIPT, CLIENTS_STYLE } from './html-clients-assets.ts';
import { clientsBand } from './html-clients.ts';
import type { ClientsBand } from './html-clients.ts';
import { esc, jsonForScript } from './html-escape.ts';
import { clusterMarks, laneMarks, leaderBands, networkBands, posStyle, processBands, scaleOf } from './html-layout.ts';
import type { Band, Pos, Scale } from './html-layout.ts';
import { decodeRow, replayRows } from './rows.ts';
import { NOISY_KINDS } from './timeline.ts';
import { violationsByEvent } from './violation.ts';
import type { ReportViolation } from './violation.ts';

export interface HtmlReportMeta {
  title: string;
  /** The command that reproduces the run, shown ready to copy. */
  repro?: string;
  /** The scenario, pretty JSON; shown folded. */
  scenarioJson?: string;
  /** "ok", "safety-violation", "liveness-violation", ... */
  verdict: string;
  traceHash: string;
}

export function renderHtmlReport(
  trace: readonly TraceEvent[],
  violations: readonly ReportViolation[],
  meta: HtmlReportMeta,
): string {
  const names = nodeNames(trace);
  const lanes = traceNodes(trace);
  const descriptions = trace.map((ev) => describeEvent(ev, names));
  const scale = scaleOf(trace);
  const clients = clientsBand(trace, scale);
  const body = [
    renderHeader(trace, meta, scale),
    renderViolations(trace, violations),
    renderChart(trace, violations, descriptions, lanes, scale, clients),
    renderLegend(),
    `<section class="lower">${renderLog(trace)}${renderDetailsPane()}</section>`,
    renderScenario(meta.scenarioJson),
  ].join('\n');
  const data = pageData(trace, violations, descriptions, lanes, scale, names, clients);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(meta.title)}</title>
<style>${PAGE_STYLE}${CLIENTS_STYLE}</style>
</head>
<body>
${body}
<div id="tip" role="tooltip" hidden></div>
<script type="application/json" id="regsim-data">${jsonForScript(data)}</script>
<script>${PAGE_SCRIPT}${CLIENTS_SCRIPT}</script>
</body>
</html>
`;
}

// --- header ----------------------------------------------------------------

function renderHeader(trace: readonly TraceEvent[], meta: HtmlReportMeta, scale: Scale): string {
  const start = trace.find((ev) => ev.kind === 'run-start');
  const facts: [string, string][] = [['trace', meta.traceHash]];
  if (start?.kind === 'run-start') facts.push(['seed', start.seed], ['variant', start.variant]);
  facts.push(['events', String(trace.length)], ['virtual time', formatMs(scale.t0 + (trace.length > 0 ? scale.span : 0))]);
  const repro =
    meta.repro !== undefined
      ? `<div class="repro"><span class="repro-label">reproduce</span><code id="repro-cmd">${esc(meta.repro)}</code><button type="button" id="copy-repro">copy</button></div>`
      : '';
  return `<header>
<div class="title-row"><h1>${esc(meta.title)}</h1><span class="verdict ${verdictClass(meta.verdict)}">${esc(meta.verdict)}</span></div>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
${repro}
</header>`;
}

function verdictClass(verdict: string): string {
  if (verdict === 'ok' || verdict === 'pass') return 'v-ok';
  if (verdict.includes('liveness')) return 'v-live';
  return 'v-bad';
}

// --- violations --------------------------------------------------------------

/**
 * One line per violation above the chart (what broke, where, the message cut
 * to the line), then each invariant's explanation once, folded: the same
 * paragraph under every line pushed the chart below the fold.
 */
function renderViolations(trace: readonly TraceEvent[], violations: readonly ReportViolation[]): string {
  if (violations.length === 0) return '<section class="violations none"><p>No invariant was violated in this run.</p></section>';
  const lines = violations.map((v, k) => {
    const ev = trace[v.eventIndex];
    const where = ev
      ? `<button type="button" class="jump" data-i="${v.eventIndex}">#${v.eventIndex} · ${esc(formatMs(ev.t))}${v.node !== undefined ? ` · ${esc(v.node)}` : ''}</button>`
      : `<span class="jump off">#${v.eventIndex} (not in this trace)</span>`;
    return `<li class="v-line ${v.kind}" id="violation-${k}"><span class="v-kind">${v.kind}</span><span class="v-name">${esc(v.invariant)}</span><span class="v-sec">${esc(v.section)}</span>${where}<span class="v-msg" title="${esc(v.message)}">${esc(v.message)}</span></li>`;
  });
  const explained = new Map<string, ReportViolation>();
  for (const v of violations) if (!explained.has(v.invariant)) explained.set(v.invariant, v);
  const why = [...explained.values()].map(
    (v) => `<details class="v-why"><summary>why ${esc(v.invariant)} (${esc(v.section)}) matters</summary><p class="v-explain">${esc(v.explanation)}</p></details>`,
  );
  const title = violations.length === 1 ? 'Violation' : `${violations.length} violations`;
  return `<section class="violations"><h2>${title}</h2><ol class="v-list">${lines.join('')}</ol>${why.join('')}</section>`;
}

// --- the lanes -----------------------------------------------------------------

function renderChart(
  trace: readonly TraceEvent[],
  violations: readonly ReportViolation[],
  descriptions: readonly EventDescription[],
  lanes: readonly string[],
  scale: Scale,
  clients: ClientsBand | undefined,
): string {
  const laneSet = new Set(lanes);
  const marks = laneMarks(trace, descriptions.map((d) => d.tone), laneSet);
  const bands = [...networkBands(trace, lanes), ...processBands(trace), ...leaderBands(trace)];
  const summaries = finalSummaries(trace);
  const names = nodeNames(trace);

  const labels = lanes.map((node) => {
    const slot = [...names].find(([, n]) => n === node)?.[0] ?? deriveNodeId(node);
    const s = summaries.get(node);
    const state = s ? (s.halted ? `<span class="st st-halted">halted @${s.appliedIndex}</span>` : s.up ? '' : `<span class="st st-down">down @${s.appliedIndex}</span>`) : '';
    return `<div class="lab lane-lab" data-node="${esc(node)}"><span class="node-name">${esc(node)}</span><span class="slot">${hex16(low16(slot))}</span>${state}</div>`;
  });
  const laneRows = lanes.map((node) => {
    const inner = [
      ...bands.filter((b) => b.node === node).map((b) => bandHtml(b, scale)),
      ...marks.filter((m) => m.node === node).map((m) => markHtml(m.event, m.cls, scale.at(m.event), m.label)),
      ...violationRings(trace, violations, node, scale),
    ];
    return `<div class="lane" data-node="${esc(node)}">${inner.join('')}</div>`;
  });
  const netRow = bands.filter((b) => b.node === null).map((b) => bandHtml(b, scale));
  const lines = [
    ...clusterMarks(trace).map((c) => `<div class="cline ${c.cls}" data-i="${c.event}" style="${posStyle(scale.at(c.event))}"><span>${esc(c.label)}</span></div>`),
    ...violationLines(trace, violations, scale),
  ];

  return `<section class="chart-wrap">
<div class="toolbar">
<div class="seg-ctl" role="group" aria-label="horizontal axis"><button type="button" data-mode="time" class="on">virtual time</button><button type="button" data-mode="seq">event order</button></div>
<div class="zoom-ctl" role="group" aria-label="zoom"><button type="button" data-zoom="out" title="zoom out">−</button><span id="zoom-level">1×</span><button type="button" data-zoom="in" title="zoom in">+</button><button type="button" data-zoom="fit">fit</button></div>
<span class="hint">ctrl + wheel to zoom · ← → step through events</span>
</div>
<div class="chart" id="chart">
<div class="labels"><div class="lab axis-lab">ms</div><div class="lab net-lab">network</div>${clients?.label ?? ''}${labels.join('')}</div>
<div class="scroller" id="scroller"><div class="track" id="track"><div class="plot" id="plot">
<div class="axis" id="axis"></div>
<div class="netrow">${netRow.join('')}</div>
${clients?.row ?? ''}
${laneRows.join('\n')}
${lines.join('')}
<div class="cursor" id="cursor" hidden></div>
</div></div></div>
</div>
</section>`;
}

function bandHtml(b: Band, scale: Scale): string {
  const label = b.label !== undefined ? `<span>${esc(b.label)}</span>` : '';
  return `<div class="band ${b.cls}" data-i="${b.from}" style="${posStyle(scale.at(b.from), scale.at(b.to))}">${label}</div>`;
}

function markHtml(event: number, cls: string, p: Pos, label?: string): string {
  return `<i class="m ${cls}" data-i="${event}" style="${posStyle(p)}">${label !== undefined ? esc(label) : ''}</i>`;
}

/** A ring around the violating event on the lane of the node it names. */
function violationRings(trace: readonly TraceEvent[], violations: readonly ReportViolation[], node: string, scale: Scale): string[] {
  return violations
    .filter((v) => trace[v.eventIndex] !== undefined && (v.node ?? eventNode(trace[v.eventIndex])) === node)
    .map((v) => `<i class="vring" data-i="${v.eventIndex}" style="${posStyle(scale.at(v.eventIndex))}"></i>`);
}

/** A red line through every lane at each violating event, flagged on the axis. */
function violationLines(trace: readonly TraceEvent[], violations: readonly ReportViolation[], scale: Scale): string[] {
  return [...violationsByEvent(violations)]
    .filter(([i]) => trace[i] !== undefined)
    .map(([i, vs]) => `<div class="vline" data-i="${i}" style="${posStyle(scale.at(i))}"><span>${esc(vs.map((v) => v.invariant).join(', '))}</span></div>`);
}

function eventNode(ev: TraceEvent | undefined): string | undefined {
  return ev && 'node' in ev && typeof ev.node === 'string' ? ev.node : undefined;
}

function finalSummaries(trace: readonly TraceEvent[]): Map<string, TraceNodeSummary> {
  const end = [...trace].reverse().find((ev) => ev.kind === 'run-end');
  return new Map(end?.kind === 'run-end' ? end.nodes.map((s) => [s.node, s]) : []);
}

// --- legend, log, details --------------------------------------------------------

const LEGEND: [string, string][] = [
  ['m m-insert', 'registration: insert'],
  ['m m-advance', 'registration: advance'],
  ['m m-noop', 'registration: idempotent replay'],
  ['m m-kv', 'kv entry applied'],
  ['m m-halt', 'apply that halts'],
  ['m m-stop', 'halt (apply loop stopped)'],
  ['m m-crash', 'crash'],
  ['m m-restart', 'restart'],
  ['m m-snap', 'snapshot taken'],
  ['m m-install', 'snapshot installed'],
  ['m m-backup', 'disk backup'],
  ['m m-restore', 'disk restored from backup'],
  ['m m-refused', 'start-up guard refused'],
  ['m m-epoch', 'epoch bump'],
  ['m m-truncate', 'log truncated'],
  ['m m-leader', 'became leader (term)'],
  ['band s-lead', 'leading'],
  ['band s-down', 'process down'],
  ['band s-halted', 'halted'],
  ['band s-part g0', 'partition side'],
  ['vring', 'violation'],
  ['abar a-ok', 'client attempt: committed'],
  ['abar a-dup', 'committed twice (arc links the two commits)'],
  ['abar a-lost', 'attempt lost or superseded'],
  ['abar a-ok a-probe', 'liveness probe'],
];

function renderLegend(): string {
  const items = LEGEND.map(([cls, label]) => `<li><span class="sw"><i class="${cls}">${cls.includes('m-leader') ? 'T' : ''}</i></span>${esc(label)}</li>`);
  return `<section class="legend"><ul>${items.join('')}</ul></section>`;
}

/** The log's frame; the page's script fills it (only the rows in view exist, so long runs stay fast). */
function renderLog(trace: readonly TraceEvent[]): string {
  // Column widths in characters, so the mono columns line up like the text timeline.
  const widest = (xs: Iterable<string>): number => {
    let w = 1;
    for (const x of xs) w = Math.max(w, x.length);
    return w;
  };
  const cols = [
    `--ci:${widest([String(trace.length - 1)])}ch`,
    `--ct:${widest(trace.map((ev) => formatMs(ev.t)))}ch`,
    `--cn:${widest(trace.map((ev) => eventNode(ev) ?? ''))}ch`,
  ].join(';');
  return `<section class="log-wrap"><div class="log-head"><h2>Events</h2><span class="log-count" id="log-count"></span>
<label><input type="checkbox" id="show-raft"> ${esc(NOISY_KINDS.join('/'))}</label>
<label><input type="checkbox" id="show-nonce"> nonces</label></div>
<div class="log" id="log" style="${cols}"><ol class="log-rows" id="log-rows"></ol></div></section>`;
}

function renderDetailsPane(): string {
  return '<aside class="details" id="details"><p class="empty">Click an event on a lane or in the log to see its fields and every node\'s registry rows just after it.</p></aside>';
}

function renderScenario(json: string | undefined): string {
  if (json === undefined) return '';
  return `<details class="scenario"><summary>Scenario</summary><pre>${esc(json)}</pre></details>`;
}

// --- data for the page's script ----------------------------------------------------

function pageData(
  trace: readonly TraceEvent[],
  violations: readonly ReportViolation[],
  descriptions: readonly EventDescription[],
  lanes: readonly string[],
  scale: Scale,
  names: ReadonlyMap<bigint, string>,
  clients: ClientsBand | undefined,
): unknown {
  const history = replayRows(trace);
  return {
    t0: scale.t0,
    span: scale.span,
    nodes: lanes,
    // Per event: verb, text, tone; the raw fields without row sets (those live in `versions`).
    desc: descriptions.map((d) => [d.verb, d.text, d.tone]),
    events: trace.map(pageEvent),
    versions: history.versions.map((rows) => rows.map((r) => decodeRow(r, names))),
    changes: Object.fromEntries([...history.changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    violations,
    attempts: clients?.data ?? [],
    noisy: NOISY_KINDS,
  };
}

/** An event as the details pane lists it: row sets as counts (they live in `versions`), ids in hex. */
function pageEvent(ev: TraceEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { ...ev };
  if ('rows' in ev) out.rows = ev.rows?.length;
  if (ev.kind === 'add-node') out.fullNodeId = showFullId(ev.fullNodeId);
  if (ev.kind === 'run-start' && ev.fullIds) out.fullIds = Object.fromEntries(Object.entries(ev.fullIds).map(([n, id]) => [n, showFullId(id)]));
  if (ev.kind === 'nonce') out.nodeId16 = hex16(ev.nodeId16);
  if (ev.kind === 'apply' && ev.result.kind === 'halt') out.result = { ...ev.result, message: hexFullIds(ev.result.message) };
  return out;
}
