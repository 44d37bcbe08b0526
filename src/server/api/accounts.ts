/**
 * `/api/v1/accounts`: the UI's local accounts, for admins. A created account without a password gets a generated
 * one, returned once in the response and to be changed at first login.
 */
import { Hono } from 'hono';
import { requireRole } from '../auth/middleware.ts';
import { AccountError } from '../auth/users.ts';
import type { AppEnv } from '../context.ts';
import { badParam, HttpError, notFound } from '../errors.ts';
import { AccountPatchBody, NewAccountBody, NoQuery, parseBody, parseQuery } from '../validate.ts';

function mapError(e: unknown): never {
  if (e instanceof AccountError) {
    if (e.code === 'exists') throw new HttpError(409, 'exists', e.message, 'name');
    if (e.code === 'last_admin') throw new HttpError(409, 'last_admin', e.message);
    if (e.code === 'invalid') throw new HttpError(400, 'invalid_parameter', e.message);
  }
  throw e;
}

function idParam(v: string): number {
  if (!/^\d{1,12}$/.test(v)) throw badParam('id', 'must be an account id (an integer)');
  return Number(v);
}

/**
 * @example api.route('/accounts', accountRoutes());
 */
export function accountRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', requireRole('admin'));

  r.get('/', async (c) => {
    parseQuery(NoQuery, c.req.url);
    return c.json({ accounts: await c.get('deps').accounts.list() });
  });

  r.post('/', async (c) => {
    const deps = c.get('deps');
    const body = await parseBody(NewAccountBody, c.req.raw);
    try {
      const { account, password } = await deps.accounts.create({ name: body.name, role: body.role, password: body.password }, deps.clock.now());
      deps.log('account created', { name: account.name, role: account.role, by: c.get('session')!.account.name });
      return c.json({ account, ...(body.password ? {} : { password }) }, 201);
    } catch (e) {
      mapError(e);
    }
  });

  r.patch('/:id', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const body = await parseBody(AccountPatchBody, c.req.raw);
    if (!(await deps.accounts.get(id))) throw notFound('account', String(id));
    try {
      const account = await deps.accounts.setRole(id, body.role, deps.clock.now());
      await deps.sessions.destroyAll(id);
      deps.log('account role set', { name: account.name, role: account.role, by: c.get('session')!.account.name });
      return c.json({ account });
    } catch (e) {
      mapError(e);
    }
  });

  r.delete('/:id', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    if (!(await deps.accounts.get(id))) throw notFound('account', String(id));
    try {
      await deps.accounts.remove(id);
      deps.log('account removed', { id, by: c.get('session')!.account.name });
      return c.body(null, 204);
    } catch (e) {
      mapError(e);
    }
  });

  return r;
}
