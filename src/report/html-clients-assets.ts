// The clients band's stylesheet and script (see html-clients.ts), inlined
// after the page's own (html-assets.ts), under the same rules: plain ES2017
// in a string, no backticks or template placeholders. The script talks to
// the page's through two DOM events: `regsim-select` (detail: the selected
// event) after each selection, and `regsim-goto` to ask for one.

export const CLIENTS_STYLE = String.raw`
:root { --dup: #e8590c; }
.clients { position: relative; border-bottom: 1px solid var(--line); background: #fbfbf9; }
.cli-lab { align-items: flex-start; padding-top: 3px; flex-direction: column; gap: 0; justify-content: flex-start; }
.cli-lab .slot { line-height: 1.2; }
.abar { position: absolute; left: var(--xt); width: var(--wt); min-width: 3px; height: 11px; border-radius: 3px; font: 600 9px/9px var(--mono); padding: 0 3px; overflow: hidden; white-space: nowrap; cursor: pointer; z-index: 2; }
.seq .abar { left: var(--xs); width: var(--ws); }
.abar { container-type: inline-size; }
.abar span { pointer-events: none; }
/* A label shows whole or not at all: a bar too short for one stays a bar. */
@container (max-width: 30px) { .abar span { display: none; } }
.a-ok { background: #d3f9d8; border: 1px solid #8ce99a; border-right: 3px solid var(--insert); color: #1b6e2c; }
.a-dup { background: #ffe8cc; border: 1px solid #ffa94d; border-right: 3px solid var(--dup); color: #a6400c; }
.a-lost { background: repeating-linear-gradient(135deg, #f1f3f5 0 3px, #fff 3px 6px); border: 1px dashed #adb5bd; color: var(--muted); }
.a-unknown { background: #fff; border: 1px dotted #adb5bd; color: var(--muted); }
.a-probe { opacity: .4; height: 7px; margin-top: 2px; font-size: 0; }
.abar.hl, .abar.twin { box-shadow: 0 0 0 2px var(--dup); z-index: 4; opacity: 1; }
.abar.sel { box-shadow: 0 0 0 2px var(--accent); z-index: 5; opacity: 1; }
.alinks { position: absolute; left: 0; top: 0; width: 100%; height: 100%; overflow: visible; pointer-events: none; z-index: 3; }
.alinks path { fill: none; stroke: var(--dup); stroke-width: 2px; vector-effect: non-scaling-stroke; stroke-dasharray: 5 2; }
.alinks .l-s, .seq .alinks .l-t { display: none; }
.seq .alinks .l-s { display: inline; }
.m.hl::after, .m.twin::after { content: ""; position: absolute; inset: -5px; border: 2px solid var(--dup); border-radius: 50%; }
.m.sel::after { border-color: var(--accent); }
.sw .abar { position: relative; left: auto; top: auto; width: 22px; cursor: default; }
.sw .a-probe { margin-top: 0; }
.d-att { border-radius: 8px; padding: 8px 10px; margin: 8px 0; font-size: 13px; background: var(--soft); border: 1px solid var(--line); }
.d-att.a-dup { background: #fff4e6; border-color: #ffc078; }
.d-att b { font-family: var(--mono); }
.d-att button { margin: 6px 6px 0 0; background: var(--card); border: 1px solid #ffc078; border-radius: 6px; padding: 2px 9px; font: 12px var(--mono); cursor: pointer; }
.d-att button:hover { border-color: var(--dup); color: var(--dup); }
`;

export const CLIENTS_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('regsim-data').textContent);
  var chart = document.getElementById('chart');
  var tip = document.getElementById('tip');
  if (!chart || !document.querySelector('.clients')) return;
  // [propose event, note, twins' propose events, a duplicate's applies at its index]
  var byEvent = {};
  var byApply = {};
  data.attempts.forEach(function (a) {
    byEvent[a[0]] = a;
    a[3].forEach(function (e) { byApply[e] = a; });
  });

  /** An attempt, its twins, and every apply of their entry: what lights up together. */
  function light(a, cls, on) {
    [a].concat(a[2].map(function (e) { return byEvent[e]; })).forEach(function (g) {
      document.querySelectorAll('.abar[data-i="' + g[0] + '"]').forEach(function (b) { b.classList.toggle(cls, on); });
      g[3].forEach(function (e) {
        document.querySelectorAll('.m[data-i="' + e + '"]').forEach(function (m) { m.classList.toggle(cls, on); });
      });
    });
  }
  function attemptOf(target) {
    var bar = target.closest ? target.closest('.abar') : null;
    return bar ? byEvent[bar.getAttribute('data-i')] : undefined;
  }
  function goButton(e) {
    var go = document.createElement('button');
    go.type = 'button';
    go.setAttribute('data-i', String(e));
    go.textContent = '\u2192 ' + data.events[e].requestId;
    go.addEventListener('click', function () {
      document.dispatchEvent(new CustomEvent('regsim-goto', { detail: e }));
    });
    return go;
  }

  // Hovering a bar lights up its twins and where they were applied; the page's tooltip gets the outcome.
  var hovered;
  chart.addEventListener('mouseover', function (e) {
    var a = attemptOf(e.target);
    if (a !== hovered) {
      if (hovered) light(hovered, 'hl', false);
      if (a) light(a, 'hl', true);
      hovered = a;
    }
    if (!a) return;
    var line = document.createElement('span');
    line.className = 'tip-meta';
    line.textContent = a[1];
    tip.appendChild(line);
  });
  chart.addEventListener('mouseleave', function () {
    if (hovered) light(hovered, 'hl', false);
    hovered = undefined;
  });

  // Selecting an attempt, or an apply of a duplicated entry, keeps the group
  // lit and says in the details what became of the attempt.
  var held;
  document.addEventListener('regsim-select', function (e) {
    if (held) light(held, 'twin', false);
    var own = byEvent[e.detail];
    held = own || byApply[e.detail];
    if (!held) return;
    light(held, 'twin', true);
    if (own) document.querySelectorAll('.abar[data-i="' + e.detail + '"]').forEach(function (b) { b.classList.add('sel'); });
    var dup = held[2].length > 0;
    var box = document.createElement('div');
    box.className = 'd-att' + (dup ? ' a-dup' : '');
    var head = document.createElement('b');
    head.textContent = (dup ? 'duplicate commit' : 'client attempt') + (own ? ' ' : ' of ' + data.events[held[0]].requestId + ': ');
    box.appendChild(head);
    box.appendChild(document.createTextNode(held[1]));
    var buttons = document.createElement('div');
    (own ? [] : [held[0]]).concat(held[2]).forEach(function (t) { buttons.appendChild(goButton(t)); });
    box.appendChild(buttons);
    var desc = document.querySelector('#details .d-desc');
    if (desc) desc.parentNode.insertBefore(box, desc.nextSibling);
  });
})();
`;
