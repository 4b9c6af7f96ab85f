// How a run is shown on a terminal: its violations, one line each, the
// explanation of the one it is judged by, then the timeline (whole, or a
// window around that violation's event) with every violation marked.
import { formatViolation } from '../model/oracle.ts';
import { renderTimeline } from '../report/index.ts';
import type { RunResult } from '../scenario/index.ts';
import { headline } from '../explore/index.ts';

/** Lines of timeline shown on each side of the violating event. */
const WINDOW = 12;
const WIDTH = 100;

export function showRun(result: RunResult, options: { color: boolean; fullTimeline?: boolean }): string {
  const top = headline(result);
  const parts = [result.violations.map((v) => `${formatViolation(v)}\n`).join('')];
  if (top) parts.push(wrap(top.explanation));
  if (options.fullTimeline || top) {
    const window = options.fullTimeline ? {} : { around: top?.eventIndex, context: WINDOW };
    parts.push(renderTimeline(result.trace, result.violations, { color: options.color, ...window }));
  }
  return parts.filter((p) => p !== '').join('\n');
}

function wrap(text: string): string {
  let out = '';
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > WIDTH) {
      out += `${line}\n`;
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? out : `${out}${line}\n`;
}
