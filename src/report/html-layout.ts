// Where things go on the HTML report's lanes. Every mark and band has two
// horizontal positions, both in percent of the plot: by virtual time (`xt`)
// and by event order (`xs`); the page switches between them with a CSS class,
// and zoom only widens the plot, so the layout is computed once, here.
import type { TraceEvent } from '../trace/types.ts';
import type { Tone } from './describe.ts';

/** A horizontal position under both axes, in percent. */
export interface Pos {
  xt: number;
  xs: number;
}

export interface Scale {
  t0: number;
  span: number;
  count: number;
  at(i: number): Pos;
}

export function scaleOf(trace: readonly TraceEvent[]): Scale {
  // A loop, not Math.min(...times): spreading a long trace overflows the call stack.
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const ev of trace) {
    if (!Number.isFinite(ev.t)) continue;
    t0 = Math.min(t0, ev.t);
    t1 = Math.max(t1, ev.t);
  }
  if (t0 === Infinity) t0 = t1 = 0;
  // A run where everything happens at one instant still needs a non-zero span.
  const span = t1 > t0 ? t1 - t0 : 1;
  const count = trace.length;
  return {
    t0,
    span,
    count,
    at(i: number): Pos {
      const t = trace[i]?.t ?? t0;
      return {
        xt: round(((Number.isFinite(t) ? t - t0 : 0) / span) * 100),
        xs: round(count > 1 ? (i / (count - 1)) * 100 : 50),
      };
    },
  };
}

/** `left`/`width` under both axes, as CSS custom properties the stylesheet picks from. */
export function posStyle(p: Pos, end?: Pos): string {
  const base = `--xt:${p.xt}%;--xs:${p.xs}%`;
  if (!end) return base;
  return `${base};--wt:${Math.max(0, round(end.xt - p.xt))}%;--ws:${Math.max(0, round(end.xs - p.xs))}%`;
}

/** Four decimals: enough for a 10,000x zoom, short in the page, and deterministic. */
const round = (x: number): number => Math.round(x * 10_000) / 10_000;

/** A point mark on a node's lane. */
export interface Mark {
  event: number;
  node: string;
  cls: string;
  /** Text inside the mark (a leader's term). */
  label?: string;
}

/** A stretch of a lane (down, halted, leading, partitioned) or of the network row. */
export interface Band {
  node: string | null;
  from: number;
  to: number;
  cls: string;
  label?: string;
}

/** Which mark an event gets on its lane; undefined for events the lanes leave to the log. */
export function markClass(ev: TraceEvent, tone: Tone): string | undefined {
  switch (ev.kind) {
    case 'apply':
      return `m-${tone}`;
    case 'halt':
      return 'm-stop';
    case 'crash':
      return 'm-crash';
    case 'restart':
      return 'm-restart';
    case 'snapshot-take':
      return 'm-snap';
    case 'snapshot-install':
    case 'snapshot-persist':
      return 'm-install';
    case 'restore':
      return 'm-restore';
    case 'backup':
      return 'm-backup';
    case 'became-leader':
      return 'm-leader';
    case 'guard-refused':
      return 'm-refused';
    case 'truncate':
      return 'm-truncate';
    case 'epoch-bump':
      return 'm-epoch';
    default:
      return undefined;
  }
}

export function laneMarks(trace: readonly TraceEvent[], tones: readonly Tone[], lanes: ReadonlySet<string>): Mark[] {
  const marks: Mark[] = [];
  trace.forEach((ev, i) => {
    if (!('node' in ev) || typeof ev.node !== 'string' || !lanes.has(ev.node)) return;
    const cls = markClass(ev, tones[i] ?? 'frame');
    if (cls === undefined) return;
    const mark: Mark = { event: i, node: ev.node, cls };
    if (ev.kind === 'became-leader') mark.label = `T${ev.term}`;
    marks.push(mark);
  });
  return marks;
}

/**
 * The stretches each process is not running: `down` from a crash (or a
 * restore of a running node), `halted` from a halt, `refused` from a start-up
 * guard refusal; each ends at the node's next restart or at the trace's end.
 */
export function processBands(trace: readonly TraceEvent[]): Band[] {
  const bands: Band[] = [];
  const open = new Map<string, { from: number; cls: string }>();
  const close = (node: string, to: number): void => {
    const o = open.get(node);
    if (o) bands.push({ node, from: o.from, to, cls: o.cls });
    open.delete(node);
  };
  const start = (node: string, from: number, cls: string): void => {
    close(node, from);
    open.set(node, { from, cls });
  };
  trace.forEach((ev, i) => {
    switch (ev.kind) {
      case 'crash':
        if (!open.has(ev.node)) start(ev.node, i, 's-down');
        return;
      case 'restore':
        if (!open.has(ev.node)) start(ev.node, i, 's-down');
        return;
      case 'halt':
        start(ev.node, i, 's-halted');
        return;
      case 'guard-refused':
        start(ev.node, i, 's-refused');
        return;
      case 'restart':
        close(ev.node, i);
        return;
      default:
        return;
    }
  });
  for (const node of [...open.keys()]) close(node, trace.length - 1);
  return bands;
}

