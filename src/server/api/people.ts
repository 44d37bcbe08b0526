/**
 * `GET /api/v1/people?q=&limit=`: the top bar's people search. Prefix match (case ignored) on a person's id, e-mail,
 * name or a word of their name, over the actors and user entities of the audit log, newest first. `q` is at most 100
 * characters, `limit` 1..100 (default 20); an empty `q` finds nobody.
 */
import { Hono } from 'hono';
import { isoSeconds } from '../../util/time.ts';
import type { AppEnv } from '../context.ts';
import { parseQuery, PeopleQuery } from '../validate.ts';

/** One suggestion: the newest name and e-mail seen for the id, and when. */
export interface PersonSuggestion {
  id: string;
  name: string | null;
  email: string | null;
  last_seen: string;
}

/**
 * @example api.route('/people', peopleRoutes()); // GET /api/v1/people?q=matt → { people: [{ id: 'W0MATT0001', ... }] }
 */
export function peopleRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => {
    const deps = c.get('deps');
    const p = parseQuery(PeopleQuery, c.req.url);
    const search = deps.store.eventSearch?.();
    if (!search) return c.json({ people: [] as PersonSuggestion[] });
    // People seen since the last catch-up appear once the background fold (started here if idle) has run.
    void search.catchUpInBackground().catch((e) => deps.log('search index catch-up failed', { error: (e as Error).message }));
    const rows = await search.people(p.q, p.limit);
    return c.json({ people: rows.map((r): PersonSuggestion => ({ id: r.id, name: r.name, email: r.email, last_seen: isoSeconds(r.last_ts) })) });
  });
  return r;
}
