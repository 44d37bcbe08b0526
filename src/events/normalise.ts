import type { AuditEvent, NormalisedEvent } from './schema.ts';

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const asStr = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Slack sends `session_id` as a number, a string or null: always store it as a string. */
function sessionIdOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return asStr(v);
}

/** `details.reason` is a string in the SDK types but an array for anomalies; accept both. */
export function reasonsOf(v: unknown): string[] {
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (Array.isArray(v)) return v.filter((r): r is string => typeof r === 'string' && r !== '');
  return [];
}

/**
 * `details.action_timestamp` comes in µs (16 digits) or ms (13 digits), sometimes seconds: normalise by magnitude.
 *
 * @example toMillis(1644428253989994) // 1644428253989
 */
export function toMillis(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return null;
  if (n >= 1e17) return Math.floor(n / 1e6); // ns
  if (n >= 1e14) return Math.floor(n / 1e3); // µs
  if (n >= 1e11) return Math.floor(n); // ms
  return Math.floor(n * 1000); // s
}

/** The sub-object of an entity or actor keyed by its type (`entity.file`, `entity.channel`, ...). */
function typedPart(holder: Obj | null): { type: string | null; part: Obj | null } {
  if (!holder) return { type: null, part: null };
  const type = asStr(holder.type);
  let part = type ? asObj(holder[type]) : null;
  if (!part) {
    // Unknown or missing type: take the first object-valued field, as Slack keys it by type name.
    for (const [k, v] of Object.entries(holder)) {
      if (k !== 'type' && asObj(v)) {
        part = v as Obj;
        break;
      }
    }
  }
  return { type, part };
}

/**
 * Derive the indexed view of an event, tolerating every documented drift (docs/slack-api.md 7.9).
 *
 * @example
 * const n = normalise(JSON.parse(raw));
 * n.reasons // ['user_agent', 'excessive_downloads']
 */
export function normalise(ev: AuditEvent): NormalisedEvent {
  const actor = typedPart(asObj(ev.actor));
  const entity = typedPart(asObj(ev.entity));
  const context = asObj(ev.context);
  const details = asObj(ev.details);
  const location = asObj(context?.location);
  return {
    id: ev.id,
    ts: ev.date_create,
    action: ev.action,
    actorType: actor.type,
    actorId: asStr(actor.part?.id),
    actorName: asStr(actor.part?.name),
    actorEmail: asStr(actor.part?.email),
    entityType: entity.type,
    entityId: asStr(entity.part?.id),
    entityName: asStr(entity.part?.name) ?? asStr(entity.part?.title),
    ip: asStr(typeof context?.ip_address === 'string' ? context.ip_address.trim() : null),
    sessionId: sessionIdOf(context?.session_id),
    ua: asStr(context?.ua),
    locationId: asStr(location?.id),
    reasons: reasonsOf(details?.reason),
    actionTimestampMs: toMillis(details?.action_timestamp),
  };
}
