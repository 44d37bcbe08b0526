/**
 * `GET /api/v1/stats/volume` (the histogram), `GET /api/v1/actions` (the action catalogue, grouped by category,
 * with stored counts) and `GET /api/v1/reasons` (anomaly reasons seen).
 */
import { Hono } from 'hono';
import { actionCatalogue } from '../../sim/catalogue.ts';
import type { Catalogue } from '../api-types.ts';
import type { AppEnv } from '../context.ts';
import { checkRange, NoQuery, parseQuery, VolumeQuery } from '../validate.ts';
import { volume } from '../volume.ts';
import { toEventQuery } from './events.ts';

/**
 * @example api.route('/', statsRoutes());
 */
export function statsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/stats/volume', async (c) => {
    const deps = c.get('deps');
    const p = parseQuery(VolumeQuery, c.req.url);
    checkRange(p);
    await deps.rollups.catchUp(2000, deps.clock.now());
    const q = await toEventQuery(deps, p);
    return c.json(await volume(deps.store.uiReads(), { ...q, text: p.q, buckets: p.buckets }));
  });

  r.get('/actions', async (c) => {
    const deps = c.get('deps');
    parseQuery(NoQuery, c.req.url);
    await deps.rollups.catchUp(2000, deps.clock.now());
    const counts = await deps.store.uiReads().actionCounts();
    // The catalogue Slack publishes (as the simulator serves it), plus any action seen in the store but not listed:
    // Slack adds actions over time and the filter must offer what is actually stored.
    const categories = Object.entries(actionCatalogue()).map(([category, names]) => ({
      category,
      actions: names.map((name) => ({ name, count: counts.get(name) ?? 0 })),
    }));
    const listed = new Set(categories.flatMap((g) => g.actions.map((a) => a.name)));
    const other = [...counts].filter(([name]) => !listed.has(name)).map(([name, count]) => ({ name, count }));
    if (other.length) categories.push({ category: 'other', actions: other.sort((a, b) => a.name.localeCompare(b.name)) });
    return c.json({ categories } satisfies Catalogue);
  });

  r.get('/reasons', async (c) => {
    const deps = c.get('deps');
    parseQuery(NoQuery, c.req.url);
    const rows = await deps.store.topCounts('reason', 200);
    return c.json({ reasons: rows.map((r) => ({ name: r.key, count: r.count })) });
  });

  return r;
}
