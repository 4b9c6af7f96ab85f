// The violation shape the report tools read. It is structurally the oracle's
// Violation (src/model/oracle.ts), declared here so the report does not depend
// on the oracle's module graph: anything with these fields can be rendered.

export interface ReportViolation {
  /** Stable invariant name, e.g. "no-silent-rollback". */
  invariant: string;
  /** Spec section, e.g. "§7.2". */
  section: string;
  /** Position of the offending event in the trace (0-based). */
  eventIndex: number;
  node?: string;
  /** One line: what happened. */
  message: string;
  /** A paragraph: why it matters. */
  explanation: string;
  kind: 'safety' | 'liveness';
}

/** Violations grouped by the event they point at, keeping their order. */
export function violationsByEvent(violations: readonly ReportViolation[]): Map<number, ReportViolation[]> {
  const out = new Map<number, ReportViolation[]>();
  for (const v of violations) {
    const list = out.get(v.eventIndex);
    if (list) list.push(v);
    else out.set(v.eventIndex, [v]);
  }
  return out;
}

/** "[§7.2 no-silent-rollback] n2: message" */
export function violationHeadline(v: ReportViolation): string {
  return `[${v.section} ${v.invariant}]${v.node !== undefined ? ` ${v.node}:` : ''} ${v.message}`;
}
