/**
 * Who may call the simulator's admin Web API methods: each simulator token stands for an installation with a set of
 * scopes, held by an admin or not, on an Enterprise org or not. Checks run in Slack's order: authentication, plan,
 * scope, role; the refusal is the Web API's `{ok:false,error}` (with `needed`/`provided` for `missing_scope`).
 */
import type { TokenKind } from '../server.ts';

/** The scope each method needs (docs/slack-api.md 4.1, 5.1-5.4). */
export const METHOD_SCOPES = {
  'admin.users.session.reset': 'admin.users:write',
  'admin.users.session.resetBulk': 'admin.users:write',
  'admin.users.session.invalidate': 'admin.users:write',
  'admin.users.session.list': 'admin.users:read',
  'admin.audit.anomaly.allow.getItem': 'admin',
  'admin.audit.anomaly.allow.updateItem': 'admin',
} as const;

export type AdminMethod = keyof typeof METHOD_SCOPES;

interface Grant {
  scopes: readonly string[];
  /** An org owner or admin installed it. */
  admin: boolean;
  /** The org is on Enterprise Grid. */
  enterprise: boolean;
}

const ALL_ADMIN = ['admin', 'admin.users:read', 'admin.users:write'];

/** What each simulator token was granted. Tokens not listed here (none today) cannot call the admin methods. */
export const TOKEN_GRANTS: Readonly<Record<TokenKind, Grant>> = {
  owner: { scopes: ['auditlogs:read'], admin: true, enterprise: true },
  workspace: { scopes: ['auditlogs:read'], admin: true, enterprise: true },
  noScope: { scopes: [], admin: true, enterprise: true },
  adminWeb: { scopes: ALL_ADMIN, admin: true, enterprise: true },
  adminReadOnly: { scopes: ['admin.users:read'], admin: true, enterprise: true },
  member: { scopes: ALL_ADMIN, admin: false, enterprise: true },
  notEnterprise: { scopes: ALL_ADMIN, admin: true, enterprise: false },
};

export type AuthRefusal = { error: string; needed?: string; provided?: string };

/**
 * Null when the token may call the method, else the Web API refusal.
 *
 * @example
 * authorize('admin.users.session.reset', 'owner', true)
 * // { error: 'missing_scope', needed: 'admin.users:write', provided: 'auditlogs:read' }
 */
export function authorize(method: AdminMethod, kind: TokenKind | null, present: boolean): AuthRefusal | null {
  if (!present) return { error: 'not_authed' };
  if (kind === null) return { error: 'invalid_auth' };
  const g = TOKEN_GRANTS[kind];
  if (!g.enterprise) return { error: method.startsWith('admin.audit.') ? 'not_an_enterprise' : 'feature_not_enabled' };
  const needed = METHOD_SCOPES[method];
  if (!g.scopes.includes(needed)) return { error: 'missing_scope', needed, provided: g.scopes.join(',') };
  if (!g.admin) return { error: 'not_an_admin' };
  return null;
}
