/**
 * `GET /api/v1/action-log` (issue #11): the action log, newest first, filtered and paged, records as the CLI's
 * `actions --format json` minus the hashes. Store reads only: every logged-in role may read it.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ActionStatus } from '../../store/actions.ts';
import type { AppEnv } from '../context.ts';
import { parseQuery } from '../validate.ts';
import { actionJson } from './respond.ts';

const ActionsQuery = z.object({
  user: z.string().max(100).optional(),
  alert: z.string().max(200).optional(),
  // parseQuery hands `action` and `status` over as lists (as for the events and alerts filters): one value is taken.
  action: z.array(z.string().max(100)).max(1, 'one action at a time').optional().transform((a) => a?.[0]),
  status: z.array(ActionStatus).max(1, 'one status at a time').optional().transform((a) => a?.[0]),
  since: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** @example api.route('/action-log', actionRoutes()); */
export function actionRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => {
    const q = parseQuery(ActionsQuery, c.req.url);
    const rows = await c.get('deps').store.actionLog().list({ user: q.user, alertId: q.alert, action: q.action, status: q.status, since: q.since });
    return c.json({ actions: rows.slice(q.offset, q.offset + q.limit).map(actionJson), total: rows.length });
  });
  return r;
}
