/** The summary table of the reliability figures (no vitest import: the global setup prints it). */

export interface Figure {
  area: string;
  backend: string;
  name: string;
  value: string | number;
  unit?: string;
}

/**
 * The summary table, one row per figure, columns padded.
 *
 * @example
 * summaryTable([{ area: 'load', backend: 'sqlite', name: 'p99', value: 12, unit: 'ms' }]);
 */
export function summaryTable(figures: Figure[]): string {
  const rows = [['area', 'backend', 'figure', 'value'], ...figures.map((f) => [f.area, f.backend, f.name, `${f.value}${f.unit ? ` ${f.unit}` : ''}`])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
