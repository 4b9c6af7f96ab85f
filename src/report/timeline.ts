// The text timeline of a run, in the spirit of TigerBeetle's VOPR log: one
// line per event with the event index, virtual time and node in aligned
// columns, then a verb and a short description. Events a violation points at
// carry a `>>` gutter and the violation underneath. Raft bookkeeping (append,
// commit) is hidden unless asked for; a window around one event keeps long
// traces readable. The output is a pure function of its inputs.
import type { TraceEvent, TraceEventKind } from '../trace/types.ts';
import { describeEvent, formatMs, nodeNames, traceNodes } from './describe.ts';
import type { EventDescription, Tone } from './describe.ts';
import { violationHeadline, violationsByEvent } from './violation.ts';
import type { ReportViolation } from './violation.ts';

/** Kinds the timeline leaves out by default: one line per node per entry, twice. */
export const NOISY_KINDS: readonly TraceEventKind[] = ['append', 'commit'];

export type KindFilter = 'default' | 'all' | readonly string[] | ((kind: string) => boolean);

export interface TimelineOptions {
  /** ANSI colours (default false: plain text). */
  color?: boolean;
  /** Which kinds to show: 'default' hides NOISY_KINDS, 'all' shows everything, or a list or predicate. */
  kinds?: KindFilter;
  /** Show only a window of lines around this event index (it is always shown). */
  around?: number;
  /** Lines shown on each side of `around` (default 20). */
  context?: number;
  /** Print each violation's explanation paragraph under its message (default false). */
  explain?: boolean;
}

const GUTTER_MARK = '>> ';
const GUTTER_NONE = '   ';
/** The verb column: the longest verbs ("snapshot", "register") plus one space. */
const VERB_WIDTH = 8;
const CLUSTER = '*';
const WRAP = 100;

export function renderTimeline(
  trace: readonly TraceEvent[],
  violations: readonly ReportViolation[] = [],
  options: TimelineOptions = {},
): string {
  const paint = painter(options.color === true);
  const byEvent = violationsByEvent(violations);
  const shown = selectEvents(trace, byEvent, options);
  const names = nodeNames(trace);

  const nodeWidth = Math.max(CLUSTER.length, ...traceNodes(trace).map((n) => n.length));
  // Widths come from the whole trace, so an event reads the same in any window.
  const indexWidth = String(Math.max(0, trace.length - 1)).length;
  const timeWidth = trace.reduce((w, ev) => Math.max(w, formatMs(ev.t).length), 1);
  // Where the description starts: violation notes are indented to it.
  const descColumn = GUTTER_NONE.length + indexWidth + 2 + timeWidth + 2 + nodeWidth + 2;

  const lines: string[] = [];
  if (shown.before > 0) lines.push(paint('dim', `${GUTTER_NONE}… ${plural(shown.before, 'line')} before`));
  for (const i of shown.indices) {
    const ev = trace[i];
    if (!ev) continue;
    const marked = byEvent.get(i);
    const node = 'node' in ev && typeof ev.node === 'string' ? ev.node : CLUSTER;
    const columns = [
      String(i).padStart(indexWidth),
      formatMs(ev.t).padStart(timeWidth),
      node.padEnd(nodeWidth),
      describeLine(describeEvent(ev, names), paint),
    ].join('  ');
    lines.push(marked ? paint('mark', GUTTER_MARK) + columns : GUTTER_NONE + columns);
    for (const v of marked ?? []) lines.push(...violationLines(v, descColumn, options.explain === true, paint));
  }
  if (shown.after > 0) lines.push(paint('dim', `${GUTTER_NONE}… ${plural(shown.after, 'line')} after`));
  lines.push(...strayViolations(trace, violations, new Set(shown.indices), paint));
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** The event indices to print, plus how many filtered lines the window cut off on each side. */
function selectEvents(
  trace: readonly TraceEvent[],
  byEvent: ReadonlyMap<number, unknown>,
  options: TimelineOptions,
): { indices: number[]; before: number; after: number } {
  const keep = kindPredicate(options.kinds ?? 'default');
  const around = options.around;
  if (around !== undefined && (!Number.isInteger(around) || around < 0 || around >= trace.length)) {
    throw new RangeError(`around: no event #${around} (the trace has ${trace.length} events)`);
  }
  // A violating event, and the anchor of a window, are shown whatever the filter says.
  const indices: number[] = [];
  trace.forEach((ev, i) => {
    if (keep(ev.kind) || byEvent.has(i) || i === around) indices.push(i);
  });
  if (around === undefined) return { indices, before: 0, after: 0 };
  const context = Math.max(0, options.context ?? 20);
  const at = indices.indexOf(around);
  const from = Math.max(0, at - context);
  const to = Math.min(indices.length, at + context + 1);
  return { indices: indices.slice(from, to), before: from, after: indices.length - to };
}

function kindPredicate(filter: KindFilter): (kind: string) => boolean {
  if (filter === 'all') return () => true;
  if (filter === 'default') return (kind) => !(NOISY_KINDS as readonly string[]).includes(kind);
  if (typeof filter === 'function') return filter;
  const allowed = new Set(filter);
  return (kind) => allowed.has(kind);
}

function describeLine(d: EventDescription, paint: Paint): string {
  const verb = d.verb.length >= VERB_WIDTH ? `${d.verb} ` : d.verb.padEnd(VERB_WIDTH + 1);
  return paint(d.tone, verb) + d.text;
}

function violationLines(v: ReportViolation, indent: number, explain: boolean, paint: Paint): string[] {
  const pad = ' '.repeat(indent);
  const out = [paint('mark', `${pad}^ ${v.kind === 'safety' ? 'SAFETY' : 'LIVENESS'} ${violationHeadline(v)}`)];
  if (explain) for (const line of wrap(v.explanation, Math.max(40, WRAP - indent - 2))) out.push(paint('dim', `${pad}  ${line}`));
  return out;
}

/** Violations whose event is not printed: outside the window, or not an event of this trace. */
function strayViolations(
  trace: readonly TraceEvent[],
  violations: readonly ReportViolation[],
  printed: ReadonlySet<number>,
  paint: Paint,
): string[] {
  const stray = violations.filter((v) => !printed.has(v.eventIndex));
  if (stray.length === 0) return [];
  return stray.map((v) => {
    const where = v.eventIndex >= 0 && v.eventIndex < trace.length ? `event #${v.eventIndex} (not shown)` : `event #${v.eventIndex} (not in this trace)`;
    return paint('mark', `${GUTTER_MARK}${where}: ${violationHeadline(v)}`);
  });
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

// --- colour ----------------------------------------------------------------

type Paint = (style: Tone | 'mark' | 'dim', text: string) => string;

const ANSI: Record<Tone | 'mark' | 'dim', string> = {
  insert: '32', // green
  advance: '36', // cyan
  noop: '2', // dim
  kv: '2',
  halt: '1;31', // bold red
  fault: '33', // yellow
  recover: '32',
  snapshot: '34', // blue
  leader: '1;35', // bold magenta
  network: '33',
  workload: '0',
  raft: '2',
  frame: '1',
  mark: '1;31',
  dim: '2',
};

function painter(color: boolean): Paint {
  if (!color) return (_style, text) => text;
  return (style, text) => (ANSI[style] === '0' ? text : `\u001b[${ANSI[style]}m${text}\u001b[0m`);
}
