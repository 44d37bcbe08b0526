/**
 * Calendar arithmetic in the configured time zone: day numbers for daily buckets and alert periods.
 *
 * Offsets come from `Intl` (no time-zone library), memoised per 15-minute slot because every zone's transitions
 * fall on a quarter hour and the lookup is on the per-event path.
 */

const SLOT = 900;

export class TimeZone {
  readonly isUtc: boolean;
  private readonly fmt: Intl.DateTimeFormat | null;
  private readonly cache = new Map<number, number>();

  /**
   * @example
   * const tz = new TimeZone('Europe/Paris');
   * tz.dayOf(1717372800) // local day number of 2024-06-03T00:00:00Z (02:00 in Paris)
   */
  constructor(readonly name: string = 'UTC') {
    this.isUtc = name === 'UTC' || name === 'Etc/UTC' || name === 'GMT';
    this.fmt = this.isUtc
      ? null
      : new Intl.DateTimeFormat('en-US', {
          timeZone: name,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
  }

  /**
   * Seconds east of UTC at instant `ts` (Unix seconds).
   *
   * @example new TimeZone('America/New_York').offsetAt(1717372800) // -14400
   */
  offsetAt(ts: number): number {
    if (!this.fmt) return 0;
    const slot = Math.floor(ts / SLOT);
    const hit = this.cache.get(slot);
    if (hit !== undefined) return hit;
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(new Date(slot * SLOT * 1000))) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) / 1000;
    const off = local - slot * SLOT;
    if (this.cache.size > 200_000) this.cache.clear();
    this.cache.set(slot, off);
    return off;
  }

  /**
   * Local day number (days since 1970-01-01 in this zone) of instant `ts`.
   *
   * @example new TimeZone().dayOf(86400 * 3 + 5) // 3
   */
  dayOf(ts: number): number {
    return Math.floor((ts + this.offsetAt(ts)) / 86400);
  }

  /**
   * First instant (Unix seconds) of local day `day`; exact except on the rare days a zone skips midnight.
   *
   * @example new TimeZone().dayStart(3) // 259200
   */
  dayStart(day: number): number {
    const guess = day * 86400 - this.offsetAt(day * 86400);
    return day * 86400 - this.offsetAt(guess);
  }

  /**
   * ISO date (YYYY-MM-DD) of local day `day`.
   *
   * @example new TimeZone().dayLabel(0) // '1970-01-01'
   */
  dayLabel(day: number): string {
    return new Date(day * 86400 * 1000).toISOString().slice(0, 10);
  }
}
