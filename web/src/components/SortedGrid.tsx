// A `grid` table with a header row whose columns sort the rows it holds, in the browser. For a paged list that is
// the current page only: `pageNote` says so under the table.
import { useMemo, useState, type ReactNode } from 'react';
import { nextSort, sortRows, type SortState, type SortValue } from '../sort.ts';

export interface SortColumn<T> {
  label: string;
  /** The value the column sorts by; a column without one does not sort. */
  value?: (row: T) => SortValue;
}

/**
 * The sort state of a table and its click handler.
 *
 * @example const { sort, toggle } = useSort(); <SortTh label="Time" k="ts" sort={sort} onSort={toggle} />
 */
export function useSort(initial: SortState | null = null) {
  const [sort, setSort] = useState<SortState | null>(initial);
  return { sort, toggle: (key: string) => setSort((cur) => nextSort(cur, key)) };
}

/**
 * A header cell that sorts by `k` when clicked (a button, so the keyboard reaches it); `aria-sort` says the order.
 *
 * @example <SortTh label="User" k="user" sort={sort} onSort={toggle} />
 */
export function SortTh({ label, k, sort, onSort }: { label: string; k: string; sort: SortState | null; onSort: (k: string) => void }) {
  const on = sort?.key === k;
  return (
    <th aria-sort={on ? (sort!.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-th" onClick={() => onSort(k)} title={`sort by ${label}`}>
        {label}
        <span className="sort-mark" aria-hidden="true">{on ? (sort!.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
      </button>
    </th>
  );
}

/**
 * The rows of a table in the order its header asks for, with that order's state and click handler: for a table whose
 * rows are drawn elsewhere (as `AlertRow` draws an alert), beside `SortHeadRow`.
 *
 * @example const { sort, toggle, sorted } = useSortedRows(alerts, ALERT_SORT_COLUMNS);
 */
export function useSortedRows<T>(rows: readonly T[], columns: ReadonlyArray<SortColumn<T>>) {
  const { sort, toggle } = useSort();
  // A column is keyed by its index, so the same `columns` give the header row and the values.
  const sorted = useMemo(() => sortRows(rows, sort, (r, k) => columns[Number(k)]?.value?.(r)), [rows, sort, columns]);
  return { sort, toggle, sorted };
}

/**
 * The header row of `columns`: a column with a `value` sorts when clicked, the others are plain titles.
 *
 * @example <thead><SortHeadRow columns={ALERT_SORT_COLUMNS} sort={sort} onSort={toggle} /></thead>
 */
export function SortHeadRow<T>({ columns, sort, onSort }: { columns: ReadonlyArray<SortColumn<T>>; sort: SortState | null; onSort: (k: string) => void }) {
  return <tr>{columns.map((c, i) => (c.value ? <SortTh key={i} label={c.label} k={String(i)} sort={sort} onSort={onSort} /> : <th key={i}>{c.label}</th>))}</tr>;
}

/**
 * @example
 * <SortedGrid columns={[{ label: 'User', value: (u) => u.name }, { label: 'Events', value: (u) => u.count }]} rows={users}
 *   rowKey={(u) => u.id} row={(u) => <><td>{u.name}</td><td>{u.count}</td></>} testId="ip-users" />
 */
export function SortedGrid<T>(props: {
  columns: ReadonlyArray<SortColumn<T>>;
  rows: readonly T[];
  rowKey: (row: T) => string;
  row: (row: T) => ReactNode;
  /** A click anywhere on a row (opening it in the details panel, say). */
  onRowClick?: (row: T) => void;
  testId?: string;
  pageNote?: string;
}) {
  const { sort, toggle, sorted } = useSortedRows(props.rows, props.columns);
  const click = props.onRowClick;
  return (
    <>
      <table className="grid" data-testid={props.testId}>
        <thead>
          <SortHeadRow columns={props.columns} sort={sort} onSort={toggle} />
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={props.rowKey(r)} onClick={click && (() => click(r))}>{props.row(r)}</tr>
          ))}
        </tbody>
      </table>
      {sort && props.pageNote && <p className="muted small">{props.pageNote}</p>}
    </>
  );
}
