// The app's plain data table (`table.grid`): an optional header row of column titles, then the rows.
import type { ReactNode } from 'react';

/**
 * A `grid` table; `columns` (when given) make its header row, `children` are its body rows.
 *
 * @example
 * <GridTable columns={['IP', 'Trust']} testId="user-ips">
 *   {ips.map((ip) => <tr key={ip.ip}>…</tr>)}
 * </GridTable>
 */
export function GridTable({ columns, testId, children }: { columns?: readonly string[]; testId?: string; children: ReactNode }) {
  return (
    <table className="grid" data-testid={testId}>
      {columns && (
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i}>{c}</th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>{children}</tbody>
    </table>
  );
}
