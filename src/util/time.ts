/**
 * Parse a CLI time: ISO 8601, Unix seconds, or a duration back from now (`90m`, `24h`, `30d`, `2w`, `45s`).
 * Returns Unix seconds. Throws an Error whose message says what is accepted.
 *
 * @example
 * parseTime('24h', Date.now()) // now - 86400 s
 * parseTime('2024-01-01')      // 1704067200
 */
export function parseTime(input: string, nowMs: number = Date.now()): number {
  const s = input.trim();
  const dur = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i.exec(s);
  if (dur) return Math.floor(nowMs / 1000 - Number(dur[1]) * UNIT_SECONDS[dur[2]!.toLowerCase()]!);
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

/** Unix seconds to ISO 8601 (UTC, no milliseconds). */
export function isoSeconds(ts: number): string {
  return new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
}
