/**
 * The event filters as the CLI (`gridwatch events --ip ...`) and the HTTP API (`/events?ip=...`) accept them: one zod
 * shape, so both reject the same values with the same words. Every filter given must have a value: an empty one
 * (`--action ''`, `reason=`) is an error naming it, never "match everything" or "match nothing".
 */
import { z } from 'zod';
import { parseAsn } from '../enrich/asn.ts';
import { parseCidr, type CidrRange } from '../enrich/ip.ts';
import { parseTime } from '../util/time.ts';

const EMPTY = 'must not be empty';

/** Text of at most `max` characters, trimmed, not empty. */
export const shortText = (max = 200) => z.string().trim().min(1, EMPTY).max(max, `must be at most ${max} characters`);

/** A time as the CLI accepts it: ISO 8601, Unix seconds, or a duration back from now (`24h`). */
export const time = z.string().trim().min(1, EMPTY).transform((v, ctx) => {
  try {
    return parseTime(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const actionName = z.string().min(1, EMPTY).regex(/^[A-Za-z0-9_.:-]{1,120}$/, 'action names are letters, digits, "_", ".", ":" and "-"');

/**
 * Split a list value (`a,b` or repeated) into trimmed items. Empty items are kept so the schema can reject them.
 *
 * @example splitList(['a, b', 'c']) // ['a', 'b', 'c']
 */
export function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim());
}

/** A list of at least one item (an empty list or item is an error, not "any"). */
export const nonEmptyList = <T extends z.ZodType>(item: T, max: number, what: string) => z.array(item).min(1, EMPTY).max(max, `at most ${max} ${what}`);

/** An address or CIDR block (IPv4 or IPv6, any prefix length), as inclusive numeric bounds. */
const ipOrCidr = z.string().trim().min(1, EMPTY).max(64, 'must be at most 64 characters').transform((v, ctx): CidrRange => {
  const r = parseCidr(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: `must be an IP address or CIDR block (203.0.113.7, 203.0.113.0/24, 2001:db8::/32): ${r.reason}` });
    return z.NEVER;
  }
  return r.range;
});

const asn = z.string().trim().min(1, EMPTY).transform((v, ctx) => {
  const n = parseAsn(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: 'must be an AS number (13335 or AS13335)' });
    return z.NEVER;
  }
  return n;
});

/** Slack conversation ids: `C…` (channels), `G…` (private groups), `D…` (direct messages). */
const channel = z.string().trim().min(1, EMPTY).regex(/^[A-Za-z0-9]{1,40}$/, 'must be a channel id (letters and digits, e.g. C0123ABCD)');

/** The event filters shared by the event list, the histogram, the export and `gridwatch events`. */
export const EventFilterShape = {
  action: nonEmptyList(actionName, 50, 'actions').optional(),
  actor: shortText().optional(),
  entity: shortText().optional(),
  /** An address or a CIDR block, matched as addresses (any spelling of the same address matches). */
  ip: ipOrCidr.optional(),
  /** Events from an address of this autonomous system (by the IP data in effect). */
  asn: asn.optional(),
  /** The channel of a message entity (`entity.message.channel`). */
  channel: channel.optional(),
  session: shortText(64).optional(),
  reason: shortText(100).optional(),
  since: time.optional(),
  until: time.optional(),
  /** Free text, matched case-insensitively against the raw event. */
  q: shortText(200).optional(),
};

/** The parsed filters (`ip` as a range, `asn` as a number, times as Unix seconds). */
export type EventFilters = z.infer<z.ZodObject<typeof EventFilterShape>>;

/** Parameters that are lists (`action=a,b`, repeatable). */
export const EVENT_LIST_FILTERS = new Set(['action']);
