// Formatting shared by every page. Times are shown in UTC, as Slack's audit log records them.

export function fmtTime(ts: number | string | null | undefined): string {
  if (ts === null || ts === undefined) return '';
  const d = typeof ts === 'number' ? new Date(ts * 1000) : new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

export function fmtCount(n: number): string {
  return n.toLocaleString('en');
}

/** ISO 8601 without milliseconds (the API accepts it for since/until). */
export function isoOf(ts: number): string {
  return new Date(ts * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function userLabel(u: { id: string | null; name: string | null; email?: string | null }): string {
  return u.name ?? u.email ?? u.id ?? '';
}
