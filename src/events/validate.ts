import { isUtf8 } from 'node:buffer';
import { overlongIdentifier } from './identifier-limit.ts';
import { normalise } from './normalise.ts';
import { AuditEventSchema, type AuditEvent, type NormalisedEvent } from './schema.ts';

/** Default size limit for one event's JSON text. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

export type Validated =
  /** `norm`: the indexed view the identifier check made, for the store (no second `normalise`). */
  | { ok: true; event: AuditEvent; raw: string; norm: NormalisedEvent }
  | { ok: false; reason: string };

export interface ValidateOptions {
  /** Reject events whose JSON text is larger than this many bytes (default 1 MiB). */
  maxBytes?: number;
}

/**
 * Validate the bytes of one candidate audit event: UTF-8, size, JSON, object, required fields.
 * The raw text is returned untouched so the store can keep exactly what Slack sent.
 *
 * @example
 * const v = validateEventBytes(Buffer.from('{"id":"a","date_create":1,"action":"user_login"}'));
 * if (!v.ok) console.error(v.reason);
 */
export function validateEventBytes(bytes: Buffer, opts: ValidateOptions = {}): Validated {
  const max = opts.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  if (bytes.length > max) return { ok: false, reason: `event is ${bytes.length} bytes, over the ${max}-byte limit` };
  if (!isUtf8(bytes)) return { ok: false, reason: 'not valid UTF-8' };
  return validateEventText(bytes.toString('utf8'), opts);
}

/** Same as `validateEventBytes` for text that is already decoded (size is checked in UTF-8 bytes). */
export function validateEventText(raw: string, opts: ValidateOptions = {}): Validated {
  const max = opts.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  // Cheap upper bound first: a UTF-8 string is at most 3 bytes per UTF-16 unit.
  if (raw.length * 3 > max && Buffer.byteLength(raw) > max) {
    return { ok: false, reason: `event is ${Buffer.byteLength(raw)} bytes, over the ${max}-byte limit` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  return validateEventValue(parsed, raw);
}

/** Validate an already-parsed value (the raw text it came from is kept as is). */
export function validateEventValue(parsed: unknown, raw: string): Validated {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, reason: `not a JSON object (got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed})` };
  }
  // Fast path: the three required fields are what makes an event; zod only runs to explain a failure.
  const o = parsed as Record<string, unknown>;
  if (typeof o.id === 'string' && o.id !== '' && typeof o.action === 'string' && o.action !== '' &&
      Number.isInteger(o.date_create) && (o.date_create as number) >= 0) {
    return checkedIdentifiers(o as AuditEvent, raw);
  }
  const r = AuditEventSchema.safeParse(parsed);
  if (r.success) return checkedIdentifiers(o as AuditEvent, raw);
  const issue = r.error.issues[0]!;
  const path = issue.path.join('.') || '(event)';
  const missing = issue.code === 'invalid_type' && (o as Record<string, unknown>)[path] === undefined;
  return { ok: false, reason: missing ? `missing required field ${path}` : `${path}: ${issue.message}` };
}

function checkedIdentifiers(event: AuditEvent, raw: string): Validated {
  const norm = normalise(event);
  const overlong = overlongIdentifier(norm, raw);
  return overlong === null ? { ok: true, event, raw, norm } : { ok: false, reason: overlong };
}
