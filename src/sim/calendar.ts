/** Local working days for people in different time zones, in Unix seconds. */

/** A closed range of Unix seconds the generator fills: `[start, end]`. */
export interface Range {
  start: number;
  end: number;
}

/** One local calendar day of one person. */
export interface LocalDay {
  /** Unix seconds of local midnight. */
  midnight: number;
  weekend: boolean;
}

/**
 * Every local calendar day that overlaps the range, for a UTC offset in hours. Weekends are local (a Saturday in
 * Singapore starts while it is still Friday in San Francisco), which is why activity is planned per person.
 *
 * @example
 * localDays({ start: 1700000000, end: 1700172800 }, -5).length // 3
 */
export function localDays(range: Range, utcOffsetHours: number): LocalDay[] {
  const off = Math.round(utcOffsetHours * 3600);
  const first = Math.floor((range.start + off) / 86400);
  const last = Math.floor((range.end + off) / 86400);
  const days: LocalDay[] = [];
  for (let d = first; d <= last; d++) {
    // 1970-01-01 was a Thursday: (d + 4) % 7 is 0 on Sundays and 6 on Saturdays.
    const dow = (((d + 4) % 7) + 7) % 7;
    days.push({ midnight: d * 86400 - off, weekend: dow === 0 || dow === 6 });
  }
  return days;
}

/**
 * True when the second lies in the range, both ends included (the generator drops what falls outside).
 *
 * @example
 * inRange({ start: 10, end: 20 }, 20) // true
 */
export function inRange(range: Range, ts: number): boolean {
  return ts >= range.start && ts <= range.end;
}
