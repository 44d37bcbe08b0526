/**
 * WHERE and LIMIT pieces of the PostgreSQL listings (alerts, incidents, action log, outbox): the positional-parameter
 * counterpart of `sqlite/filter-sql.ts`, so each listing states only which filters it has.
 */

/**
 * Collects the conditions of a WHERE clause and their positional parameters.
 *
 * @example
 * const w = pgConditions();
 * w.inList('status', ['open', 'acknowledged']);
 * w.add(`last_ts >= ${w.param(1700000000)}`);
 * w.build(); // { where: 'WHERE status = ANY($1) AND last_ts >= $2', params: [['open', 'acknowledged'], 1700000000] }
 */
export function pgConditions(params: unknown[] = []) {
  const where: string[] = [];
  return {
    /** Bind a value; gives its placeholder (`$n`). */
    param(v: unknown): string {
      return `$${params.push(v)}`;
    },
    /** `col = ANY($n)`; an absent or empty list filters nothing (it is "any", not "none"). */
    inList(col: string, values: readonly string[] | undefined): void {
      if (values?.length) where.push(`${col} = ANY(${this.param([...values])}::text[])`);
    },
    /** A condition whose placeholders came from `param`. */
    add(condition: string): void {
      where.push(condition);
    },
    /** The clause (empty when nothing is filtered) and the parameters to bind. */
    build(): { where: string; params: unknown[] } {
      return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
    },
  };
}

/**
 * The ` LIMIT … OFFSET …` of a page, empty when neither is set (PostgreSQL's "no limit" is `LIMIT ALL`).
 *
 * @example pgPageSql(50, 100) // ' LIMIT 50 OFFSET 100'; pgPageSql(undefined, 10) // ' LIMIT ALL OFFSET 10'
 */
export function pgPageSql(limit: number | undefined, offset: number | undefined): string {
  return limit || offset ? ` LIMIT ${limit ? Math.floor(limit) : 'ALL'} OFFSET ${Math.floor(offset ?? 0)}` : '';
}
