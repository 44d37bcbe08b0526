/**
 * The read models' fold on PostgreSQL: the hourly volume per action and the directory of actors (UI), and the people
 * directory (search), from events as stored. The append folds its own events in its transaction (`foldOnAppend`), so
 * the read models are current at every commit and nothing is rebuilt when a server starts. A catch-up folds what the
 * append could not: everything after a `reset`, or the events stored before migration 20. Appends and catch-ups
 * serialise on the append lock, so no event is folded twice.
 *
 * One aggregation (`FoldBatch`) serves both paths: the same newest-name-wins and lower-casing (JavaScript's, as
 * typed searches are lower-cased) whichever folds an event.
 */
import type pg from 'pg';
import { inTransaction } from './tx.ts';

/** Advisory lock serialising appends (`append.ts`) and the catch-up fold. */
export const APPEND_LOCK = 0x67726461; // 'grda'

/** Events read per catch-up transaction: keeps each hold on the append lock short. */
const CHUNK = 50_000;

/**
 * A string PostgreSQL text can hold: U+0000 (decoded from a `\u0000` escape) becomes U+FFFD, as the append stores it.
 *
 * @example pgText('a\u0000b') // 'a\uFFFDb'
 */
export function pgText<T extends string | null>(s: T): T {
  return (s !== null && s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s) as T;
}

/**
 * What the fold reads of one event. `userRaw`: the received text of a user entity's event, whose `entity.user.email`
 * is read only if it can be the person's newest (most of a batch's are not: a JSON.parse each cost the append more
 * than the rest of its read-model work).
 */
export interface FoldRow {
  seq: number;
  ts: number;
  action: string;
  actorId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  entityType: string | null;
  entityId: string | null;
  entityName: string | null;
  userRaw: string | null;
}

