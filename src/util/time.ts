/**
 * Parse a CLI time: ISO 8601, Unix seconds, or a duration back from now (`90m`, `24h`, `30d`, `2w`, `45s`).
 * Returns Unix seconds. Throws an Error whose message says what is accepted (a duration reaches back 100 years at
 * most; ISO dates have four-digit years, so every result lies between year 0 and 9999).
 *
 * @example
 * parseTime('24h', Date.now()) // now - 86400 s
 * parseTime('2024-01-01')      // 1704067200
 */
export function parseTime(input: string, nowMs: number = Date.now()): number {
  const s = input.trim();
  const dur = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i.exec(s);
  if (dur) {
    const back = Number(dur[1]) * UNIT_SECONDS[dur[2]!.toLowerCase()]!;
    // `1000000000w` is a typo or a probe, not a range: a number that large made the histogram allocate for ages.
    if (!(back <= MAX_LOOKBACK_S)) throw new Error(`cannot read time "${input}": a duration back from now may reach at most 100 years (36500d)`);
    return Math.floor(nowMs / 1000 - back);
  }
  if (/^\d{9,11}$/.test(s)) return Number(s);
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
  }
  throw new Error(
    `cannot read time "${input}": use ISO 8601 (2024-01-01 or 2024-01-01T12:00:00Z), Unix seconds (1704067200), or a duration back from now (90m, 24h, 30d)`,
  );
}

/**
 * Parse a duration (`90s`, `15m`, `6h`, `30d`) or plain seconds into seconds.
 *
 * @example parseDuration('6h') // 21600
 */
export function parseDuration(input: string): number {
  const s = input.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i.exec(s);
  if (!m) throw new Error(`cannot read duration "${input}": use seconds or a number with s, m, h, d or w (e.g. 90s, 15m, 6h)`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!.toLowerCase()]!;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
/** The longest duration `parseTime` reads as "back from now": 100 years, far past any audit log. */
const MAX_LOOKBACK_S = 36500 * 86400;

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** Year 10000: beyond it ISO 8601 needs a sign and six digits. */
const FAST_LIMIT = 253_402_300_800;
/** Date part (`YYYY-MM-DDT`) by day number: alert context mixes a few days (the alert's, its history's). */
const datePrefixes = new Map<number, string>();

/**
 * Unix seconds to ISO 8601 (UTC, no milliseconds).
 *
 * Why not just `toISOString`: alert context writes a few timestamps per event listed, tens of thousands per replay.
 * Whole seconds reuse a cached date part and format the time directly; anything else (fractions, before 1970,
 * past year 9999) goes through `Date`.
 *
 * @example isoSeconds(1717372800) // '2024-06-03T00:00:00Z'
 */
export function isoSeconds(ts: number): string {
  if (!Number.isInteger(ts) || ts < 0 || ts >= FAST_LIMIT) return new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
  const day = Math.floor(ts / 86400);
  let date = datePrefixes.get(day);
  if (date === undefined) {
    if (datePrefixes.size >= 4096) datePrefixes.clear();
    date = new Date(day * 86_400_000).toISOString().slice(0, 11);
    datePrefixes.set(day, date);
  }
  const s = ts - day * 86400;
  return `${date}${TWO_DIGITS[Math.floor(s / 3600)]}:${TWO_DIGITS[Math.floor(s / 60) % 60]}:${TWO_DIGITS[s % 60]}Z`;
}
