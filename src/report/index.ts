// The run-reading tools: a text timeline for terminals and logs, and a
// self-contained HTML report for browsers. Both read a trace and, optionally,
// the oracle's violations; neither judges anything itself.
export { renderTimeline, NOISY_KINDS } from './timeline.ts';
export type { TimelineOptions, KindFilter } from './timeline.ts';
export { renderHtmlReport } from './html.ts';
export type { HtmlReportMeta } from './html.ts';
export { describeEvent, describeEntry, nodeNames, traceNodes, formatMs } from './describe.ts';
export type { EventDescription, Tone } from './describe.ts';
export { replayRows, rowsAt, versionAt, decodeRow } from './rows.ts';
export type { RowHistory, DecodedRow } from './rows.ts';
export type { ReportViolation } from './violation.ts';