/** `entity.user.email` of a raw event, or null (any malformed text included). */
export function userEmailOf(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const v = (JSON.parse(raw) as { entity?: { user?: { email?: unknown } } })?.entity?.user?.email;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

interface Named {
  name: string | null;
  email: string | null;
  /** (ts, seq) of the newest name and e-mail taken. */
  nameTs: number;
  nameSeq: number;
  emailTs: number;
  emailSeq: number;
  first: number;
  last: number;
  n: number;
  /** Raw texts that may hold a newer e-mail, not read yet (`settleEmails`). */
  pending: Array<{ raw: string; ts: number; seq: number }> | null;
}

const newer = (ts: number, seq: number, atTs: number, atSeq: number) => ts > atTs || (ts === atTs && seq > atSeq);

function named(m: Map<string, Named>, id: string, ts: number): Named {
  let p = m.get(id);
  if (!p) m.set(id, (p = { name: null, email: null, nameTs: -Infinity, nameSeq: 0, emailTs: -Infinity, emailSeq: 0, first: ts, last: ts, n: 0, pending: null }));
  return p;
}

/** Count an event of `id`; the newest non-null name and e-mail win (a later event without them keeps the known ones). */
function note(m: Map<string, Named>, id: string, name: string | null, email: string | null, ts: number, seq: number): Named {
  const p = named(m, id, ts);
  p.n++;
  if (ts < p.first) p.first = ts;
  if (ts > p.last) p.last = ts;
  if (name !== null && newer(ts, seq, p.nameTs, p.nameSeq)) (p.name = name), (p.nameTs = ts), (p.nameSeq = seq);
  if (email !== null && newer(ts, seq, p.emailTs, p.emailSeq)) (p.email = email), (p.emailTs = ts), (p.emailSeq = seq);
  return p;
}

/** Read the pending raw texts newest first, down to the first e-mail newer than the one known. */
function settleEmails(p: Named): void {
  if (!p.pending) return;
  p.pending.sort((a, b) => b.ts - a.ts || b.seq - a.seq);
  for (const c of p.pending) {
    if (!newer(c.ts, c.seq, p.emailTs, p.emailSeq)) break;
    const email = userEmailOf(c.raw);
    if (email !== null) {
      (p.email = email), (p.emailTs = c.ts), (p.emailSeq = c.seq);
      break;
    }
  }
  p.pending = null;
}

/**
 * Events of a batch aggregated per hour and action, per actor, and per person (actors and user entities), added one at
 * a time (the append adds each row as it encodes it for COPY, while the server parses the previous chunk).
 *
 * @example const b = new FoldBatch(); b.add(row); await foldOnAppend(client, b);
 */
export class FoldBatch {
  /** Events per hour, per action. */
  readonly volume = new Map<number, Map<string, number>>();
  readonly actors = new Map<string, Named>();
  readonly people = new Map<string, Named>();
  /** Newest sequence number added (0: none). */
  maxSeq = 0;

  add(r: FoldRow): void {
    const hour = Math.floor(r.ts / 3600);
    let actions = this.volume.get(hour);
    if (!actions) this.volume.set(hour, (actions = new Map()));
    actions.set(r.action, (actions.get(r.action) ?? 0) + 1);
    if (r.actorId !== null) {
      note(this.actors, r.actorId, r.actorName, r.actorEmail, r.ts, r.seq);
      note(this.people, r.actorId, r.actorName, r.actorEmail, r.ts, r.seq);
    }
    if (r.entityType === 'user' && r.entityId !== null) {
      const p = note(this.people, r.entityId, r.entityName, null, r.ts, r.seq);
      if (r.userRaw !== null && newer(r.ts, r.seq, p.emailTs, p.emailSeq)) (p.pending ??= []).push({ raw: r.userRaw, ts: r.ts, seq: r.seq });
    }
    if (r.seq > this.maxSeq) this.maxSeq = r.seq;
  }

  /** The people, their e-mails read from the pending raw texts. */
  settledPeople(): Array<[string, Named]> {
    for (const p of this.people.values()) settleEmails(p);
    return [...this.people];
  }
}

/** Keep the known value unless the incoming rows are at least as new (then theirs, when they have one). */
const newest = (t: string, col: string) =>
  `${col} = CASE WHEN excluded.last_ts >= ${t}.last_ts THEN coalesce(excluded.${col}, ${t}.${col}) ELSE coalesce(${t}.${col}, excluded.${col}) END`;

const UP_VOLUME = `INSERT INTO ui_volume_hourly (hour, action, n) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
  ON CONFLICT (hour, action) DO UPDATE SET n = ui_volume_hourly.n + excluded.n`;
const UP_ACTORS = `INSERT INTO ui_actors (actor_id, name, email, first_ts, last_ts, n)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
  ON CONFLICT (actor_id) DO UPDATE SET ${newest('ui_actors', 'name')}, ${newest('ui_actors', 'email')},
    first_ts = least(ui_actors.first_ts, excluded.first_ts), last_ts = greatest(ui_actors.last_ts, excluded.last_ts), n = ui_actors.n + excluded.n`;
const UP_PEOPLE = `INSERT INTO people (id, name, email, last_ts, id_lc, name_lc, email_lc)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
  ON CONFLICT (id) DO UPDATE SET ${['name', 'email', 'name_lc', 'email_lc'].map((c) => newest('people', c)).join(', ')},
    last_ts = greatest(people.last_ts, excluded.last_ts)`;

/** Fold a batch into the read-model tables (the caller holds the append lock, in a transaction). */
async function fold(c: pg.ClientBase, b: FoldBatch): Promise<void> {
  if (!b.maxSeq) return;
  const volume = [...b.volume].flatMap(([hour, actions]) => [...actions].map(([action, n]) => ({ hour, action, n })));
  const actors = [...b.actors];
  const people = b.settledPeople();
  const lc = (s: string | null) => (s === null ? null : pgText(s.toLowerCase()));
  await c.query(UP_VOLUME, [volume.map((v) => v.hour), volume.map((v) => pgText(v.action)), volume.map((v) => v.n)]);
  if (actors.length) {
    await c.query(UP_ACTORS, [actors.map(([id]) => pgText(id)), actors.map(([, a]) => pgText(a.name)), actors.map(([, a]) => pgText(a.email)),
      actors.map(([, a]) => a.first), actors.map(([, a]) => a.last), actors.map(([, a]) => a.n)]);
  }
  if (people.length) {
    await c.query(UP_PEOPLE, [people.map(([id]) => pgText(id)), people.map(([, p]) => pgText(p.name)), people.map(([, p]) => pgText(p.email)),
      people.map(([, p]) => p.last), people.map(([id]) => lc(id)), people.map(([, p]) => lc(p.name)), people.map(([, p]) => lc(p.email))]);
  }
}

/**
 * Whether the append folds its own events (false after a reset until a catch-up has folded the backlog). Read under
 * the append lock, so it cannot change before the append commits.
 *
 * @example if (await readModelsLive(client)) batch = new FoldBatch();
 */
export async function readModelsLive(c: pg.ClientBase): Promise<boolean> {
  return (await c.query<{ live: boolean }>('SELECT live FROM read_models WHERE id = 1')).rows[0]?.live ?? false;
}

/**
 * In the append's transaction, under the append lock, with the read models live: fold the batch's new events.
 *
 * @example await foldOnAppend(client, batch) // batch: a FoldBatch of the events this append inserted
 */
export async function foldOnAppend(c: pg.ClientBase, b: FoldBatch): Promise<void> {
  if (!b.maxSeq) return;
  await fold(c, b);
  await c.query('UPDATE read_models SET seq = greatest(seq, $1) WHERE id = 1', [b.maxSeq]);
}

const FOLD_SELECT = `SELECT seq, ts, action, actor_id, actor_name, actor_email, entity_type, entity_id, entity_name,
  CASE WHEN entity_type = 'user' AND entity_id IS NOT NULL THEN raw END AS raw FROM events WHERE seq > $1 AND seq <= $2`;

/**
 * Fold what the appends left out (at most `maxEvents`), a chunk per transaction; returns how many events this call
 * folded: 0 when the appends kept the read models current (the usual case), so it is cheap to call often.
 *
 * @example await catchUpReadModels(pool) // 0 unless reset, or a store with events from before migration 20
 */
export async function catchUpReadModels(pool: pg.Pool, maxEvents = Number.MAX_SAFE_INTEGER): Promise<number> {
  let folded = 0;
  // The usual case without taking the append lock: live read models stay live until a reset.
  if ((await pool.query<{ live: boolean }>('SELECT live FROM read_models WHERE id = 1')).rows[0]?.live) return 0;
  while (folded < maxEvents) {
    const n = await inTransaction(pool, async (c) => {
      const { seq, live } = (await c.query<{ seq: number; live: boolean }>('SELECT seq, live FROM read_models WHERE id = 1')).rows[0]!;
      if (live) return 0;
      const top = (await c.query<{ n: number }>('SELECT coalesce(max(seq), 0) AS n FROM events')).rows[0]!.n;
      if (top <= seq) {
        // Caught up under the lock: from here on every append folds its own events.
        await c.query('UPDATE read_models SET live = true WHERE id = 1');
        return 0;
      }
      const to = Math.min(top, seq + Math.min(CHUNK, maxEvents - folded));
      const r = await c.query<{ seq: number; ts: number; action: string; actor_id: string | null; actor_name: string | null; actor_email: string | null; entity_type: string | null; entity_id: string | null; entity_name: string | null; raw: string | null }>(FOLD_SELECT, [seq, to]);
      const b = new FoldBatch();
      for (const x of r.rows) {
        b.add({ seq: x.seq, ts: x.ts, action: x.action, actorId: x.actor_id, actorName: x.actor_name, actorEmail: x.actor_email,
          entityType: x.entity_type, entityId: x.entity_id, entityName: x.entity_name, userRaw: x.raw });
      }
      await fold(c, b);
      await c.query('UPDATE read_models SET seq = $1 WHERE id = 1', [to]);
      return to - seq;
    }, APPEND_LOCK);
    if (n === 0) break;
    folded += n;
  }
  return folded;
}

/** Sequence number folded in so far. */
export async function readModelPosition(pool: pg.Pool): Promise<number> {
  return (await pool.query<{ seq: number }>('SELECT seq FROM read_models WHERE id = 1')).rows[0]?.seq ?? 0;
}

/**
 * Forget the read models (volume, actors, people) so the next catch-up rebuilds them from the events.
 *
 * @example await resetReadModels(pool)
 */
export async function resetReadModels(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('TRUNCATE ui_volume_hourly, ui_actors, people');
    await c.query('UPDATE read_models SET seq = 0, live = false WHERE id = 1');
  }, APPEND_LOCK);
}
