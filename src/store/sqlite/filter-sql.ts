/**
 * WHERE and LIMIT pieces of the SQLite listings (alerts, incidents): one way of binding an IN list by named
 * parameters and of paging, so each listing states only which filters it has.
 */

/**
 * Collects the conditions of a WHERE clause and their named parameters.
 *
 * @example
 * const w = sqlConditions();
 * w.inList('status', 's', ['open', 'acknowledged']);
 * w.add('last_ts >= @since', { since: 1700000000 });
 * w.build(); // { where: 'WHERE status IN (@s0, @s1) AND last_ts >= @since', p: { s0: 'open', s1: 'acknowledged', since: 1700000000 } }
 */
export function sqlConditions() {
  const where: string[] = [];
  const p: Record<string, unknown> = {};
  return {
    /** `col IN (@name0, …)`; an absent or empty list filters nothing (it is "any", not "none"). */
    inList(col: string, name: string, values: readonly string[] | undefined): void {
      if (values?.length) where.push(`${col} IN (${inParams(p, name, values)})`);
    },
    /** A condition written with its own named parameters. */
    add(condition: string, params: Record<string, unknown>): void {
      where.push(condition);
      Object.assign(p, params);
    },
    /** The clause (empty when nothing is filtered) and the parameters to bind. */
    build(): { where: string; p: Record<string, unknown> } {
      return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', p };
    },
  };
}

/**
 * Binds `values` as `@name0, @name1, …` into `p` and gives that list, for an `IN (…)`.
 *
 * @example const p = {}; inParams(p, 'r', ['a', 'b']); // '@r0, @r1', p = { r0: 'a', r1: 'b' }
 */
export function inParams(p: Record<string, unknown>, name: string, values: readonly string[]): string {
  return values.map((v, i) => ((p[`${name}${i}`] = v), `@${name}${i}`)).join(', ');
}

/**
 * The ` LIMIT … OFFSET …` of a page, empty when neither is set. SQLite takes OFFSET only after a LIMIT: -1 is its
 * "no limit".
 *
 * @example pageSql(50, 100) // ' LIMIT 50 OFFSET 100'; pageSql(undefined, 10) // ' LIMIT -1 OFFSET 10'
 */
export function pageSql(limit: number | undefined, offset: number | undefined): string {
  return limit || offset ? ` LIMIT ${limit ? Math.floor(limit) : -1} OFFSET ${Math.floor(offset ?? 0)}` : '';
}
