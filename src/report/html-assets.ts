// The HTML report's stylesheet and script, inlined into every report (the
// file must work offline, opened from disk). The script is plain ES2017 in a
// string so no build step or transpiler can change what ships; it must not
// contain backticks or template placeholders.

export const PAGE_STYLE = String.raw`
:root {
  --bg: #f5f5f2; --card: #ffffff; --ink: #1f2328; --muted: #6a717c; --line: #e4e4df; --soft: #f0f0ec;
  --accent: #3b5bdb; --insert: #2f9e44; --advance: #1c7ed6; --noop: #adb5bd; --kv: #c4c9cf;
  --halt: #e03131; --crash: #25282c; --restart: #2f9e44; --snap: #4263eb; --install: #9c36b5;
  --restore: #e8590c; --leader: #f59f00; --epoch: #7950f2; --live: #d9480f;
  --sans: ui-sans-serif, -apple-system, "Segoe UI", Inter, "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
  --lab-w: 178px; --axis-h: 26px; --net-h: 26px; --lane-h: 40px;
}
* { box-sizing: border-box; }
body { margin: 0; padding: 26px 32px 64px; background: var(--bg); color: var(--ink); font: 14px/1.5 var(--sans); }
h1, h2, h3, h4 { margin: 0; font-weight: 600; letter-spacing: -0.01em; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
button { font: inherit; }
code, pre { font-family: var(--mono); }

/* header */
header { margin-bottom: 18px; }
.title-row { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
h1 { font-size: 22px; }
.verdict { font: 600 12px/1 var(--mono); padding: 6px 10px; border-radius: 999px; text-transform: uppercase; letter-spacing: 0.04em; }
.v-ok { background: #d3f9d8; color: #1b6e2c; }
.v-bad { background: #ffe3e3; color: #b02525; }
.v-live { background: #ffe8cc; color: #a6400c; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 26px; margin: 10px 0 0; }
.facts div { display: flex; gap: 8px; align-items: baseline; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; font: 13px var(--mono); }
.repro { display: flex; align-items: center; gap: 10px; margin-top: 12px; background: #1f2328; color: #e9ecef; border-radius: 8px; padding: 8px 8px 8px 14px; max-width: 100%; }
.repro-label { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; color: #9aa3ad; }
.repro code { flex: 1; overflow-x: auto; white-space: pre; font-size: 13px; user-select: all; }
.repro button { background: #343a40; color: #e9ecef; border: 0; border-radius: 6px; padding: 4px 10px; cursor: pointer; }
.repro button:hover { background: #495057; }

/* violations: a line each, explanations folded */
.violations { margin: 14px 0; background: var(--card); border: 1px solid #f3c4c4; border-left: 5px solid var(--halt); border-radius: 10px; padding: 8px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.03); }
.violations h2 { margin-bottom: 4px; }
.violations.none { border-color: var(--line); border-left-color: var(--insert); }
.violations.none p { margin: 0; color: #1b6e2c; }
.v-list { list-style: none; margin: 0; padding: 0; }
.v-line { display: flex; align-items: center; gap: 10px; padding: 3px 0; min-width: 0; }
.v-kind { flex: none; font: 600 10px/1 var(--sans); text-transform: uppercase; letter-spacing: 0.08em; color: #fff; background: var(--halt); padding: 4px 7px; border-radius: 4px; }
.liveness .v-kind { background: var(--live); }
.v-name { flex: none; font: 600 13px var(--mono); }
.v-sec { flex: none; color: var(--muted); font-size: 12px; }
.jump { flex: none; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 1px 8px; font: 12px var(--mono); cursor: pointer; color: var(--ink); }
.jump:hover { border-color: var(--accent); color: var(--accent); }
.jump.off { cursor: default; }
.v-msg { flex: 1; min-width: 0; font: 12px/1.5 var(--mono); color: #4a5058; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.v-why summary { cursor: pointer; color: var(--muted); font-size: 12px; margin-top: 2px; }
.v-explain { margin: 4px 0 6px; color: #4a5058; max-width: 80em; font-size: 13px; }

/* toolbar */
.chart-wrap { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 10px 0 0; box-shadow: 0 1px 2px rgba(0,0,0,.03); }
.toolbar { display: flex; align-items: center; gap: 14px; padding: 0 14px 10px; flex-wrap: wrap; }
.toolbar [role=group] { display: inline-flex; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; align-items: center; }
.toolbar button { background: var(--card); border: 0; padding: 4px 11px; cursor: pointer; color: var(--ink); font-size: 13px; }
.toolbar button + button, .toolbar span + button { border-left: 1px solid var(--line); }
.toolbar button.on { background: var(--ink); color: #fff; }
.toolbar button:hover:not(.on) { background: var(--soft); }
#zoom-level { padding: 0 10px; font: 12px var(--mono); color: var(--muted); min-width: 4em; text-align: center; border-left: 1px solid var(--line); }
.hint { color: var(--muted); font-size: 12px; margin-left: auto; }

/* the chart */
.chart { display: flex; border-top: 1px solid var(--line); }
.labels { flex: 0 0 var(--lab-w); border-right: 1px solid var(--line); background: var(--card); border-bottom-left-radius: 12px; }
.lab { display: flex; align-items: center; gap: 7px; padding: 0 12px; border-bottom: 1px solid var(--line); white-space: nowrap; overflow: hidden; }
.axis-lab, .net-lab { height: var(--axis-h); font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }
.net-lab { height: var(--net-h); }
.lane-lab { height: var(--lane-h); }
.node-name { font-weight: 600; font-family: var(--mono); }
.slot { font: 11px var(--mono); color: var(--muted); }
.st { font: 600 10px/1 var(--mono); padding: 3px 5px; border-radius: 4px; }
.st-halted { background: #ffe3e3; color: #b02525; }
.st-down { background: #e9ecef; color: #495057; }
.scroller { flex: 1; overflow-x: auto; overflow-y: hidden; position: relative; }
.track { width: 100%; padding: 0 18px; }
.plot { position: relative; }
.axis { position: relative; height: var(--axis-h); border-bottom: 1px solid var(--line); }
.tick { position: absolute; top: 0; height: 100%; border-left: 1px solid #d5d5cf; padding: 5px 0 0 4px; font: 10px var(--mono); color: var(--muted); white-space: nowrap; }
.grid { position: absolute; inset: var(--axis-h) 0 0 0; pointer-events: none; z-index: 1; }
.gridline { position: absolute; top: 0; bottom: 0; border-left: 1px dashed #ecece7; }
.netrow { position: relative; height: var(--net-h); border-bottom: 1px solid var(--line); }
.lane { position: relative; height: var(--lane-h); border-bottom: 1px solid var(--line); contain: layout style; }
.lane::before { content: ""; position: absolute; left: 0; right: 0; top: 50%; border-top: 1px solid #e6e6e1; }

/* bands */
.band { position: absolute; top: 0; bottom: 0; left: var(--xt); width: var(--wt); min-width: 2px; z-index: 1; cursor: pointer; }
.seq .band { left: var(--xs); width: var(--ws); }
.band span { display: none; }
.s-down { background: repeating-linear-gradient(135deg, rgba(37,40,44,.13) 0 3px, rgba(37,40,44,.03) 3px 7px); }
.s-halted { background: repeating-linear-gradient(135deg, rgba(224,49,49,.22) 0 3px, rgba(224,49,49,.05) 3px 7px); }
.s-refused { background: repeating-linear-gradient(45deg, rgba(224,49,49,.18) 0 3px, transparent 3px 7px); }
.s-lead { top: 3px; bottom: auto; height: 4px; border-radius: 2px; background: var(--leader); opacity: .85; z-index: 2; }
.s-part { pointer-events: none; }
.s-part.g0 { background: rgba(59,91,219,.08); }
.s-part.g1 { background: rgba(232,89,12,.09); }
.s-part.g2 { background: rgba(47,158,68,.09); }
.s-part.g3 { background: rgba(156,54,181,.09); }
.s-oneway { background: repeating-linear-gradient(90deg, rgba(232,89,12,.12) 0 2px, transparent 2px 6px); pointer-events: none; }
.s-net { top: 4px; bottom: 4px; background: #fff4d6; border: 1px solid #f0c36d; border-radius: 5px; overflow: hidden; }
.s-net span { display: block; font: 11px/16px var(--mono); color: #7a5200; padding: 0 6px; white-space: nowrap; }

/* marks: a hit box centred on the event, the shape drawn by ::before */
.m { position: absolute; top: 50%; left: var(--xt); width: 14px; height: 14px; transform: translate(-50%, -50%); display: flex; align-items: center; justify-content: center; cursor: pointer; z-index: 3; font-style: normal; }
.seq .m { left: var(--xs); }
.m::before { content: ""; display: block; }
.m:hover { z-index: 7; }
.m:hover::before { filter: brightness(1.15); transform: scale(1.25); }
.m-insert::before { width: 11px; height: 11px; border-radius: 50%; background: var(--insert); box-shadow: 0 0 0 2px #fff; }
.m-advance::before { width: 11px; height: 11px; border-radius: 50%; background: var(--advance); box-shadow: 0 0 0 2px #fff; }
.m-noop::before { width: 10px; height: 10px; border-radius: 50%; background: #fff; border: 2px solid var(--noop); }
.m-kv { width: 8px; height: 8px; z-index: 2; }
.m-kv::before { width: 5px; height: 5px; border-radius: 50%; background: var(--kv); }
.m-halt::before { width: 12px; height: 12px; border-radius: 50%; background: var(--halt); box-shadow: 0 0 0 2px #fff; }
.m-stop { z-index: 4; height: 30px; }
.m-stop::before { width: 4px; height: 26px; border-radius: 2px; background: var(--halt); }
.m-crash { z-index: 4; height: 30px; }
.m-crash::before { width: 4px; height: 26px; border-radius: 2px; background: var(--crash); }
.m-restart::before { width: 0; height: 0; border-left: 11px solid var(--restart); border-top: 7px solid transparent; border-bottom: 7px solid transparent; }
.m-snap::before { width: 9px; height: 9px; background: var(--snap); transform: rotate(45deg); box-shadow: 0 0 0 2px #fff; }
.m-install::before { width: 10px; height: 10px; background: #fff; border: 3px solid var(--install); transform: rotate(45deg); }
.m-backup::before { width: 10px; height: 10px; border: 2px solid var(--restore); background: #fff; border-radius: 2px; }
.m-restore::before { width: 11px; height: 11px; background: var(--restore); border-radius: 2px; box-shadow: 0 0 0 2px #fff; }
.m-refused::before { width: 11px; height: 11px; border: 2px solid var(--halt); background: #fff0f0; }
.m-epoch::before { width: 0; height: 0; border-top: 8px solid var(--epoch); border-left: 5px solid transparent; border-right: 5px solid transparent; }
.m-truncate::before { width: 2px; height: 16px; background: var(--restore); }
.m-leader { width: auto; height: 16px; padding: 0 5px; border-radius: 8px; background: var(--leader); color: #3d2800; font: 700 10px/16px var(--mono); top: 8px; z-index: 4; }
.m-leader::before { display: none; }
.m.sel { z-index: 8; }
.m.sel::after { content: ""; position: absolute; inset: -6px; border: 2px solid var(--accent); border-radius: 50%; }
.m-stop.sel::after, .m-crash.sel::after, .m-leader.sel::after { border-radius: 6px; inset: -4px; }

/* violation and cluster lines, the selection cursor */
/* Lines make no stacking context (no z-index), so every flag sits above every line; lines come after the lanes in the page, so they still cover them. */
.vline, .cline, .cursor { position: absolute; top: 0; bottom: 0; left: var(--xt); width: 0; pointer-events: none; }
.seq .vline, .seq .cline, .seq .cursor { left: var(--xs); }
.vline { border-left: 2px solid var(--halt); }
.vline span, .cline span { position: absolute; top: 4px; left: 4px; white-space: nowrap; font: 600 10px/16px var(--mono); padding: 0 6px; border-radius: 4px; pointer-events: auto; cursor: pointer; z-index: 7; }
.vline span { background: var(--halt); color: #fff; }
.cline { border-left: 1px dashed #868e96; }
.cline span { background: var(--soft); color: var(--muted); border: 1px solid var(--line); top: 4px; }
.c-rotate { border-left-color: var(--epoch); }
.cursor { border-left: 1px solid var(--accent); z-index: 6; opacity: .6; }
.vring { position: absolute; top: 50%; left: var(--xt); width: 26px; height: 26px; transform: translate(-50%, -50%); border: 2px solid var(--halt); border-radius: 50%; box-shadow: 0 0 0 5px rgba(224,49,49,.16); pointer-events: none; z-index: 6; }
.seq .vring { left: var(--xs); }

/* labels folded away where they would overlap another (the page's declutter) */
.vline span.folded, .cline span.folded { visibility: hidden; }
.tick.folded { color: transparent; }
.m-leader.folded { width: 8px; height: 8px; padding: 0; font-size: 0; top: 12px; }

/* legend */
.legend { margin: 12px 0 20px; }
.legend ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 12px; color: #4a5058; }
.legend li { display: flex; align-items: center; gap: 7px; }
.sw { position: relative; display: inline-flex; align-items: center; justify-content: center; width: 22px; height: 20px; }
.sw .m, .sw .vring { position: relative; left: auto; top: auto; transform: none; cursor: default; }
.sw .m-stop, .sw .m-crash { height: 20px; }
.sw .m-stop::before, .sw .m-crash::before { height: 18px; }
.sw .vring { width: 16px; height: 16px; box-shadow: 0 0 0 3px rgba(224,49,49,.16); }
.sw .band { position: relative; display: block; left: auto; width: 22px; height: 14px; top: auto; bottom: auto; border-radius: 3px; cursor: default; }
.sw .s-lead { height: 4px; }
.sw .s-part { background: rgba(59,91,219,.18); }

/* event log and details */
.lower { display: grid; grid-template-columns: minmax(0, 1.4fr) minmax(380px, 1fr); gap: 18px; align-items: start; }
.log-wrap, .details { background: var(--card); border: 1px solid var(--line); border-radius: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.03); }
.log-head { display: flex; align-items: center; gap: 16px; padding: 10px 14px; border-bottom: 1px solid var(--line); font-size: 12px; color: var(--muted); }
.log-count { font: 12px var(--mono); margin-right: auto; }
.log { position: relative; height: 560px; overflow: auto; padding-bottom: 8px; font: 12px/20px var(--mono); }
.log-rows { position: relative; list-style: none; margin: 0; padding: 0; }
.log-rows li { position: absolute; left: 0; right: 0; height: 20px; display: grid; grid-template-columns: var(--ci, 4ch) var(--ct, 11ch) var(--cn, 3ch) 9ch minmax(0, 1fr); gap: 0 10px; padding: 0 14px; cursor: pointer; border-left: 3px solid transparent; white-space: nowrap; }
.log-rows li:hover { background: var(--soft); }
.log-rows li.sel { background: #e7ecff; border-left-color: var(--accent); }
.log-rows li.viol { background: #fff0f0; border-left-color: var(--halt); }
.log-rows li.viol.sel { background: #ffe0e0; }
.log-rows .i, .log-rows .t { color: var(--muted); text-align: right; }
.log-rows .d { overflow: hidden; text-overflow: ellipsis; }
.tone-insert .v { color: var(--insert); } .tone-advance .v { color: var(--advance); } .tone-noop .v, .tone-kv .v, .tone-raft .v { color: var(--muted); }
.tone-halt .v { color: var(--halt); font-weight: 700; } .tone-fault .v { color: var(--restore); } .tone-recover .v { color: var(--restart); }
.tone-snapshot .v { color: var(--snap); } .tone-leader .v { color: #b07400; } .tone-network .v { color: #b07400; } .tone-workload .v { color: var(--epoch); }
.details { position: sticky; top: 12px; padding: 14px 16px 16px; max-height: calc(100vh - 24px); overflow: auto; }
.details .empty { color: var(--muted); margin: 0; }
.details h3 { display: flex; align-items: baseline; gap: 10px; font-size: 15px; flex-wrap: wrap; }
.d-i { font-family: var(--mono); color: var(--muted); }
.d-verb { font-family: var(--mono); }
.d-node { font-family: var(--mono); background: var(--soft); border-radius: 4px; padding: 0 6px; }
.d-t { font: 12px var(--mono); color: var(--muted); margin-left: auto; }
.d-desc { font: 13px/1.5 var(--mono); margin: 8px 0 10px; overflow-wrap: anywhere; }
.d-viol { background: #fff0f0; border: 1px solid #f3c4c4; border-radius: 8px; padding: 8px 10px; margin: 8px 0; font-size: 13px; }
.d-viol b { font-family: var(--mono); color: #b02525; }
.d-viol p { margin: 4px 0 0; color: #4a5058; }
.d-viol summary { cursor: pointer; color: var(--muted); font-size: 12px; margin-top: 4px; }
.fields { width: 100%; border-collapse: collapse; font: 12px var(--mono); margin-bottom: 12px; }
.fields th { text-align: left; color: var(--muted); font-weight: 400; padding: 2px 10px 2px 0; vertical-align: top; white-space: nowrap; width: 1%; }
.fields td { padding: 2px 0; overflow-wrap: anywhere; }
.details h4 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 14px 0 6px; }
.reg { margin: 0 0 10px; }
.reg-head { display: flex; gap: 8px; align-items: baseline; font-size: 13px; margin-bottom: 3px; }
.reg-head b { font-family: var(--mono); }
.reg-head .note { color: var(--muted); font-size: 12px; }
.reg.this .reg-head b { color: var(--accent); }
.rows { width: 100%; border-collapse: collapse; font: 12px var(--mono); }
.rows th { text-align: left; font-weight: 400; color: var(--muted); border-bottom: 1px solid var(--line); padding: 3px 8px 3px 0; }
.rows td { padding: 3px 8px 3px 0; border-bottom: 1px solid var(--soft); white-space: nowrap; }
.rows tr.written td { background: #ebfbee; }
.rows td.bad { color: #b02525; white-space: normal; }
.norows { color: var(--muted); font-size: 12px; margin: 0; }
.scenario { margin-top: 18px; background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 10px 14px; }
.scenario summary { cursor: pointer; font-weight: 600; }
.scenario pre { margin: 10px 0 0; font-size: 12px; overflow: auto; max-height: 420px; }
#tip { position: fixed; z-index: 100; pointer-events: none; max-width: 560px; background: #1f2328; color: #f1f3f5; font: 12px/1.45 var(--mono); padding: 7px 10px; border-radius: 7px; box-shadow: 0 4px 16px rgba(0,0,0,.18); }
#tip .tip-meta { color: #9aa3ad; display: block; }
@media (max-width: 1000px) { .lower { grid-template-columns: 1fr; } .details { position: static; max-height: none; } }
`;

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('regsim-data').textContent);
  var count = data.events.length;
  var chart = document.getElementById('chart');
  var scroller = document.getElementById('scroller');
  var track = document.getElementById('track');
  var plot = document.getElementById('plot');
  var axis = document.getElementById('axis');
  var cursor = document.getElementById('cursor');
  var details = document.getElementById('details');
  var log = document.getElementById('log');
  var logRows = document.getElementById('log-rows');
  var tip = document.getElementById('tip');
  var zoomLabel = document.getElementById('zoom-level');
  var grid = document.createElement('div');
  grid.className = 'grid';
  plot.insertBefore(grid, plot.firstChild);
  var mode = 'time';
  var zoom = 1;
  var MAX_ZOOM = Math.max(8, count / 2);
  var selected = -1;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmtMs(t) { return t.toFixed(3) + 'ms'; }
  function pos(i) {
    var ev = data.events[i];
    return { xt: (ev.t - data.t0) / data.span * 100, xs: count > 1 ? i / (count - 1) * 100 : 50 };
  }
  function eventNode(i) { var n = data.events[i].node; return typeof n === 'string' ? n : null; }

  // --- axis: ticks about every 90px at a round step, redrawn on zoom and mode change
  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function drawAxis() {
    axis.textContent = '';
    grid.textContent = '';
    var w = plot.clientWidth;
    if (w <= 0) return;
    var seq = mode === 'seq';
    var lo = seq ? 0 : data.t0;
    var span = seq ? Math.max(1, count - 1) : data.span;
    var step = niceStep(span * 90 / w);
    if (seq) step = Math.max(1, Math.round(step));
    var decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
    var first = Math.ceil(lo / step - 1e-9);
    for (var k = 0; k < 5000; k++) {
      var v = (first + k) * step;
      if (v > lo + span + 1e-9) break;
      var x = (v - lo) / span * 100;
      var tick = el('div', 'tick', seq ? '#' + Math.round(v) : v.toFixed(decimals));
      tick.style.left = x + '%';
      axis.appendChild(tick);
      var line = el('div', 'gridline');
      line.style.left = x + '%';
      grid.appendChild(line);
    }
    document.querySelector('.axis-lab').textContent = seq ? 'event' : 'ms';
    declutter();
  }

  // --- labels never overlap: in each row, a label that would cover one placed
  // before it is folded away (violation flags first, then cluster flags, then
  // axis ticks). Rects are read in one pass after the unfolding writes, so the
  // page lays out once per call, and folding moves nothing else.
  function declutter() {
    var rows = [[].concat(
      Array.prototype.slice.call(document.querySelectorAll('.vline span')),
      Array.prototype.slice.call(document.querySelectorAll('.cline span')),
      Array.prototype.slice.call(axis.querySelectorAll('.tick'))
    )];
    document.querySelectorAll('.lane').forEach(function (lane) { rows.push(Array.prototype.slice.call(lane.querySelectorAll('.m-leader'))); });
    rows.forEach(function (els) { els.forEach(function (e) { e.classList.remove('folded'); }); });
    var rects = rows.map(function (els) { return els.map(function (e) { return e.getBoundingClientRect(); }); });
    rows.forEach(function (els, r) {
      var kept = [];
      els.forEach(function (e, k) {
        var b = rects[r][k];
        var hit = kept.some(function (a) { return b.left < a.right + 3 && a.left < b.right + 3 && b.top < a.bottom && a.top < b.bottom; });
        if (hit) e.classList.add('folded');
        else kept.push(b);
      });
    });
  }

  // --- zoom and mode
  function setZoom(z, anchorX) {
    z = Math.min(MAX_ZOOM, Math.max(1, z));
    if (anchorX === undefined) anchorX = scroller.clientWidth / 2;
    var frac = (scroller.scrollLeft + anchorX) / Math.max(1, track.offsetWidth);
    zoom = z;
    // A plain width: a custom property here would restyle every mark below it.
    track.style.width = z * 100 + '%';
    scroller.scrollLeft = frac * track.offsetWidth - anchorX;
    zoomLabel.textContent = (z < 10 ? z.toFixed(1) : Math.round(z)) + '\u00d7';
    drawAxis();
  }
  document.querySelectorAll('[data-zoom]').forEach(function (b) {
    b.addEventListener('click', function () {
      var how = b.getAttribute('data-zoom');
      setZoom(how === 'in' ? zoom * 1.6 : how === 'out' ? zoom / 1.6 : 1);
    });
  });
  scroller.addEventListener('wheel', function (e) {
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    var rect = scroller.getBoundingClientRect();
    setZoom(zoom * Math.exp(-e.deltaY * 0.002), e.clientX - rect.left);
  }, { passive: false });
  document.querySelectorAll('[data-mode]').forEach(function (b) {
    b.addEventListener('click', function () {
      mode = b.getAttribute('data-mode');
      chart.classList.toggle('seq', mode === 'seq');
      document.querySelectorAll('[data-mode]').forEach(function (o) { o.classList.toggle('on', o === b); });
      drawAxis();
      if (selected >= 0) revealInChart(selected);
    });
  });
  // A new width (or a browser taking a full-page screenshot) must not lose the selection from view.
  window.addEventListener('resize', function () { drawAxis(); if (selected >= 0) revealInChart(selected); });

  // --- registry rows at an event: the node's last row-set change at or before it
  function versionAt(node, i) {
    var list = data.changes[node] || [];
    var lo = 0, hi = list.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid][0] <= i) { found = list[mid][1]; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  // --- details pane
  function fieldText(key, value) {
    if (key === 'rows') return value + ' rows (below)';
    if (key === 'result' && value && value.kind === 'halt') return 'halt ' + value.reason + ': ' + value.message;
    if (key === 'result' && value && value.kind === 'registered') return 'registered: ' + value.outcome;
    if (key === 'result' && value && value.kind === 'kv') return 'kv (opcode ' + value.opcode + ')';
    if (key === 'write' && value) return value.keyHex + ' \u2192 ' + value.valueHex + ' (highlighted below)';
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }
  function renderFields(ev) {
    var table = el('table', 'fields');
    Object.keys(ev).forEach(function (key) {
      if (key === 'kind' || key === 't' || key === 'node') return;
      var tr = el('tr');
      tr.appendChild(el('th', null, key));
      tr.appendChild(el('td', null, fieldText(key, ev[key])));
      table.appendChild(tr);
    });
    return table;
  }
  function renderRows(rows, writtenKey) {
    if (rows.length === 0) return el('p', 'norows', 'no rows');
    var table = el('table', 'rows');
    var head = el('tr');
    ['dek', 'slot', 'owner', 'full id', 'first', 'last'].forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(head);
    rows.forEach(function (r) {
      var tr = el('tr', r.keyHex === writtenKey ? 'written' : null);
      if (r.problem) {
        tr.appendChild(el('td', null, r.dekId === undefined ? '?' : r.dekId));
        tr.appendChild(el('td', null, r.slot || '?'));
        var bad = el('td', 'bad', r.problem + ' (value ' + r.valueHex + ')');
        bad.colSpan = 4;
        tr.appendChild(bad);
      } else {
        [r.dekId, r.slot, r.owner || '?', r.fullId, r.first, r.last].forEach(function (v) { tr.appendChild(el('td', null, v)); });
      }
      table.appendChild(tr);
    });
    return table;
  }
  function renderRegistries(i) {
    var own = eventNode(i);
    var ev = data.events[i];
    var order = own !== null && data.nodes.indexOf(own) >= 0 ? [own].concat(data.nodes.filter(function (n) { return n !== own; })) : data.nodes.slice();
    var frag = document.createDocumentFragment();
    frag.appendChild(el('h4', null, 'Registry rows after this event'));
    var seen = [];
    order.forEach(function (node) {
      var v = versionAt(node, i);
      var box = el('div', 'reg' + (node === own ? ' this' : ''));
      box.setAttribute('data-node', node);
      var head = el('div', 'reg-head');
      head.appendChild(el('b', null, node));
      var rows = data.versions[v] || [];
      var twin = seen.filter(function (s) { return s.v === v; })[0];
      var note = (node === own ? 'this event\u2019s node \u00b7 ' : '') + rows.length + (rows.length === 1 ? ' row' : ' rows');
      if (twin) note += ' \u00b7 same as ' + twin.node;
      head.appendChild(el('span', 'note', note));
      box.appendChild(head);
      if (!twin || node === own) box.appendChild(renderRows(rows, node === own && ev.write ? ev.write.keyHex : null));
      seen.push({ node: node, v: v });
      frag.appendChild(box);
    });
    return frag;
  }
  function renderDetails(i) {
    var ev = data.events[i];
    var d = data.desc[i];
    details.textContent = '';
    var h = el('h3');
    h.appendChild(el('span', 'd-i', '#' + i));
    h.appendChild(el('span', 'd-verb tone-' + d[2], d[0]));
    if (eventNode(i) !== null) h.appendChild(el('span', 'd-node', ev.node));
    h.appendChild(el('span', 'd-t', fmtMs(ev.t)));
    details.appendChild(h);
    details.appendChild(el('p', 'd-desc', d[1]));
    data.violations.forEach(function (v) {
      if (v.eventIndex !== i) return;
      var box = el('div', 'd-viol');
      box.appendChild(el('b', null, v.section + ' ' + v.invariant));
      box.appendChild(document.createTextNode(' ' + v.message));
      // Folded here as in the summary above the chart.
      var why = el('details');
      why.appendChild(el('summary', null, 'why it matters'));
      why.appendChild(el('p', null, v.explanation));
      box.appendChild(why);
      details.appendChild(box);
    });
    details.appendChild(renderFields(ev));
    details.appendChild(renderRegistries(i));
  }

  // --- selection
  function revealInChart(i) {
    var p = pos(i);
    var x = (mode === 'seq' ? p.xs : p.xt) / 100 * plot.clientWidth + plot.offsetLeft;
    if (x < scroller.scrollLeft + 20 || x > scroller.scrollLeft + scroller.clientWidth - 20) {
      scroller.scrollLeft = x - scroller.clientWidth / 2;
    }
  }
  function select(i, how) {
    if (!(i >= 0 && i < count)) return;
    selected = i;
    document.querySelectorAll('.sel').forEach(function (e) { e.classList.remove('sel'); });
    document.querySelectorAll('.m[data-i="' + i + '"]').forEach(function (e) { e.classList.add('sel'); });
    var p = pos(i);
    cursor.style.setProperty('--xt', p.xt + '%');
    cursor.style.setProperty('--xs', p.xs + '%');
    cursor.hidden = false;
    renderDetails(i);
    if (how && how.chart) revealInChart(i);
    if (how && how.log) revealInLog(i);
    drawLog(true);
    document.dispatchEvent(new CustomEvent('regsim-select', { detail: i }));
  }
  document.addEventListener('regsim-goto', function (e) { select(e.detail, { chart: true, log: true }); });
  chart.addEventListener('click', function (e) {
    var hit = e.target.closest('[data-i]');
    if (hit) select(Number(hit.getAttribute('data-i')), { log: true });
  });
  logRows.addEventListener('click', function (e) {
    var li = e.target.closest('li[data-i]');
    if (li) select(Number(li.getAttribute('data-i')), { chart: true });
  });
  document.querySelectorAll('.jump[data-i]').forEach(function (b) {
    b.addEventListener('click', function () {
      select(Number(b.getAttribute('data-i')), { chart: true, log: true });
      chart.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    });
  });
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    // Arrow keys belong to text fields; a checkbox has no use for them.
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || (t.tagName === 'INPUT' && t.type !== 'checkbox'))) return;
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    if (shown.length === 0) return;
    // The next event the log shows (filters apply), from the selection or an end.
    var k = lowerBound(selected);
    var next = e.key === 'ArrowRight' ? (shown[k] === selected ? k + 1 : k) : k - 1;
    if (next < 0 || next >= shown.length) return;
    e.preventDefault();
    select(shown[next], { chart: true, log: true });
  });

  // --- hover tooltip
  chart.addEventListener('mouseover', function (e) {
    var hit = e.target.closest('[data-i]');
    if (!hit) { tip.hidden = true; return; }
    var i = Number(hit.getAttribute('data-i'));
    var ev = data.events[i];
    var d = data.desc[i];
    tip.textContent = '';
    tip.appendChild(el('span', 'tip-meta', '#' + i + '  ' + fmtMs(ev.t) + (eventNode(i) !== null ? '  ' + ev.node : '')));
    tip.appendChild(document.createTextNode(d[0] + ' ' + d[1]));
    tip.hidden = false;
  });
  chart.addEventListener('mousemove', function (e) {
    if (tip.hidden) return;
    var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(8, x) + 'px';
    tip.style.top = (e.clientY + 16) + 'px';
  });
  chart.addEventListener('mouseleave', function () { tip.hidden = true; });

  // --- the log: only the rows in view are in the DOM
  var ROW_H = 20;
  var OVERSCAN = 30;
  var shown = [];
  var drawn = '';
  var violating = {};
  data.violations.forEach(function (v) { violating[v.eventIndex] = true; });
  var hidden = { raft: true, nonce: true };
  function isHidden(i) {
    var kind = data.events[i].kind;
    if (violating[i]) return false;
    if (hidden.raft && data.noisy.indexOf(kind) >= 0) return true;
    return hidden.nonce && kind === 'nonce';
  }
  function applyFilter() {
    shown = [];
    for (var i = 0; i < count; i++) if (!isHidden(i)) shown.push(i);
    logRows.style.height = shown.length * ROW_H + 'px';
    // A short log shrinks to fit; a long one scrolls at 560px.
    log.style.height = Math.min(560, shown.length * ROW_H + 8) + 'px';
    document.getElementById('log-count').textContent = shown.length === count ? count + ' events' : shown.length + ' of ' + count + ' events';
    drawLog(true);
  }
  /** Position in shown of the first event >= i. */
  function lowerBound(i) {
    var lo = 0, hi = shown.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (shown[mid] < i) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function logRow(i) {
    var ev = data.events[i];
    var d = data.desc[i];
    var li = el('li', 'k-' + ev.kind + ' tone-' + d[2] + (violating[i] ? ' viol' : '') + (i === selected ? ' sel' : ''));
    li.setAttribute('data-i', String(i));
    li.title = d[0] + ' ' + d[1];
    li.appendChild(el('span', 'i', i));
    li.appendChild(el('span', 't', fmtMs(ev.t)));
    li.appendChild(el('span', 'n', eventNode(i) || ''));
    li.appendChild(el('span', 'v', d[0]));
    li.appendChild(el('span', 'd', d[1]));
    return li;
  }
  function drawLog(force) {
    var from = Math.max(0, Math.floor(log.scrollTop / ROW_H) - OVERSCAN);
    var to = Math.min(shown.length, Math.ceil((log.scrollTop + log.clientHeight) / ROW_H) + OVERSCAN);
    var key = from + ':' + to;
    if (!force && key === drawn) return;
    drawn = key;
    var frag = document.createDocumentFragment();
    for (var k = from; k < to; k++) {
      var li = logRow(shown[k]);
      li.style.top = k * ROW_H + 'px';
      frag.appendChild(li);
    }
    logRows.textContent = '';
    logRows.appendChild(frag);
  }
  function revealInLog(i) {
    var k = lowerBound(i);
    if (shown[k] !== i) return;
    var top = k * ROW_H;
    if (top < log.scrollTop || top + ROW_H > log.scrollTop + log.clientHeight) {
      log.scrollTop = top - log.clientHeight / 2;
    }
  }
  log.addEventListener('scroll', function () { drawLog(false); });
  function filter(id, name) {
    var box = document.getElementById(id);
    box.addEventListener('change', function () {
      hidden[name] = !box.checked;
      applyFilter();
      if (selected >= 0) revealInLog(selected);
    });
  }
  filter('show-raft', 'raft');
  filter('show-nonce', 'nonce');
  applyFilter();

  var copy = document.getElementById('copy-repro');
  if (copy) {
    copy.addEventListener('click', function () {
      var code = document.getElementById('repro-cmd');
      var done = function () { copy.textContent = 'copied'; };
      var selectText = function () {
        var range = document.createRange();
        range.selectNodeContents(code);
        var s = window.getSelection();
        s.removeAllRanges();
        s.addRange(range);
        copy.textContent = 'selected';
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(code.textContent).then(done, selectText);
      } else selectText();
    });
  }

  drawAxis();
  // Open on the first violation: that is what the reader came for.
  var firstBad = data.violations.filter(function (v) { return v.eventIndex >= 0 && v.eventIndex < count; })[0];
  if (firstBad) select(firstBad.eventIndex, { chart: true, log: true });
})();
`;
