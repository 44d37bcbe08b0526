/**
 * The action log (issue #11): every response and allowlist change gridwatch makes or refuses to make (done, failed,
 * refused, dry run, proposed, approved, automatic) as an append-only, tamper-evident chain. Each record carries the
 * SHA-256 of the previous record and its own SHA-256 over a canonical serialisation (`canonicalAction`), so editing,
 * inserting or deleting a record in the middle breaks the chain at that record (`verify`). The schema below is the
 * single definition of a record; backends store it (SQLite: `sqlite/actions.ts`, migration 5).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** What became of an action. `refused`: gridwatch itself declined (no confirmation, guardrail); nothing was called. */
export const ActionStatus = z.enum(['done', 'failed', 'refused', 'dry_run', 'proposed', 'approved', 'cancelled']);
export type ActionStatus = z.infer<typeof ActionStatus>;

/** Entries of Slack's anomaly allowlist or the config's local lists. */
export const AllowlistEntries = z.object({ cidrs: z.array(z.string()), asns: z.array(z.number().int()) });
export type AllowlistEntries = z.infer<typeof AllowlistEntries>;

/** What an allowlist change added and removed (entries already present or absent are not listed). */
export const AllowlistDiff = z.object({ added: AllowlistEntries, removed: AllowlistEntries });
export type AllowlistDiff = z.infer<typeof AllowlistDiff>;

/** What Slack answered (`ok`, the error code, details such as failed users). Never the token. */
export const SlackAnswer = z.looseObject({ ok: z.boolean(), error: z.string().optional() });
export type SlackAnswer = z.infer<typeof SlackAnswer>;

/** The fields a caller supplies; the log adds `id`, `time` (unless given), `prev_hash` and `hash`. */
export const NewAction = z.object({
  /** `web:<gridwatch user>`, `cli:<os user>` or `auto`. */
  actor: z.string().min(1),
  /** e.g. `sign-out`, `end-session`, `allowlist.add`, `allowlist.remove`. */
  action: z.string().min(1),
  /** User ids (or `slack`/`local` lists for allowlist changes) the action is aimed at. */
  targets: z.array(z.string()),
  /** The call's arguments (scope, session id, entries...), as shown to the person who confirmed. */
  arguments: z.record(z.string(), z.unknown()),
  reason: z.string().nullable(),
  alert_id: z.string().nullable(),
  status: ActionStatus,
  /** Slack's answer when a call was made; null when nothing was called. */
  slack: SlackAnswer.nullable(),
  /** Slack's error code (or `ratelimited`, `network`), null on success or when nothing was called. */
  slack_error: z.string().nullable(),
  /** The one-line message shown to the person, when the action did not succeed. */
  message: z.string().nullable(),
  diff: AllowlistDiff.nullable(),
});
export type NewAction = z.infer<typeof NewAction>;

/** One stored record. `time` is ISO 8601 UTC with milliseconds (`Date.prototype.toISOString`). */
export const ActionRecord = NewAction.extend({
  id: z.number().int().positive(),
  time: z.iso.datetime(),
  prev_hash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ActionRecord = z.infer<typeof ActionRecord>;

/** Filters of `ActionLog.list`; all optional. */
export interface ActionFilter {
  /** Records whose targets include this user id. */
  user?: string;
  alertId?: string;
  action?: string;
  status?: ActionStatus;
  /** Inclusive lower bound on `time` (ISO 8601). */
  since?: string;
  /** Max rows (default: all). */
  limit?: number;
}

/** The outcome of `verify`: `bad` is the first record that does not fit the chain, with why. */
export type VerifyResult = { ok: true; count: number } | { ok: false; count: number; bad: { id: number; problem: string } };

export interface ActionLog {
  /**
   * Append one record at the end of the chain (atomically: concurrent writers serialise) and return it as stored.
   * Throws when the entry does not match `NewAction`.
   */
  append(entry: NewAction, time?: Date): Promise<ActionRecord>;
  /** Records matching the filter, newest first. */
  list(filter?: ActionFilter): Promise<ActionRecord[]>;
  get(id: number): Promise<ActionRecord | null>;
  /** Walk the chain from the first record: each must parse, link to its predecessor and hash to its `hash`. */
  verify(): Promise<VerifyResult>;
}

/** JSON with object keys sorted at every depth: the same record always serialises to the same bytes. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * The canonical serialisation a record's hash covers: every field but `hash`, keys sorted.
 *
 * @example canonicalAction({ ...record, hash: 'x' }) === canonicalAction(record)
 */
export function canonicalAction(r: Omit<ActionRecord, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...rest } = r;
  return canonicalJson(rest);
}

/**
 * The SHA-256 (hex) of a record's canonical serialisation.
 *
 * @example record.hash === actionHash(record) // for an untouched record
 */
export function actionHash(r: Omit<ActionRecord, 'hash'> & { hash?: string }): string {
  return createHash('sha256').update(canonicalAction(r)).digest('hex');
}

/**
 * Check a chain given in id order (the shared logic of every backend's `verify`). `raw` items are records as read,
 * not yet validated, with their stored id.
 *
 * @example verifyChain([{ id: 1, value: rec1 }, { id: 2, value: rec2 }]) // { ok: true, count: 2 }
 */
export function verifyChain(raw: Iterable<{ id: number; value: unknown }>): VerifyResult {
  let prev = GENESIS_HASH;
  let count = 0;
  for (const { id, value } of raw) {
    const parsed = ActionRecord.safeParse(value);
    if (!parsed.success) return { ok: false, count, bad: { id, problem: `not a valid record (${parsed.error.issues[0]?.path.join('.') || 'shape'})` } };
    const r = parsed.data;
    if (r.prev_hash !== prev) return { ok: false, count, bad: { id, problem: 'prev_hash does not match the previous record (a record before it was removed, inserted or rewritten)' } };
    if (actionHash(r) !== r.hash) return { ok: false, count, bad: { id, problem: 'hash does not match the record (it was edited after it was written)' } };
    prev = r.hash;
    count++;
  }
  return { ok: true, count };
}
