// The clients band of the HTML report: one bar per client attempt, from its
// proposal to its outcome (attempts.ts), packed into rows so bars never
// overlap, with an arc between the commits of a request that took effect
// twice. The liveness probe gets rows of its own at the bottom, drawn faint.
import type { TraceEvent } from '../trace/types.ts';
import { attemptNote, clientAttempts } from './attempts.ts';
import type { ClientAttempt } from './attempts.ts';
import { esc } from './html-escape.ts';
import { packRows, posStyle } from './html-layout.ts';
import type { Scale } from './html-layout.ts';

/** Row pitch in px; a bar is ROW_H - 4 tall. */
const ROW_H = 15;
/** Percent of the plot kept free between two bars of a row. */
const ROW_GAP = 0.5;

const OUTCOME_CLASS: Record<ClientAttempt['outcome'], string> = {
  committed: 'a-ok',
  duplicate: 'a-dup',
  lost: 'a-lost',
  unknown: 'a-unknown',
};

export interface ClientsBand {
  /** The band's label, for the label column. */
  label: string;
  /** The band itself, for the plot. */
  row: string;
  /** For the page's script: per attempt [propose event, note, twins' propose events, a duplicate's applies at its index]. */
  data: [number, string, number[], number[]][];
}

export function clientsBand(trace: readonly TraceEvent[], scale: Scale): ClientsBand | undefined {
  const attempts = clientAttempts(trace);
  if (attempts.length === 0) return undefined;
  const rows = rowsOf(attempts, scale);
  const height = bandHeight(rows);
  const bars = attempts.map((a, k) => {
    const cls = `abar ${OUTCOME_CLASS[a.outcome]}${a.probe ? ' a-probe' : ''}`;
    const top = (rows[k] ?? 0) * ROW_H + 4;
    return `<div class="${cls}" data-i="${a.event}" style="${posStyle(scale.at(a.event), scale.at(a.end))};top:${top}px"><span>${esc(a.requestId)}</span></div>`;
  });
  const applies = appliesByIndex(trace);
  const data = attempts.map((a): [number, string, number[], number[]] => [
    a.event,
    attemptNote(a, attempts, trace),
    a.twins.map((t) => attempts[t]?.event ?? -1),
    a.outcome === 'duplicate' ? (applies.get(`${a.index}|${a.entryHex}`) ?? []) : [],
  ]);
  const shown = attempts.filter((a) => !a.probe).length;
  return {
    label: `<div class="lab cli-lab" style="height:${height}px"><span class="node-name">clients</span><span class="slot">${shown} attempt${shown === 1 ? '' : 's'}</span></div>`,
    row: `<div class="clients" style="height:${height}px">${bars.join('')}${links(attempts, rows, scale, height)}</div>`,
    data,
  };
}

/** Rows used (a loop: spreading a long list overflows the call stack). */
function rowCount(rows: readonly number[]): number {
  let n = 0;
  for (const r of rows) n = Math.max(n, r + 1);
  return n;
}

const bandHeight = (rows: readonly number[]): number => rowCount(rows) * ROW_H + 4;

/** Client attempts first, then the probe's in rows below them. */
function rowsOf(attempts: readonly ClientAttempt[], scale: Scale): number[] {
  const span = (a: ClientAttempt) => ({ from: scale.at(a.event), to: scale.at(a.end) });
  const clients = attempts.filter((a) => !a.probe);
  const probes = attempts.filter((a) => a.probe);
  const clientRows = packRows(clients.map(span), ROW_GAP);
  const below = rowCount(clientRows);
  const probeRows = packRows(probes.map(span), ROW_GAP).map((r) => r + below);
  const rowOf = new Map<ClientAttempt, number>();
  clients.forEach((a, k) => rowOf.set(a, clientRows[k] ?? 0));
  probes.forEach((a, k) => rowOf.set(a, probeRows[k] ?? 0));
  return attempts.map((a) => rowOf.get(a) ?? 0);
}

/** Apply events by `index|entryHex`. */
function appliesByIndex(trace: readonly TraceEvent[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  trace.forEach((ev, i) => {
    if (ev.kind !== 'apply') return;
    const key = `${ev.index}|${ev.entryHex}`;
    const list = out.get(key) ?? [];
    list.push(i);
    out.set(key, list);
  });
  return out;
}

/**
 * An arc from each duplicate's commit to the next one of its request, one
 * path per axis. The SVG's x runs 0..100 like the percent positions; y is in
 * px, so the band's height is its view box height.
 */
function links(attempts: readonly ClientAttempt[], rows: readonly number[], scale: Scale, height: number): string {
  const paths: string[] = [];
  attempts.forEach((a, k) => {
    const next = a.twins.find((t) => t > k);
    const b = next !== undefined ? attempts[next] : undefined;
    if (a.commit === undefined || b?.commit === undefined || next === undefined) return;
    const ya = (rows[k] ?? 0) * ROW_H + ROW_H / 2 + 2;
    const yb = (rows[next] ?? 0) * ROW_H + ROW_H / 2 + 2;
    const lift = Math.max(1, Math.min(ya, yb) - ROW_H);
    const from = scale.at(a.commit);
    const to = scale.at(b.commit);
    const d = (x1: number, x2: number): string => `M${x1} ${ya}C${x1} ${lift} ${x2} ${lift} ${x2} ${yb}`;
    paths.push(`<path class="l-t" d="${d(from.xt, to.xt)}"/><path class="l-s" d="${d(from.xs, to.xs)}"/>`);
  });
  if (paths.length === 0) return '';
  return `<svg class="alinks" viewBox="0 0 100 ${height}" preserveAspectRatio="none" aria-hidden="true">${paths.join('')}</svg>`;
}
