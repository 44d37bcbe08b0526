import { z } from 'zod';

/**
 * The Slack audit event, as the Audit Logs API sends it.
 *
 * Only `id`, `date_create` and `action` are required: everything else Slack may send (new fields, new entity types,
 * drifting types) is a valid event and is kept. The nested shapes are documented for readers and for the derived
 * TypeScript type, but they are lenient (`looseObject`) so that drift never turns a real event into a rejected one;
 * the normalised view (see `normalise.ts`) reads them defensively.
 *
 * @example
 * const r = AuditEventSchema.safeParse(JSON.parse(line));
 * if (r.success) console.log(r.data.action);
 */
export const AuditEventSchema = z.looseObject({
  id: z.string().min(1, 'id must be a non-empty string'),
  date_create: z.number().int('date_create must be an integer (Unix seconds)').nonnegative(),
  action: z.string().min(1, 'action must be a non-empty string'),
  actor: z.unknown().optional(),
  entity: z.unknown().optional(),
  context: z.unknown().optional(),
  details: z.unknown().optional(),
});

/** A Slack audit event that passed validation (unknown fields included). */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/**
 * The indexed, drift-free view of one event that the store, the detection engine and the UI query on.
 * Derived from the raw event by `normalise()`; the raw JSON text is always kept beside it.
 */
export interface NormalisedEvent {
  id: string;
  /** `date_create`, Unix seconds. */
  ts: number;
  action: string;
  actorType: string | null;
  actorId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  entityType: string | null;
  entityId: string | null;
  /** Name (or title) of the entity: file name, channel name, app name, user name... */
  entityName: string | null;
  /** `context.ip_address`, null when absent or empty. */
  ip: string | null;
  /** `context.session_id` as a string whatever type Slack sent, null when absent. */
  sessionId: string | null;
  ua: string | null;
  locationId: string | null;
  /** `details.reason` as an array (Slack sends a string or an array). Empty for non-anomalies. */
  reasons: string[];
  /** `details.action_timestamp` normalised to milliseconds (Slack sends µs or ms). */
  actionTimestampMs: number | null;
}

/** What history needs from an event (who used which IP and user agent, when): a scan can hand these over without an event object. */
export type HistoryFields = Pick<NormalisedEvent, 'ts' | 'actorId' | 'ip' | 'ua'>;

/** An event read back from a store. */
export interface StoredEvent {
  /** Store-assigned sequence number: increases with insertion, used for incremental processing. */
  seq: number;
  /** The exact JSON text received from Slack. */
  raw: string;
  norm: NormalisedEvent;
}
