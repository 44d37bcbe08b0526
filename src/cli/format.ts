/**
 * Render rows as an aligned text table (for terminals). Cells are cut to `maxWidth` characters and control
 * characters are replaced, so hostile field values cannot move the cursor or forge lines.
 *
 * @example
 * renderTable(['time', 'action'], [['2024-01-01T00:00:00Z', 'user_login']])
 */
export function renderTable(headers: string[], rows: string[][], maxWidth = 48): string {
  const clean = (s: string) => {
    const t = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
    return t.length > maxWidth ? `${t.slice(0, maxWidth - 1)}…` : t;
  };
  const cells = [headers, ...rows].map((r) => r.map(clean));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export { csvRow } from '../util/csv.ts';
