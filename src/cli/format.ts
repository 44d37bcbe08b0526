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

/**
 * One CSV record (RFC 4180 quoting). Cells that a spreadsheet would run as a formula get a leading quote
 * (`'=...`), because audit fields are attacker-controlled (file names, user agents).
 *
 * @example csvRow(['a', 'b,c', '=cmd']) // 'a,"b,c",\'=cmd\r\n'
 */
export function csvRow(cells: Array<string | number | null | undefined>): string {
  return cells
    .map((c) => {
      let s = c === null || c === undefined ? '' : String(c);
      if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',') + '\r\n';
}
