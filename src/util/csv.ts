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
