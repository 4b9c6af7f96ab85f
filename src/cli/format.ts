// Small text-formatting helpers shared by the verbs.

/** Rows as aligned columns (two spaces apart); `right` names the right-aligned columns. */
export function table(rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const pad = (cell: string, i: number, last: boolean): string => {
    if (right.includes(i)) return cell.padStart(widths[i] ?? 0);
    return last ? cell : cell.padEnd(widths[i] ?? 0);
  };
  const line = (row: readonly string[]): string => row.map((cell, i) => pad(cell, i, i === row.length - 1)).join('  ');
  return rows.map((row) => `${line(row)}\n`).join('');
}

/** Milliseconds as seconds with one decimal ("12.3 s"), or minutes past an hour of seconds. */
export function seconds(ms: number): string {
  return ms >= 3_600_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Whether stdout takes ANSI colours. */
export const colorOut = (): boolean => process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