/** Who leads: from became-leader until a higher term elects someone, or the leader goes down. */
export function leaderBands(trace: readonly TraceEvent[]): Band[] {
  const bands: Band[] = [];
  let current: { node: string; term: number; from: number } | undefined;
  const close = (to: number): void => {
    if (current) bands.push({ node: current.node, from: current.from, to, cls: 's-lead', label: `T${current.term}` });
    current = undefined;
  };
  trace.forEach((ev, i) => {
    if (ev.kind === 'became-leader') {
      close(i);
      current = { node: ev.node, term: ev.term, from: i };
    } else if ((ev.kind === 'crash' || ev.kind === 'halt' || ev.kind === 'restore') && current?.node === ev.node) {
      close(i);
    }
  });
  close(trace.length - 1);
  return bands;
}

interface NetState {
  groups: string[][];
  oneWays: { from: string; to: string }[];
}

/**
 * The network's shape over time: one band on the network row per state, and
 * per lane a tint naming the node's side (g0, g1, ...) or its one-way cut.
 */
export function networkBands(trace: readonly TraceEvent[], lanes: readonly string[]): Band[] {
  const bands: Band[] = [];
  let state: NetState | undefined;
  let from = 0;
  const close = (to: number): void => {
    if (state) bands.push(...netStateBands(state, from, to, lanes));
    state = undefined;
  };
  trace.forEach((ev, i) => {
    if (ev.kind === 'heal') close(i);
    if (ev.kind !== 'partition') return;
    const previous: NetState = state ?? { groups: [], oneWays: [] };
    close(i);
    // The simulator records a one-way cut with every node in one group: it adds to the current shape.
    state = ev.oneWay
      ? { groups: previous.groups, oneWays: [...previous.oneWays, ev.oneWay] }
      : { groups: ev.groups.map((g) => [...g]), oneWays: previous.oneWays };
    from = i;
  });
  close(trace.length - 1);
  return bands;
}

function netStateBands(state: NetState, from: number, to: number, lanes: readonly string[]): Band[] {
  const split = state.groups.length > 1;
  const parts: string[] = [];
  if (split) parts.push(state.groups.map((g) => `{${g.join(',')}}`).join(' | '));
  for (const ow of state.oneWays) parts.push(`${ow.from} ↛ ${ow.to}`);
  const out: Band[] = [{ node: null, from, to, cls: 's-net', label: parts.join('  ·  ') }];
  for (const node of lanes) {
    const g = state.groups.findIndex((group) => group.includes(node));
    // Nodes no group lists form one more group (the simulator's rule).
    const group = g >= 0 ? g : state.groups.length;
    const cut = state.oneWays.some((ow) => ow.from === node || ow.to === node);
    if (split) out.push({ node, from, to, cls: `s-part g${group % 4}` });
    if (cut) out.push({ node, from, to, cls: 's-oneway' });
  }
  return out;
}

/** Node-less moments worth a line across the chart: the end of faults, DEK rotations. */
export function clusterMarks(trace: readonly TraceEvent[]): { event: number; label: string; cls: string }[] {
  const out: { event: number; label: string; cls: string }[] = [];
  trace.forEach((ev, i) => {
    if (ev.kind === 'faults-end') out.push({ event: i, label: 'faults end', cls: 'c-calm' });
    if (ev.kind === 'rotate-dek') out.push({ event: i, label: `rotate → dek ${ev.dekId}`, cls: 'c-rotate' });
  });
  return out;
}

/** A horizontal stretch under both axes. */
export interface Span {
  from: Pos;
  to: Pos;
}

/**
 * A row for each stretch, the first one free under both axes (with a gap in
 * percent), so no two bars of a row touch at any zoom: zoom only widens the plot.
 * Stretches must come in order of their start under both axes (trace order).
 */
export function packRows(spans: readonly Span[], gap: number): number[] {
  const ends: Pos[] = [];
  return spans.map(({ from, to }) => {
    let row = ends.findIndex((end) => end.xt + gap <= from.xt && end.xs + gap <= from.xs);
    if (row < 0) row = ends.push(to) - 1;
    else ends[row] = to;
    return row;
  });
}
