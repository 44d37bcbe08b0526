/**
 * Which fields of an event to highlight in the details panel: the ones that made a rule fire or that the alert's
 * context flags. Paths are dotted (`details.reason`, `context.ua`, `entity.file.name`), array items by index.
 *
 * Rules do not record which leaf matched, so this is derived from what the alert says: its reasons, its new or
 * listed IPs, its unexpected or new user agents, the new value of a new-value rule, the files of a download alert.
 */
import type { Alert } from '../alerts/types.ts';

type Json = unknown;

/** Every path whose leaf is a string in `values`. */
function pathsOfValues(obj: Json, values: ReadonlySet<string>, prefix = '', out: string[] = []): string[] {
  if (typeof obj === 'string') {
    if (values.has(obj) && prefix) out.push(prefix);
  } else if (Array.isArray(obj)) {
    obj.forEach((v, i) => pathsOfValues(v, values, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) pathsOfValues(v, values, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/**
 * Paths to highlight in one event's raw JSON, optionally in the light of an alert it belongs to.
 *
 * @example
 * highlightPaths(JSON.parse(raw), alert) // ['action', 'details.reason', 'context.ua']
 */
export function highlightPaths(raw: Json, alert?: Alert | null): string[] {
  const ev = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const out = new Set<string>();
  const details = ev.details as Record<string, unknown> | undefined;
  if (ev.action === 'anomaly' && details && 'reason' in details) out.add('details.reason');
  if (!alert) return [...out];
  out.add('action');
  const flagged = new Set<string>();
  const ctx = alert.context;
  for (const ip of ctx?.ips ?? []) if (ip.new_for_user || ip.threat_intel?.listed) flagged.add(ip.ip);
  for (const ua of ctx?.user_agents ?? []) if (!ua.expected || ua.new_for_user) flagged.add(ua.ua);
  for (const k of ['value', 'values']) {
    const v = ctx?.facts?.[k];
    for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string' && s) flagged.add(s);
  }
  for (const p of pathsOfValues(ev, flagged)) out.add(p);
  const downloaded = new Set((ctx?.downloads?.files ?? []).map((f) => f.event_id));
  if (typeof ev.id === 'string' && downloaded.has(ev.id)) {
    for (const p of ['entity.file.name', 'entity.file.title']) {
      const [a, b, c] = p.split('.') as [string, string, string];
      const ent = ev[a] as Record<string, Record<string, unknown>> | undefined;
      if (ent?.[b]?.[c] !== undefined) out.add(p);
    }
  }
  return [...out];
}

/**
 * `highlightPaths` of an event's stored raw text. Stored raw text is validated JSON; a damaged row that does not
 * parse is treated as an empty object (its text is still shown, without highlights from its content).
 *
 * @example highlightRaw(event.raw, alert) // ['action', 'details.reason']
 */
export function highlightRaw(raw: string, alert?: Alert | null): string[] {
  let parsed: Json = null;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // a damaged row: highlight nothing from its content
  }
  return highlightPaths(parsed, alert);
}
